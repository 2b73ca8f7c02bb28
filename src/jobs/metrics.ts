/**
 * Keywarden's Prometheus metrics: one registry per process, served at /metrics by every role.
 *
 * Counters and histograms are process-local (each web or worker process counts what it did
 * itself; Prometheus adds them up across processes with `sum`). The job counts by queue and state
 * are read from BullMQ at scrape time, so every process reports the same, cluster-wide figures.
 * Labels are bounded: queue, state, outcome, rule, severity, write kind, rate-limit resource, check-run
 * trigger and conclusion — never
 * a repository, an installation or a job id.
 */
import type { Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Finding } from "../domain/types.js";
import { rules } from "../rules/index.js";
import { QUEUE_NAMES, type Queues } from "./queues.js";
import type { RepoState, RepoStatus, StateStore } from "./repo-state.js";

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** BullMQ's job states (as label values with underscores: `waiting_children`). */
const JOB_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children", "failed", "completed"] as const;
const REPO_OUTCOMES: readonly RepoStatus[] = ["scanned", "unchanged", "skipped", "failed"];
export const ISSUE_WRITE_KINDS = ["create", "update", "close", "reopen", "comment", "label"] as const;
export type IssueWriteKind = (typeof ISSUE_WRITE_KINDS)[number];
/** GitHub's rate-limit resources (`x-ratelimit-resource`); anything else is counted as `other`. */
const RATE_LIMIT_RESOURCES = new Set(["core", "graphql", "search", "code_search", "integration_manifest", "source_import", "code_scanning_upload", "actions_runner_registration", "scim", "dependency_snapshots"]);

/** Where the job counts come from at scrape time (set by `watchQueues`). */
let watched: { queues: Queues; redis: Redis } | undefined;
const SCRAPE_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

type Counts = Record<string, number>[];

/**
 * The job counts of one scrape, read once for both gauges below (prom-client collects them side
 * by side); undefined when Redis does not answer. A connection that is not ready would queue the
 * commands until Redis is back: it is not asked.
 */
let reading: Promise<Counts | undefined> | undefined;
function readCounts(): Promise<Counts | undefined> {
  if (!watched) return Promise.resolve(undefined);
  const { queues, redis } = watched;
  if (redis.status !== "ready") return Promise.resolve(undefined);
  reading ??= withTimeout(Promise.all(QUEUE_NAMES.map((name) => queues[name].getJobCounts(...JOB_STATES))), SCRAPE_TIMEOUT_MS)
    .catch(() => undefined)
    .finally(() => setTimeout(() => (reading = undefined), 0));
  return reading;
}

new Gauge({
  name: "keywarden_redis_up",
  help: "1 when Redis answered this process at scrape time, else 0",
  registers: [registry],
  async collect() {
    this.set((await readCounts()) ? 1 : 0);
  },
});

new Gauge({
  name: "keywarden_jobs",
  help: "Jobs in each BullMQ queue by state, read from Redis at scrape time (the same in every process)",
  labelNames: ["queue", "state"],
  registers: [registry],
  async collect() {
    this.reset();
    const counts = await readCounts();
    if (!counts) return;
    QUEUE_NAMES.forEach((queue, i) => {
      for (const state of JOB_STATES) this.set({ queue, state: state.replace(/-/g, "_") }, counts[i]![state] ?? 0);
    });
  },
});

/** This process's readiness checks, asked at scrape time (set by `watchReadiness`). */
let readiness: (() => Promise<Record<string, boolean>>) | undefined;

new Gauge({
  name: "keywarden_ready",
  help: "1 when this process's readiness check passes, by check (redis, github), as /readyz reports it",
  labelNames: ["check"],
  registers: [registry],
  async collect() {
    this.reset();
    if (!readiness) return;
    for (const [check, ok] of Object.entries(await readiness().catch(() => ({})))) this.set({ check }, ok ? 1 : 0);
  },
});

new Gauge({
  name: "keywarden_build_info",
  help: "Always 1; the version label says which Keywarden this process runs",
  labelNames: ["version"],
  registers: [registry],
});

const jobDuration = new Histogram({
  name: "keywarden_job_duration_seconds",
  help: "Time a job ran in this process, from start to completion or failure",
  labelNames: ["queue", "outcome"],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
  registers: [registry],
});

const repositories = new Counter({
  name: "keywarden_repositories_total",
  help: "Repository outcomes recorded by this process: scanned, unchanged (skipped by the audit, HEAD and rules unchanged), skipped (archived, fork, empty), failed (last attempt failed)",
  labelNames: ["outcome"],
  registers: [registry],
});

const findings = new Counter({
  name: "keywarden_findings_total",
  help: "Findings reported by the repository scans this process ran, by rule and severity (a repository scanned twice counts twice)",
  labelNames: ["rule", "severity"],
  registers: [registry],
});

