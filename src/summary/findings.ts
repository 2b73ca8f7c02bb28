/**
 * The figures about findings across every repository: what is open (by severity, by rule, the
 * oldest), what happened this week, and how long fixing takes.
 */
import { closedTime, outcome, time } from "./lifecycle.js";
import { inPeriod, type Period } from "./period.js";
import { countSeverity, severityOf, severityRank } from "./severity.js";
import type { FindingIssueRecord, MeanTime, OpenFinding, RuleCount, SummaryNumbers } from "./types.js";
import { ONE_DAY_MS } from "./week.js";

export const OLDEST_OPEN_LIMIT = 10;

export type FindingFigures = Pick<SummaryNumbers, "open" | "thisWeek" | "meanTimeToFix" | "oldestOpen">;

function mean(spans: number[]): MeanTime {
  if (spans.length === 0) return { days: null, count: 0 };
  const total = spans.reduce((a, b) => a + b, 0);
  return { days: total / spans.length / ONE_DAY_MS, count: spans.length };
}

/**
 * @param displayName the repository's name as the summary shows it (the first spelling seen, see
 *   repositories.ts), so a finding links the same row the repository table has.
 */
export function findingFigures(issues: readonly FindingIssueRecord[], period: Period, displayName: (repo: string) => string): FindingFigures {
  const bySeverity: Partial<Record<OpenFinding["severity"], number>> = {};
  const byRule = new Map<string, RuleCount>();
  const open: OpenFinding[] = [];
  const fixSpansAll: number[] = [];
  const fixSpansWeek: number[] = [];
  const thisWeek = { new: 0, fixed: 0, acceptedRisk: 0 };

  for (const issue of issues) {
    const severity = severityOf(issue);
    const created = time(issue.createdAt);
    const closed = closedTime(issue);
    if (inPeriod(period, created)) thisWeek.new++;

    switch (outcome(issue)) {
      case "open": {
        countSeverity(bySeverity, severity);
        const ruleId = issue.meta?.ruleId ?? "unknown";
        const key = `${ruleId}\u0000${severity}`;
        const rc = byRule.get(key) ?? { ruleId, severity, open: 0 };
        rc.open++;
        byRule.set(key, rc);
        open.push({
          repo: displayName(issue.repo),
          number: issue.number,
          url: issue.url,
          ruleId,
          severity,
          file: issue.meta?.file ?? "",
          resource: issue.meta?.resource ?? "",
          createdAt: issue.createdAt,
          ageDays: created === undefined ? 0 : Math.max(0, Math.floor((period.end - created) / ONE_DAY_MS)),
        });
        break;
      }
      case "fixed": {
        const span = created !== undefined && closed !== undefined ? Math.max(0, closed - created) : undefined;
        if (span !== undefined) fixSpansAll.push(span);
        if (inPeriod(period, closed)) {
          thisWeek.fixed++;
          if (span !== undefined) fixSpansWeek.push(span);
        }
        break;
      }
      case "accepted-risk":
        if (inPeriod(period, closed)) thisWeek.acceptedRisk++;
        break;
      case "closed":
        break;
    }
  }

  return {
    open: {
      total: open.length,
      bySeverity,
      byRule: [...byRule.values()].sort(
        (a, b) => b.open - a.open || severityRank(b.severity) - severityRank(a.severity) || a.ruleId.localeCompare(b.ruleId),
      ),
    },
    thisWeek,
    meanTimeToFix: { allTime: mean(fixSpansAll), thisWeek: mean(fixSpansWeek) },
    oldestOpen: open
      .sort((a, b) => (time(a.createdAt) ?? 0) - (time(b.createdAt) ?? 0) || a.repo.localeCompare(b.repo) || a.number - b.number)
      .slice(0, OLDEST_OPEN_LIMIT),
  };
}
