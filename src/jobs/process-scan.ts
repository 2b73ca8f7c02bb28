/**
 * One repository scan: authenticate as the installation, read the configuration, fetch only the
 * Terraform files with a token narrowed to this repository, scan, bring the issues in line, record
 * the outcome. Every step is idempotent (issues are found again by their markers), so BullMQ may
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
import { installationClient, mintCloneToken } from "../github/octokit/keywarden-octokit.js";
import { labelEditClient } from "../github/octokit/lane-clients.js";
import { ruleSetId } from "./audit-plan.js";
import { appBotLogin } from "../github/app-slug.js";
import { CONFIG_PATH, readRepoConfig } from "../github/read-config.js";
import { reportConfigProblems } from "../github/config-problems-issue.js";
import type { ScanJobData } from "./queues.js";
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

function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export async function processScan(job: Job<ScanJobData>, deps: WorkerDeps): Promise<ScanOutcome> {
  // For the progress reports' own (debug) lines: every line of a scan job names its repository.
  const jobLog = deps.log.child({ installation: job.data.installationId, repo: `${job.data.owner}/${job.data.repo}` });
  try {
    return await scanRepository(job.data, deps, (stage) => reportStage(job, stage, jobLog));
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

async function scanRepository(data: ScanJobData, deps: WorkerDeps, stage: (stage: ScanStage) => Promise<void>): Promise<ScanOutcome> {
  const { installationId, owner, repo, repositoryId } = data;
  const log = deps.log.child({ installation: installationId, repo: `${owner}/${repo}`, reason: data.reason, pushed: data.commitSha });
  await stage("config");
  const octokit = await installationClient(deps.probot, installationId, log);
  const { data: repository } = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo });
  // An audit's scans share the organization's file, read once per run (src/github/read-config.ts).
  const run = data.auditRunId ? { installationId, auditRunId: data.auditRunId } : undefined;
  const { config, problems } = await readRepoConfig(octokit, owner, repo, log, run);
  if (deps.settings.maxNewIssuesPerRun !== undefined) {
    config.maxNewIssuesPerRun = Math.min(config.maxNewIssuesPerRun, deps.settings.maxNewIssuesPerRun);
  }
  const base = { repositoryId, fullName: repository.full_name, installationId, at: deps.now().toISOString() };
  const skip = async (reason: string): Promise<ScanOutcome> => {
    await deps.state.putRepo({ ...base, status: "skipped", reason });
    if (data.auditRunId) {
      await deps.state.countAudit(data.auditRunId, { skipped: 1 });
      await reportAuditProgress(deps.queues, deps.state, data.auditRunId, log);
    }
    return { status: "skipped", reason };
  };

  if (repository.archived && !config.audit.includeArchived) return skip("archived");

  const budget = forInstallation(deps.budget, installationId);
  if (problems.length > 0 && repository.has_issues) {
    await reportConfigProblems(problems, CONFIG_PATH, { client: octokit, repo: { owner, repo }, botLogin: await appBotLogin(deps.probot), budget, logger: log });
  }

  const app = await deps.probot.auth();
  const token = await mintCloneToken(app, installationId, repo);
  const cloneUrl = new URL(repository.clone_url);
  await stage("clone");
  const cloneStarted = performance.now();
  const checkout = await withTerraformCheckout(
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
      await stage("scan");
      return { commitSha, result: await scanInPool(dir, { ruleIds: config.rules, ignorePaths: config.ignorePaths }) };
    },
  ).catch((error: unknown) => {
    if (error instanceof EmptyRepositoryError) return undefined;
    throw error;
  });
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
      // Label edits in their own 1 s queue, never between this installation's issue writes.
      labelClient: await labelEditClient(octokit, installationId),
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
