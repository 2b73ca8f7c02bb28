/**
 * Start the BullMQ workers of one process and register the schedules. `close()` stops taking new
 * jobs and waits for running ones, which is what SIGTERM needs: a deploy never cuts a scan in half
 * (and if the process is killed anyway, the job's lock expires and another worker picks it up).
 */
import { Worker, type Job, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import { AUDIT_QUEUE, CHECK_QUEUE, LABELS_QUEUE, SCAN_QUEUE, SUMMARY_QUEUE, type AuditJobData, type CheckJobData, type LabelsJobData, type ScanJobData, type SummaryJobData } from "./queues.js";
import { upsertSchedules } from "./schedules.js";
import { processScan } from "./process-scan.js";
import { processAudit } from "./process-audit.js";
import { processSummary } from "./process-summary.js";
import { processPullRequest } from "./process-pull-request.js";
import { processLabels } from "./process-labels.js";
import { logRedisConnection } from "./redis-connection-log.js";
import { lockLossReporter, oneRunPerKey } from "./lock-loss.js";
import type { WorkerDeps } from "./worker-deps.js";

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

/**
 * How fast a crashed worker's jobs come back. BullMQ renews a running job's lock every
 * `lockDuration / 2`; a job whose lock is gone is moved back to waiting by the next stalled check.
 * So a SIGKILLed worker's job resumes within about `lockDuration + stalledInterval` (30 s here,
 * against 60 s and more with BullMQ's defaults). The lock may be this short because nothing blocks
 * the event loop for long (git is a child process, hcl2json a worker thread, the walk is
 * asynchronous): a renewal 10 s late still finds the lock alive. A job may stall three times before
 * it is failed: every job is idempotent, and a worker killed twice during one long monorepo scan
 * must not lose it. `KEYWARDEN_JOB_LOCK_MS` sets the lock (the stalled check runs at half of it).
 */
export interface WorkerTimings {
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
}

export const WORKER_TIMINGS: WorkerTimings = { lockDuration: 20_000, stalledInterval: 10_000, maxStalledCount: 3 };

/**
 * Scan jobs run at this many times `scanConcurrency`, while their clones and scans take the
 * process's `scanConcurrency` checkout slots (WorkerDeps.checkoutSlots): a scan that waits on
 * GitHub (its token, its issue writes, paced 1 s apart) leaves its slot to the next clone.
 * Measured in BENCHMARKS.md (bench:org): with the writes inside the slot, the five repositories
 * with findings of a 100-repository audit held slots for about ten seconds.
 */
export const SCAN_JOBS_PER_CHECKOUT_SLOT = 2;

type Processor<T, R> = (job: Job<T>, deps: WorkerDeps) => Promise<R>;

/** The installation and repository of a job, as its own lines carry them (for lines logged outside it). */
function jobFields(job: Job | undefined): { installation?: number; repo?: string } {
  const data = job?.data as { installationId?: number; owner?: string; repo?: string } | undefined;
  return { installation: data?.installationId, repo: data?.owner && data.repo ? `${data.owner}/${data.repo}` : undefined };
}

export async function startWorkers(deps: WorkerDeps, connection: Redis, timings: Partial<WorkerTimings> = {}): Promise<RunningWorkers> {
  await upsertSchedules(deps.queues, deps.settings);
  const redisLog = logRedisConnection(connection, deps.log);
  // Running jobs, so lines logged outside a job (its lost lock) still name its installation and repository.
  const running = new Map<string, Job>();
  const lockLost = lockLossReporter(deps.log, (queue, jobId) => jobFields(running.get(`${queue}:${jobId}`)));
  const base = { connection: connection as ConnectionOptions, prefix: deps.settings.queuePrefix, ...WORKER_TIMINGS, ...timings };
  // Every line a job logs names its queue and job id; the processors add installation and repository.
  const withJobLog =
    <T, R>(processor: Processor<T, R>) =>
    async (job: Job<T>) => {
      const key = `${job.queueName}:${job.id}`;
      running.set(key, job);
      try {
        return await processor(job, { ...deps, log: deps.log.child({ queue: job.queueName, jobId: job.id }) });
      } finally {
        if (running.get(key) === job) running.delete(key);
      }
    };
  const workers: Worker[] = [
    // A rerun of a scan whose lock was lost waits for the first run (see ./lock-loss.ts).
    new Worker<ScanJobData>(
      SCAN_QUEUE,
      oneRunPerKey((job: Job<ScanJobData>) => String(job.data.repositoryId), withJobLog(processScan)),
      { ...base, concurrency: deps.settings.scanConcurrency * SCAN_JOBS_PER_CHECKOUT_SLOT },
    ),
    // Pull requests get workers of their own: an engineer waits on the check, an audit on nobody.
    // A rerun after a lost lock waits for the first run, which may still complete the same check run.
    new Worker<CheckJobData>(
      CHECK_QUEUE,
      oneRunPerKey((job: Job<CheckJobData>) => `${job.data.repositoryId}#${job.data.pullNumber}`, withJobLog(processPullRequest)),
      { ...base, concurrency: deps.settings.scanConcurrency },
    ),
    new Worker<AuditJobData>(AUDIT_QUEUE, withJobLog(processAudit), { ...base, concurrency: 1 }),
    new Worker<SummaryJobData>(SUMMARY_QUEUE, withJobLog(processSummary), { ...base, concurrency: 1 }),
    // Each installation's edits wait 1 s apart in its own queue; a few jobs let installations overlap.
    new Worker<LabelsJobData>(LABELS_QUEUE, withJobLog(processLabels), { ...base, concurrency: deps.settings.scanConcurrency }),
  ];
  for (const worker of workers) {
    worker.on("failed", (job, error) =>
      deps.log.warn({ queue: worker.name, jobId: job?.id, ...jobFields(job), job: job?.name, attempt: job?.attemptsMade, err: error.message }, "job failed"),
    );
    worker.on("error", (error) => {
      if (!lockLost(worker.name, error)) redisLog.error(`${worker.name} worker`, error);
    });
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
