/**
 * Fetch only a repository's Terraform files, treating the repository as hostile.
 *
 * One `git clone`: blobless, shallow, single-branch, and sparse from the start (its template holds
 * only the sparse-checkout file with the Terraform patterns of domain/terraform-files.ts, the
 * definition the scanner and the push filter use), so its checkout fetches exactly those blobs in
 * one batch. Each git process costs the worker a fork of itself, about 9 ms of a core for a
 * 200 MiB Node process (BENCHMARKS.md, bench:org profile), so a clone is one spawn, and the checked
 * out commit is read from the ref git just wrote rather than asked of a second one. A pull request's head is fetched the same way
 * by ref (`refs/pull/N/head`, which GitHub keeps in the base repository, so a fork's pull request
 * needs only the base repository's token) into an empty partial-clone repository. Hooks, symlinks, submodules, LFS smudging,
 * system/global config and unexpected transports are all off. The token travels as an HTTP header
 * scoped to the server's origin through GIT_CONFIG_* variables, so it is in neither the URL, nor
 * `.git/config`, nor the process list, and git never sends it to another host.
 *
 * A transfer GitHub fails transiently (5xx, 429, a dropped connection) is fetched again in a moment,
 * from scratch in a fresh directory, as the API requests are retried in place: one 502 on a pack
 * must cost a second, not a job attempt and BullMQ's 30 s back-off. 401, 403 and 404 are answers.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SPARSE_CHECKOUT_PATTERNS } from "../domain/terraform-files.js";

export interface CloneOptions {
  cloneUrl: string;
  /** Branch to fetch (the default branch); the remote HEAD when omitted. */
  branch?: string;
  /**
   * A ref to fetch instead of the branch: `refs/pull/<n>/head` (a pull request's head, which GitHub
   * keeps in the base repository, so a fork's commits come with the base repository's token) or
   * `refs/heads/<name>`. Anything else is refused (see `checkFetchRef`). Given, `branch` is ignored.
   */
  ref?: string;
  /** Installation token with contents:read; omitted for public or local repositories. */
  token?: string;
  /** Origin the token may be sent to, e.g. `https://github.com`; required with a token. */
  tokenOrigin?: string;
  /** Git transports allowed (GIT_ALLOW_PROTOCOL), e.g. ["https"]. */
  allowedProtocols: readonly string[];
  /** Kill git after this long (default 5 minutes). */
  timeoutMs?: number;
  /** Parent of the temporary work directory (default: the OS temp dir). */
  workRoot?: string;
  /** Fetches repeated after a transient failure (default 2), after `retryDelayMs` doubling (default 1000). */
  transientRetries?: number;
  retryDelayMs?: number;
  /** Told about each repeat (the message is scrubbed of the token). */
  onRetry?: (failure: { message: string; attempt: number; waitMs: number }) => void;
}

export interface Checkout {
  dir: string;
  commitSha: string;
}

export class CloneError extends Error {
  override name = "CloneError";
}

/** The repository has no commits: nothing to scan, and nothing wrong. */
export class EmptyRepositoryError extends CloneError {
  override name = "EmptyRepositoryError";
}

function gitEnvironment(options: CloneOptions): NodeJS.ProcessEnv {
  const config: [string, string][] = [
    ["core.hooksPath", "/dev/null"],
    ["core.symlinks", "false"],
    ["core.fsmonitor", "false"],
    ["submodule.recurse", "false"],
    ["fetch.recurseSubmodules", "false"],
    ["protocol.file.allow", options.allowedProtocols.includes("file") ? "always" : "never"],
    // Abort a transfer that stays under 1 KiB/s for a minute.
    ["http.lowSpeedLimit", "1024"],
    ["http.lowSpeedTime", "60"],
  ];
  if (options.token) {
    config.push([`http.${options.tokenOrigin}/.extraheader`, `AUTHORIZATION: basic ${basicCredential(options.token)}`]);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: "/nonexistent",
    LANG: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    GIT_LFS_SKIP_SMUDGE: "1",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ALLOW_PROTOCOL: options.allowedProtocols.join(":"),
    GIT_PROTOCOL_FROM_USER: "0",
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

function checkUrl(options: CloneOptions): void {
  let url: URL;
  try {
    url = new URL(options.cloneUrl);
  } catch {
    throw new CloneError(`clone URL is not a URL: ${JSON.stringify(options.cloneUrl)}`);
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (!options.allowedProtocols.includes(scheme)) {
    throw new CloneError(`clone URL uses ${scheme}, allowed: ${options.allowedProtocols.join(", ")}`);
  }
  if (url.username || url.password) throw new CloneError("clone URL must not carry credentials");
  if (options.token && url.origin !== options.tokenOrigin) {
    throw new CloneError(`refusing to send the installation token to ${url.origin} (expected ${options.tokenOrigin})`);
  }
}

function runGit(args: string[], env: NodeJS.ProcessEnv, options: CloneOptions, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { env, cwd, timeout: options.timeoutMs ?? 300_000, maxBuffer: 4 * 1024 * 1024, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout.trim());
        const reason = error.killed ? `timed out after ${options.timeoutMs ?? 300_000} ms` : stderr.trim() || error.message;
        // git never sees the token in argv or URLs, but a server may echo it (or the header carrying
        // it) back in its error message, and errors end up in logs and job records: scrub both.
        const scrubbed = scrub(reason, options.token);
        reject(new CloneError(`git ${args[0]} failed: ${scrubbed.split("\n").slice(-3).join(" | ")}`));
      },
    );
  });
}

