/**
 * Pure decisions of the nightly audit: which repositories to look at, and which of those can be
 * skipped because nothing that decides their findings has changed since the last complete scan.
 */
import { createHash } from "node:crypto";
import type { RepoState } from "./repo-state.js";
import type { AuditRepository } from "../github/installations.js";

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

export interface ListingFreshness {
  /** Every page of the listing was answered 304 (src/github/installations.ts). */
  unchanged: boolean;
  /** The earliest `Date` of the stored pages. */
  listedAt?: string;
}

/**
 * HEADs the listing already vouches for, so no GraphQL look-up is needed for them: the last run's
 * listing is unchanged (every page 304: no field of any repository moved, `pushed_at` included) and
 * the repository's last push is older than that listing (both GitHub's clock, whole seconds; a push
 * after the listing, even within its second, would carry a `pushed_at` no earlier than the listing's
 * `Date` and so change the page). Such a repository has not been pushed to since the last run
 * listed it, and that run either saw its HEAD equal the recorded commit or queued its scan (the
 * listing is stored only after the run queued its scans), so its recorded commit is its HEAD.
 * Everything else is looked up.
 */
export function headsVouchedByListing<R extends AuditRepository>(
  candidates: R[],
  states: Map<number, RepoState>,
  listing: ListingFreshness,
): { heads: Map<string, string>; lookUp: R[] } {
  const heads = new Map<string, string>();
  const lookUp: R[] = [];
  const listedAt = listing.unchanged && listing.listedAt ? Date.parse(listing.listedAt) : NaN;
  for (const r of candidates) {
    const pushedAt = r.pushed_at ? Date.parse(r.pushed_at) : NaN;
    const recorded = states.get(r.id)?.commitSha;
    if (recorded && pushedAt < listedAt) heads.set(r.node_id, recorded);
    else lookUp.push(r);
  }
  return { heads, lookUp };
}
