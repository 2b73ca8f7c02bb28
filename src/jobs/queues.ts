/**
 * Queue names, job payloads and connections. Job data carries ids and names only: a worker mints
 * its own short-lived token when it runs, so nothing secret ever sits in Redis.
 */
import { Queue, type ConnectionOptions, type QueueOptions } from "bullmq";
import { Redis } from "ioredis";
import type { LabelDefinition } from "../issues/plan-issues.js";

export const SCAN_QUEUE = "scan";
export const AUDIT_QUEUE = "audit";
export const SUMMARY_QUEUE = "summary";
/** Pull-request check runs: their own queue, so a busy audit never delays the answer a PR waits for. */
export const CHECK_QUEUE = "check";
/** Colours of labels GitHub made grey for new issues: paced edits no scan should wait for. */
export const LABELS_QUEUE = "labels";
/** Every queue, in the order operations views list them. */
export const QUEUE_NAMES = [SCAN_QUEUE, CHECK_QUEUE, AUDIT_QUEUE, SUMMARY_QUEUE, LABELS_QUEUE] as const;

export type ScanReason = "push" | "installation" | "audit" | "manual";

export interface ScanJobData {
  installationId: number;
  repositoryId: number;
  owner: string;
  repo: string;
  /** The pushed commit, for logs; the worker always scans the default branch's current HEAD. */
  commitSha?: string;
  reason: ScanReason;
  /** Set when the scan belongs to a nightly audit run, whose totals it adds to. */
  auditRunId?: string;
  /**
   * The repository as the audit's listing showed it, moments before it queued the scan: a first,
   * fresh attempt uses it instead of asking `GET /repos/{owner}/{repo}` again (./process-scan.ts).
   */
  listed?: ListedRepository;
  /**
   * Ids of the repositories the audit queued together with this one (at most 100, this one among
   * them): their scans share one clone token (src/github/octokit/clone-tokens.ts).
   */
  cloneGroup?: number[];
}

/** What a scan reads of its repository; the fields of `GET /repos/{owner}/{repo}` it needs. */
export interface ListedRepository {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string };
  default_branch: string;
  clone_url: string;
  archived: boolean;
  has_issues: boolean;
  open_issues_count: number;
}

/** `audit` with no installation fans out to every installation; with one, to its repositories. */
export interface AuditJobData {
  installationId?: number;
  runId?: string;
  /** Scan every repository even when unchanged (the summary's "Re-scan now" checkbox). */
  force?: boolean;
}

export interface SummaryJobData {
  installationId?: number;
}

/** A pull request to check: ids and names only (the worker re-reads the PR and mints its own token). */
export interface CheckJobData {
  installationId: number;
  repositoryId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  /** The head the webhook announced, for logs; the worker checks the PR's current head. */
  headSha: string;
}

/** Labels a scan's new issues named in one repository, to colour if GitHub made them grey. */
export interface LabelsJobData {
  installationId: number;
  owner: string;
  repo: string;
  /** Names, colours and descriptions from the configuration (nothing secret). */
  labels: LabelDefinition[];
}

export interface Queues {
  scan: Queue<ScanJobData>;
  audit: Queue<AuditJobData>;
  summary: Queue<SummaryJobData>;
  check: Queue<CheckJobData>;
  labels: Queue<LabelsJobData>;
  close(): Promise<void>;
}

/** A Redis connection suitable for BullMQ workers (they block, so no per-request retry limit). */
export function connectRedis(redisUrl: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null });
}

/**
 * A connection for a one-shot command (`keywarden audit`, `summary`, `status`): it fails fast with
 * the reason when Redis is down, instead of retrying forever as a worker's connection does.
 */
export async function connectOnce(redisUrl: string): Promise<Redis> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 5000, lazyConnect: true, retryStrategy: () => null });
  let lastError: Error | undefined;
  redis.on("error", (error: Error) => (lastError = error));
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw lastError ?? (error as Error);
  }
}

export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const options: QueueOptions = {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 4,
      backoff: { type: "exponential", delay: 30_000 },
      removeOnComplete: { count: 1000, age: 7 * 24 * 3600 },
      // Failed jobs stay for a month: they are the record of why a repository could not be scanned.
      removeOnFail: { count: 5000, age: 30 * 24 * 3600 },
    },
  };
  const scan = new Queue<ScanJobData>(SCAN_QUEUE, options);
  const audit = new Queue<AuditJobData>(AUDIT_QUEUE, options);
  const summary = new Queue<SummaryJobData>(SUMMARY_QUEUE, options);
  const check = new Queue<CheckJobData>(CHECK_QUEUE, options);
  const labels = new Queue<LabelsJobData>(LABELS_QUEUE, options);
  return {
    scan,
    audit,
    summary,
    check,
    labels,
    async close() {
      await Promise.all([scan.close(), audit.close(), summary.close(), check.close(), labels.close()]);
    },
  };
}

/** Enqueue the colouring of a repository's new labels (idempotent: a label already coloured is left). */
export async function enqueueLabels(queues: Queues, data: LabelsJobData): Promise<void> {
  await queues.labels.add(`labels ${data.owner}/${data.repo}`, data);
}

/** Enqueue a repository scan: at most one running and one waiting per repository. */
export async function enqueueScan(queues: Queues, data: ScanJobData): Promise<void> {
  await queues.scan.add(`scan ${data.owner}/${data.repo}`, data, {
    deduplication: { id: `repo-${data.repositoryId}`, keepLastIfActive: true },
  });
}

/**
 * Enqueue a pull request's check: at most one running and one waiting per pull request, so a new
 * push to the PR replaces the check still waiting for the previous head (the running one finishes;
 * its result belongs to its own commit).
 */
export async function enqueueCheck(queues: Queues, data: CheckJobData): Promise<void> {
  await queues.check.add(`check ${data.owner}/${data.repo}#${data.pullNumber}`, data, {
    deduplication: { id: `pr-${data.repositoryId}-${data.pullNumber}`, keepLastIfActive: true },
  });
}

/** Deduplication id per installation (or for the fan-out job): a second request while one is pending is dropped. */
function scopeId(kind: string, installationId: number | undefined): string {
  return installationId === undefined ? `${kind}-all` : `${kind}-${installationId}`;
}

export async function enqueueAudit(queues: Queues, data: AuditJobData = {}): Promise<void> {
  await queues.audit.add(data.installationId ? `audit installation ${data.installationId}` : "audit", data, {
    // A forced audit has its own id: a waiting nightly (unforced) one must not swallow it.
    deduplication: { id: scopeId(data.force ? "audit-forced" : "audit", data.installationId) },
  });
}

/** One summary job per installation at a time: two at once could both create this week's issue. */
export async function enqueueSummary(queues: Queues, data: SummaryJobData = {}): Promise<void> {
  await queues.summary.add(data.installationId ? `summary installation ${data.installationId}` : "summary", data, {
    deduplication: { id: scopeId("summary", data.installationId) },
  });
}
