/**
 * A scan rerun after its lock was lost must not run alongside the first run in the same process,
 * and BullMQ's repeated lost-lock errors become one warning per job.
 */
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { lockLossReporter, oneRunPerKey } from "../../src/jobs/lock-loss.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("oneRunPerKey", () => {
  it("runs two jobs of one key one after the other, and jobs of other keys alongside", async () => {
    const events: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const run = oneRunPerKey(
      (job: { id: string; repo: string }) => job.repo,
      async (job) => {
        events.push(`start ${job.id}`);
        const gate = deferred();
        gates.set(job.id, gate);
        await gate.promise;
        events.push(`end ${job.id}`);
        if (job.id === "a1") throw new Error("first run failed");
        return job.id;
      },
    );
    const a1 = run({ id: "a1", repo: "a" }).catch((e: Error) => e.message);
    const a2 = run({ id: "a2", repo: "a" });
    const b1 = run({ id: "b1", repo: "b" });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(["start a1", "start b1"]);
    gates.get("b1")!.resolve();
    expect(await b1).toBe("b1");
    gates.get("a1")!.resolve();
    expect(await a1).toBe("first run failed");
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(["start a1", "start b1", "end b1", "end a1", "start a2"]);
    gates.get("a2")!.resolve();
    expect(await a2).toBe("a2");
  });
});

describe("lockLossReporter", () => {
  it("turns BullMQ's lost-lock errors into one warning per job and leaves other errors alone", () => {
    const lines: { level: number; msg: string; jobId?: string }[] = [];
    const log = pino({ level: "debug" }, new Writable({ write: (chunk, _e, next) => (lines.push(JSON.parse(String(chunk))), next()) }));
    const report = lockLossReporter(log);
    expect(report("scan", new Error("could not renew lock for job 1"))).toBe(true);
    expect(report("scan", new Error("could not renew lock for job 1"))).toBe(true);
    expect(report("scan", new Error("Missing lock for job 1. moveToFinished"))).toBe(true);
    expect(report("scan", new Error("Lock mismatch for job 2. Cmd moveToFinished from active"))).toBe(true);
    expect(report("scan", new Error("connect ECONNREFUSED 127.0.0.1:6379"))).toBe(false);
    expect(lines.filter((l) => l.level === 40).map((l) => l.jobId)).toEqual(["1", "2"]);
    expect(lines.filter((l) => l.level === 20)).toHaveLength(2);
  });
});
