/** Open findings at the end of each of the last ISO weeks, from the issues' own dates. */
import { openAt } from "./lifecycle.js";
import type { FindingIssueRecord, TrendPoint } from "./types.js";
import { isoWeek, ONE_WEEK_MS, startOfIsoWeek } from "./week.js";

export const TREND_WEEKS = 12;

export function openTrend(issues: readonly FindingIssueRecord[], now: Date): TrendPoint[] {
  const trend: TrendPoint[] = [];
  const currentWeekStart = startOfIsoWeek(now).getTime();
  for (let i = TREND_WEEKS - 1; i >= 0; i--) {
    const start = currentWeekStart - i * ONE_WEEK_MS;
    // The end of a week is the last millisecond before the next Monday; the current week ends now.
    const at = Math.min(start + ONE_WEEK_MS - 1, now.getTime());
    trend.push({
      week: isoWeek(new Date(start)),
      at: new Date(at).toISOString(),
      open: issues.reduce((n, issue) => n + (openAt(issue, at) ? 1 : 0), 0),
    });
  }
  return trend;
}
