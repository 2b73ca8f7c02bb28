/**
 * What Keywarden remembers between runs, per repository and per audit run. It is an optimisation
 * and a report, never the source of truth for issues (the markers on GitHub are), so losing Redis
 * costs a re-clone and a gap in the audit totals, never a duplicate issue.
 */
import type { Redis } from "ioredis";
import type { AuditRunTotals } from "../summary/types.js";
import type { ListingStore } from "../github/installations.js";
import { listingStore } from "./listing-store.js";

export type RepoStatus = "scanned" | "unchanged" | "failed" | "skipped";

export interface RepoState {
  repositoryId: number;
  fullName: string;
  installationId: number;
  status: RepoStatus;
  /** Why it failed or was skipped. */
  reason?: string;
  /** Default-branch commit of the last successful scan. */
  commitSha?: string;
  /** Identifies what produced the scan: Keywarden's version and its rules (see ruleSetId). */
  ruleSet?: string;
  /** False when the write cap deferred some issue changes: the next audit must not skip the repo. */
  complete?: boolean;
  findings?: number;
  issuesDisabled?: boolean;
  /** ISO time of the last attempt. */
  at: string;
}

export interface AuditTotals extends AuditRunTotals {
  runId: string;
  installationId: number;
  /** The installation's audit job that started the run (its progress is the run's). */
  jobId?: string;
}

const COUNTERS = ["repositories", "scanned", "unchanged", "failed", "skipped", "findings", "opened", "closed"] as const;
export type AuditCounter = (typeof COUNTERS)[number];

export class StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private repoKey(repositoryId: number) {
    return `${this.prefix}:state:repo:${repositoryId}`;
  }
  private installationReposKey(installationId: number) {
    return `${this.prefix}:state:installation:${installationId}:repos`;
  }
  private runKey(runId: string) {
    return `${this.prefix}:state:audit:${runId}`;
  }
  private latestRunKey(installationId: number) {
    return `${this.prefix}:state:installation:${installationId}:latest-audit`;
  }

  async getRepo(repositoryId: number): Promise<RepoState | undefined> {
    const raw = await this.redis.get(this.repoKey(repositoryId));
    return raw ? (JSON.parse(raw) as RepoState) : undefined;
  }

  async getRepos(repositoryIds: number[]): Promise<Map<number, RepoState>> {
    const found = new Map<number, RepoState>();
    if (repositoryIds.length === 0) return found;
    const raws = await this.redis.mget(repositoryIds.map((id) => this.repoKey(id)));
    raws.forEach((raw, i) => raw && found.set(repositoryIds[i]!, JSON.parse(raw) as RepoState));
    return found;
  }

  /** Record an attempt. A failure keeps the last successful commit so "unchanged" stays meaningful. */
  async putRepo(state: RepoState): Promise<void> {
    const previous = state.status === "failed" ? await this.getRepo(state.repositoryId) : undefined;
    const merged: RepoState = previous
      ? { ...state, commitSha: previous.commitSha, ruleSet: previous.ruleSet, complete: false }
      : state;
    await this.redis
      .multi()
      .set(this.repoKey(state.repositoryId), JSON.stringify(merged))
      .sadd(this.installationReposKey(state.installationId), String(state.repositoryId))
      .exec();
  }

  async reposOfInstallation(installationId: number): Promise<RepoState[]> {
    const ids = (await this.redis.smembers(this.installationReposKey(installationId))).map(Number);
    return [...(await this.getRepos(ids)).values()];
  }

  async startAudit(runId: string, installationId: number, startedAt: Date, jobId?: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.runKey(runId), { runId, installationId, startedAt: startedAt.toISOString(), ...(jobId ? { jobId } : {}) })
      .expire(this.runKey(runId), 90 * 24 * 3600)
      .set(this.latestRunKey(installationId), runId)
      .exec();
  }

  async countAudit(runId: string, counts: Partial<Record<AuditCounter, number>>): Promise<void> {
    const multi = this.redis.multi();
    for (const [name, n] of Object.entries(counts)) if (n) multi.hincrby(this.runKey(runId), name, n);
    await multi.exec();
  }

  async latestAudit(installationId: number): Promise<AuditTotals | undefined> {
    const runId = await this.redis.get(this.latestRunKey(installationId));
    return runId ? this.auditRun(runId, installationId) : undefined;
  }

  /** The totals of one audit run (undefined once expired). */
  async auditRun(runId: string, installationId?: number): Promise<AuditTotals | undefined> {
    const raw = await this.redis.hgetall(this.runKey(runId));
    if (!raw.runId) return undefined;
    const totals = { runId, installationId: installationId ?? Number(raw.installationId), startedAt: raw.startedAt ?? "" } as AuditTotals;
    if (raw.jobId) totals.jobId = raw.jobId;
    for (const name of COUNTERS) totals[name] = Number(raw[name] ?? 0);
    return totals;
  }

  /** Installations with a recorded audit run or repository (for `keywarden status`). */
  async knownInstallations(): Promise<number[]> {
    // The braces of a prefix are glob syntax to SCAN: escape them.
    const escaped = this.prefix.replace(/[{}[\]*?\\]/g, (c) => `\\${c}`);
    const ids = new Set<number>();
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${escaped}:state:installation:*`, "COUNT", 500);
      cursor = next;
      for (const key of keys) {
        const id = /:state:installation:(\d+):(?:latest-audit|repos)$/.exec(key)?.[1];
        if (id) ids.add(Number(id));
      }
    } while (cursor !== "0");
    return [...ids].sort((a, b) => a - b);
  }

  /** The last audit's listing of the installation's repositories (./listing-store.ts). */
  listing(installationId: number): ListingStore {
    return listingStore(this.redis, this.prefix, installationId);
  }
}
