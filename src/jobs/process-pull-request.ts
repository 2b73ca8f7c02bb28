/**
 * One pull request's `Keywarden` check run: re-read the pull request (its head now: the job's SHA
 * is the webhook's, for logs), list its files, and either publish `success` without cloning (no
 * Terraform changed) or start the run `in_progress`, fetch `refs/pull/N/head` from the base
 * repository (a fork's commits too, with a token narrowed to the base repository), scan with the
 * repository's configuration and complete the run, failing only on findings the pull request adds.
 * No issue is ever filed for a pull request: its findings are not on the default branch.
 *
 * The configuration is the default branch's (as for every scan): a pull request cannot switch off
 * the rules that check it.
 *
 * Retries: the started run's id is kept in the job's data (an id, never a token), so a retried
 * attempt completes the same run instead of leaving one `in_progress` for ever; the last attempt to
 * fail concludes it `failure` with the redacted reason (a required check must not pass on a commit
 * nobody scanned).
 */
import type { Job } from "bullmq";
import type { Logger } from "pino";
import { changedLinesFrom } from "../domain/changed-lines.js";
import type { CheckRunOutput } from "../domain/check-run.js";
import { withTerraformCheckout } from "../git/clone.js";
import { completeCheckRun, publishCheckRun, startCheckRun } from "../github/checks/index.js";
import { installationClient, mintCloneToken, type InstallationOctokit } from "../github/octokit/keywarden-octokit.js";
import { listPullRequestFiles } from "../github/pull-files.js";
import { readRepoConfig } from "../github/read-config.js";
import { redactSecrets } from "../github/requester.js";
import { renderCheckRun } from "../report/check-run.js";
import { scanInPool } from "../scan/index.js";
import { directorySize } from "./directory-size.js";
import { countCheckRun, countFindings, observeClone } from "./metrics.js";
import { failedOutput, noTerraformOutput, planCheck, supersededOutput } from "./pull-request-check-plan.js";
import type { CheckJobData } from "./queues.js";
import type { WorkerDeps } from "./worker-deps.js";

export interface CheckOutcome {
  status: "checked" | "skipped";
  reason?: string;
  /** The commit the run is on. */
  headSha?: string;
  conclusion?: CheckRunOutput["conclusion"];
  checkRunId?: number;
  findings?: number;
  annotations?: number;
}

/** A run started by an earlier attempt of this job, on this head. */
interface StartedRun {
  id: number;
  headSha: string;
}

type CheckJob = Job<CheckJobData & { checkRun?: StartedRun }>;

function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}


export async function processPullRequest(job: CheckJob, deps: WorkerDeps): Promise<CheckOutcome> {
  const { data } = job;
  const log = deps.log.child({ installation: data.installationId, repo: `${data.owner}/${data.repo}`, pull: data.pullNumber, pushed: data.headSha });
  let octokit: InstallationOctokit | undefined;
  try {
    octokit = await installationClient(deps.probot, data.installationId, log);
    return await checkPullRequest(job, octokit, deps, log);
  } catch (error) {
    const reason = redactSecrets((error as Error).message ?? String(error));
    const started = job.data.checkRun;
    if (isFinalAttempt(job) && started && octokit) {
      await completeCheckRun(octokit, { owner: data.owner, repo: data.repo, id: started.id }, failedOutput(reason), log).then(
        () => countCheckRun("pull_request", "failure"),
        (e: unknown) => log.warn({ checkRunId: started.id, err: redactSecrets((e as Error).message) }, "could not conclude the check run of a failed scan"),
      );
    }
    // As in process-scan.ts: no `cause` (the request in it carries the token) and nothing secret in BullMQ.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(reason);
  }
}

async function checkPullRequest(job: CheckJob, octokit: InstallationOctokit, deps: WorkerDeps, log: Logger): Promise<CheckOutcome> {
  const { owner, repo, pullNumber, installationId } = job.data;
  const { data: pr } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: pullNumber });
  const headSha = pr.head.sha;
  const files = await listPullRequestFiles(octokit, { owner, repo, pullNumber, changedFiles: pr.changed_files });
  const plan = planCheck(pr, files.files, files.complete);
  const done = (outcome: CheckOutcome): CheckOutcome => {
    log.info({ ...outcome, files: files.files.length, complete: files.complete }, "pull request checked");
    return outcome;
  };
  if (plan.kind === "skip") return done({ status: "skipped", reason: plan.reason, headSha });
  if (plan.kind === "no-terraform") {
    const output = noTerraformOutput(files.files.length);
    const published = await publishCheckRun(octokit, { owner, repo, headSha }, output, log);
    countCheckRun("pull_request", published.published ? output.conclusion : "unpublished");
    if (!published.published) return done({ status: "skipped", reason: published.reason, headSha });
    return done({ status: "checked", reason: "no Terraform changed", headSha, conclusion: output.conclusion, checkRunId: published.id });
  }

  // The run of an earlier attempt on this head is completed, not started again.
  let run = job.data.checkRun?.headSha === headSha ? job.data.checkRun : undefined;
  if (!run) {
    const started = await startCheckRun(octokit, { owner, repo, headSha }, log);
    if (!started.published) {
      countCheckRun("pull_request", "unpublished");
      return done({ status: "skipped", reason: started.reason, headSha });
    }
    run = { id: started.id, headSha };
    await job.updateData({ ...job.data, checkRun: run });
  }
  const target = { owner, repo, id: run.id };

  const { config } = await readRepoConfig(octokit, owner, repo, log);
  const token = await mintCloneToken(await deps.probot.auth(), installationId, repo);
  const cloneUrl = pr.base.repo.clone_url;
  const cloneStarted = performance.now();
  const { commitSha, result } = await withTerraformCheckout(
    {
      cloneUrl,
      // GitHub keeps every pull request's head in the base repository, forks' included.
      ref: `refs/pull/${pullNumber}/head`,
      token: new URL(cloneUrl).protocol === "file:" ? undefined : token,
      tokenOrigin: deps.settings.serverUrl,
      allowedProtocols: deps.settings.cloneProtocols,
      onRetry: ({ message, attempt, waitMs }) => log.warn({ attempt, waitMs, err: message }, "git fetch failed; retrying"),
    },
    async ({ dir, commitSha }) => {
      observeClone((performance.now() - cloneStarted) / 1000, await directorySize(dir));
      return { commitSha, result: await scanInPool(dir, { ruleIds: config.rules, ignorePaths: config.ignorePaths }) };
    },
  );
  for (const e of result.errors) log.warn({ file: e.file }, `Terraform file not scanned: ${e.message}`);
  countFindings(result.findings);

  if (commitSha !== run.headSha) {
    // Pushed to between reading the pull request and fetching it: what was scanned is not this run's commit.
    const output = supersededOutput(run.headSha, commitSha);
    await completeCheckRun(octokit, target, output, log);
    countCheckRun("pull_request", "neutral");
    return done({ status: "checked", reason: "superseded", headSha: run.headSha, conclusion: "neutral", checkRunId: run.id });
  }
  const output = renderCheckRun({
    findings: result.findings,
    suppressed: result.suppressed,
    minSeverity: config.minSeverity,
    changed: changedLinesFrom(files.files, files.complete),
    headSha,
    fileErrors: result.errors.length,
  });
  await completeCheckRun(octokit, target, output, log);
  countCheckRun("pull_request", output.conclusion);
  return done({
    status: "checked",
    headSha,
    conclusion: output.conclusion,
    checkRunId: run.id,
    findings: result.findings.length,
    annotations: output.annotations.length,
  });
}
