/**
 * Keywarden's process settings, read once from the environment. Probot reads its own variables
 * (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, ...); this module reads Keywarden's and fails with
 * one line naming the variable, so a mistyped deployment stops at start, not at 02:00.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { CronExpressionParser, type CronExpression } from "cron-parser";
import { z } from "zod";
import { describe } from "./validation.js";

export type Role = "all" | "web" | "worker";

export interface Settings {
  redisUrl: string;
  /** BullMQ key prefix; the braces make it a Redis Cluster hash tag so every queue shares a slot. */
  queuePrefix: string;
  auditCron: string;
  summaryCron: string;
  timeZone: string;
  scanConcurrency: number;
  writesPerMinute: number;
  writesPerHour: number;
  /** Overrides the per-repository `maxNewIssuesPerRun` ceiling when set. */
  maxNewIssuesPerRun: number | undefined;
  /** `https://github.com` or `GHE_PROTOCOL://GHE_HOST`: where clones, permalinks and the API live. */
  serverUrl: string;
  /** Git transports a clone may use: https, plus http when GHE_PROTOCOL=http. */
  cloneProtocols: string[];
  /** How long a running job's lock lives without renewal (see src/jobs/start-workers.ts). */
  jobLockMs: number;
}

export class SettingsError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "SettingsError";
  }
}

type Env = Record<string, string | undefined>;

/**
 * Load `.env` from the working directory into `process.env` the way Probot's `run` does (the file's
 * values win). It must happen before any setting is read: Probot loads the file only inside `run`,
 * after Keywarden had read its own settings and decided from `APP_ID` whether to start workers, so
 * a `.env` written by Probot's setup flow would give a web server whose jobs nobody runs.
 */
export function applyDotEnv(path: string = join(process.cwd(), ".env")): void {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new SettingsError(".env", `cannot read ${path}: ${(error as Error).message}`);
  }
  Object.assign(process.env, parseEnv(text));
}

// Each variable is a zod schema from its raw value (undefined when unset) to the setting, as the
// repository configuration's keys are (repo-config.ts); `read` turns a failure into a SettingsError.

/** Unset or blank means the default; otherwise the value without surrounding blanks. */
const trimmed = (fallback: string) => z.string().optional().transform((value) => value?.trim() || fallback);

// Digits, not all of them zeros; taken as they are (" 4" is refused, as a typo would be).
const wholeNumber = z
  .string()
  .regex(/^\d*[1-9]\d*$/, { error: (issue) => `expected a whole number of at least 1, got ${JSON.stringify(issue.input)}` })
  .transform(Number);

/** Unset or empty means the fallback. */
const count = <T extends number | undefined>(fallback: T) =>
  z
    .string()
    .optional()
    .transform((value) => value || undefined)
    .pipe(wholeNumber.optional())
    .transform((value) => value ?? fallback);

const redisUrl = trimmed("redis://127.0.0.1:6379").pipe(
  z
    .string()
    .refine((value) => URL.canParse(value), { message: "not a URL (expected redis://host:port or rediss://...)", abort: true })
    .refine((value) => /^rediss?:$/.test(new URL(value).protocol), {
      error: (issue) => `expected a redis:// or rediss:// URL, got ${new URL(String(issue.input)).protocol}//`,
    }),
);

/** A time zone both Node and the schedules' cron parser (which BullMQ evaluates patterns with) know. */
function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    CronExpressionParser.parse("0 0 * * *", { tz: value }).next();
    return true;
  } catch {
    return false;
  }
}

const timeZone = trimmed("UTC").pipe(
  z.string().refine(isTimeZone, {
    error: (issue) => `unknown time zone ${JSON.stringify(issue.input)} (use an IANA name such as Europe/Berlin)`,
  }),
);

/**
 * What is wrong with a cron pattern, as BullMQ would find when it schedules it: BullMQ's
 * upsertJobScheduler hands the pattern and time zone to this same cron-parser (package.json pins
 * the version bullmq does) and then asks for the next run. Undefined when nothing is.
 */
