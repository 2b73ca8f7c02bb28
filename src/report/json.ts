/**
 * The `json` format: exactly the CLI contract's `{ findings, suppressed, errors, stats }`, findings
 * in reading order so two scans of the same tree print the same bytes. Each finding also carries
 * its rule's compliance `controls` (added after the contract's fields, which stay as they were).
 */
import type { Finding, ScanResult } from "../domain/types.js";
import { getRuleMeta } from "../rules/index.js";
import type { Control } from "../rules/types.js";
import { sortFindings } from "./sort-findings.js";

function withControls<T extends Finding>(finding: T): T & { controls: Control[] } {
  return { ...finding, controls: (getRuleMeta(finding.ruleId)?.controls ?? []).map((c) => ({ ...c })) };
}

export function formatJson(result: ScanResult): string {
  const report = {
    findings: sortFindings(result.findings).map(withControls),
    suppressed: sortFindings(result.suppressed).map(withControls),
    errors: result.errors,
    stats: result.stats,
  };
  return JSON.stringify(report, null, 2) + "\n";
}
