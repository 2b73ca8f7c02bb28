/** The audit's pure decisions: which HEADs the last run's listing vouches for, what its scans are handed. */
import { describe, expect, it } from "vitest";
import { cloneGroups, headsVouchedByListing, listedForScan, type AuditRepository } from "../../src/jobs/audit-plan.js";
import type { ListedPage } from "../../src/github/installations.js";
import type { RepoState } from "../../src/jobs/repo-state.js";

const LISTED = "Wed, 02 Dec 2026 02:00:00 GMT";
const repo = (id: number, pushed_at: string | null): AuditRepository => ({ id, node_id: `R_${id}`, name: `r${id}`, full_name: `o/r${id}`, owner: { login: "o" }, pushed_at });
const state = (id: number): RepoState => ({ repositoryId: id, fullName: `o/r${id}`, installationId: 1, status: "scanned", commitSha: `sha-${id}`, ruleSet: "x", complete: true, at: "2026-12-02T02:00:00Z" });

describe("headsVouchedByListing", () => {
  const then = [repo(1, "2026-12-01T23:00:00Z"), repo(2, "2026-12-02T02:00:00Z"), repo(3, null), repo(4, "2026-12-01T01:00:00Z"), repo(5, "2026-12-01T01:00:00Z")];
  const stored: ListedPage[] = [{ etag: 'W/"x"', date: LISTED, hasNext: false, repositories: then }];
  const states = new Map([1, 2, 3, 5].map((id) => [id, state(id)]));

  it("vouches for a repository with the same pushed_at as the stored listing, older than its date", () => {
    const now = [...then.slice(0, 4), repo(5, "2026-12-02T03:00:00Z"), repo(6, "2026-12-01T01:00:00Z")];
    const { heads, lookUp } = headsVouchedByListing(now, states, stored);
    expect([...heads]).toEqual([["R_1", "sha-1"]]);
    // Pushed within the listing's second (a later push could carry the same pushed_at), never
    // pushed, without a record, pushed since, or not in the stored listing: looked up.
    expect(lookUp.map((r) => r.id)).toEqual([2, 3, 4, 5, 6]);
  });

  it("vouches for nothing without a stored listing", () => {
    expect(headsVouchedByListing(then, states, undefined).lookUp).toHaveLength(5);
  });
});

describe("what the audit hands its scans", () => {
  it("the listed fields a scan reads, or none from a listing stored without them", () => {
    const listed = { ...repo(7, null), archived: true, default_branch: "trunk", clone_url: "https://github.com/o/r7.git", has_issues: false, open_issues_count: 3 };
    expect(listedForScan(listed)).toEqual({ id: 7, name: "r7", full_name: "o/r7", owner: { login: "o" }, default_branch: "trunk", clone_url: "https://github.com/o/r7.git", archived: true, has_issues: false, open_issues_count: 3 });
    expect(listedForScan(repo(7, null))).toBeUndefined();
  });

  it("groups of at most the group size, in order, every repository once", () => {
    const ids = Array.from({ length: 250 }, (_, i) => i);
    expect(cloneGroups(ids).map((g) => [g[0], g.length])).toEqual([[0, 100], [100, 100], [200, 50]]);
    expect(cloneGroups([])).toEqual([]);
  });
});
