/**
 * What `keywarden status` shows, read from Redis alone: the job counts of every queue, the jobs
 * running now with their progress, the most recent failed jobs with their reasons, and per
 * installation the last audit run's totals (when, how far, how many findings) and the repositories
 * whose last scan failed, with the reason recorded.
 */
import type { Job } from "bullmq";
import type { Queues } from "./queues.js";
import { QUEUE_NAMES } from "./queues.js";
import { auditProgress, type AuditProgress } from "./progress.js";
import type { AuditTotals, StateStore } from "./repo-state.js";

export const STATUS_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children", "failed", "completed"] as const;

export interface JobSummary {
  queue: string;
  id: string;
  name: string;
  /** BullMQ's progress: `{ stage }` for a scan, repositories done of total for an audit. */
  progress: unknown;
  attemptsMade: number;
  /** ISO time the current (or last) attempt started. */
  startedAt?: string;
  /** ISO time it failed (failed jobs). */
  failedAt?: string;
  failedReason?: string;
}

export interface RepositoryFailure {
  repository: string;
  reason: string;
  at: string;
}

export interface InstallationStatus {
  installationId: number;
  lastAudit?: AuditTotals & { progress: AuditProgress };
  failures: RepositoryFailure[];
}

export interface StatusReport {
  queues: Record<string, Record<string, number>>;
  running: JobSummary[];
  recentFailures: JobSummary[];
  installations: InstallationStatus[];
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

function summarize(job: Job): JobSummary {
  return {
    queue: job.queueName,
    id: String(job.id),
    name: job.name,
    progress: job.progress,
    attemptsMade: job.attemptsMade,
    startedAt: iso(job.processedOn),
    ...(job.failedReason ? { failedAt: iso(job.finishedOn), failedReason: job.failedReason } : {}),
  };
}

export async function statusReport(queues: Queues, state: StateStore, options: { running?: number; failures?: number } = {}): Promise<StatusReport> {
  const report: StatusReport = { queues: {}, running: [], recentFailures: [], installations: [] };
  for (const name of QUEUE_NAMES) {
    const queue = queues[name];
    report.queues[name] = await queue.getJobCounts(...STATUS_STATES);
    report.running.push(...(await queue.getJobs(["active"], 0, (options.running ?? 20) - 1)).filter(Boolean).map(summarize));
    report.recentFailures.push(...(await queue.getJobs(["failed"], 0, (options.failures ?? 10) - 1)).filter(Boolean).map(summarize));
  }
  report.recentFailures.sort((a, b) => (b.failedAt ?? "").localeCompare(a.failedAt ?? ""));
  report.recentFailures.splice(options.failures ?? 10);
  for (const installationId of await state.knownInstallations()) {
    const totals = await state.latestAudit(installationId);
    const failures = (await state.reposOfInstallation(installationId))
      .filter((r) => r.status === "failed")
      .map((r) => ({ repository: r.fullName, reason: r.reason ?? "", at: r.at }))
      .sort((a, b) => a.repository.localeCompare(b.repository));
    report.installations.push({ installationId, ...(totals ? { lastAudit: { ...totals, progress: auditProgress(totals) } } : {}), failures });
  }
  return report;
}
