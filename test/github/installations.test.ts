/**
 * The audit's listing of an installation's repositories: every page asked for with the ETag the
 * last run stored, a 304 answered from the stored page (nock, GitHub's shapes: the paginated
 * repository example, `ETag`, `Date`, `Link`).
 */
import nock from "nock";
import { describe, expect, it } from "vitest";
import { useStrictNock } from "../helpers/strict-nock.js";
import { listInstallationRepositories, type ListedPage } from "../../src/github/installations.js";
import { example, GITHUB_API } from "../helpers/github-nock.js";
import { TestOctokit } from "../helpers/probot.js";

const DATE = "Wed, 02 Dec 2026 02:00:00 GMT";
const client = () => new TestOctokit({ auth: "t", log: { debug() {}, info() {}, warn() {}, error() {} } });

function repoJson(i: number, pushedAt = "2026-12-01T10:00:00Z") {
  const base = example("repository-paginated-2").repositories[0];
  return { ...base, id: 500 + i, node_id: `R_${i}`, name: `svc-${i}`, full_name: `acme/svc-${i}`, owner: { ...base.owner, login: "acme" }, pushed_at: pushedAt, archived: false, fork: false };
}

/** Serve `count` repositories over pages of 100 with ETag `etag-PAGE` (or 304 when asked with it). */
function serve(count: number, etags: (page: number) => string, conditional: { page: number; status: 200 | 304 }[]) {
  for (const { page, status } of conditional) {
    nock(GITHUB_API)
      .get("/installation/repositories")
      .query({ per_page: "100", page: String(page) })
      .reply(() => {
        if (status === 304) return [304, "", { etag: etags(page), date: DATE }];
        const repositories = Array.from({ length: Math.min(100, count - (page - 1) * 100) }, (_, k) => repoJson((page - 1) * 100 + k));
        const last = Math.ceil(count / 100);
        const link = page < last ? `<${GITHUB_API}/installation/repositories?per_page=100&page=${page + 1}>; rel="next"` : "";
        return [200, { total_count: count, repository_selection: "all", repositories }, { etag: etags(page), date: DATE, ...(link ? { link } : {}) }];
      });
  }
}

useStrictNock();

describe("listInstallationRepositories", () => {
  it("reads every page afresh without a stored listing, and returns the pages to store", async () => {
    serve(150, (p) => `W/"e${p}"`, [{ page: 1, status: 200 }, { page: 2, status: 200 }]);
    const listing = await listInstallationRepositories(client(), undefined);
    expect(listing.unchanged).toBe(false);
    expect(listing.repositories).toHaveLength(150);
    const base = example("repository-paginated-2").repositories[0];
    // What the audit and its scans read, and nothing else (a stored listing stays small).
    expect(listing.repositories[149]).toEqual({
      id: 649,
      node_id: "R_149",
      name: "svc-149",
      full_name: "acme/svc-149",
      archived: false,
      fork: false,
      owner: { login: "acme" },
      pushed_at: "2026-12-01T10:00:00Z",
      default_branch: base.default_branch,
      clone_url: base.clone_url,
      has_issues: base.has_issues,
      open_issues_count: base.open_issues_count,
    });
    expect(listing.pages.map((p) => [p.etag, p.hasNext, p.repositories.length])).toEqual([[`W/"e1"`, true, 100], [`W/"e2"`, false, 50]]);
  });

  it("sends each page's stored ETag; all 304: the stored list, unchanged", async () => {
    serve(150, (p) => `W/"e${p}"`, [{ page: 1, status: 200 }, { page: 2, status: 200 }]);
    const stored = (await listInstallationRepositories(client(), undefined)).pages;
    const sent: (string | undefined)[] = [];
    nock(GITHUB_API)
      .get("/installation/repositories")
      .query(true)
      .times(2)
      .reply((request: Request) => {
        sent.push(request.headers.get("if-none-match") ?? undefined);
        return [304, "", { date: DATE }];
      });
    const again = await listInstallationRepositories(client(), stored);
    expect(sent).toEqual([`W/"e1"`, `W/"e2"`]);
    expect(again.unchanged).toBe(true);
    expect(again.repositories).toEqual(stored.flatMap((p) => p.repositories));
  });

  it("is changed when any page is: a 200 for page 2 replaces that page only", async () => {
    const stored: ListedPage[] = [
      { etag: `W/"e1"`, date: DATE, hasNext: true, repositories: Array.from({ length: 100 }, (_, k) => ({ id: 500 + k, node_id: `R_${k}`, name: `svc-${k}`, full_name: `acme/svc-${k}`, owner: { login: "acme" } })) },
      { etag: `W/"old"`, date: DATE, hasNext: false, repositories: [] },
    ];
    serve(130, () => `W/"e1"`, [{ page: 1, status: 304 }]);
    serve(130, () => `W/"e2-new"`, [{ page: 2, status: 200 }]);
    const listing = await listInstallationRepositories(client(), stored);
    expect(listing.unchanged).toBe(false);
    expect(listing.repositories).toHaveLength(130);
    expect(listing.pages.map((p) => p.etag)).toEqual([`W/"e1"`, `W/"e2-new"`]);
  });

  it("does not store a listing GitHub sent without ETags", async () => {
    serve(3, () => "", [{ page: 1, status: 200 }]);
    const listing = await listInstallationRepositories(client(), undefined);
    expect(listing.repositories).toHaveLength(3);
    expect(listing.pages).toEqual([]);
  });
});
