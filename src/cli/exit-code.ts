/**
 * The exit status of `keywarden scan` (design.md, CLI contract): 1 when a finding is at or above the
 * `--fail-on` level, else 0. Suppressed findings and files that failed to parse never count.
 */
import { SEVERITY_RANK, type ScanResult } from "../domain/types.js";
import type { FailOn } from "./scan-args.js";

export function exitCodeFor(result: Pick<ScanResult, "findings">, failOn: FailOn): 0 | 1 {
  if (failOn === "none") return 0;
  const threshold = failOn === "high" ? SEVERITY_RANK.HIGH : SEVERITY_RANK.MEDIUM;
  return result.findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? 1 : 0;
}
