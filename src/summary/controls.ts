/**
 * The Controls table: for each compliance control the rules evidence, how many scanned
 * repositories pass and fail it, and how many findings against it are open.
 *
 * "Scanned" is the compliance figure's (repositories.ts): the last audit scanned the repository or
 * found it unchanged. A scanned repository fails a control when it has an open finding of a rule
 * that evidences the control; the others pass. A scanned repository that is not compliant for a
 * reason no open issue names a rule for (findings the write cap has not filed yet, issues disabled
 * or unreadable, an issue whose marker was damaged) fails every control that every rule evidences:
 * whatever its findings are, they break it. Open findings count the same way, across all repositories.
 */
import { controlKey } from "../rules/controls.js";
import type { RuleMeta } from "../rules/types.js";
import { outcome } from "./lifecycle.js";
import type { ControlRow, FindingIssueRecord, RepositoryRow } from "./types.js";

export function controlFigures(issues: readonly FindingIssueRecord[], rows: readonly RepositoryRow[], rules: readonly RuleMeta[]): ControlRow[] {
  const controls = new Map<string, ControlRow>();
  for (const rule of rules) {
    for (const c of rule.controls) {
      const row = controls.get(controlKey(c)) ?? { control: { ...c }, ruleIds: [], passing: 0, failing: 0, open: 0 };
      row.ruleIds.push(rule.id);
      controls.set(controlKey(c), row);
    }
  }
  const known = new Set(rules.map((r) => r.id));
  const everyRule = (row: ControlRow): boolean => rules.every((r) => row.ruleIds.includes(r.id));
  /** A finding of this rule (undefined: its rule cannot be told) breaks this control. */
  const breaks = (row: ControlRow, ruleId: string | undefined): boolean =>
    ruleId !== undefined && known.has(ruleId) ? row.ruleIds.includes(ruleId) : everyRule(row);

  // Per repository (case-insensitive, as repositories.ts keys them): the rules of its open findings.
  const openRules = new Map<string, (string | undefined)[]>();
  for (const issue of issues) {
    if (outcome(issue) !== "open") continue;
    const key = issue.repo.toLowerCase();
    const list = openRules.get(key) ?? [];
    list.push(issue.meta?.ruleId);
    openRules.set(key, list);
  }

  for (const row of controls.values()) {
    for (const list of openRules.values()) row.open += list.filter((ruleId) => breaks(row, ruleId)).length;
    for (const r of rows) {
      if (r.status !== "scanned" && r.status !== "unchanged") continue;
      const open = openRules.get(r.repo.toLowerCase()) ?? [];
      const named = open.some((ruleId) => ruleId !== undefined && known.has(ruleId));
      const failing = open.some((ruleId) => breaks(row, ruleId)) || (r.compliant === false && !named && everyRule(row));
      if (failing) row.failing++;
      else row.passing++;
    }
  }
  return [...controls.values()];
}