/**
 * A failure of the transfer rather than an answer: the server's 5xx or 429, or the connection lost.
 * git reports HTTP errors as "The requested URL returned error: 502" or "RPC failed; HTTP 502".
 */
export function isTransientGitFailure(message: string): boolean {
  if (/returned error: (401|403|404)\b|HTTP (401|403|404)\b|timed out after/.test(message)) return false;
  return /returned error: (5\d\d|429)\b|RPC failed; HTTP (5\d\d|429)\b|Empty reply from server|Connection reset|Recv failure|remote end hung up unexpectedly|early EOF|unexpected disconnect|transfer closed|Failed to connect|Couldn't connect/i.test(
    message,
  );
}

/** `text` without the token, nor the Basic credential (base64) of the header that carries it. */
function scrub(text: string, token: string | undefined): string {
  if (!token) return text;
  return [token, basicCredential(token)].reduce((out, secret) => out.split(secret).join("***"), text);
}

function basicCredential(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString("base64");
}

/** Check out the Terraform files of `options.cloneUrl`, run `work`, and always remove the files. */
export async function withTerraformCheckout<T>(options: CloneOptions, work: (checkout: Checkout) => Promise<T>): Promise<T> {
  checkUrl(options);
  if (options.ref !== undefined) checkFetchRef(options.ref);
  const env = gitEnvironment(options);
  const retries = options.transientRetries ?? 2;
  for (let attempt = 1; ; attempt++) {
    const root = await mkdtemp(join(options.workRoot ?? tmpdir(), "keywarden-"));
    let checkout: Checkout;
    try {
      checkout = await fetchTerraform(options, env, join(root, "repo"));
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      const transient = error instanceof CloneError && !(error instanceof EmptyRepositoryError) && isTransientGitFailure(error.message);
      if (!transient || attempt > retries) throw error;
      const waitMs = (options.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
      options.onRetry?.({ message: (error as Error).message, attempt, waitMs });
      await sleep(waitMs);
      continue;
    }
    try {
      return await work(checkout);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}

const PULL_HEAD = /^refs\/pull\/[1-9][0-9]{0,9}\/head$/;

/**
 * Whether `name` (after `refs/heads/`) is a branch name git and GitHub accept, and safe on a
 * command line: no component starting with `.` or `-`, no `..`, `@{`, `//`, control characters,
 * spaces or any of `~^:?*[\`, no trailing `/`, `.` or `.lock`.
 */
function isSafeBranchName(name: string): boolean {
  if (!name || name.length > 255 || name === "@") return false;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(name)) return false;
  if (name.endsWith("/") || name.endsWith(".") || name.endsWith(".lock")) return false;
  return name.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.startsWith("-") && !part.endsWith(".lock"));
}

/**
 * Refuse a ref that is not `refs/pull/<digits>/head` nor `refs/heads/<name>`: the ref reaches
 * git's command line inside a refspec, so it must not be able to pass an option, name a second
 * refspec (`:`), or force-update something else (`+`).
 */
export function checkFetchRef(ref: string): void {
  if (PULL_HEAD.test(ref)) return;
  if (ref.startsWith("refs/heads/") && isSafeBranchName(ref.slice("refs/heads/".length))) return;
  throw new CloneError(
    `refusing to fetch ref ${JSON.stringify(ref.slice(0, 200))}: only refs/pull/<number>/head and refs/heads/<branch> are fetched (branch names as git allows them, without ":", "..", spaces or a leading "-")`,
  );
}

/** Where the fetched ref is kept in the scratch repository. */
const SCAN_REF = "refs/keywarden/scan";

/**
 * `ref` of the remote, with the same blobless, shallow, no-tags fetch as the clone: an empty
 * repository is set up as a partial clone of `origin` (so the sparse checkout fetches the Terraform
 * blobs on demand from it), and only `ref` is fetched.
 */
async function fetchRef(options: CloneOptions, env: NodeJS.ProcessEnv, dir: string, ref: string): Promise<void> {
  await runGit(["init", "--quiet", "--", dir], env, options);
  await runGit(["remote", "add", "origin", "--", options.cloneUrl], env, options, dir);
  await runGit(["config", "remote.origin.promisor", "true"], env, options, dir);
  await runGit(["config", "remote.origin.partialclonefilter", "blob:none"], env, options, dir);
  try {
    await runGit(["fetch", "--quiet", "--filter=blob:none", "--depth", "1", "--no-tags", "--no-write-fetch-head", "origin", `${ref}:${SCAN_REF}`], env, options, dir);
  } catch (error) {
    if (error instanceof CloneError && /couldn't find remote ref/i.test(error.message)) {
      throw new CloneError(`${ref} is not in the repository (the pull request was closed, or the branch deleted): nothing to scan`);
    }
    throw error;
  }
}

/**
 * A template directory for `git clone --template`: nothing but the sparse-checkout file (no hooks,
 * no description), so the clone's own checkout is already sparse.
 */
export async function writeSparseTemplate(template: string): Promise<void> {
  await mkdir(join(template, "info"), { recursive: true });
  await writeFile(join(template, "info", "sparse-checkout"), `${SPARSE_CHECKOUT_PATTERNS.join("\n")}\n`);
}

/** The one clone command: blobless, shallow, single-branch, no tags, sparse (the bench's fetch floor runs it too). */
export function sparseCloneArgs(template: string, cloneUrl: string, dir: string, branch?: string): string[] {
  return [
    "clone", "--quiet", "--filter=blob:none", "--depth", "1", "--single-branch", "--no-tags",
    `--template=${template}`, "--config", "core.sparseCheckout=true", "--config", "core.sparseCheckoutCone=false",
    ...(branch ? ["--branch", branch] : []),
    "--", cloneUrl, dir,
  ];
}

/**
 * The commit a fresh clone checked out, from `.git/HEAD` and the loose ref it names (what git
 * writes for the one branch it cloned); undefined when it is stored otherwise (packed, reftable),
 * and the caller asks git.
 */
async function readCheckedOutCommit(dir: string): Promise<string | undefined> {
  const read = (path: string) => readFile(join(dir, ".git", path), "utf8").then((text) => text.trim(), () => "");
  const head = await read("HEAD");
  const ref = /^ref: (refs\/heads\/[^\0\s]+)$/.exec(head)?.[1];
  const sha = ref && !ref.split("/").includes("..") ? await read(ref) : head;
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha) ? sha : undefined;
}

