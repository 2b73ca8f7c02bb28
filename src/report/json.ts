/**
 * The `json` format: exactly the CLI contract's `{ findings, suppressed, errors, stats }`, findings
 * in reading order so two scans of the same tree print the same bytes.
 */
import type { ScanResult } from "../domain/types.js";
import { sortFindings } from "./sort-findings.js";

export function formatJson(result: ScanResult): string {
  const report = {
    findings: sortFindings(result.findings),
    suppressed: sortFindings(result.suppressed),
    errors: result.errors,
    stats: result.stats,
  };
  return JSON.stringify(report, null, 2) + "\n";
}
