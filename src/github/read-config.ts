/**
 * Read `.github/keywarden.yml` the way Probot's `context.config` does (the repository's file, the
 * owner's `.github` repository as fallback, `_extends`, deep merge), then validate it. A file that
 * does not parse is a configuration problem, reported like any other: the defaults apply. A file
 * that could not be fetched (GitHub answered 5xx, 403, or the connection dropped) is not: running on
 * defaults then would file issues the configuration opts out of, or post the summary in the wrong
 * repository, so the error is thrown and the job retried.
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

export async function readRepoConfig(octokit: InstallationOctokit, owner: string, repo: string, log: Logger): Promise<LoadedConfig> {
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

/** The organization-wide configuration: the owner's `.github` repository. */
export function readOrgConfig(octokit: InstallationOctokit, owner: string, log: Logger): Promise<LoadedConfig> {
  return readRepoConfig(octokit, owner, ".github", log);
}
