/**
 * The nightly audit and weekly summary as BullMQ Job Schedulers. Upserting is idempotent, so every
 * worker upserts at start: several starting at once still leave exactly one schedule each, and a
 * changed cron or time zone takes effect on the next start.
 */
import type { Queues } from "./queues.js";

export const AUDIT_SCHEDULER_ID = "nightly-audit";
export const SUMMARY_SCHEDULER_ID = "weekly-summary";

export interface ScheduleSettings {
  auditCron: string;
  summaryCron: string;
  timeZone: string;
}

export async function upsertSchedules(queues: Queues, settings: ScheduleSettings): Promise<void> {
  await queues.audit.upsertJobScheduler(
    AUDIT_SCHEDULER_ID,
    { pattern: settings.auditCron, tz: settings.timeZone },
    { name: "nightly audit", data: {} },
  );
  await queues.summary.upsertJobScheduler(
    SUMMARY_SCHEDULER_ID,
    { pattern: settings.summaryCron, tz: settings.timeZone },
    { name: "weekly summary", data: {} },
  );
}
