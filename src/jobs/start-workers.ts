/**
 * Start the BullMQ workers of one process and register the schedules. `close()` stops taking new
 * jobs and waits for running ones, which is what SIGTERM needs: a deploy never cuts a scan in half
 * (and if the process is killed anyway, the job's lock expires and another worker picks it up).
 */
import { Worker, type ConnectionOptions } from "bullmq";
import { AUDIT_QUEUE, SCAN_QUEUE, SUMMARY_QUEUE, type AuditJobData, type ScanJobData, type SummaryJobData } from "./queues.js";
import { upsertSchedules } from "./schedules.js";
import { processScan } from "./process-scan.js";
import { processAudit } from "./process-audit.js";
import { processSummary } from "./process-summary.js";
import type { WorkerDeps } from "./worker-deps.js";

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export async function startWorkers(deps: WorkerDeps, connection: ConnectionOptions): Promise<RunningWorkers> {
  await upsertSchedules(deps.queues, deps.settings);
  const base = { connection, prefix: deps.settings.queuePrefix };
  const workers: Worker[] = [
    new Worker<ScanJobData>(SCAN_QUEUE, (job) => processScan(job, deps), { ...base, concurrency: deps.settings.scanConcurrency }),
    new Worker<AuditJobData>(AUDIT_QUEUE, (job) => processAudit(job, deps), { ...base, concurrency: 1 }),
    new Worker<SummaryJobData>(SUMMARY_QUEUE, (job) => processSummary(job, deps), { ...base, concurrency: 1 }),
  ];
  for (const worker of workers) {
    worker.on("failed", (job, error) =>
      deps.log.warn({ queue: worker.name, job: job?.name, attempt: job?.attemptsMade, err: error.message }, "job failed"),
    );
    worker.on("error", (error) => deps.log.error({ queue: worker.name, err: error.message }, "worker error"));
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
