/**
 * A shared history for bench:org's repositories (BENCH_ORG_HISTORY_MB): commits of application code
 * that every generated repository carries below its own first commit, as real repositories carry
 * years of history beside their Terraform. One bare repository holds it, written in one
 * `git fast-import`; the stand-in's repositories borrow its objects (git alternates, see
 * test/stand-in/world.ts `history`), so a thousand repositories cost one history on disk, while
 * every clone fetches it as the repository's own. Seeded: the same size gives the same history.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { mulberry32 } from "../prng.js";

export interface SharedHistory {
  /** The bare repository's object directory, for `objects/info/alternates`. */
  objects: string;
  /** The history's last commit: the parent of every repository's first commit. */
  commit: string;
  commits: number;
  /** Files in the last commit's tree (no Terraform among them). */
  files: number;
  /** The packed size on disk, as `git count-objects` reports it. */
  packedBytes: number;
}

const COMMITS = 200;
const PACKAGES = 25;
const FILES_PER_PACKAGE = 20;

function git(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("git", args, { maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH, HOME: "/nonexistent", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args[0]}: ${stderr || error.message}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Source-like text of about `bytes` bytes: identifiers and hex constants drawn from the PRNG. */
function sourceText(random: () => number, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const hex = Array.from({ length: 4 }, () => Math.floor(random() * 0xffffffff).toString(16).padStart(8, "0")).join("");
    const line = `\tv${Math.floor(random() * 1e6)} := decode("${hex}") // ${Math.floor(random() * 1e9).toString(36)}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `package main\n\n${lines.join("\n")}\n`;
}

/** Write about `megabytes` of packed history into a new bare repository at `dir`. */
export async function createSharedHistory(dir: string, megabytes: number, seed: number): Promise<SharedHistory> {
  const random = mulberry32(seed);
  await git(["init", "--quiet", "--bare", dir]);
  // Hex and identifiers pack to about half their size: write twice the target, spread over the commits.
  const perCommit = Math.ceil((megabytes * 2 * 1024 * 1024) / COMMITS);
  const filesPerCommit = 10;
  const chunks: string[] = [];
  for (let c = 1; c <= COMMITS; c++) {
    const message = `change ${c}\n`;
    chunks.push(`commit refs/heads/main\nmark :${c}\ncommitter Developer <developer@example.com> ${1_600_000_000 + c * 3600} +0000\ndata ${Buffer.byteLength(message)}\n${message}`);
    if (c > 1) chunks.push(`from :${c - 1}\n`);
    for (let f = 0; f < filesPerCommit; f++) {
      const path = `src/pkg${Math.floor(random() * PACKAGES)}/file${Math.floor(random() * FILES_PER_PACKAGE)}.go`;
      const text = sourceText(random, perCommit / filesPerCommit);
      chunks.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
    }
  }
  await git(["--git-dir", dir, "fast-import", "--quiet"], chunks.join(""));
  await git(["--git-dir", dir, "repack", "-adq"]);
  const commit = (await git(["--git-dir", dir, "rev-parse", "refs/heads/main"])).trim();
  const files = (await git(["--git-dir", dir, "ls-tree", "-r", "--name-only", commit])).split("\n").filter(Boolean).length;
  const counts = await git(["--git-dir", dir, "count-objects", "-v"]);
  const packedKib = Number(/size-pack: (\d+)/.exec(counts)?.[1] ?? 0);
  return { objects: join(dir, "objects"), commit, commits: COMMITS, files, packedBytes: packedKib * 1024 };
}
