/**
 * Listing a pull request's files against the GitHub stand-in, whose listing is real `git diff`
 * output, paginated as GitHub paginates it and capped as GitHub caps it (3,000 files; lowered here
 * so the test need not write thousands of files).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPullRequestFiles } from "../../src/github/pull-files.js";
import { OWNER, startFixture, type Fixture } from "./stand-in-fixture.js";

let f: Fixture;
let number: number;
const many: Record<string, string> = {};
for (let i = 0; i < 230; i++) many[`modules/m${String(i).padStart(3, "0")}/main.tf`] = `# module ${i}\n`;

beforeAll(async () => {
  f = await startFixture();
  await f.gh.createRepo("infra", { files: { "old.tf": "a\nb\nc\nd\n", "gone.tf": "x\n" } });
  const pr = await f.gh.openPull("infra", { branch: "big", files: { ...many, "new.tf": "a\nb\nc\nD\n", "huge.tf": "x = 1\n".repeat(400) }, remove: ["old.tf", "gone.tf"] });
  number = pr.number;
});
afterAll(async () => {
  await f?.gh.close();
});

describe("listPullRequestFiles", () => {
  it("reads every page at 100 a page and says the listing is complete", async () => {
    const octokit = await f.client();
    const pagesBefore = f.gh.requests.filter((r) => r.path.endsWith(`/pulls/${number}/files`)).length;
    const { files, complete } = await listPullRequestFiles(octokit, { owner: OWNER, repo: "infra", pullNumber: number, changedFiles: 233 });
    expect(complete).toBe(true);
    expect(files).toHaveLength(233);
    const pages = f.gh.requests.filter((r) => r.path.endsWith(`/pulls/${number}/files`)).slice(pagesBefore);
    expect(pages).toHaveLength(3);
    expect(pages.every((r) => r.url.includes("per_page=100"))).toBe(true);
    const byName = new Map(files.map((x) => [x.filename, x]));
    expect(byName.get("new.tf")).toEqual({ filename: "new.tf", status: "renamed", previous_filename: "old.tf", changes: 2, patch: "@@ -1,4 +1,4 @@\n a\n b\n c\n-d\n+D" });
    expect(byName.get("gone.tf")).toMatchObject({ status: "removed" });
    expect(byName.get("modules/m000/main.tf")).toEqual({ filename: "modules/m000/main.tf", status: "added", changes: 1, patch: "@@ -0,0 +1 @@\n+# module 0" });
  });

  it("says the listing is incomplete when GitHub lists fewer files than the pull request changes", async () => {
    f.gh.setPullLimits({ maxListedFiles: 150, maxPatchLength: 500 });
    try {
      const octokit = await f.client();
      const { data: pull } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: OWNER, repo: "infra", pull_number: number });
      const { files, complete } = await listPullRequestFiles(octokit, { owner: OWNER, repo: "infra", pullNumber: number, changedFiles: pull.changed_files });
      expect(pull.changed_files).toBe(233);
      expect(files).toHaveLength(150);
      expect(complete).toBe(false);
      // A file whose patch GitHub omits is listed without one.
      const { files: all } = await listPullRequestFiles(octokit, { owner: OWNER, repo: "infra", pullNumber: number, changedFiles: 150 });
      expect(all.find((x) => x.filename === "huge.tf")).toEqual({ filename: "huge.tf", status: "added", changes: 400 });
    } finally {
      f.gh.setPullLimits({ maxListedFiles: 3000, maxPatchLength: 1_000_000 });
    }
  });

  it("passes GitHub's refusal on: 403 without pull_requests: read", async () => {
    const octokit = await f.client({ permissions: { contents: "read" } });
    await expect(listPullRequestFiles(octokit, { owner: OWNER, repo: "infra", pullNumber: number, changedFiles: 1 })).rejects.toMatchObject({ status: 403 });
  });
});
