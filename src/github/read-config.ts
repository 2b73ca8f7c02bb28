/**
 * Read `.github/keywarden.yml` the way Probot's `context.config` does (the repository's file, the
 * owner's `.github` repository as fallback, `_extends`, deep merge), then validate it. A file that
 * does not parse is a configuration problem, reported like any other: the defaults apply. A file
 * that could not be fetched (GitHub answered 5xx, 403, or the connection dropped) is not: running on
 * defaults then would file issues the configuration opts out of, or post the summary in the wrong
 * repository, so the error is thrown and the job retried.
 *
 * The organization's file is read once per audit run, not once per repository: the scans of one
 * run (same installation, same run id) in one process share the first read of it (`readOrgConfig`
 * below). A repository's own file is still read by every scan. A change to the organization's file
 * during an audit reaches the next run (a new run id is a new cache entry) and every push scan at
 * once (push scans bypass the cache).
 */
import type { Logger } from "pino";
import { parseConfig, type ConfigProblem, type KeywardenConfig } from "../config/repo-config.js";
import { CONFIG_PATH } from "../domain/terraform-files.js";
import type { InstallationOctokit } from "./octokit/keywarden-octokit.js";

/** Defined once in domain/ (the push filter decides on the same path); re-exported for the jobs. */
export { CONFIG_PATH };

export interface LoadedConfig {
  config: KeywardenConfig;
  problems: ConfigProblem[];
}

/** Which audit run a scan belongs to, for sharing the organization's file within it. */
export interface AuditRunScope {
  installationId: number;
  auditRunId: string;
}

export async function readRepoConfig(octokit: InstallationOctokit, owner: string, repo: string, log: Logger, run?: AuditRunScope): Promise<LoadedConfig> {
  if (run && repo !== ".github" && !(await hasOwnConfig(octokit, owner, repo))) {
    // No file of its own: exactly the organization's configuration applies (Probot's fallback).
    return readOrgConfig(octokit, owner, log, run);
  }
  return loadConfig(octokit, owner, repo, log);
}

/**
 * Whether the repository has its own file (one GET; 404: no). When it has, the loader reads it
 * again, with its `_extends`: one extra request for such repositories, so the fallback and
 * `_extends` rules stay the loader's alone.
 */
async function hasOwnConfig(octokit: InstallationOctokit, owner: string, repo: string): Promise<boolean> {
  try {
    await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path: CONFIG_PATH, mediaType: { format: "raw" } });
    return true;
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return false;
    throw error;
  }
}

async function loadConfig(octokit: InstallationOctokit, owner: string, repo: string, log: Logger): Promise<LoadedConfig> {
  let raw: unknown;
  try {
    ({ config: raw } = await octokit.config.get({ owner, repo, path: CONFIG_PATH }));
  } catch (error) {
    // Octokit's request errors carry an HTTP status (a 404 already means "no file" to the loader);
    // the loader's own parse errors do not.
    if (typeof (error as { status?: unknown }).status === "number") throw error;
    const message = `could not read ${owner}/${repo}:${CONFIG_PATH}: ${(error as Error).message}`;
    log.warn({ repository: `${owner}/${repo}` }, message);
    return { ...parseConfig({}), problems: [{ key: CONFIG_PATH, message }] };
  }
  const loaded = parseConfig(raw, { account: owner });
  // `repository`, not `repo`: the scan job's lines already carry `repo` (pino would write it twice).
  for (const problem of loaded.problems) log.warn({ repository: `${owner}/${repo}`, key: problem.key }, `invalid configuration: ${problem.message}`);
  return loaded;
}

/**
 * The organization-wide configuration: the owner's `.github` repository. With `run`, the first read
 * of the run in this process is shared by the rest of it (a copy each: callers adjust what they get).
 * An entry lives at most ORG_CONFIG_TTL_MS, so a run longer than that reads the file again; a read
 * that failed is not kept, so the next scan asks again.
 */
export async function readOrgConfig(octokit: InstallationOctokit, owner: string, log: Logger, run?: AuditRunScope): Promise<LoadedConfig> {
  if (!run) return loadConfig(octokit, owner, ".github", log);
  const key = `${run.installationId}\n${owner}\n${run.auditRunId}`;
  const now = Date.now();
  for (const [k, entry] of orgConfigs) if (entry.expires <= now) orgConfigs.delete(k);
  let entry = orgConfigs.get(key);
  if (!entry) {
    entry = { expires: now + ORG_CONFIG_TTL_MS, loaded: loadConfig(octokit, owner, ".github", log) };
    orgConfigs.set(key, entry);
    const created = entry;
    created.loaded.catch(() => orgConfigs.get(key) === created && orgConfigs.delete(key));
  }
  return structuredClone(await entry.loaded);
}

/** How long a run's organization configuration is shared: longer than an audit's queueing, short enough to bound memory. */
export const ORG_CONFIG_TTL_MS = 15 * 60_000;

const orgConfigs = new Map<string, { expires: number; loaded: Promise<LoadedConfig> }>();
