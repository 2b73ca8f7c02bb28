/**
 * "This week" for new, fixed and accepted-risk counts. By default the 7 days ending at `now`: with
 * the default Monday 08:00 schedule that is exactly the span since the previous summary, whereas the
 * ISO week-to-date would be 8 hours old when the summary is posted.
 */
import type { SummaryInput } from "./types.js";
import { ONE_WEEK_MS, startOfIsoWeek } from "./week.js";

export interface Period {
  kind: NonNullable<SummaryInput["period"]>;
  /** Both ends included, in milliseconds since the epoch. */
  start: number;
  end: number;
}

export function periodEnding(now: Date, kind: Period["kind"] = "last-7-days"): Period {
  const end = now.getTime();
  return { kind, start: kind === "iso-week-to-date" ? startOfIsoWeek(now).getTime() : end - ONE_WEEK_MS, end };
}

export function inPeriod(period: Period, t: number | undefined): boolean {
  return t !== undefined && t >= period.start && t <= period.end;
}
