/** The audit's pure decision of which HEADs the last run's listing vouches for. */
import { describe, expect, it } from "vitest";
import { headsVouchedByListing, type AuditRepository } from "../../src/jobs/audit-plan.js";
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
