/**
 * The plain records the weekly summary is computed from. They are read from GitHub (the issues
 * Keywarden filed) and from the last audit run, so collect.ts (I/O) and compute.ts (pure) share them.
 */
import type { FindingMeta } from "../issues/marker.js";

/** One issue Keywarden filed for a finding, in any state. */
export interface FindingIssueRecord {
  /** `owner/name` of the repository the issue lives in. */
  repo: string;
  number: number;
  /** The issue's web address (`html_url`), for links in the summary. */
  url: string;
  state: "open" | "closed";
  /** GitHub's `state_reason`: `completed` = fixed, `not_planned` = accepted risk, or null. */
  stateReason: string | null;
  /** ISO 8601 times as GitHub gives them. */
  createdAt: string;
  closedAt: string | null;
  fingerprint: string;
  /** Rule, severity, file and resource; undefined when the meta marker is missing or was damaged. */
  meta?: FindingMeta;
}

/** How the last audit run left a repository (src/jobs/repo-state.ts `RepoStatus`). */
export type AuditStatus = "scanned" | "unchanged" | "failed" | "skipped";

export interface AuditRecord {
  /** `owner/name`. */
  repo: string;
  /** `unchanged` counts as scanned: the last successful scan still describes the default branch. */
  status: AuditStatus;
  /** Why the repository failed or was skipped. */
  reason?: string;
  /** Unsuppressed findings of the last successful scan, when known. */
  findings?: number;
  /** Issues are disabled there: findings exist but no issue can be filed. */
  issuesDisabled?: boolean;
}

/** Totals of the last nightly audit run of an installation (src/jobs/repo-state.ts `AuditTotals`). */
export interface AuditRunTotals {
  startedAt: string;
  repositories: number;
  scanned: number;
  unchanged: number;
  failed: number;
  skipped: number;
  findings: number;
  opened: number;
  closed: number;
}
