/**
 * Job progress, as the dashboard and `keywarden status` show it (BullMQ's `job.progress`):
 * - a scan job: `{ stage }`, one of config, clone, scan, issues;
 * - an installation's audit job: `{ done, total, scanned, unchanged, skipped, failed }`, repositories
 *   of the run. The audit job counts the repositories it settles itself (unchanged, skipped) and
 *   queues the rest; each of those scans, when it ends, updates the audit job's progress from the
 *   run's totals, so the audit shows how far the whole run is even after its own job completed.
 *
 * Progress is a report: failing to write it never fails a job.
 */
import { Job } from "bullmq";
import type { Logger } from "pino";
import type { Queues } from "./queues.js";
import type { AuditTotals, StateStore } from "./repo-state.js";

export const SCAN_STAGES = ["config", "clone", "scan", "issues"] as const;
export type ScanStage = (typeof SCAN_STAGES)[number];

export interface ScanProgress {
  stage: ScanStage;
}

export interface AuditProgress {
  done: number;
  total: number;
  scanned: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /** Scans queued by the audit and not yet finished. */
  pending: number;
}

interface ProgressJob {
  updateProgress(progress: object): Promise<void>;
}

/** Report a scan job's stage; a failure to write it is logged at debug level and otherwise ignored. */
export async function reportStage(job: ProgressJob | undefined, stage: ScanStage, log: Logger): Promise<void> {
  if (!job) return;
  try {
    await job.updateProgress({ stage } satisfies ScanProgress);
  } catch (error) {
    log.debug({ err: (error as Error).message, stage }, "could not report the scan's stage");
  }
}

/** An audit run's progress from its totals (the record every scan of the run adds to). */
export function auditProgress(totals: Pick<AuditTotals, "repositories" | "scanned" | "unchanged" | "skipped" | "failed">): AuditProgress {
  const done = totals.scanned + totals.unchanged + totals.skipped + totals.failed;
  return {
    done: Math.min(done, totals.repositories),
    total: totals.repositories,
    scanned: totals.scanned,
    unchanged: totals.unchanged,
    skipped: totals.skipped,
    failed: totals.failed,
    pending: Math.max(0, totals.repositories - done),
  };
}

/** Update the audit job of run `runId` (if the run names one, and the job still exists) from the run's totals. */
export async function reportAuditProgress(queues: Queues, state: StateStore, runId: string, log: Logger): Promise<void> {
  try {
    const run = await state.auditRun(runId);
    if (!run?.jobId) return;
    const job = await Job.fromId(queues.audit, run.jobId);
    if (!job) return;
    await job.updateProgress(auditProgress(run));
  } catch (error) {
    log.debug({ err: (error as Error).message, runId }, "could not report the audit's progress");
  }
}
