/**
 * Scenarios 2 and 3 on the built command: `keywarden audit` and `keywarden summary` only enqueue
 * and a running `keywarden serve` does the work, also after it has been idle longer than the job
 * lock (the first job after a quiet night once failed twice before succeeding); and SIGTERM with a
 * job in flight lets the job finish, files its issues, then exits 0.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import type { LogLine } from "./helpers/child.js";
import { record } from "./helpers/reliability.js";
import { OWNER, Scenario } from "./helpers/scenario.js";
import { FIXED, NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

const JOB_LOCK_MS = 3000;
const failedJob = (l: LogLine) => l.msg === "job failed";
const errorLines = (lines: LogLine[]) => lines.filter((l) => (l.level ?? 0) >= 50);

describe("keywarden audit and summary as commands", () => {
  it("audits every repository and posts the summary, and does both again at first attempt after idling longer than the job lock", async () => {
    const s = await Scenario.start({ jobLockMs: JOB_LOCK_MS });
    const { gh } = s;
    await gh.createRepo("infra", { files: { "main.tf": FIXED } });
    await gh.createRepo("network", { files: { "iam/keys.tf": NON_COMPLIANT, "README.md": "# network\n" } });
    await gh.createRepo("clean", { files: { "main.tf": FIXED } });
    await gh.createRepo(".github", { private: true, files: { "README.md": "# org\n" } });
    const serve = await s.serve();

    const audit = await s.command(["audit"]);
    expect(Buffer.concat(audit.stderr).toString()).toBe("");
    s.expected = seedFindings("network", "iam/keys.tf");
    await s.converge(45_000);
    for (const repo of ["infra", "network", "clean", ".github"]) expect(gh.gitStats(repo).requests, `${repo} cloned`).toBeGreaterThan(0);
    expect(gh.issues("clean")).toEqual([]);
    expect(gh.issues("infra")).toEqual([]);

    await s.command(["summary"]);
    const posted = await serve.waitForMessage(/^weekly summary \d{4}-W\d\d created in octo-org\/\.github$/, 20_000);
    expect(posted).toMatchObject({ queue: "summary", open: 2 });
    const [summary] = gh.issues(".github");
    expect(summary!.title).toMatch(/^Keywarden compliance summary — \d{4}-W\d\d$/);
    expect(summary!.body).toMatch(/Open findings \| \*\*2\*\*/);
    expect(serve.lines.filter(failedJob)).toEqual([]);

    // Idle on purpose, longer than the job lock (and the stalled check that follows it).
    const idleMs = Math.round(JOB_LOCK_MS * 1.5) + 1000;
    await sleep(idleMs);

    // Meanwhile a commit lands without a webhook: only the audit can find it.
    await gh.commit("clean", { files: { "main.tf": NON_COMPLIANT }, message: "reactivate" });
    s.expected.push(...seedFindings("clean"));
    const from = serve.lines.length;
    const askedAt = Date.now();
    await s.command(["audit"]);
    const queued = await serve.waitForMessage("audit queued", 20_000, from);
    expect(queued).toMatchObject({ queue: "audit", installation: 4242, queued: 1, unchanged: 3 });
    const convergedAt = await s.converge(30_000);
    record({ scenario: "audit after idling", faults: `idle ${(idleMs / 1000).toFixed(1)} s (job lock ${JOB_LOCK_MS / 1000} s)`, census: s.census(), seconds: (convergedAt - askedAt) / 1000 });
    await s.command(["summary"]);
    await serve.waitForMessage(/^weekly summary \d{4}-W\d\d updated in octo-org\/\.github$/, 20_000, from);
    expect(gh.issues(".github")).toHaveLength(1);
    expect(gh.issues(".github")[0]!.body).toMatch(/Open findings \| \*\*4\*\*/);

    // First attempts only: nothing failed, stalled or errored in the whole run.
    expect(serve.lines.filter(failedJob)).toEqual([]);
    expect(errorLines(serve.lines)).toEqual([]);
    expect(s.queues.counted["audit:stalled"] ?? 0).toBe(0);
    expect(serve.running).toBe(true);
  }, 120_000);
});

describe("keywarden serve on SIGTERM", () => {
  it("finishes the job in flight, files its issues, and exits 0", async () => {
    const s = await Scenario.start({ jobLockMs: JOB_LOCK_MS });
    const { gh } = s;
    await gh.createRepo("infra", { files: { "README.md": "# infra\n" } });
    const serve = await s.serve();

    // The scan's look for existing issues waits at the stand-in until SIGTERM has been taken.
    const held = gh.hold({ method: "GET", path: `/repos/${OWNER}/infra/issues` });
    const change = await gh.commit("infra", { files: { "main.tf": NON_COMPLIANT } });
    expect(await gh.push("infra", change)).toBe(200);
    await held.arrived;
    serve.kill("SIGTERM");
    await serve.waitForMessage("finishing running jobs, then exiting", 10_000);
    expect(serve.running).toBe(true);
    expect(gh.issues("infra")).toEqual([]);
    held.release();

    const exit = await serve.waitForExit(45_000);
    expect(exit).toEqual({ code: 0, signal: null });
    s.expected = seedFindings("infra");
    expect(s.census()).toMatchObject({ filed: 2, open: 2, duplicates: 0, lost: 0 });
    const scanned = serve.lines.findIndex((l) => l.msg === "repository scanned");
    const stopped = serve.lines.findIndex((l) => l.msg === "stopped");
    expect(scanned).toBeGreaterThan(-1);
    expect(stopped).toBeGreaterThan(scanned);
    expect(serve.lines.filter(failedJob)).toEqual([]);
  }, 60_000);
});
