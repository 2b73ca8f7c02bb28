import { SEVERITY_RANK, type Finding } from "./types.js";

/** Code-unit order, the same on every machine and locale (unlike localeCompare). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The one order of findings, in the scan's result and in every report: reading order (file, then
 * line), then the most severe first, then rule id and resource, so the same tree always prints the
 * same bytes.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.resource, b.resource)
  );
}

/**
 * Most severe first, then the one order above, then the fingerprint (two calls of one module give
 * two findings at the same place): the order in which issues are filed under a cap and check-run
 * annotations are kept.
 */
export function compareMostSevereFirst(a: Finding, b: Finding): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || compareFindings(a, b) || compareText(a.fingerprint, b.fingerprint);
}
