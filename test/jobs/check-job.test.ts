/**
 * The pull-request check job in process: BullMQ on the real Redis, the processor `startWorkers`
 * runs, a real git repository with a `refs/pull/N/head`, the real scanner, and GitHub (nock)
 * answering the pull request, its files and the check-run writes. The end-to-end scenarios are in
 * test/process/checks.test.ts; here: the job's data and retries.
 */
import { pathToFileURL } from "node:url";
import type { Job } from "bullmq";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CheckOutcome } from "../../src/jobs/process-pull-request.js";
import { enqueueCheck, type CheckJobData } from "../../src/jobs/queues.js";
import { FakeGitHub, INSTALLATION_TOKEN } from "../helpers/fake-github.js";
import type { FakeGitHubRepo } from "../helpers/github-nock.js";
import { createTestRepo, git, type TestRepo } from "../helpers/git-repo.js";
import { startHarness, type Harness } from "../helpers/worker-harness.js";

const ROOT_KEY = `resource "aws_iam_access_key" "root_key" {
  user = "root"
}
`;
const PATCH = `@@ -0,0 +1,3 @@\n+resource "aws_iam_access_key" "root_key" {\n+  user = "root"\n+}`;
const REPO_ID = 7101;
const PULL = 7;

let repo: TestRepo;
let gh: FakeGitHub;
let infra: FakeGitHubRepo;
let h: Harness;
let head: string;

beforeEach(async () => {
  repo = await createTestRepo();
  await repo.commit({ "README.md": "# infra\n" });
  head = await repo.commit({ "iam.tf": ROOT_KEY }, "add a key");
  // GitHub keeps the pull request's head in the base repository; the branch itself is not needed.
  await git(repo.bare, "update-ref", `refs/pull/${PULL}/head`, head);
  await git(repo.bare, "update-ref", "refs/heads/main", `${head}~1`);
  nock.disableNetConnect();
  gh = new FakeGitHub().start();
  infra = gh.addRepo({ id: REPO_ID, name: "infra", cloneUrl: repo.url });
  infra.pulls.set(PULL, { state: "open", headSha: head, cloneUrl: repo.url, files: [{ filename: "iam.tf", status: "added", patch: PATCH }] });
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
  gh.stop();
  nock.enableNetConnect();
  await repo.remove();
});

async function runCheck(): Promise<{ job: Job<CheckJobData>; outcome: Promise<CheckOutcome> }> {
  const count = h.added.length;
  await enqueueCheck(h.queues, { installationId: gh.installationId, repositoryId: REPO_ID, owner: gh.owner, repo: "infra", pullNumber: PULL, headSha: head });
  const job = h.added[count] as Job<CheckJobData>;
  return { job, outcome: h.finished<CheckOutcome>(job) };
}

describe("pull-request check job", () => {
  it("completes the run it started with the annotations of the lines the pull request adds, and files no issue", async () => {
    const { job, outcome } = await runCheck();
    expect(await outcome).toMatchObject({ status: "checked", headSha: head, conclusion: "failure", findings: 2, annotations: 2 });
    expect(infra.checkRuns).toHaveLength(1);
    const [run] = infra.checkRuns;
    expect(run).toMatchObject({ head_sha: head, status: "completed", conclusion: "failure" });
    expect(run!.annotations.map((a: { path: string; start_line: number }) => [a.path, a.start_line]).sort()).toEqual([
      ["iam.tf", 1],
      ["iam.tf", 2],
    ]);
    expect(gh.writes().filter((w) => /\/issues|\/labels/.test(w.path))).toEqual([]);
    // The job's data holds ids only: the run it started, never a token.
    const stored = (await h.queues.check.getJob(job.id!))!;
    expect(stored.data).toEqual({ ...job.data, checkRun: { id: run!.id, headSha: head } });
    expect(JSON.stringify(stored.data)).not.toContain(INSTALLATION_TOKEN);
  });

  it("completes the same run on every retry and concludes it failure when the last attempt fails, without the token", async () => {
    // The clone fails on every attempt: the repository is not there.
    infra.pulls.get(PULL)!.cloneUrl = pathToFileURL("/nonexistent/keywarden-test.git").href;
    const { job, outcome } = await runCheck();
    await expect(outcome).rejects.toThrow();
    const failed = (await h.queues.check.getJob(job.id!))!;
    expect(failed.attemptsMade).toBe(4);
    expect(failed.failedReason).not.toContain(INSTALLATION_TOKEN);
    // One run for all four attempts, started once, concluded failure with the reason.
    expect(infra.checkRuns).toHaveLength(1);
    expect(gh.writes().filter((w) => w.method === "POST" && w.path.endsWith("/check-runs"))).toHaveLength(1);
    expect(infra.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "Keywarden could not scan this commit" } });
    expect(infra.checkRuns[0]!.output.summary).toMatch(/Push a new commit/);
    expect(JSON.stringify(infra.checkRuns[0])).not.toContain(INSTALLATION_TOKEN);
  });

  it("skips a pull request closed before its check ran", async () => {
    infra.pulls.get(PULL)!.state = "closed";
    const { outcome } = await runCheck();
    expect(await outcome).toEqual({ status: "skipped", reason: "pull request closed", headSha: head });
    expect(infra.checkRuns).toEqual([]);
  });
});
