/**
 * The weekly compliance summary. Without an installation id it fans out one job per installation;
 * with one, it posts that account's summary (src/github/summary/run.ts) from the issues Keywarden
 * filed plus what the last audit recorded per repository.
 */
import type { Job } from "bullmq";
import { auditRecordsFrom, postWeeklySummary, type WeeklySummaryResult } from "../github/summary/run.js";
import { botLogin } from "../github/list-issues.js";
import { enqueueSummary, type SummaryJobData } from "./queues.js";
import { appSlug } from "./app-slug.js";
import { readOrgConfig } from "./read-config.js";
import type { WorkerDeps } from "./worker-deps.js";

export type SummaryOutcome = { fannedOut: number } | WeeklySummaryResult;

export async function processSummary(job: Job<SummaryJobData>, deps: WorkerDeps): Promise<SummaryOutcome> {
  const { installationId } = job.data;
  const app = await deps.probot.auth();
  if (installationId === undefined) {
    const installations = (await app.paginate("GET /app/installations", { per_page: 100 })).filter((i) => !i.suspended_at);
    for (const installation of installations) await enqueueSummary(deps.queues, { installationId: installation.id });
    return { fannedOut: installations.length };
  }

  const { data: installation } = await app.request("GET /app/installations/{installation_id}", { installation_id: installationId });
  const account = installation.account as { login?: string; slug?: string } | null;
  const owner = account?.login ?? account?.slug;
  if (!owner) throw new Error(`installation ${installationId} has no account`);
  const log = deps.log.child({ installation: installationId, owner });

  const octokit = await deps.probot.auth(installationId);
  const { config } = await readOrgConfig(octokit, owner, log);
  const listed = (await octokit.paginate("GET /installation/repositories", { per_page: 100 })) as { name: string; owner: { login: string } }[];
  const repositories = listed.map((r) => ({ owner: r.owner.login, repo: r.name }));
  return postWeeklySummary({
    octokit,
    owner,
    config,
    repositories,
    audit: auditRecordsFrom(await deps.state.reposOfInstallation(installationId), repositories),
    lastAudit: await deps.state.latestAudit(installationId),
    creator: botLogin(await appSlug(deps.probot)),
    now: deps.now(),
    log,
  });
}
