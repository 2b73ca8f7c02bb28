import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateStore } from "../../src/jobs/repo-state.js";
import { openTestRedis, type TestRedis } from "../helpers/redis.js";

describe("StateStore", () => {
  let t: TestRedis;
  let store: StateStore;
  beforeEach(async () => {
    t = await openTestRedis();
    store = new StateStore(t.redis, t.prefix);
  });
  afterEach(() => t.cleanup());

  it("keeps the last good commit when a later attempt fails, and marks the repo incomplete", async () => {
    const base = { repositoryId: 5, fullName: "o/r", installationId: 1, at: "2026-11-24T02:00:00Z" };
    await store.putRepo({ ...base, status: "scanned", commitSha: "abc", ruleSet: "rs1", complete: true, findings: 2 });
    await store.putRepo({ ...base, status: "failed", reason: "git clone failed: boom", at: "2026-11-25T02:00:00Z" });
    expect(await store.getRepo(5)).toEqual({
      ...base,
      at: "2026-11-25T02:00:00Z",
      status: "failed",
      reason: "git clone failed: boom",
      commitSha: "abc",
      ruleSet: "rs1",
      complete: false,
    });
    expect((await store.reposOfInstallation(1)).map((r) => r.fullName)).toEqual(["o/r"]);
  });

  it("adds up audit totals and reports the latest run", async () => {
    await store.startAudit("run-1", 9, new Date("2026-11-24T02:00:00Z"));
    await store.countAudit("run-1", { repositories: 3, scanned: 1 });
    await store.countAudit("run-1", { scanned: 1, failed: 1, findings: 4, opened: 2 });
    expect(await store.latestAudit(9)).toEqual({
      runId: "run-1",
      installationId: 9,
      startedAt: "2026-11-24T02:00:00.000Z",
      repositories: 3,
      scanned: 2,
      unchanged: 0,
      failed: 1,
      skipped: 0,
      findings: 4,
      opened: 2,
      closed: 0,
    });
    expect(await store.latestAudit(10)).toBeUndefined();
  });
});
