/**
 * An issue's life as its dates and state tell it: when it opened and closed, whether it was open at
 * an instant, and how it ended. One definition of "fixed" and "accepted risk" for every figure.
 */
import type { FindingIssueRecord } from "./types.js";

/** `fixed`: closed as completed; `accepted-risk`: closed as not planned; `closed`: any other close. */
export type Outcome = "open" | "fixed" | "accepted-risk" | "closed";

export function outcome(issue: FindingIssueRecord): Outcome {
  if (issue.state === "open") return "open";
  if (issue.stateReason === "completed") return "fixed";
  if (issue.stateReason === "not_planned") return "accepted-risk";
  return "closed";
}

/** Milliseconds since the epoch; undefined for a missing or unreadable time. */
export function time(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * When the issue stopped being open, as far as its dates tell. An issue reopened later has no
 * `closed_at` (GitHub clears it), so its earlier closed spell is invisible: the trend counts it open
 * throughout, which is the conservative reading.
 */
export function closedTime(issue: FindingIssueRecord): number | undefined {
  if (issue.state === "open") return undefined;
  return time(issue.closedAt) ?? time(issue.createdAt);
}

export function openAt(issue: FindingIssueRecord, t: number): boolean {
  const created = time(issue.createdAt);
  if (created === undefined || created > t) return false;
  const closed = closedTime(issue);
  return closed === undefined || closed > t;
}