const issueWrites = new Counter({
  name: "keywarden_issue_writes_total",
  help: "Issue writes GitHub accepted from this process, by kind (create, update, close, reopen, comment, label)",
  labelNames: ["kind"],
  registers: [registry],
});

const rateLimitRemaining = new Gauge({
  name: "keywarden_github_rate_limit_remaining",
  help: "x-ratelimit-remaining of the last GitHub response this process saw, by resource (each installation has its own limit: this is the last one seen)",
  labelNames: ["resource"],
  registers: [registry],
});

const cloneSize = new Histogram({
  name: "keywarden_clone_size_bytes",
  help: "Bytes on disk of each repository's Terraform-only checkout (git objects and files) after the clone",
  buckets: [16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864, 268_435_456, 1_073_741_824],
  registers: [registry],
});

const cloneDuration = new Histogram({
  name: "keywarden_clone_duration_seconds",
  help: "Time to fetch each repository's Terraform files (clone, sparse checkout, in-place retries)",
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  registers: [registry],
});

/** What a Keywarden check run concluded; `unpublished`: the installation lacks `checks: write`. */
export const CHECK_CONCLUSIONS = ["success", "failure", "neutral", "unpublished"] as const;
export type CheckConclusion = (typeof CHECK_CONCLUSIONS)[number];
const CHECK_TRIGGERS = ["pull_request", "push"] as const;

const checkRuns = new Counter({
  name: "keywarden_check_runs_total",
  help: "Keywarden check runs this process completed, by trigger (pull_request, push) and conclusion (success, failure, neutral: superseded by a newer head; unpublished: the installation lacks checks: write)",
  labelNames: ["trigger", "conclusion"],
  registers: [registry],
});

// Every series from the start, at 0: a rate() over a counter that appears late misses its first step.
for (const outcome of REPO_OUTCOMES) repositories.inc({ outcome }, 0);
for (const kind of ISSUE_WRITE_KINDS) issueWrites.inc({ kind }, 0);
for (const rule of rules) findings.inc({ rule: rule.meta.id, severity: rule.meta.severity }, 0);
for (const queue of QUEUE_NAMES) for (const outcome of ["completed", "failed"]) jobDuration.zero({ queue, outcome });
for (const trigger of CHECK_TRIGGERS) for (const conclusion of CHECK_CONCLUSIONS) checkRuns.inc({ trigger, conclusion }, 0);

const KNOWN_RULES = new Set(rules.map((rule) => rule.meta.id));

/** Read the job counts of these queues, on this connection, at every scrape. */
export function watchQueues(queues: Queues, redis: Redis, version: string): void {
  watched = { queues, redis };
  (registry.getSingleMetric("keywarden_build_info") as Gauge).set({ version }, 1);
}

/** Report these readiness checks (name → passing) at every scrape. */
export function watchReadiness(checks: () => Promise<Record<string, boolean>>): void {
  readiness = checks;
}

export function metricsText(): Promise<string> {
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;

/** Count the outcome of every repository record a StateStore writes (the record is the outcome). */
export function countingRepoOutcomes(store: StateStore): StateStore {
  const putRepo = store.putRepo.bind(store);
  const counting: StateStore = Object.create(store) as StateStore;
  counting.putRepo = async (state: RepoState) => {
    await putRepo(state);
    repositories.inc({ outcome: state.status });
  };
  return counting;
}

export function countFindings(found: readonly Pick<Finding, "ruleId" | "severity">[]): void {
  for (const f of found) findings.inc({ rule: KNOWN_RULES.has(f.ruleId) ? f.ruleId : "other", severity: f.severity });
}

export function countCheckRun(trigger: (typeof CHECK_TRIGGERS)[number], conclusion: CheckConclusion): void {
  checkRuns.inc({ trigger, conclusion });
}

export function countIssueWrite(kind: IssueWriteKind): void {
  issueWrites.inc({ kind });
}

export function observeRateLimit(resource: string | undefined, remaining: number): void {
  rateLimitRemaining.set({ resource: resource && RATE_LIMIT_RESOURCES.has(resource) ? resource : "other" }, remaining);
}

export function observeClone(seconds: number, bytes: number): void {
  cloneDuration.observe(seconds);
  cloneSize.observe(bytes);
}

function observeJob(queue: string, outcome: "completed" | "failed", job: Job | undefined): void {
  // processedOn is set when an attempt starts; an attempt that will be retried has no finishedOn.
  if (!job?.processedOn) return;
  jobDuration.observe({ queue, outcome }, Math.max(0, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000));
}

/** Time every job these workers finish. */
export function observeJobDurations(workers: readonly Worker[]): void {
  for (const worker of workers) {
    worker.on("completed", (job) => observeJob(worker.name, "completed", job));
    worker.on("failed", (job) => observeJob(worker.name, "failed", job));
  }
}
