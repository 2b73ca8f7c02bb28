/**
 * The stand-in's repositories: real bare git repositories in a temporary directory it owns, so a
 * clone of `clone_url` fetches real objects, the contents API reads the real file at the real ref,
 * and GraphQL reports the real default-branch HEAD. Commits are written with plumbing against the
 * bare repository (a throwaway index and work tree per commit), never with a synchronous git call:
 * the same event loop serves the clone.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";

export const ZERO_SHA = "0000000000000000000000000000000000000000";

const GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: "/nonexistent",
  LANG: "C",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_AUTHOR_NAME: "Stand-in Developer",
  GIT_AUTHOR_EMAIL: "developer@example.com",
  GIT_COMMITTER_NAME: "Stand-in Developer",
  GIT_COMMITTER_EMAIL: "developer@example.com",
};

/** Run git asynchronously (callback execFile, never sync); resolves stdout, rejects with stderr. */
export function gitBinary(args: string[], options: { cwd?: string; input?: string; indexFile?: string } = {}): Promise<Buffer> {
  const env = options.indexFile ? { ...GIT_ENV, GIT_INDEX_FILE: options.indexFile } : GIT_ENV;
  return new Promise((resolve, reject) => {
    const child = execFile("git", args, { cwd: options.cwd, env, maxBuffer: 64 * 1024 * 1024, encoding: "buffer" }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`git ${args.join(" ")}: ${stderr.toString().trim() || error.message}`));
      resolve(stdout);
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

export async function git(args: string[], options: { cwd?: string; input?: string; indexFile?: string } = {}): Promise<string> {
  return (await gitBinary(args, options)).toString("utf8");
}

export interface FileChanges {
  added: string[];
  modified: string[];
  removed: string[];
}

export interface CommitResult {
  repo: string;
  branch: string;
  /** The branch's previous commit; null when this commit created the branch. */
  before: string | null;
  after: string;
  message: string;
  files: FileChanges;
}

export interface CommitChange {
  /** Files to write (path relative to the repository root → content). */
  files?: Record<string, string | Buffer>;
  /** Paths to delete. */
  remove?: string[];
  message?: string;
  /** Branch to commit to (default: the repository's default branch). */
  branch?: string;
  /**
   * When `branch` does not exist yet: the ref or commit it starts from (as `git switch -c BRANCH
   * FROM` would). Without it a new branch starts with a root commit.
   */
  from?: string;
}

function safeRelative(path: string): string {
  const clean = normalize(path).replace(/^\/+/, "");
  if (clean.startsWith("..") || clean === "." || clean === "") throw new Error(`not a path inside the repository: ${path}`);
  return clean;
}

/** Create an empty bare repository whose HEAD names `branch`, serving partial clones. */
export async function initBare(dir: string, branch: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  await git(["-c", `init.defaultBranch=${branch}`, "init", "--quiet", "--bare", dir]);
  await git(["--git-dir", dir, "config", "uploadpack.allowFilter", "true"]);
  await git(["--git-dir", dir, "config", "uploadpack.allowAnySHA1InWant", "true"]);
}

/** The commit `ref` points at, or undefined. */
export async function resolveRef(bare: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(["--git-dir", bare, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Commit `change` onto `branch` of the bare repository, as a push would. */
export async function commitTo(bare: string, repo: string, branch: string, change: CommitChange): Promise<CommitResult> {
  const ref = `refs/heads/${branch}`;
  const before = (await resolveRef(bare, ref)) ?? null;
  let parentSha: string | undefined = before ?? undefined;
  if (!before && change.from !== undefined) {
    parentSha = await resolveRef(bare, change.from);
    if (!parentSha) throw new Error(`cannot start ${branch} from ${change.from}: no such ref or commit`);
  }
  const scratch = await mkdtemp(join(dirname(bare), ".commit-"));
  const work = join(scratch, "tree");
  await mkdir(work);
  const message = change.message ?? "change";
  try {
    // A private index: read the parent tree, stage only what changes, write the new tree.
    const indexFile = join(scratch, "index");
    const run = (args: string[], input?: string) =>
      git(["-c", "core.autocrlf=false", "--git-dir", bare, "--work-tree", work, ...args], { cwd: work, input, indexFile });
    if (parentSha) await run(["read-tree", parentSha]);
    const written = Object.keys(change.files ?? {}).map(safeRelative);
    for (const [path, content] of Object.entries(change.files ?? {})) {
      const target = join(work, safeRelative(path));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    if (written.length) await run(["add", "--", ...written]);
    const removed = (change.remove ?? []).map(safeRelative);
    if (removed.length) await run(["rm", "--cached", "--quiet", "--ignore-unmatch", "-r", "--", ...removed]);
    const tree = (await run(["write-tree"])).trim();
    const parent = parentSha ? ["-p", parentSha] : [];
    const after = (await run(["commit-tree", tree, ...parent, "-F", "-"], message)).trim();
    await git(["--git-dir", bare, "update-ref", ref, after, before ?? ZERO_SHA]);
    const diff = parentSha
      ? await git(["--git-dir", bare, "diff-tree", "-r", "--no-renames", "--name-status", parentSha, after])
      : await git(["--git-dir", bare, "diff-tree", "-r", "--no-renames", "--name-status", "--root", "--no-commit-id", after]);
    return { repo, branch, before, after, message, files: parseNameStatus(diff) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function parseNameStatus(text: string): FileChanges {
  const files: FileChanges = { added: [], modified: [], removed: [] };
  for (const line of text.split("\n")) {
    const match = /^([AMDT])\t(.+)$/.exec(line);
    if (!match) continue;
    const bucket = match[1] === "A" ? files.added : match[1] === "D" ? files.removed : files.modified;
    bucket.push(match[2]!);
  }
  return files;
}

export type PathAtRef =
  | { kind: "empty-repository" }
  | { kind: "no-ref" }
  | { kind: "missing" }
  | { kind: "blob"; sha: string; size: number; content: Buffer }
  | { kind: "tree"; sha: string; entries: { name: string; type: "file" | "dir"; sha: string; size: number }[] };

/** What the contents API sees at `path` of `ref`. */
export async function readPath(bare: string, ref: string, path: string): Promise<PathAtRef> {
  const commit = await resolveRef(bare, ref);
  if (!commit) {
    const anyRef = (await git(["--git-dir", bare, "for-each-ref", "--count=1", "refs/heads"])).trim();
    return anyRef ? { kind: "no-ref" } : { kind: "empty-repository" };
  }
  const spec = `${commit}:${path.replace(/^\/+|\/+$/g, "")}`;
  const check = (await git(["--git-dir", bare, "cat-file", "--batch-check"], { input: `${spec}\n` })).trim();
  const match = /^([0-9a-f]{40}) (blob|tree) (\d+)$/.exec(check);
  if (!match) return { kind: "missing" };
  const [, sha, type, size] = match as unknown as [string, string, string, string];
  if (type === "blob") return { kind: "blob", sha, size: Number(size), content: await gitBinary(["--git-dir", bare, "cat-file", "blob", sha]) };
  const listing = await git(["--git-dir", bare, "ls-tree", "-l", sha]);
  const entries = listing
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [meta, name] = line.split("\t") as [string, string];
      const [, kind, entrySha, entrySize] = meta.trim().split(/\s+/) as [string, string, string, string];
      return { name, type: kind === "tree" ? ("dir" as const) : ("file" as const), sha: entrySha, size: entrySize === "-" ? 0 : Number(entrySize) };
    });
  return { kind: "tree", sha, entries };
}
