/**
 * Readiness: Redis answers, and the GitHub App's credentials work. Each check is bounded in time;
 * GitHub's answer is kept for a while (30 s when it worked, 5 s when it did not) so that a probe
 * every few seconds costs GitHub one request a half-minute, and concurrent probes share one request.
 */
import type { Redis } from "ioredis";
import type { Probot } from "probot";
import { checkAppCredentials } from "../github/app-credentials.js";

export interface CheckResult {
  ok: boolean;
  error?: string;
}

export interface ReadinessReport {
  ok: boolean;
  /** Names of the failing checks, e.g. ["redis"]. */
  failing: string[];
  checks: Record<string, CheckResult>;
}

export type Check = () => Promise<void>;

export interface CachedCheckOptions {
  okForMs: number;
  failedForMs: number;
  now?: () => number;
}

/** A check whose result is reused for a while, and whose concurrent callers share one run. */
export function cached(check: Check, options: CachedCheckOptions): () => Promise<CheckResult> {
  const now = options.now ?? Date.now;
  let last: { result: CheckResult; until: number } | undefined;
  let running: Promise<CheckResult> | undefined;
  return () => {
    if (last && now() < last.until) return Promise.resolve(last.result);
    running ??= check()
      .then(
        (): CheckResult => ({ ok: true }),
        (error: unknown): CheckResult => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      )
      .then((result) => {
        last = { result, until: now() + (result.ok ? options.okForMs : options.failedForMs) };
        running = undefined;
        return result;
      });
    return running;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function readyWithin(redis: Redis, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once("ready", done);
  });
}

/** Redis answers PING on this connection (which is the one the process's queues use). */
export function redisCheck(redis: Redis, timeoutMs = 1000): Check {
  return async () => {
    // A connection that is not ready queues commands until it is: do not wait for that, except for
    // a first connection still being made (a process just started).
    if (redis.status === "wait" || redis.status === "connecting" || redis.status === "connect") await readyWithin(redis, timeoutMs);
    if (redis.status !== "ready") throw new Error(`Redis connection is ${redis.status}`);
    const answer = await withTimeout(redis.ping(), timeoutMs, "Redis PING");
    if (answer !== "PONG") throw new Error(`Redis answered PING with ${JSON.stringify(answer)}`);
  };
}

export class Readiness {
  private readonly checks: [string, () => Promise<CheckResult>][];

  constructor(checks: Record<string, () => Promise<CheckResult>>) {
    this.checks = Object.entries(checks);
  }

  /** Redis (asked every time: it is one PING) and the app's credentials (cached, see above). */
  static of(redis: Redis, probot: Probot, options: { githubTimeoutMs?: number } = {}): Readiness {
    const timeout = options.githubTimeoutMs ?? 5000;
    return new Readiness({
      redis: cached(redisCheck(redis), { okForMs: 0, failedForMs: 0 }),
      github: cached(() => checkAppCredentials(probot, timeout), { okForMs: 30_000, failedForMs: 5_000 }),
    });
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(async ([name, check]) => [name, await check()] as const));
    const checks = Object.fromEntries(results);
    const failing = results.filter(([, r]) => !r.ok).map(([name]) => name);
    return { ok: failing.length === 0, failing, checks };
  }
}
