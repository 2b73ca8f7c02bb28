import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

const made: string[] = [];

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh directory with the given files (string or raw bytes), removed after the test. */
export async function tempTree(files: Record<string, string | Buffer> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "keywarden-scan-"));
  made.push(root);
  await writeFiles(root, files);
  return root;
}

export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, ...path.split("/"));
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

/** Rule ids, shorter to write. */
export const ROOT = "terraform-aws-root-account-has-active-access-keys";
export const EXPOSED = "terraform-aws-iam-access-key-is-exposed";

/** `ruleId file:line` lines, the compact form most tests compare. */
export function where(findings: readonly { ruleId: string; file: string; line: number }[]): string[] {
  return findings.map((f) => `${f.ruleId === ROOT ? "root" : f.ruleId === EXPOSED ? "exposed" : f.ruleId} ${f.file}:${f.line}`);
}
