/**
 * The `Keywarden` check run on a commit pushed to the default branch, published once the scan's
 * issues are in line: every finding of the commit counts (`changed: "all"`: a push has no base to
 * compare against). Issue links are left out: sync-issues reports issue numbers, not where the
 * issues live, and the summary links issues only for findings already on a base branch, which a
 * push has none of. An installation that has not accepted `checks: write` gets no check run and one log
 * line (from the publisher); the issues were filed all the same and the job succeeds.
 */
import type { Logger } from "pino";
import type { ScanResult } from "../domain/types.js";
import type { KeywardenConfig } from "../config/repo-config.js";
import { publishCheckRun } from "../github/checks/index.js";
import type { InstallationOctokit } from "../github/octokit/keywarden-octokit.js";
import { renderCheckRun } from "../report/check-run.js";
import { countCheckRun } from "./metrics.js";

export interface PushCheckInput {
  octokit: InstallationOctokit;
  owner: string;
  repo: string;
  commitSha: string;
  result: ScanResult;
  config: KeywardenConfig;
  log: Logger;
}

export async function publishPushCheck(input: PushCheckInput): Promise<void> {
  const { octokit, owner, repo, commitSha, result, config, log } = input;
  const output = renderCheckRun({
    findings: result.findings,
    suppressed: result.suppressed,
    minSeverity: config.minSeverity,
    changed: "all",
    headSha: commitSha,
    fileErrors: result.errors.length,
  });
  const published = await publishCheckRun(octokit, { owner, repo, headSha: commitSha }, output, log);
  countCheckRun("push", published.published ? output.conclusion : "unpublished");
  if (published.published) log.info({ checkRunId: published.id, conclusion: output.conclusion, annotations: output.annotations.length }, "push check run published");
}
