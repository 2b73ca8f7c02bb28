/**
 * Dates the issues carry in their meta markers: the SLA's due date of an open finding (overdue ones
 * are listed first in the summary, with how long they are overdue), and the exceptions in code of
 * suppressed findings (closed as not planned): those expiring within EXPIRING_WITHIN_DAYS and those
 * that give no reason. Pure: `now` is an argument.
 */
import { outcome, time } from "./lifecycle.js";
import { severityOf, severityRank } from "./severity.js";
import type { ExceptionIssue, FindingIssueRecord, OverdueFinding } from "./types.js";
import { ONE_DAY_MS } from "./week.js";

/** The summary lists exceptions that end within this many days. */
export const EXPIRING_WITHIN_DAYS = 14;
/** Bounds on the lists (the body has a size limit). */
export const OVERDUE_LIMIT = 25;
export const EXCEPTIONS_LIMIT = 25;

/** 00:00 UTC of a `YYYY-MM-DD` date, or undefined. */
function dayStart(date: string | undefined): number | undefined {
  return date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? time(`${date}T00:00:00Z`) : undefined;
}

export interface DeadlineFigures {
  overdue: { total: number; findings: OverdueFinding[] };
  exceptions: { expiringSoon: ExceptionIssue[]; withoutReason: ExceptionIssue[] };
}

export function deadlineFigures(issues: readonly FindingIssueRecord[], now: Date, displayName: (repo: string) => string): DeadlineFigures {
  const t = now.getTime();
  const overdue: OverdueFinding[] = [];
  const expiringSoon: ExceptionIssue[] = [];
  const withoutReason: ExceptionIssue[] = [];
  for (const issue of issues) {
    const meta = issue.meta;
    if (!meta) continue;
    const base = { repo: displayName(issue.repo), number: issue.number, url: issue.url, ruleId: meta.ruleId, severity: severityOf(issue), file: meta.file, resource: meta.resource };
    const state = outcome(issue);
    if (state === "open") {
      // Due on its due date: overdue from 00:00 UTC the day after (a whole day late counts 1).
      const dueDay = dayStart(meta.due);
      const due = dueDay === undefined ? undefined : dueDay + ONE_DAY_MS;
      if (due !== undefined && t > due) overdue.push({ ...base, due: meta.due!, overdueDays: Math.floor((t - due) / ONE_DAY_MS) });
    } else if (state === "accepted-risk") {
      const ends = dayStart(meta.exceptionExpires);
      const exception: ExceptionIssue = { ...base, ...(meta.exceptionExpires ? { expires: meta.exceptionExpires } : {}), reasonMissing: meta.exceptionReasonMissing === true };
      if (ends !== undefined && ends > t && ends - t <= EXPIRING_WITHIN_DAYS * ONE_DAY_MS) {
        expiringSoon.push({ ...exception, daysLeft: Math.ceil((ends - t) / ONE_DAY_MS) });
      }
      // An exception that already expired is a live finding again: only current exceptions count.
      if (meta.exceptionReasonMissing && !(ends !== undefined && ends <= t)) withoutReason.push(exception);
    }
  }
  const byPlace = (a: ExceptionIssue, b: ExceptionIssue) => a.repo.localeCompare(b.repo) || a.number - b.number;
  overdue.sort((a, b) => b.overdueDays - a.overdueDays || severityRank(b.severity) - severityRank(a.severity) || a.repo.localeCompare(b.repo) || a.number - b.number);
  expiringSoon.sort((a, b) => (a.expires ?? "").localeCompare(b.expires ?? "") || byPlace(a, b));
  withoutReason.sort(byPlace);
  return {
    overdue: { total: overdue.length, findings: overdue.slice(0, OVERDUE_LIMIT) },
    exceptions: { expiringSoon: expiringSoon.slice(0, EXCEPTIONS_LIMIT), withoutReason: withoutReason.slice(0, EXCEPTIONS_LIMIT) },
  };
}
