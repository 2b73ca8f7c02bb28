/** The audit's pure decision of which HEADs an unchanged listing vouches for. */
import { describe, expect, it } from "vitest";
import { headsVouchedByListing, type AuditRepository } from "../../src/jobs/audit-plan.js";
import type { RepoState } from "../../src/jobs/repo-state.js";

const LISTED_AT = "2026-12-02T02:00:00.000Z";
const repo = (id: number, pushed_at: string | null): AuditRepository => ({ id, node_id: `R_${id}`, name: `r${id}`, full_name: `o/r${id}`, owner: { login: "o" }, pushed_at });
const state = (id: number): RepoState => ({ repositoryId: id, fullName: `o/r${id}`, installationId: 1, status: "scanned", commitSha: `sha-${id}`, ruleSet: "x", complete: true, at: LISTED_AT });

describe("headsVouchedByListing", () => {
  const repos = [repo(1, "2026-12-01T23:00:00Z"), repo(2, "2026-12-02T02:00:00Z"), repo(3, null), repo(4, "2026-12-01T01:00:00Z")];
  const states = new Map([1, 2, 3].map((id) => [id, state(id)]));

  it("vouches for a repository pushed before the unchanged listing's date, with a recorded commit", () => {
    const { heads, lookUp } = headsVouchedByListing(repos, states, { unchanged: true, listedAt: LISTED_AT });
    expect([...heads]).toEqual([["R_1", "sha-1"]]);
    // Pushed within the listing's second (a later push could carry the same pushed_at), never
    // pushed, or without a record: looked up.
    expect(lookUp.map((r) => r.id)).toEqual([2, 3, 4]);
  });

  it("vouches for nothing when the listing changed or has no date", () => {
    expect(headsVouchedByListing(repos, states, { unchanged: false, listedAt: LISTED_AT }).lookUp).toHaveLength(4);
    expect(headsVouchedByListing(repos, states, { unchanged: true }).lookUp).toHaveLength(4);
  });
});
