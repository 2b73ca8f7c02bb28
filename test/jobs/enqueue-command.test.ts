/**
 * `keywarden audit` and `keywarden summary` as operators run them: the built command, real Redis,
 * settings from the environment or from a `.env` in the working directory. They need nothing but
 * Redis, and say in one line what they queued or what is wrong.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createQueues, type Queues } from "../../src/jobs/queues.js";
import { openTestRedis, REDIS_URL, type TestRedis } from "../helpers/redis.js";

const main = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function keywarden(args: string[], env: Record<string, string>, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { env: { PATH: process.env.PATH, ...env }, cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("keywarden audit / summary", () => {
  let t: TestRedis;
  let queues: Queues;
  beforeEach(async () => {
    t = await openTestRedis();
    queues = createQueues(t.redis, t.prefix);
  });
  afterEach(async () => {
    await queues.close();
    await t.cleanup();
  });

  it("queues an audit of one installation, and a summary of every installation", async () => {
    const env = { REDIS_URL, KEYWARDEN_QUEUE_PREFIX: t.prefix };
    expect(await keywarden(["audit", "--installation", "42", "--force"], env)).toEqual({ code: 0, stdout: "audit queued for installation 42\n", stderr: "" });
    expect(await keywarden(["summary"], env)).toEqual({ code: 0, stdout: "summary queued for every installation\n", stderr: "" });
    expect((await queues.audit.getJobs(["waiting"])).map((j) => j.data)).toEqual([{ installationId: 42, force: true }]);
    expect((await queues.summary.getJobs(["waiting"])).map((j) => j.data)).toEqual([{}]);
  });

  it("reads REDIS_URL and the prefix from .env in the working directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "keywarden-enqueue-"));
    try {
      await writeFile(join(dir, ".env"), `REDIS_URL=${REDIS_URL}\nKEYWARDEN_QUEUE_PREFIX=${t.prefix}\n`);
      expect((await keywarden(["summary", "--installation", "7"], {}, dir)).code).toBe(0);
      expect((await queues.summary.getJobs(["waiting"])).map((j) => j.data)).toEqual([{ installationId: 7 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad installation id, and an unreachable Redis, in one line each", async () => {
    const bad = await keywarden(["audit", "--installation", "acme"], { REDIS_URL, KEYWARDEN_QUEUE_PREFIX: t.prefix });
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe(`keywarden audit: --installation must be a numeric installation id, got "acme"`);
    const down = await keywarden(["summary"], { REDIS_URL: "redis://127.0.0.1:1", KEYWARDEN_QUEUE_PREFIX: t.prefix });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^keywarden summary: cannot reach Redis at REDIS_URL: .+\n$/);
    expect(await queues.audit.getJobCounts()).toMatchObject({ waiting: 0 });
  });

  it("writes its line as one JSON object when the process logs JSON", async () => {
    const ok = await keywarden(["audit"], { REDIS_URL, KEYWARDEN_QUEUE_PREFIX: t.prefix, LOG_FORMAT: "json" });
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 30, msg: "audit queued for every installation" })]);
    const bad = await keywarden(["summary", "--installation", "acme"], { NODE_ENV: "production" });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 50, msg: `keywarden summary: --installation must be a numeric installation id, got "acme"` }),
    ]);
  });
});
