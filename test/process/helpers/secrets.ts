/**
 * The leak check: no installation token (nor the Basic credential git would send for it) and no
 * line of the private key's PEM body in any byte a child wrote, on either stream.
 */
import type { Keywarden } from "./child.js";

export function secretsIn(output: Buffer, tokens: readonly string[], privateKeyPem: string): string[] {
  const text = output.toString("latin1");
  const found: string[] = [];
  for (const token of tokens) {
    if (text.includes(token)) found.push(`installation token ${token.slice(0, 8)}…`);
    const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
    if (text.includes(basic)) found.push(`git credential for ${token.slice(0, 8)}…`);
  }
  const pemLines = privateKeyPem
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("-----"));
  for (const line of pemLines) if (text.includes(line)) found.push(`private key line ${line.slice(0, 8)}…`);
  return found;
}

/** Leaks in the output of each child, by command. */
export function leaks(children: readonly Keywarden[], tokens: readonly string[], privateKeyPem: string): string[] {
  return children.flatMap((c) => secretsIn(c.output(), tokens, privateKeyPem).map((s) => `keywarden ${c.args.join(" ")}: ${s}`));
}