function cronProblem(pattern: string, tz: string): string | undefined {
  const fields = pattern.split(/\s+/).length;
  // The parser also takes fewer fields, filling in from the left: "0 2 * *" would run every minute
  // of midnight on the 2nd. Five fields (minute hour day month weekday), six with seconds first, or
  // one of its @ shorthands (@daily, @weekly, ...).
  if (pattern.startsWith("@") ? fields !== 1 : fields < 5 || fields > 6) {
    return `${fields} field${fields === 1 ? "" : "s"}; use minute hour day-of-month month weekday, optionally with seconds first`;
  }
  let expression: CronExpression;
  try {
    expression = CronExpressionParser.parse(pattern, { tz, currentDate: new Date() });
  } catch (error) {
    return (error as Error).message.replace(/\s+/g, " ");
  }
  try {
    expression.next();
  } catch {
    return "it never comes round; check the day and month";
  }
  return undefined;
}

const cron = (fallback: string, tz: string) =>
  trimmed(fallback).superRefine((pattern, ctx) => {
    const problem = cronProblem(pattern, tz);
    if (problem) ctx.addIssue({ code: "custom", message: `expected a cron pattern like "0 2 * * *", got ${JSON.stringify(pattern)} (${problem})` });
  });

const gheProtocol = trimmed("https").pipe(
  z.enum(["https", "http"], { error: (issue) => `expected https or http, got ${JSON.stringify(issue.input)}` }),
);

/**
 * GHE_HOST as the origin clone URLs have (host lower-cased, default port dropped): the clone refuses
 * to send the token to any other origin than this one, and GitHub's `clone_url` is compared with it
 * as a URL origin.
 */
const gheOrigin = (protocol: string) =>
  z
    .string()
    .refine((host) => !/[/\s@]/.test(host) && URL.canParse(`${protocol}://${host}`), {
      error: (issue) => `expected a host name such as github.example.com, got ${JSON.stringify(issue.input)}`,
    })
    .transform((host) => new URL(`${protocol}://${host}`).origin);

function read<T>(env: Env, name: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(env[name]);
  if (parsed.success) return parsed.data;
  throw new SettingsError(name, describe(parsed.error));
}

function server(env: Env): { serverUrl: string; cloneProtocols: string[] } {
  const host = read(env, "GHE_HOST", trimmed(""));
  if (!host) return { serverUrl: "https://github.com", cloneProtocols: ["https"] };
  // GHE_PROTOCOL means something only with GHE_HOST (as for Probot), so only then is it checked.
  const protocol = read(env, "GHE_PROTOCOL", gheProtocol);
  return { serverUrl: read(env, "GHE_HOST", gheOrigin(protocol)), cloneProtocols: [protocol] };
}

export function readSettings(env: Env = process.env): Settings {
  const redis = read(env, "REDIS_URL", redisUrl);
  const queuePrefix = read(env, "KEYWARDEN_QUEUE_PREFIX", trimmed("{keywarden}"));
  // Before the patterns: whether one ever comes round is decided in this time zone.
  const tz = read(env, "KEYWARDEN_TZ", timeZone);
  return {
    redisUrl: redis,
    queuePrefix,
    auditCron: read(env, "KEYWARDEN_AUDIT_CRON", cron("0 2 * * *", tz)),
    summaryCron: read(env, "KEYWARDEN_SUMMARY_CRON", cron("0 8 * * 1", tz)),
    timeZone: tz,
    scanConcurrency: read(env, "KEYWARDEN_SCAN_CONCURRENCY", count(4)),
    writesPerMinute: read(env, "KEYWARDEN_WRITES_PER_MINUTE", count(80)),
    writesPerHour: read(env, "KEYWARDEN_WRITES_PER_HOUR", count(500)),
    maxNewIssuesPerRun: read(env, "KEYWARDEN_MAX_NEW_ISSUES_PER_RUN", count(undefined)),
    jobLockMs: read(env, "KEYWARDEN_JOB_LOCK_MS", count(20_000)),
    ...server(env),
  };
}
