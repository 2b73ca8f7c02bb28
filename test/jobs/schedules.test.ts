import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createQueues, type Queues } from "../../src/jobs/queues.js";
import { AUDIT_SCHEDULER_ID, SUMMARY_SCHEDULER_ID, upsertSchedules } from "../../src/jobs/schedules.js";
import { openTestRedis, type TestRedis } from "../helpers/redis.js";

describe("upsertSchedules", () => {
  let t: TestRedis;
  let workers: Queues[];
  beforeEach(async () => {
    t = await openTestRedis();
    // Two processes' worth of queue handles on the same Redis, as two workers starting together.
    workers = [createQueues(t.redis, t.prefix), createQueues(t.redis, t.prefix)];
  });
  afterEach(async () => {
    for (const q of workers) await q.close();
    await t.cleanup();
  });

  it("registers each schedule once however many workers start at the same time", async () => {
    const settings = { auditCron: "0 2 * * *", summaryCron: "0 8 * * 1", timeZone: "Europe/Berlin" };
    await Promise.all(workers.map((q) => upsertSchedules(q, settings)));
    await Promise.all(workers.map((q) => upsertSchedules(q, settings)));

    const audits = await workers[0]!.audit.getJobSchedulers();
    const summaries = await workers[0]!.summary.getJobSchedulers();
    expect(audits).toHaveLength(1);
    expect(summaries).toHaveLength(1);
    expect(audits[0]).toMatchObject({ key: AUDIT_SCHEDULER_ID, pattern: "0 2 * * *", tz: "Europe/Berlin" });
    expect(summaries[0]).toMatchObject({ key: SUMMARY_SCHEDULER_ID, pattern: "0 8 * * 1", tz: "Europe/Berlin" });
    // One delayed job per schedule: the next run, not one per worker.
    expect(await workers[0]!.audit.getDelayedCount()).toBe(1);
    expect(await workers[0]!.summary.getDelayedCount()).toBe(1);
  });

  it("moves an existing schedule when the cron changes", async () => {
    await upsertSchedules(workers[0]!, { auditCron: "0 2 * * *", summaryCron: "0 8 * * 1", timeZone: "UTC" });
    await upsertSchedules(workers[1]!, { auditCron: "30 3 * * *", summaryCron: "0 8 * * 1", timeZone: "UTC" });
    const audits = await workers[0]!.audit.getJobSchedulers();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ pattern: "30 3 * * *" });
  });
});
