/**
 * The worker side of Keywarden as production starts it (`startWorkers` with real processors), on the
 * real Redis under a unique prefix, with a test Probot whose logs are captured. GitHub is whatever
 * nock serves (see fake-github.ts). Jobs are awaited through QueueEvents, never by sleeping.
 *
 * BullMQ retries a failed job after an exponential back-off (30 s and up in production);
 * `fastForwardRetries` promotes each retry as soon as BullMQ schedules it, so tests exercise the
 * real retry path without waiting it out.
 */
import { QueueEvents, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Settings } from "../../src/config/settings.js";
import { createQueues, QUEUE_NAMES, type Queues } from "../../src/jobs/queues.js";
import type { StateStore } from "../../src/jobs/repo-state.js";
import type { WorkerDeps } from "../../src/jobs/worker-deps.js";
import { startWorkerRuntime, type WorkerRuntime } from "../../src/cli/worker-runtime.js";
import { captureLog, TEST_APP_ID, TEST_PRIVATE_KEY, TestOctokit, type CapturedLog } from "./probot.js";
import { openTestRedis, REDIS_URL, type TestRedis } from "./redis.js";

export interface Harness {
  redis: TestRedis;
  queues: Queues;
  state: StateStore;
  deps: WorkerDeps;
  log: CapturedLog;
  workers: WorkerRuntime;
  events: Record<(typeof QUEUE_NAMES)[number], QueueEvents>;
  /** Every job added through `queues` (by the test or by a processor), in order. */
  added: Job[];
  /** Wait for a job (whatever its current state) to complete; rejects with its final failure. */
  finished<T = unknown>(job: Job): Promise<T>;
  /** Wait for every job added from index `from` on to finish, those they add included (a scan's labels job). */
  drain(from: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  now?: () => Date;
  settings?: Partial<Settings>;
  /** Wrap the StateStore (e.g. to make one write fail). */
  state?: (store: StateStore) => StateStore;
  /** Promote every scheduled retry at once (default true). */
  fastRetries?: boolean;
}

export function testSettings(prefix: string, overrides: Partial<Settings> = {}): Settings {
  return {
    redisUrl: REDIS_URL,
    queuePrefix: prefix,
    auditCron: "0 2 * * *",
    summaryCron: "0 8 * * 1",
    timeZone: "UTC",
    scanConcurrency: 2,
    writesPerMinute: 80,
    writesPerHour: 500,
    maxNewIssuesPerRun: undefined,
    serverUrl: "https://github.com",
    cloneProtocols: ["file"],
    jobLockMs: 20_000,
    ...overrides,
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const redis = await openTestRedis();
  const settings = testSettings(redis.prefix, options.settings);
  const queues = createQueues(redis.redis, redis.prefix);
  // Record what each `add` returns: listing a queue right after adding races the worker.
  const added: Job[] = [];
  for (const queue of QUEUE_NAMES.map((name) => queues[name]) as { add(...args: unknown[]): Promise<Job> }[]) {
    const add = queue.add.bind(queue);
    queue.add = async (...args: unknown[]) => {
      const job = await add(...args);
      added.push(job);
      return job;
    };
  }
  const log = captureLog();
  // QueueEvents block on their connection: each gets its own.
  const eventConnections: Redis[] = [];
  const queueEvents = (name: string) => {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    eventConnections.push(connection);
    return new QueueEvents(name, { connection, prefix: redis.prefix });
  };
  const events = Object.fromEntries(QUEUE_NAMES.map((name) => [name, queueEvents(queues[name].name)])) as Harness["events"];
  await Promise.all(Object.values(events).map((e) => e.waitUntilReady()));

  if (options.fastRetries !== false) {
    for (const name of QUEUE_NAMES) {
      const queue = queues[name] as { getJob(id: string): Promise<Job | undefined> };
      events[name].on("delayed", ({ jobId }) => {
        // Only retries: the schedulers' next runs are delayed jobs too, and must stay in the future.
        void queue.getJob(jobId).then((job) => (job && job.attemptsMade > 0 ? job.promote().catch(() => undefined) : undefined));
      });
    }
  }

  // The wiring `keywarden serve` uses; only the Octokit class differs (no pacing of writes under nock).
  const workers = await startWorkerRuntime({
    settings,
    redis: redis.redis,
    log: log.logger,
    queues,
    env: { APP_ID: String(TEST_APP_ID), PRIVATE_KEY: TEST_PRIVATE_KEY },
    Octokit: TestOctokit,
    state: options.state,
    version: "0.0.0-test",
    now: options.now,
  });
  const { deps } = workers;
  const byQueue = new Map<string, QueueEvents>(QUEUE_NAMES.map((name) => [queues[name].name, events[name]]));
  const finished = <T>(job: Job) => job.waitUntilFinished(byQueue.get(job.queueName)!) as Promise<T>;
  return {
    redis,
    queues,
    state: deps.state,
    deps,
    log,
    workers,
    events,
    added,
    finished,
    async drain(from) {
      for (let next = from; next < added.length; next++) await finished(added[next]!).catch(() => undefined);
    },
    async close() {
      await workers.close();
      await Promise.all(Object.values(events).map((e) => e.close()));
      await Promise.all(eventConnections.map((c) => c.quit()));
      await queues.close();
      await redis.cleanup();
    },
  };
}
