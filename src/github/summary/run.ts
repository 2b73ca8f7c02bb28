/**
 * The weekly summary for one installation, end to end: choose the repository, read Keywarden's
 * issues, compute, render, post. The summary job calls this; every piece is also exported on its own.
 */
import type { WriteBudget } from "../issues-gateway/index.js";
import type { GitHubClient } from "../requester.js";
import { collectFindingIssues, type RepositoryRef } from "./collect.js";
import { parseConfig } from "../../config/repo-config.js";
import { computeSummary } from "../../summary/compute.js";
import { postSummary, resolveSummaryRepository, type PostResult } from "./post.js";
import { renderSummary } from "../../summary/render.js";
import type { AuditRecord, AuditRunTotals, AuditStatus } from "../../summary/types.js";

export interface SummaryLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface WeeklySummaryInput {
  octokit: GitHubClient;
  /** The installation's account login (organization or user). */
  owner: string;
  /** The account's keywarden.yml (`summary.repository` and `issues.repository` are read here); undefined when none. */
  config: unknown;
  /** The repositories to report on: the installation's current repositories. */
  repositories: readonly RepositoryRef[];
  /** The last audit's per-repository records; undefined or empty when none are on record. */
  audit?: readonly AuditRecord[];
  /** The last audit run's totals, when on record. */
  lastAudit?: AuditRunTotals;
  /** The app's bot login, `SLUG[bot]`: only its issues are read and edited as Keywarden's. */
  botLogin: string;
  /** The installation's write budget (src/jobs/write-budget.ts through forInstallation). */
  budget: WriteBudget;
  now: Date;
  /** See SummaryInput.period; default the 7 days ending at `now`. */
  period?: "last-7-days" | "iso-week-to-date";
  log: SummaryLog;
}

export type WeeklySummaryResult =
  | { posted: false; reason: string }
  | {
      posted: true;
      repository: string;
      week: string;
      issue: PostResult;
      omitted: { repositories: number; unscanned: number };
      /** Repositories whose issues could not be listed (they appear in the summary). */
      unreadable: number;
    };

/**
 * Audit records from the per-repository state the jobs keep (src/jobs/repo-state.ts `RepoState`),
 * limited to the installation's current repositories so removed ones drop out of the summary.
 */
export function auditRecordsFrom(
  states: readonly { fullName: string; status: AuditStatus; reason?: string; findings?: number; issuesDisabled?: boolean }[],
  repositories: readonly RepositoryRef[],
): AuditRecord[] | undefined {
  if (states.length === 0) return undefined;
  const current = new Set(repositories.map((r) => `${r.owner}/${r.repo}`.toLowerCase()));
  return states
    .filter((s) => current.has(s.fullName.toLowerCase()))
    .map((s) => ({
      repo: s.fullName,
      status: s.status,
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      ...(s.findings !== undefined ? { findings: s.findings } : {}),
      ...(s.issuesDisabled !== undefined ? { issuesDisabled: s.issuesDisabled } : {}),
    }));
}

/** `issues.repository` of the organization's configuration, as the scans validated it (or undefined). */
function centralRepositoryOf(config: unknown, owner: string): string | undefined {
  return parseConfig(config, { account: owner }).config.issues.repository;
}

export async function postWeeklySummary(input: WeeklySummaryInput): Promise<WeeklySummaryResult> {
  const { octokit, owner, log } = input;
  const target = await resolveSummaryRepository(octokit, owner, input.config);
  if ("reason" in target) {
    log.info({ owner }, `weekly summary skipped for ${owner}: ${target.reason}`);
    return { posted: false, reason: target.reason };
  }
  const { records, errors } = await collectFindingIssues(octokit, input.repositories, { botLogin: input.botLogin, centralRepository: centralRepositoryOf(input.config, owner) });
  if (errors.length > 0) log.warn({ owner, repositories: errors.map((e) => e.repo) }, "weekly summary: some repositories' issues could not be read");
  const numbers = computeSummary({
    now: input.now,
    issues: records,
    ...(input.audit && input.audit.length > 0 ? { audit: input.audit } : {}),
    issueErrors: errors,
    ...(input.lastAudit ? { lastAudit: input.lastAudit } : {}),
    ...(input.period ? { period: input.period } : {}),
  });
  const rendered = renderSummary(numbers);
  const issue = await postSummary(octokit, target, { week: numbers.week, title: rendered.title, body: rendered.body }, { botLogin: input.botLogin, budget: input.budget, logger: log });
  const repository = `${target.owner}/${target.repo}`;
  log.info(
    { owner, repository, issue: issue.number, action: issue.action, closed: issue.closed, open: numbers.open.total, omitted: rendered.omitted },
    `weekly summary ${numbers.week} ${issue.action} in ${repository}`,
  );
  return { posted: true, repository, week: numbers.week, issue, omitted: rendered.omitted, unreadable: errors.length };
}
