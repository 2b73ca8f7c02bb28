/** The one order every report uses, so two scans of the same tree print the same bytes. */
import type { Finding } from "../scan/types.js";
import { SEVERITY_RANK } from "../scan/types.js";

/** Findings in reading order: by file, then line, then most severe first, then rule id. */
export function sortFindings<T extends Finding>(findings: readonly T[]): T[] {
  return [...findings].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.resource, b.resource),
  );
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

