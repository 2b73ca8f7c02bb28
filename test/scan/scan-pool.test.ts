import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { createScanPool, scan, scanInPool, scanPoolStats, stopScanPool, ScanPoolError } from "../../src/scan/index.js";
import { ensureCorpus } from "../../bench/generate.js";
import { assertBuilt } from "../cli/run-cli.js";
import { tempTree } from "./temp-tree.js";

// The pool's threads run the built scanner (dist/), as the app does: `npm test` builds first.
assertBuilt();

const examples = fileURLToPath(new URL("../../examples", import.meta.url));
const crashingWorker = new URL("./fixtures/crashing-scan-worker.mjs", import.meta.url);

afterAll(async () => {
  await stopScanPool();
});

describe("scanInPool: scan() in worker threads", () => {
  it("gives exactly what scan() gives, on the seed examples and with options", async () => {
    expect(await scanInPool(examples)).toEqual(await scan(examples));
    const options = { ruleIds: ["terraform-aws-iam-access-key-is-exposed"], ignorePaths: ["iam-access-key-is-exposed/**"] };
    expect(await scanInPool(examples, options)).toEqual(await scan(examples, options));
    // The clock crosses to the thread: examples/expiring-exception's exception has expired by then.
    const later = { now: new Date("2100-01-01T00:00:00Z") };
    const pooled = await scanInPool(examples, later);
    expect(pooled).toEqual(await scan(examples, later));
    expect(pooled.findings.filter((f) => f.exceptionExpired === "2099-12-31")).toHaveLength(2);
  });

  it("throws what scan() throws, with the same message and code", async () => {
    const missing = join(tmpdir(), "keywarden-no-such-directory");
    const direct = await scan(missing).catch((error: NodeJS.ErrnoException) => error);
    const pooled = await scanInPool(missing).catch((error: NodeJS.ErrnoException) => error);
    expect(pooled).toBeInstanceOf(Error);
    expect(pooled).toMatchObject({ message: (direct as Error).message, code: "ENOENT" });
    await expect(scanInPool(examples, { ruleIds: ["no-such-rule"] })).rejects.toThrow(/unknown rule id: no-such-rule/);
  });

  it("sizes itself to the machine and reuses its threads across scans", async () => {
    await stopScanPool();
    const runs = await Promise.all(Array.from({ length: 6 }, () => scanInPool(examples)));
    // The seed examples (8) and examples/module-calls (2); examples/expiring-exception is suppressed until 2099.
    expect(new Set(runs.map((r) => r.findings.length))).toEqual(new Set([10]));
    const stats = scanPoolStats();
    expect(stats).toMatchObject({ busy: 0, queued: 0, crashes: 0 });
    // availableParallelism() threads at most, however many scans were asked for at once.
    expect(stats?.threads).toBeGreaterThanOrEqual(1);
    expect(stats?.threads).toBeLessThanOrEqual(stats?.size ?? 0);
    const before = stats?.threads;
    await scanInPool(examples);
    expect(scanPoolStats()?.threads).toBe(before);
  });

  it("fails the scan of a thread that crashes with a clear error, and replaces the thread", async () => {
    const pool = createScanPool({ size: 1, workerUrl: crashingWorker });
    try {
      const root = await tempTree({ "main.tf": `resource "aws_iam_access_key" "k" {\n  user = "root"\n}\n` });
      expect((await pool.scan(root)).findings).toHaveLength(2);

      const exits = join(await tempTree(), "crash-exit");
      await expect(pool.scan(exits)).rejects.toThrow(ScanPoolError);
      await expect(pool.scan(exits)).rejects.toThrow(/the scan thread exited unexpectedly \(code 7\); the scan of .*crash-exit did not finish/);
      const throws = join(await tempTree(), "crash-throw");
      await expect(pool.scan(throws)).rejects.toThrow(/the scan thread crashed: boom in the scan thread; the scan of .*crash-throw did not finish/);

      // A waiting scan is not lost with the thread ahead of it, and the pool keeps working.
      const [lost, next] = await Promise.allSettled([pool.scan(exits), pool.scan(root)]);
      expect(lost.status).toBe("rejected");
      expect(next).toMatchObject({ status: "fulfilled", value: { findings: [expect.anything(), expect.anything()] } });
      expect(pool.stats()).toMatchObject({ size: 1, threads: 1, busy: 0, queued: 0, crashes: 4 });
    } finally {
      await pool.stop();
    }
  });

  it("fails running and waiting scans when stopped, and refuses new ones", async () => {
    const pool = createScanPool({ size: 1 });
    const running = pool.scan(examples).catch((error: unknown) => error);
    const waiting = pool.scan(examples).catch((error: unknown) => error);
    await pool.stop();
    expect(await running).toMatchObject({ name: "ScanPoolError", message: expect.stringMatching(/^the scan pool stopped while scanning /) });
    expect(await waiting).toMatchObject({ name: "ScanPoolError", message: "the scan pool stopped before this scan started" });
    await expect(pool.scan(examples)).rejects.toThrow(ScanPoolError);
    expect(pool.stats()).toMatchObject({ threads: 0, busy: 0, queued: 0 });
  });

  it("leaves the calling thread's event loop free during a large scan (lock renewals, webhooks)", { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "keywarden-pool-corpus-"));
    try {
      const corpus = await ensureCorpus(dir, { files: 10_000, seed: 20_261_124 });
      await scanInPool(examples); // a thread is up: what follows measures the scan, not a thread start

      const delay = monitorEventLoopDelay({ resolution: 10 });
      const before = performance.eventLoopUtilization();
      delay.enable();
      const result = await scanInPool(dir);
      delay.disable();
      const busy = performance.eventLoopUtilization(before);

      expect(result.stats.filesDiscovered).toBe(corpus.files);
      expect(result.findings).toHaveLength(2 * corpus.rootKeyFiles);
      // Behaviour bounds, not speed: the job lock is renewed every 10 s (half of its 20 s); the loop
      // never stalled for a second, and it was idle most of the time the scan ran.
      expect(delay.max / 1e6).toBeLessThan(1_000);
      expect(busy.utilization).toBeLessThan(0.5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
