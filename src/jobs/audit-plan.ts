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
