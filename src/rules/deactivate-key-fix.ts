import type { EvaluatedAccessKey } from "./rule.js";

/**
 * The concrete fix as a unified diff of the resource block: set `status = "Inactive"` (replacing
 * the current status line, or adding one). Deleting the key is the better end state, but
 * deactivating first is the safe, reversible step AWS recommends before deletion.
 */
export function deactivateKeyFix(key: EvaluatedAccessKey): string {
  const { startLine } = key.block;
  const before = [...key.blockLines];
  const after = key.syntax === "json" ? jsonAfter(key, before) : hclAfter(key, before);
  return unifiedDiff(key.file, startLine, before, after);
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

/** Indentation used by the block's attributes (the user line's, else two spaces past the header). */
function attributeIndent(key: EvaluatedAccessKey, lines: readonly string[]): string {
  const user = key.attributes["user"];
  const userLine = user ? lines[user.line - key.block.startLine] : undefined;
  if (userLine !== undefined && user && user.line !== key.block.startLine) return indentOf(userLine);
  return indentOf(lines[0] ?? "") + "  ";
}

function hclAfter(key: EvaluatedAccessKey, lines: string[]): string[] {
  const out = [...lines];
  const status = key.attributes["status"];
  const { startLine, endLine } = key.block;
  if (status && status.line > startLine && status.line < endLine) {
    const i = status.line - startLine;
    out[i] = `${indentOf(out[i] ?? "")}status = "Inactive"`;
    return out;
  }
  if (startLine === endLine) {
    // One-line block: put the attribute before its closing brace.
    const line = out[0] ?? "";
    const close = line.lastIndexOf("}");
    out[0] = close < 0 ? line : `${line.slice(0, close).replace(/\s*$/, "")} status = "Inactive" ${line.slice(close)}`;
    return out;
  }
  out.splice(out.length - 1, 0, `${attributeIndent(key, lines)}status = "Inactive"`);
  return out;
}

function jsonAfter(key: EvaluatedAccessKey, lines: string[]): string[] {
  const out = [...lines];
  const status = key.attributes["status"];
  const { startLine } = key.block;
  if (status && status.line >= startLine) {
    const i = status.line - startLine;
    const line = out[i] ?? "";
    const replaced = line.replace(/("status"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\s]+)/, '$1"Inactive"');
    if (replaced !== line) {
      out[i] = replaced;
      return out;
    }
  }
  const header = out[0] ?? "";
  if (/\{\s*$/.test(header) && out.length > 2) {
    const indent = indentOf(out[1] ?? "") || indentOf(header) + "  ";
    out.splice(1, 0, `${indent}"status": "Inactive",`);
  }
  return out;
}

/** A single-hunk unified diff covering the whole block, with `a/` and `b/` prefixes as git writes them. */
export function unifiedDiff(file: string, startLine: number, before: readonly string[], after: readonly string[]): string {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) suffix++;
  const body: string[] = [];
  for (let i = 0; i < prefix; i++) body.push(` ${before[i]}`);
  for (let i = prefix; i < before.length - suffix; i++) body.push(`-${before[i]}`);
  for (let i = prefix; i < after.length - suffix; i++) body.push(`+${after[i]}`);
  for (let i = before.length - suffix; i < before.length; i++) body.push(` ${before[i]}`);
  const range = (start: number, count: number): string => (count === 1 ? `${start}` : `${start},${count}`);
  return [
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -${range(startLine, before.length)} +${range(startLine, after.length)} @@`,
    ...body,
    "",
  ].join("\n");
}
