/**
 * The worker side of a Keywarden process, wired in one place: `keywarden serve` starts it and the
 * job tests start it too, so a test fails when the wiring the product ships is wrong.
 *
 * Probot gets Keywarden's logger up front (see src/app/logger.ts) and no Redis: Probot would move
 * Octokit's throttling onto Redis when given a URL, and that limiter's keys expire while the process
 * idles (every first attempt after a quiet night failed with `SETTINGS_KEY_NOT_FOUND`) and it floods
 * the log while Redis is down. What must be shared across processes, GitHub's content-write budget,
 * is shared through Redis by src/jobs/write-budget.ts.
 */
import type { Redis } from "ioredis";
import pLimit from "p-limit";
import type { Logger } from "pino";
import { createProbot, type ProbotOctokit } from "probot";
import type { Settings } from "../config/settings.js";
import { KeywardenOctokit } from "../github/octokit/keywarden-octokit.js";
import { createQueues, type Queues } from "../jobs/queues.js";
import { StateStore } from "../jobs/repo-state.js";
import { WriteBudget } from "../jobs/write-budget.js";
import { startWorkers, type RunningWorkers, type WorkerTimings } from "../jobs/start-workers.js";
import type { WorkerDeps } from "../jobs/worker-deps.js";
import { packageVersion } from "./version.js";
import { countingRepoOutcomes, observeJobDurations } from "../jobs/metrics.js";
import { githubMetrics } from "../jobs/github-metrics.js";

export interface WorkerRuntimeOptions {
  settings: Settings;
  redis: Redis;
  log: Logger;
  /** Where Probot reads APP_ID, PRIVATE_KEY, GHE_HOST, ... (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Queues to share with the web side of the process; created here when omitted. */
  queues?: Queues;
  /** In-process tests against nock replace the Octokit class (no pacing of writes); nothing else. */
  Octokit?: typeof ProbotOctokit;
  /** Wrap the StateStore (tests make one write fail). */
  state?: (store: StateStore) => StateStore;
  timings?: Partial<WorkerTimings>;
  version?: string;
  now?: () => Date;
}

export interface WorkerRuntime extends RunningWorkers {
  deps: WorkerDeps;
}

export async function startWorkerRuntime(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const { settings, redis, log } = options;
  const probot = createProbot({
    env: options.env ?? process.env,
    // Every class counts rate limits and issue writes into /metrics (src/jobs/github-metrics.ts).
    overrides: { Octokit: (options.Octokit ?? KeywardenOctokit).plugin(githubMetrics as never), log, redisConfig: undefined },
  });
  // Every repository outcome it records is counted into /metrics too.
  const store = countingRepoOutcomes(new StateStore(redis, settings.queuePrefix));
  const deps: WorkerDeps = {
    probot,
    settings,
    queues: options.queues ?? createQueues(redis, settings.queuePrefix),
    state: options.state ? options.state(store) : store,
    budget: new WriteBudget(redis, settings.queuePrefix, { perMinute: settings.writesPerMinute, perHour: settings.writesPerHour }),
    log,
    version: options.version ?? packageVersion(),
    now: options.now ?? (() => new Date()),
    checkoutSlots: pLimit(settings.scanConcurrency),
  };
  const lock = settings.jobLockMs;
  const workers = await startWorkers(deps, redis, { lockDuration: lock, stalledInterval: Math.max(500, Math.round(lock / 2)), ...options.timings });
  observeJobDurations(workers.workers);
  return {
    ...workers,
    deps,
    async close() {
      await workers.close();
      if (!options.queues) await deps.queues.close();
    },
  };
}
