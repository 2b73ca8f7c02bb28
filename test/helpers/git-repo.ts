/**
 * Real git repositories for tests: a bare "remote" and a working copy that commits into it.
 * git runs asynchronously so a test that also serves HTTP in-process never blocks its event loop.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, env: GIT_ENV });
  return stdout.trim();
}

export interface TestRepo {
  /** The bare repository a clone reads from. */
  bare: string;
  /** `file://` URL of the bare repository. */
  url: string;
  /** Write (string) or delete (null) files, or make symlinks ({ symlink: target }), commit and push. */
  commit(files: Record<string, string | Buffer | null | { symlink: string }>, message?: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createTestRepo(branch = "main"): Promise<TestRepo> {
  const root = await mkdtemp(join(tmpdir(), "keywarden-test-repo-"));
  const bare = join(root, "remote.git");
  const work = join(root, "work");
  await git(root, "init", "--quiet", "--bare", `--initial-branch=${branch}`, bare);
  await git(root, "init", "--quiet", `--initial-branch=${branch}`, work);
  await git(work, "remote", "add", "origin", bare);
  // Partial clones from a file:// remote need the server to allow filters.
  await git(bare, "config", "uploadpack.allowFilter", "true");
  await git(bare, "config", "uploadpack.allowAnySHA1InWant", "true");
  return {
    bare,
    url: pathToFileURL(bare).href,
    async commit(files, message = "change") {
      for (const [path, content] of Object.entries(files)) {
        const target = join(work, path);
        if (content === null) {
          await rm(target, { force: true });
          continue;
        }
        await mkdir(dirname(target), { recursive: true });
        if (typeof content === "object" && !Buffer.isBuffer(content)) await symlink(content.symlink, target);
        else await writeFile(target, content);
      }
      await git(work, "add", "--all");
      await git(work, "commit", "--quiet", "--allow-empty", "-m", message);
      await git(work, "push", "--quiet", "origin", branch);
      return git(work, "rev-parse", "HEAD");
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Every file of a checkout below `dir` (outside .git), relative and sorted: what a clone brought. */
export async function listFiles(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === ".git") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, root)));
    else out.push(relative(root, full));
  }
  return out.sort();
}
