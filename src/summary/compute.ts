/**
 * The weekly summary's numbers, from the issues Keywarden filed and the last audit run. Pure: the
 * clock is an argument, so the same inputs always give the same summary (and tests can pin `now`).
 *
 * The issues are the source of truth for findings (they survive a lost Redis); the audit records only
 * say which repositories were scanned, failed or were skipped. The figures are grouped by concern:
 * per repository (repositories.ts), across findings (findings.ts), over the weeks (trend.ts), all in
 * the same "this week" (period.ts).
 */
import { rules } from "../rules/index.js";
import { controlFigures } from "./controls.js";
import { deadlineFigures } from "./deadlines.js";
import { findingFigures } from "./findings.js";
import { periodEnding } from "./period.js";
import { repositoryFigures } from "./repositories.js";
import { openTrend } from "./trend.js";
import type { SummaryInput, SummaryNumbers } from "./types.js";
import { isoWeek } from "./week.js";

export function computeSummary(input: SummaryInput): SummaryNumbers {
  if (Number.isNaN(input.now.getTime())) throw new RangeError("computeSummary: `now` is not a valid date");
  const period = periodEnding(input.now, input.period);
  // Repositories first: their rows fix the spelling each repository is shown with.
  const repositories = repositoryFigures(input, period);
  const findings = findingFigures(input.issues, period, repositories.displayName);
  const deadlines = deadlineFigures(input.issues, input.now, repositories.displayName);

  return {
    week: isoWeek(input.now),
    generatedAt: input.now.toISOString(),
    period: { kind: period.kind, start: new Date(period.start).toISOString(), end: input.now.toISOString() },
    auditKnown: input.audit !== undefined,
    ...(input.lastAudit ? { lastAudit: input.lastAudit } : {}),
    open: findings.open,
    compliance: repositories.compliance,
    thisWeek: findings.thisWeek,
    meanTimeToFix: findings.meanTimeToFix,
    oldestOpen: findings.oldestOpen,
    overdue: deadlines.overdue,
    exceptions: deadlines.exceptions,
    repositories: repositories.repositories,
    unscanned: repositories.unscanned,
    trend: openTrend(input.issues, input.now),
    controls: controlFigures(input.issues, repositories.repositories, (input.rules ?? rules).map((r) => r.meta)),
  };
}
