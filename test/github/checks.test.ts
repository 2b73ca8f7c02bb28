/**
 * Publishing the Keywarden check run against the GitHub stand-in, which validates check-run writes
 * as GitHub does (50 annotations a request, output title and summary in each, status/conclusion
 * rules) and stores what it accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckRunFailed, completeCheckRun, publishCheckRun, startCheckRun } from "../../src/github/checks/index.js";
import type { CheckAnnotation, CheckRunOutput } from "../../src/domain/check-run.js";
import { captureLog } from "../helpers/probot.js";
import { GRANTED, OWNER, startFixture, type Fixture } from "./stand-in-fixture.js";

let f: Fixture;
let sha: string;
beforeAll(async () => {
  f = await startFixture();
  await f.gh.createRepo("infra", { files: { "iam.tf": "# iam\n" } });
  sha = (await f.gh.head("infra"))!;
});
afterAll(async () => {
  await f?.gh.close();
});

function annotations(n: number): CheckAnnotation[] {
  return Array.from({ length: n }, (_, i) => ({
    path: "iam.tf",
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: "failure",
    title: "terraform-aws-iam-access-key-is-exposed",
    message: `root access key ${i + 1}`,
    raw_details: "Remove the key.",
  }));
}

function output(n: number, conclusion: CheckRunOutput["conclusion"] = "failure"): CheckRunOutput {
  return { conclusion, title: `${n} findings`, summary: "## Keywarden\n\nRoot access keys.", text: "```diff\n-user = \"root\"\n```", annotations: annotations(n) };
}

describe("startCheckRun + completeCheckRun", () => {
  it("creates the run in progress, then completes it with 120 annotations as 50 + 50 + 20, stored in order", async () => {
    const octokit = await f.client();
    const log = captureLog();
    const started = await startCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, log.logger);
    expect(started).toEqual({ published: true, id: expect.any(Number) });
    if (!started.published) return;
    const stored = f.gh.checkRuns("infra").find((r) => r.id === started.id)!;
    expect(stored).toMatchObject({ name: "Keywarden", status: "in_progress", conclusion: null, headSha: sha });
    expect(stored.startedAt).toMatch(/Z$/);

    await completeCheckRun(octokit, { owner: OWNER, repo: "infra", id: started.id }, output(120), log.logger);
    expect(stored).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "120 findings", summary: "## Keywarden\n\nRoot access keys." } });
    expect(stored.output.text).toContain("```diff");
    expect(stored.writes.map((w) => [w.method, w.annotations])).toEqual([["POST", 0], ["PATCH", 50], ["PATCH", 50], ["PATCH", 20]]);
    expect(stored.annotations.map((a) => a.message)).toEqual(annotations(120).map((a) => a.message));
    // Every PATCH carries title and summary (GitHub requires both in any output).
    const patches = f.gh.requests.filter((r) => r.method === "PATCH" && r.path.endsWith(`/check-runs/${started.id}`));
    expect(patches).toHaveLength(3);
    for (const p of patches) expect(p.body.output).toMatchObject({ title: "120 findings", summary: expect.any(String) });
    expect(patches[0]!.body).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(patches.slice(1).every((p) => p.body.status === undefined)).toBe(true);
  });
});

describe("publishCheckRun", () => {
  it("creates the run completed with the first 50 annotations and appends the rest", async () => {
    const octokit = await f.client();
    const result = await publishCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, output(120), captureLog().logger);
    if (!result.published) throw new Error("expected a published run");
    const stored = f.gh.checkRuns("infra").find((r) => r.id === result.id)!;
    expect(stored.writes.map((w) => [w.method, w.annotations, w.status])).toEqual([
      ["POST", 50, "completed"],
      ["PATCH", 50, "completed"],
      ["PATCH", 20, "completed"],
    ]);
    expect(stored.annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it("sends one request for a run without annotations, and exactly 50 in one", async () => {
    const octokit = await f.client();
    for (const n of [0, 50]) {
      const before = f.gh.writes().length;
      const result = await publishCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, output(n, n ? "failure" : "success"), captureLog().logger);
      expect(result.published).toBe(true);
      expect(f.gh.writes().length - before).toBe(1);
      if (result.published) expect(f.gh.checkRuns("infra").find((r) => r.id === result.id)!.annotations).toHaveLength(n);
    }
  });

  it("finds the run GitHub created before its reply was lost instead of creating a second", async () => {
    const octokit = await f.client();
    const runs = () => f.gh.checkRuns("infra").length;
    const before = runs();
    f.gh.faults.once({ method: "POST", path: `/repos/${OWNER}/infra/check-runs` }, "applied-then-502");
    const log = captureLog();
    const result = await publishCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, output(60), log.logger);
    expect(runs()).toBe(before + 1);
    if (!result.published) throw new Error("expected a published run");
    expect(f.gh.checkRuns("infra").at(-1)!.id).toBe(result.id);
    expect(f.gh.checkRuns("infra").at(-1)!.annotations).toHaveLength(60);

    // A 502 that GitHub did not apply: not found, so sent once more.
    f.gh.faults.once({ method: "POST", path: `/repos/${OWNER}/infra/check-runs` }, "502");
    const again = await startCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, log.logger);
    expect(again.published).toBe(true);
    expect(runs()).toBe(before + 2);
    expect(log.text()).toContain("sending it once more");
  });
});

describe("a PATCH that fails in flight", () => {
  it("is read back, not repeated, when GitHub applied it; sent once more when it did not: every annotation exactly once", async () => {
    const octokit = await f.client();
    const log = captureLog();
    const started = await startCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, log.logger);
    if (!started.published) throw new Error("expected a started run");
    const path = `/repos/${OWNER}/infra/check-runs/${started.id}`;
    // The second batch is applied and its reply lost; the third is refused with a 502.
    // The server records a request before it decides its fault: the count includes this one.
    const patchNumber = () => f.gh.requests.filter((r) => r.method === "PATCH" && r.path === path).length;
    f.gh.faults.once((t) => t.method === "PATCH" && t.path === path && patchNumber() === 2, "applied-then-502");
    f.gh.faults.once((t) => t.method === "PATCH" && t.path === path && patchNumber() === 3, "502");
    await completeCheckRun(octokit, { owner: OWNER, repo: "infra", id: started.id }, output(120), log.logger);
    const stored = f.gh.checkRuns("infra").find((r) => r.id === started.id)!;
    expect(stored.annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(stored.writes.map((w) => [w.method, w.annotations])).toEqual([["POST", 0], ["PATCH", 50], ["PATCH", 50], ["PATCH", 20]]);
    expect(f.gh.requests.filter((r) => r.method === "PATCH" && r.path === path).map((r) => r.status)).toEqual([200, 502, 502, 200]);
    expect(log.text().match(/sending it once more/g)).toHaveLength(1);
  });
});

describe("an installation without checks: write", () => {
  it("returns missing-permission after one warning saying what to do, and files nothing", async () => {
    f.gh.setPermissions({ metadata: "read", contents: "read", issues: "write" });
    try {
      const octokit = await f.client();
      const before = f.gh.checkRuns("infra").length;
      for (const publish of [
        (log: ReturnType<typeof captureLog>) => startCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, log.logger),
        (log: ReturnType<typeof captureLog>) => publishCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, output(3), log.logger),
      ]) {
        const log = captureLog();
        expect(await publish(log)).toEqual({ published: false, reason: "missing-permission" });
        const lines = log.text().trim().split("\n").map((l) => JSON.parse(l));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatchObject({ level: 40, repository: `${OWNER}/infra` });
        expect(lines[0].msg).toMatch(/checks: write.*organization owner accepts/);
      }
      expect(f.gh.checkRuns("infra")).toHaveLength(before);
    } finally {
      f.gh.setPermissions(GRANTED);
    }
  });
});

describe("other failures", () => {
  it("throws a CheckRunFailed naming the repository, without the token", async () => {
    const token = await f.mint();
    const octokit = await f.client();
    const notACommit = publishCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: "f".repeat(40) }, output(1), captureLog().logger);
    await expect(notACommit).rejects.toBeInstanceOf(CheckRunFailed);
    await expect(notACommit).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/octo-org\/infra@ffffffffffff: 422 No commit found/) });
    const missing = completeCheckRun(octokit, { owner: OWNER, repo: "infra", id: 1 }, output(1), captureLog().logger);
    await expect(missing).rejects.toMatchObject({ status: 404, message: expect.stringContaining("check run 1 on octo-org/infra") });
    const error = await missing.catch((e: unknown) => e as Error);
    expect(JSON.stringify(error)).not.toContain(token);
    // A secondary rate limit is the throttling plugin's; disabled here, it surfaces as a 403 that is not a permission.
    f.gh.faults.once({ method: "POST", path: `/repos/${OWNER}/infra/check-runs` }, "secondary");
    await expect(startCheckRun(octokit, { owner: OWNER, repo: "infra", headSha: sha }, captureLog().logger)).rejects.toMatchObject({ status: 403 });
  });
});
