/**
 * Scenario 5: Redis itself (a server of the test's own, with append-only persistence) is SIGKILLed
 * during an audit and started again on the same port and directory while `keywarden serve` keeps
 * running. The process stays up, says once that Redis is lost and once that it is back, and
 * converges. Twice: a restart shorter than the job lock (the production lock, a 3 s outage, as in
 * issue 7), and an outage longer than the lock, after which BullMQ hands the running scans out again
 * while their first runs are still filing issues.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { checkEveryScenario } from "./helpers/checks.js";
import { isIssueCreate } from "./helpers/census.js";
import type { LogLine } from "./helpers/child.js";
import { OwnRedis } from "./helpers/redis.js";
import { record } from "./helpers/reliability.js";
import { Scenario } from "./helpers/scenario.js";
import { NON_COMPLIANT, seedFindings } from "./helpers/terraform.js";

checkEveryScenario();

const message = (l: LogLine) => (typeof l.msg === "string" ? l.msg : "");

async function redisRestart(options: { scenario: string; repos: string[]; jobLockMs: number | undefined; downMs: number }) {
  const redis = await OwnRedis.start();
  const s = await Scenario.start({ redisUrl: redis.url, jobLockMs: options.jobLockMs });
  s.afterClose.push(() => redis.close());
  for (const repo of options.repos) await s.gh.createRepo(repo, { files: { "main.tf": NON_COMPLIANT } });
  s.expected = options.repos.flatMap((repo) => seedFindings(repo));
  const serve = await s.serve();

  const firstWrite = s.nextRequest(isIssueCreate, 30_000, "the first issue creation");
  await s.command(["audit"]);
  await firstWrite;
  const from = serve.lines.length;
  await redis.kill();
  await serve.waitForMessage(/^Redis connection lost/, 10_000, from);
  // Down on purpose, as during a Redis restart or failover.
  await sleep(options.downMs);
  await redis.launch();
  const backAt = Date.now();
  await serve.waitForMessage("Redis connection restored", 20_000, from);
  const convergedAt = await s.converge(60_000);

  const during = serve.lines.slice(from);
  const lost = during.filter((l) => message(l).startsWith("Redis connection lost"));
  const restored = during.filter((l) => message(l) === "Redis connection restored");
  const errors = during.filter((l) => (l.level ?? 0) >= 50);
  const warnings = during.filter((l) => l.level === 40);
  const lockSeconds = (options.jobLockMs ?? 20_000) / 1000;
  record({
    scenario: options.scenario,
    faults: `Redis SIGKILLed mid-audit, down ${(options.downMs / 1000).toFixed(1)} s, job lock ${lockSeconds} s (${errors.length} error and ${warnings.length} warning lines)`,
    census: s.census(),
    seconds: (convergedAt - backAt) / 1000,
  });
  expect(serve.running).toBe(true);
  expect(lost).toHaveLength(1);
  expect(restored).toHaveLength(1);
  expect(errors.map(message)).toEqual([message(lost[0]!)]);
  expect(s.census()).toMatchObject({ expected: s.expected.length, filed: s.expected.length, duplicates: 0, lost: 0 });
  return { serve, warnings };
}

describe("Redis restarted during an audit", () => {
  it("for 3 s (within the job lock): one line when lost, one when back, converges", async () => {
    const { warnings } = await redisRestart({ scenario: "Redis SIGKILLed and restarted", repos: ["payments", "identity"], jobLockMs: undefined, downMs: 3000 });
    expect(warnings.filter((l) => message(l).startsWith("job lost its lock"))).toEqual([]);
  }, 120_000);

  it("for longer than the job lock: the scans handed out again wait for their first runs, and nothing is filed twice", async () => {
    const jobLockMs = 3000;
    const { warnings } = await redisRestart({ scenario: "Redis down longer than the job lock", repos: ["payments", "identity"], jobLockMs, downMs: jobLockMs + 1500 });
    // One warning per scan that lost its lock, not one per renewal attempt.
    const lockLost = warnings.filter((l) => message(l).startsWith("job lost its lock"));
    expect(lockLost.length).toBeGreaterThan(0);
    expect(new Set(lockLost.map((l) => l.jobId)).size).toBe(lockLost.length);
  }, 120_000);
});
