/**
 * One repository scan: authenticate as the installation, read the configuration while fetching only
 * the Terraform files with a clone token (src/github/octokit/clone-tokens.ts), scan, bring the
 * issues in line, record the outcome. Every step is idempotent (issues are found again by their markers), so BullMQ may
 * retry the whole job after any failure; the last failure is recorded with its reason.
 */
import type { Job } from "bullmq";
import { scanInPool } from "../scan/index.js";
import { EmptyRepositoryError, withTerraformCheckout } from "../git/clone.js";
import { syncIssues } from "../github/sync-issues.js";
import { resolveIssueDestination } from "../github/issue-destination.js";
import { forInstallation } from "../github/issues-gateway/index.js";
import { redactSecrets } from "../github/requester.js";
import { rules } from "../rules/index.js";
import { installationClient, type InstallationOctokit } from "../github/octokit/keywarden-octokit.js";
import { cloneTokenFor } from "../github/octokit/clone-tokens.js";
import { ruleSetId } from "./audit-plan.js";
import { appBotLogin } from "../github/app-slug.js";
import { CONFIG_PATH, readRepoConfig } from "../github/read-config.js";
import { reportConfigProblems } from "../github/config-problems-issue.js";
import { enqueueLabels, type ListedRepository, type ScanJobData } from "./queues.js";
import type { RepoState } from "./repo-state.js";
import type { WorkerDeps } from "./worker-deps.js";
import { countFindings, observeClone } from "./metrics.js";
import { directorySize } from "./directory-size.js";
import { reportAuditProgress, reportStage, type ScanStage } from "./progress.js";
import { publishPushCheck } from "./push-check.js";
import { uploadScanToCodeScanning } from "./code-scanning-upload.js";

export interface ScanOutcome {
  status: "scanned" | "skipped";
  reason?: string;
  commitSha?: string;
  findings?: number;
  suppressed?: number;
  fileErrors?: number;
  opened?: number;
  closed?: number;
  deferred?: number;
  issuesDisabled?: boolean;
}

type ScanJob = Job<ScanJobData>;

function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export async function processScan(job: Job<ScanJobData>, deps: WorkerDeps): Promise<ScanOutcome> {
  // For the progress reports' own (debug) lines: every line of a scan job names its repository.
  const jobLog = deps.log.child({ installation: job.data.installationId, repo: `${job.data.owner}/${job.data.repo}` });
  try {
    return await scanRepository(job, deps, (stage) => reportStage(job, stage, jobLog));
  } catch (error) {
    const reason = redactSecrets((error as Error).message ?? String(error));
    if (isFinalAttempt(job)) {
      const { data } = job;
      await deps.state.putRepo({
        repositoryId: data.repositoryId,
        fullName: `${data.owner}/${data.repo}`,
        installationId: data.installationId,
        status: "failed",
        reason,
        at: deps.now().toISOString(),
      });
      if (data.auditRunId) {
        await deps.state.countAudit(data.auditRunId, { failed: 1 });
        await reportAuditProgress(deps.queues, deps.state, data.auditRunId, jobLog);
      }
    }
    // The message may come from git or GitHub; make sure no credential rides along into BullMQ.
    // No `cause` on purpose: the original error holds the request, and its headers the token.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(reason);
  }
}

/** How long the audit's listing is trusted for a scan it queued; an older job asks GitHub again. */
export const LISTED_FRESH_MS = 15 * 60_000;

/**
 * The repository to scan: the audit's listing of it on a first attempt of a recent job (one request
 * fewer per repository), otherwise GitHub's current view. A retry never trusts the listing: a
 * renamed default branch, say, fails the first attempt and the retry reads the new one.
 */
async function readRepository(octokit: InstallationOctokit, job: ScanJob, now: Date): Promise<ListedRepository> {
  const { listed, owner, repo } = job.data;
  if (listed && job.attemptsStarted <= 1 && now.getTime() - job.timestamp < LISTED_FRESH_MS) return listed;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo });
  // Octokit's types allow a bigint id; GitHub's fit a number.
  return { ...data, id: Number(data.id) };
}

