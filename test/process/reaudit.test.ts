/**
 * The first audit of an organization and its re-audit, unchanged, on the built `keywarden serve`
 * against the GitHub stand-in. The first audit asks nothing per repository but the clone (the
 * listing names the branch and clone URL; one token per hundred clones) and the repository's
 * configuration file. In the re-audit, every page of the installation's repositories is asked for with the last run's ETag
 * and answered 304 (free of rate limit); every repository's `pushed_at` is what the last run saw,
 * which vouches for its HEAD, so no GraphQL look-up, no clone and no per-repository request is
 * made. A commit landing without a webhook moves that repository's `pushed_at`: only its HEAD is
 * looked up, and only it is scanned.
 */
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import { Scenario } from "./helpers/scenario.js";
import { FIXED, NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

// Two pages of `GET /installation/repositories` (100 a page).
const REPOSITORIES = 101;

describe("keywarden audit of an unchanged organization", () => {
  it("asks each listing page conditionally, gets 304s, and clones and looks up nothing; a commit is still found", async () => {
    const s = await Scenario.start({ jobLockMs: 3000 });
    const { gh } = s;
    const names = Array.from({ length: REPOSITORIES }, (_, i) => `svc-${String(i).padStart(3, "0")}`);
    for (const name of names) await gh.createRepo(name, { files: { "main.tf": FIXED } });
    // GitHub's clock has whole seconds: a repository pushed in the same second as the first audit's
    // listing cannot be vouched for by it (its HEAD is looked up again), so the listing comes later.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
    const serve = await s.serve();

    await s.command(["audit"]);
    await serve.waitForMessage("audit queued", 30_000);
    await s.converge(120_000);
    // Clean repositories with no open issue: nothing could change, so no issue listing was read.
    expect(gh.requests.filter((r) => r.method === "GET" && /\/issues$/.test(r.path))).toEqual([]);
    expect(new Set(gh.requests.filter((r) => r.scope === "git").map((r) => r.repo)).size).toBe(REPOSITORIES);
    // The scans start from the audit's listing (no `GET /repos/{r}`), and clone with one token per
    // group of 100 (the 101st alone gets its own): each contents:read, narrowed, covering all.
    expect(gh.requests.filter((r) => r.method === "GET" && /^\/repos\/[^/]+\/[^/]+$/.test(r.path))).toEqual([]);
    const cloneTokens = gh.tokens.filter((t) => t.repositories !== undefined);
    expect(cloneTokens.map((t) => t.repositories!.length).sort((a, b) => a - b)).toEqual([1, 100]);
    // (GitHub adds metadata:read to every token.)
    for (const t of cloneTokens) expect(t.permissions).toEqual({ contents: "read", metadata: "read" });
    expect(new Set(cloneTokens.flatMap((t) => t.repositories!))).toEqual(new Set(names));

    // Nothing changed: the second audit.
    const from = serve.lines.length;
    const before = gh.requests.length;
    await s.command(["audit"]);
    const queued = await serve.waitForMessage("audit queued", 30_000, from);
    expect(queued).toMatchObject({ queued: 0, unchanged: REPOSITORIES, listingUnchanged: true, headsLookedUp: 0 });
    await s.converge(30_000);
    const during = gh.requests.slice(before);
    const listing = during.filter((r) => r.path === "/installation/repositories");
    expect(listing.map((r) => r.status)).toEqual([304, 304]);
    expect(during.filter((r) => r.graphql)).toEqual([]);
    expect(during.filter((r) => r.scope === "git")).toEqual([]);
    // Besides the listing: the organization's configuration, and at most a token for the audit.
    const others = during.filter((r) => r.path !== "/installation/repositories" && r.scope !== "git");
    expect(others.filter((r) => r.repo && r.repo !== ".github")).toEqual([]);
    expect(others.length).toBeLessThanOrEqual(3);

    // A commit without a webhook: the listing changed, so HEADs are looked up and it is scanned.
    await gh.commit("svc-050", { files: { "main.tf": NON_COMPLIANT }, message: "a key for root" });
    s.expected = seedFindings("svc-050");
    const from2 = serve.lines.length;
    const before2 = gh.requests.length;
    await s.command(["audit"]);
    const third = await serve.waitForMessage("audit queued", 30_000, from2);
    // Only the repository whose pushed_at moved is looked up.
    expect(third).toMatchObject({ queued: 1, unchanged: REPOSITORIES - 1, listingUnchanged: false, headsLookedUp: 1 });
    await s.converge(60_000);
    const cloned = new Set(gh.requests.slice(before2).filter((r) => r.scope === "git").map((r) => r.repo));
    expect([...cloned]).toEqual(["svc-050"]);
    expect(gh.requests.slice(before2).filter((r) => r.graphql)).toHaveLength(1);
  }, 300_000);
});
