/**
 * The nightly audit. Without an installation id it fans out one audit job per installation; with
 * one, it lists the installation's repositories (so repositories added since the last run are
 * included; each page asked for with the last run's ETag, so an unchanged page is a free 304),
 * skips archived repositories and forks unless configured, skips repositories whose
 * default-branch HEAD and rule set are unchanged since their last complete scan (HEADs looked up
 * in GraphQL batches, or vouched for by an unchanged `pushed_at`: ./audit-plan.ts), and queues a scan
 * job for each of the rest. Scans run as separate jobs so one slow or failing repository delays
 * nothing else; each records its own outcome in the run's totals.
 */
import type { Job } from "bullmq";
import { enqueueAudit, enqueueScan, type AuditJobData } from "./queues.js";
import { cloneGroups, listedForScan, partitionUnchanged, headCandidates, headsVouchedByListing, ruleSetId, selectRepositories } from "./audit-plan.js";
import { activeInstallationIds, listInstallationRepositories } from "../github/installations.js";
import { fetchDefaultBranchHeads } from "../github/default-branch-heads.js";
import { readOrgConfig } from "../github/read-config.js";
import { rules } from "../rules/index.js";
import { reportAuditProgress } from "./progress.js";
import type { WorkerDeps } from "./worker-deps.js";
import { installationClient } from "../github/octokit/keywarden-octokit.js";
import { readOnlyGraphqlClient } from "../github/octokit/lane-clients.js";

export interface AuditOutcome {
  installations?: number;
  runId?: string;
  queued?: number;
  unchanged?: number;
  skipped?: number;
}

export async function processAudit(job: Job<AuditJobData>, deps: WorkerDeps): Promise<AuditOutcome> {
  const { installationId } = job.data;
  if (installationId === undefined) {
    const ids = await activeInstallationIds(deps.probot);
    for (const id of ids) await enqueueAudit(deps.queues, { installationId: id, force: job.data.force });
    return { installations: ids.length };
  }

  const log = deps.log.child({ installation: installationId });
  const octokit = await installationClient(deps.probot, installationId, log);
  const listings = deps.state.listing(installationId);
  const stored = job.data.force ? undefined : await listings.get();
  const listing = await listInstallationRepositories(octokit, stored);
  const { repositories } = listing;
  const runId = job.data.runId ?? `${installationId}-${job.id}`;
  const owner = repositories[0]?.owner.login;
  // Read for this run; the run's scans in this process reuse it (src/github/read-config.ts).
  const { config } = owner ? await readOrgConfig(octokit, owner, log, { installationId, auditRunId: runId }) : { config: undefined };
  const selection = selectRepositories(repositories, {
    includeArchived: config?.audit.includeArchived ?? false,
    includeForks: config?.audit.includeForks ?? false,
  });

  const ruleSet = ruleSetId(deps.version, rules.map((r) => r.meta.id));
  const states = await deps.state.getRepos(selection.include.map((r) => r.id));
  // A forced audit (the summary's "re-scan now") scans everything; otherwise ask GitHub for HEADs.
  const candidates = job.data.force ? [] : headCandidates(selection.include, states, ruleSet);
  const { heads, lookUp } = headsVouchedByListing(candidates, states, stored);
  if (lookUp.length > 0) {
    const looked = await fetchDefaultBranchHeads(await readOnlyGraphqlClient(octokit, installationId), lookUp.map((r) => r.node_id));
    for (const [nodeId, head] of looked) if (head !== undefined) heads.set(nodeId, head);
  }
  const { unchanged, toScan } = partitionUnchanged(selection.include, states, heads, ruleSet);

  const at = deps.now().toISOString();
  await deps.state.startAudit(runId, installationId, deps.now(), job.id);
  await deps.state.countAudit(runId, { repositories: repositories.length, unchanged: unchanged.length, skipped: selection.skipped.length });
  // Repositories done out of total; each scan of the run updates it when it ends (./progress.ts).
  await reportAuditProgress(deps.queues, deps.state, runId, log);
  for (const r of unchanged) await deps.state.putRepo({ ...states.get(r.id)!, status: "unchanged", reason: undefined, at });
  for (const { repository: r, reason } of selection.skipped) {
    await deps.state.putRepo({ repositoryId: r.id, fullName: r.full_name, installationId, status: "skipped", reason, at });
  }
  for (const group of cloneGroups(toScan)) {
    const cloneGroup = group.map((r) => r.id);
    for (const r of group) {
      await enqueueScan(deps.queues, { installationId, repositoryId: r.id, owner: r.owner.login, repo: r.name, reason: "audit", auditRunId: runId, listed: listedForScan(r), cloneGroup });
    }
  }
  await reportAuditProgress(deps.queues, deps.state, runId, log);
  // Stored only now, with every scan it calls for queued: a run that dies before this point leaves
  // the previous listing, so its retry sees the changes again instead of a 304 that hides them.
  await listings.put(listing.pages);
  log.info({ runId, queued: toScan.length, unchanged: unchanged.length, skipped: selection.skipped.length, listingUnchanged: listing.unchanged, headsLookedUp: lookUp.length }, "audit queued");
  return { runId, queued: toScan.length, unchanged: unchanged.length, skipped: selection.skipped.length };
}