async function scanRepository(job: ScanJob, deps: WorkerDeps, stage: (stage: ScanStage) => Promise<void>): Promise<ScanOutcome> {
  const { data } = job;
  const { installationId, owner, repo, repositoryId } = data;
  const log = deps.log.child({ installation: installationId, repo: `${owner}/${repo}`, reason: data.reason, pushed: data.commitSha });
  await stage("config");
  const octokit = await installationClient(deps.probot, installationId, log);
  const repository = await readRepository(octokit, job, deps.now());
  // An audit's scans share the organization's file, read once per run (src/github/read-config.ts).
  const run = data.auditRunId ? { installationId, auditRunId: data.auditRunId } : undefined;
  // Read while the repository is cloned: only an archived repository waits for it before cloning.
  const configRead = readRepoConfig(octokit, owner, repo, log, run).then(({ config, problems }) => {
    if (deps.settings.maxNewIssuesPerRun !== undefined) {
      config.maxNewIssuesPerRun = Math.min(config.maxNewIssuesPerRun, deps.settings.maxNewIssuesPerRun);
    }
    return { config, problems };
  });
  // Awaited below on every path that goes on; this only keeps an early failure from being unhandled.
  configRead.catch(() => undefined);
  const base = { repositoryId, fullName: repository.full_name, installationId, at: deps.now().toISOString() };
  const skip = async (reason: string): Promise<ScanOutcome> => {
    await deps.state.putRepo({ ...base, status: "skipped", reason });
    if (data.auditRunId) {
      await deps.state.countAudit(data.auditRunId, { skipped: 1 });
      await reportAuditProgress(deps.queues, deps.state, data.auditRunId, log);
    }
    return { status: "skipped", reason };
  };

  if (repository.archived && !(await configRead).config.audit.includeArchived) return skip("archived");

  const token = await cloneTokenFor(await deps.probot.auth(), { installationId, repo, repositoryId, group: data.cloneGroup });
  const cloneUrl = new URL(repository.clone_url);
  // The clone and the scan take one of the process's checkout slots; the waits on GitHub do not.
  const checkout = await deps
    .checkoutSlots(async () => {
      await stage("clone");
      const cloneStarted = performance.now();
      return withTerraformCheckout(
        {
          cloneUrl: repository.clone_url,
          branch: repository.default_branch,
          // Only ever sent to the GitHub server itself (a local test remote gets none).
          token: cloneUrl.protocol === "file:" ? undefined : token,
          tokenOrigin: deps.settings.serverUrl,
          allowedProtocols: deps.settings.cloneProtocols,
          onRetry: ({ message, attempt, waitMs }) => log.warn({ attempt, waitMs, err: message }, "git fetch failed; retrying"),
        },
        async ({ dir, commitSha }) => {
          observeClone((performance.now() - cloneStarted) / 1000, await directorySize(dir));
          const { config } = await configRead;
          await stage("scan");
          return { commitSha, result: await scanInPool(dir, { ruleIds: config.rules, ignorePaths: config.ignorePaths }) };
        },
      );
    })
    .catch((error: unknown) => {
      if (error instanceof EmptyRepositoryError) return undefined;
      throw error;
    });
  const { config, problems } = await configRead;
  const budget = forInstallation(deps.budget, installationId);
  if (problems.length > 0 && repository.has_issues) {
    await reportConfigProblems(problems, CONFIG_PATH, { client: octokit, repo: { owner, repo }, botLogin: await appBotLogin(deps.probot), budget, logger: log });
  }
  if (!checkout) return skip("empty repository");
  const { result, commitSha } = checkout;
  for (const e of result.errors) log.warn({ file: e.file }, `Terraform file not scanned: ${e.message}`);
  countFindings(result.findings);

  const outcome: ScanOutcome = {
    status: "scanned",
    commitSha,
    findings: result.findings.length,
    suppressed: result.suppressed.length,
    fileErrors: result.errors.length,
  };
  let complete = true;
  // Its own issues; with them disabled, `issues.repository` (src/github/issue-destination.ts).
  const destination = await resolveIssueDestination(octokit, repository, config, log);
  if (!destination.file) {
    // Issues disabled and no usable central repository: skip the writes, keep the record for the summary.
    outcome.issuesDisabled = true;
  } else {
    await stage("issues");
    const { result: applied } = await syncIssues({
      octokit,
      // Colouring the labels GitHub made grey is paced: a job of its own, so this scan ends now.
      styleLabels: (labels) => enqueueLabels(deps.queues, { installationId, owner: destination.repo.owner, repo: destination.repo.repo, labels: [...labels] }),
      repo: destination.repo,
      source: destination.source,
      botLogin: await appBotLogin(deps.probot),
      budget,
      findings: result.findings,
      suppressed: result.suppressed,
      // With no finding and none open, syncIssues skips the issue listing.
      openIssuesCount: repository.open_issues_count,
      config,
      serverUrl: deps.settings.serverUrl,
      scannedCommit: commitSha,
      now: deps.now(),
      unreadableFiles: [...result.errors.map((e) => e.file), ...result.stats.skipped.filter((f) => f.reason !== "ignored").map((f) => f.file)],
      logger: log,
    });
    Object.assign(outcome, {
      opened: applied.created.length + applied.reopened.length,
      closed: applied.closed.length,
      deferred: applied.deferred,
      issuesDisabled: applied.issuesDisabled,
    });
    for (const w of applied.warnings) log.warn({ fingerprint: w.fingerprint, status: w.status }, w.message);
    if (applied.errors.length > 0) {
      throw new Error(`${applied.errors.length} issue write(s) failed in ${owner}/${repo}: ${applied.errors[0]!.message}`);
    }
    // A dated exception (`exp:`) changes the findings without a commit: such a scan is not complete,
    // so the nightly audit scans the repository again rather than skipping it as unchanged.
    complete = applied.deferred === 0 && !result.suppressed.some((f) => f.suppression.expires !== undefined);
  }
  // After the issues: a missing permission for either is one log line, never a lost issue.
  if (data.reason === "push") await publishPushCheck({ octokit, owner, repo, commitSha, result, config, log });
  if (config.codeScanning) await uploadScanToCodeScanning({ octokit, owner, repo, commitSha, defaultBranch: repository.default_branch, result, version: deps.version, log });

  const state: RepoState = {
    ...base,
    status: "scanned",
    commitSha,
    ruleSet: ruleSetId(deps.version, rules.map((r) => r.meta.id)),
    complete,
    findings: result.findings.length,
    issuesDisabled: outcome.issuesDisabled ?? false,
  };
  await deps.state.putRepo(state);
  if (data.auditRunId) {
    await deps.state.countAudit(data.auditRunId, {
      scanned: 1,
      findings: result.findings.length,
      opened: outcome.opened ?? 0,
      closed: outcome.closed ?? 0,
    });
    await reportAuditProgress(deps.queues, deps.state, data.auditRunId, log);
  }
  log.info(outcome, "repository scanned");
  return outcome;
}