/** The sparse clone of the Terraform patterns, and the commit checked out. */
async function fetchTerraform(options: CloneOptions, env: NodeJS.ProcessEnv, dir: string): Promise<Checkout> {
  if (options.ref !== undefined) {
    await fetchRef(options, env, dir, options.ref);
    await runGit(["sparse-checkout", "set", "--no-cone", ...SPARSE_CHECKOUT_PATTERNS], env, options, dir);
    await runGit(["checkout", "--quiet", "--detach", SCAN_REF], env, options, dir);
    return { dir, commitSha: await runGit(["rev-parse", "HEAD"], env, options, dir) };
  }
  const template = `${dir}.template`;
  await writeSparseTemplate(template);
  try {
    await runGit(sparseCloneArgs(template, options.cloneUrl, dir, options.branch), env, options);
  } catch (error) {
    // An empty repository has no branch to clone; tell that apart from a real failure.
    const refs = await runGit(["ls-remote", "--", options.cloneUrl], env, options).catch(() => undefined);
    if (refs === "") throw new EmptyRepositoryError("the repository is empty (no commits)");
    throw error;
  }
  const commitSha = (await readCheckedOutCommit(dir)) ?? (await runGit(["rev-parse", "HEAD"], env, options, dir));
  return { dir, commitSha };
}
