/** The summary's severities: the four of a finding, plus `UNKNOWN` for an issue without its marker. */
import { SEVERITY_RANK } from "../domain/types.js";
import type { FindingIssueRecord, SummarySeverity } from "./types.js";

/** Most severe first, as tables list them. */
export const SEVERITY_ORDER: readonly SummarySeverity[] = ["HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"];

export function severityOf(issue: FindingIssueRecord): SummarySeverity {
  const s = issue.meta?.severity;
  return s !== undefined && Object.hasOwn(SEVERITY_RANK, s) ? s : "UNKNOWN";
}

export function severityRank(s: SummarySeverity): number {
  return s === "UNKNOWN" ? -1 : SEVERITY_RANK[s];
}

/** Count one more issue of this severity. */
export function countSeverity(counts: Partial<Record<SummarySeverity, number>>, s: SummarySeverity): void {
  counts[s] = (counts[s] ?? 0) + 1;
}
