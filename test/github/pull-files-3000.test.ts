/**
 * GitHub's own cap, not a lowered one: a pull request changing 3,100 files lists 3,000 (30 pages of
 * 100), and listPullRequestFiles says so. Writing 3,100 files is the slow part (about 8 s on a
 * busy 2-core machine); listing them about 3 s.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { listPullRequestFiles } from "../../src/github/pull-files.js";
import { OWNER, startFixture, type Fixture } from "./stand-in-fixture.js";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  await f.gh.createRepo("infra", { files: { "main.tf": "# main\n" } });
});
afterAll(async () => {
  await f?.gh.close();
});

it("lists 3,000 of 3,100 changed files in 30 pages and reports the listing incomplete", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 3100; i++) files[`modules/${i}.tf`] = `# ${i}\n`;
  const pr = await f.gh.openPull("infra", { branch: "huge", files });
  // Page 1 by name, the rest through the Link header's /repositories/{id}/... URLs.
  const pages = () => f.gh.requests.filter((r) => r.path.endsWith(`/pulls/${pr.number}/files`)).length;
  const { data } = await (await f.client()).request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: OWNER, repo: "infra", pull_number: pr.number });
  expect(data.changed_files).toBe(3100);
  const listed = await listPullRequestFiles(await f.client(), { owner: OWNER, repo: "infra", pullNumber: pr.number, changedFiles: data.changed_files });
  expect(listed.files).toHaveLength(3000);
  expect(new Set(listed.files.map((x) => x.filename)).size).toBe(3000);
  expect(listed.complete).toBe(false);
  expect(pages()).toBe(30);
}, 120_000);
