/**
 * Pure decisions of the nightly audit: which repositories to look at, and which of those can be
 * skipped because nothing that decides their findings has changed since the last complete scan.
 */
import { createHash } from "node:crypto";
import type { RepoState } from "./repo-state.js";
import type { AuditRepository, ListedPage } from "../github/installations.js";
import type { ListedRepository } from "./queues.js";

export type { AuditRepository } from "../github/installations.js";

export interface AuditOptions {
  includeArchived: boolean;
  includeForks: boolean;
}

export interface Selection<R> {
  include: R[];
  skipped: { repository: R; reason: string }[];
}

export function selectRepositories<R extends AuditRepository>(repositories: R[], options: AuditOptions): Selection<R> {
  const selection: Selection<R> = { include: [], skipped: [] };
  for (const repository of repositories) {
    if (repository.archived && !options.includeArchived) selection.skipped.push({ repository, reason: "archived" });
    else if (repository.fork && !options.includeForks) selection.skipped.push({ repository, reason: "fork" });
    else selection.include.push(repository);
  }
  return selection;
}

/** Identifies what produced a scan: Keywarden's version and its rules. A change re-scans everything. */
export function ruleSetId(version: string, ruleIds: readonly string[]): string {
  return createHash("sha256").update(`${version}\n${[...ruleIds].sort().join("\n")}`).digest("hex").slice(0, 16);
}

/** Repositories worth asking GitHub for their HEAD: a complete scan with the current rule set. */
export function headCandidates<R extends AuditRepository>(repositories: R[], states: Map<number, RepoState>, ruleSet: string): R[] {
  return repositories.filter((r) => {
    const s = states.get(r.id);
    return s?.commitSha && s.complete === true && s.ruleSet === ruleSet;
  });
}

/** Split into unchanged (HEAD equals the last scanned commit) and to-scan. */
export function partitionUnchanged<R extends AuditRepository>(
  repositories: R[],
  states: Map<number, RepoState>,
  heads: Map<string, string | undefined>,
  ruleSet: string,
): { unchanged: R[]; toScan: R[] } {
  const candidates = new Set(headCandidates(repositories, states, ruleSet));
  const unchanged: R[] = [];
  const toScan: R[] = [];
  for (const r of repositories) {
    const head = heads.get(r.node_id);
    if (candidates.has(r) && head !== undefined && head === states.get(r.id)?.commitSha) unchanged.push(r);
    else toScan.push(r);
  }
  return { unchanged, toScan };
}

/**
 * HEADs the last run's listing vouches for, so no GraphQL look-up is needed for them: a repository
 * whose `pushed_at` is the same as in the listing the last run stored, and older than that listing's
 * `Date` (both GitHub's clock, whole seconds). A push after that listing, even within its second,
 * would carry a `pushed_at` no earlier than the listing's `Date`, so the same `pushed_at` means no
 * push since; and that run either saw the HEAD equal the recorded commit or queued the scan that
 * recorded it (the listing is stored only after the run queued its scans), so the recorded commit is
 * the HEAD. This holds per repository whatever else changed in the listing (Keywarden's own issues
 * change `open_issues_count`, and so the page's ETag). Everything else is looked up.
 */
export function headsVouchedByListing<R extends AuditRepository>(
  candidates: R[],
  states: Map<number, RepoState>,
  stored: readonly ListedPage[] | undefined,
): { heads: Map<string, string>; lookUp: R[] } {
  const before = new Map<number, { pushedAt: string | null | undefined; listedAt: number }>();
  for (const page of stored ?? []) {
    const listedAt = Date.parse(page.date);
    for (const r of page.repositories) before.set(r.id, { pushedAt: r.pushed_at, listedAt });
  }
  const heads = new Map<string, string>();
  const lookUp: R[] = [];
  for (const r of candidates) {
    const then = before.get(r.id);
    const recorded = states.get(r.id)?.commitSha;
    const samePush = r.pushed_at && then?.pushedAt === r.pushed_at && Date.parse(r.pushed_at) < then.listedAt;
    if (recorded && samePush) heads.set(r.node_id, recorded);
    else lookUp.push(r);
  }
  return { heads, lookUp };
}

/**
 * The listed fields a scan needs, or undefined when the listing lacks one (a listing stored by an
 * earlier version): the scan then asks `GET /repos/{owner}/{repo}` as a push scan does.
 */
export function listedForScan(r: AuditRepository): ListedRepository | undefined {
  const { default_branch, clone_url, has_issues, open_issues_count } = r;
  if (default_branch === undefined || clone_url === undefined || has_issues === undefined || open_issues_count === undefined) return undefined;
  return { id: r.id, name: r.name, full_name: r.full_name, owner: { login: r.owner.login }, default_branch, clone_url, archived: r.archived ?? false, has_issues, open_issues_count };
}

/** GitHub narrows an installation token to at most 500 repositories; 100 keeps a token's reach (and its request) small. */
export const CLONE_GROUP_SIZE = 100;

/** The repositories to scan in groups of CLONE_GROUP_SIZE, in order: the scans of one group share a clone token. */
export function cloneGroups<R>(repositories: R[], size = CLONE_GROUP_SIZE): R[][] {
  const groups: R[][] = [];
  for (let i = 0; i < repositories.length; i += size) groups.push(repositories.slice(i, i + size));
  return groups;
}
