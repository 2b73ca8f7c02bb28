/**
 * The weekly compliance summary. Without an installation id it fans out one job per installation;
 * with one, it posts that account's summary (src/github/summary/run.ts) from the issues Keywarden
 * filed plus what the last audit recorded per repository.
 */
import type { Job } from "bullmq";
import { auditRecordsFrom, postWeeklySummary, type WeeklySummaryResult } from "../github/summary/run.js";
import { forInstallation } from "../github/issues-gateway/index.js";
import { enqueueSummary, type SummaryJobData } from "./queues.js";
import { appBotLogin } from "../github/app-slug.js";
import { accountLogin, activeInstallationIds, installationRepositories } from "../github/installations.js";
import { readOrgConfig } from "../github/read-config.js";
import type { WorkerDeps } from "./worker-deps.js";
import { installationClient } from "../github/octokit/keywarden-octokit.js";

export type SummaryOutcome = { fannedOut: number } | WeeklySummaryResult;

export async function processSummary(job: Job<SummaryJobData>, deps: WorkerDeps): Promise<SummaryOutcome> {
  const { installationId } = job.data;
  if (installationId === undefined) {
    const ids = await activeInstallationIds(deps.probot);
    for (const id of ids) await enqueueSummary(deps.queues, { installationId: id });
    return { fannedOut: ids.length };
  }

  const app = await deps.probot.auth();
  const { data: installation } = await app.request("GET /app/installations/{installation_id}", { installation_id: installationId });
  const owner = accountLogin(installation.account as { login?: string; slug?: string } | null);
  if (!owner) throw new Error(`installation ${installationId} has no account`);
  const log = deps.log.child({ installation: installationId, owner });

  const octokit = await installationClient(deps.probot, installationId, log);
  const { config } = await readOrgConfig(octokit, owner, log);
  const repositories = (await installationRepositories(octokit)).map((r) => ({ owner: r.owner.login, repo: r.name }));
  return postWeeklySummary({
    octokit,
    owner,
    config,
    repositories,
    audit: auditRecordsFrom(await deps.state.reposOfInstallation(installationId), repositories),
    lastAudit: await deps.state.latestAudit(installationId),
    botLogin: await appBotLogin(deps.probot),
    // The summary's writes come out of the installation's budget, like the scans'.
    budget: forInstallation(deps.budget, installationId),
    now: deps.now(),
    log,
  });
}
