/**
 * ISO 8601 weeks in UTC. The summary is one issue per ISO week and its trend has one point per ISO
 * week, so every date here is read in UTC: the same instant must name the same week on every worker,
 * whatever KEYWARDEN_TZ the schedule fires in.
 */

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;

/** Monday 00:00 UTC of the ISO week containing `date`. */
export function startOfIsoWeek(date: Date): Date {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return new Date(midnight - sinceMonday * DAY);
}

/** `YYYY-Www`, e.g. `2026-W48`. The year is the ISO week-numbering year (the Thursday's year). */
export function isoWeek(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("isoWeek: invalid date");
  const monday = startOfIsoWeek(date).getTime();
  const year = new Date(monday + 3 * DAY).getUTCFullYear();
  const week1 = startOfIsoWeek(new Date(Date.UTC(year, 0, 4))).getTime();
  const week = 1 + Math.round((monday - week1) / WEEK);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** Monday 00:00 UTC of an ISO week given as `YYYY-Www`. */
export function isoWeekStart(week: string): Date {
  const match = WEEK_RE.exec(week);
  const n = match ? Number(match[2]) : 0;
  if (!match || n < 1 || n > 53) throw new RangeError(`not an ISO week (YYYY-Www): ${JSON.stringify(week)}`);
  const week1 = startOfIsoWeek(new Date(Date.UTC(Number(match[1]), 0, 4))).getTime();
  const start = new Date(week1 + (n - 1) * WEEK);
  if (isoWeek(start) !== week) throw new RangeError(`no such ISO week: ${week}`);
  return start;
}

export const ONE_DAY_MS = DAY;
export const ONE_WEEK_MS = WEEK;
