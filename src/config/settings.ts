/**
 * Keywarden's process settings, read once from the environment. Probot reads its own variables
 * (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, ...); this module reads Keywarden's and fails with
 * one line naming the variable, so a mistyped deployment stops at start, not at 02:00.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

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

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new SettingsError(name, `expected a whole number of at least 1, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function cron(env: Env, name: string, fallback: string): string {
  const value = (env[name] ?? "").trim() || fallback;
  // Five fields (minute hour day month weekday) or six with seconds, as BullMQ's cron-parser takes.
  const fields = value.split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    throw new SettingsError(name, `expected a cron pattern like "0 2 * * *", got ${JSON.stringify(value)}`);
  }
  return value;
}

function timeZone(env: Env, name: string): string {
  const value = (env[name] ?? "").trim() || "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
  } catch {
    throw new SettingsError(name, `unknown time zone ${JSON.stringify(value)} (use an IANA name such as Europe/Berlin)`);
  }
  return value;
}

function redisUrl(env: Env): string {
  const value = (env.REDIS_URL ?? "").trim() || "redis://127.0.0.1:6379";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError("REDIS_URL", "not a URL (expected redis://host:port or rediss://...)");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new SettingsError("REDIS_URL", `expected a redis:// or rediss:// URL, got ${url.protocol}//`);
  }
  return value;
}

function serverUrl(env: Env): { serverUrl: string; cloneProtocols: string[] } {
  const host = (env.GHE_HOST ?? "").trim();
  if (!host) return { serverUrl: "https://github.com", cloneProtocols: ["https"] };
  const protocol = (env.GHE_PROTOCOL ?? "").trim() || "https";
  if (protocol !== "https" && protocol !== "http") {
    throw new SettingsError("GHE_PROTOCOL", `expected https or http, got ${JSON.stringify(protocol)}`);
  }
  if (/[/\s@]/.test(host)) {
    throw new SettingsError("GHE_HOST", `expected a host name such as github.example.com, got ${JSON.stringify(host)}`);
  }
  // As an origin (host lower-cased, default port dropped): the clone refuses to send the token to
  // any other origin than this one, and GitHub's `clone_url` is compared with it as a URL origin.
  let origin: string;
  try {
    origin = new URL(`${protocol}://${host}`).origin;
  } catch {
    throw new SettingsError("GHE_HOST", `expected a host name such as github.example.com, got ${JSON.stringify(host)}`);
  }
  return { serverUrl: origin, cloneProtocols: [protocol] };
}

export function readSettings(env: Env = process.env): Settings {
  const maxNew = env.KEYWARDEN_MAX_NEW_ISSUES_PER_RUN;
  return {
    redisUrl: redisUrl(env),
    queuePrefix: (env.KEYWARDEN_QUEUE_PREFIX ?? "").trim() || "{keywarden}",
    auditCron: cron(env, "KEYWARDEN_AUDIT_CRON", "0 2 * * *"),
    summaryCron: cron(env, "KEYWARDEN_SUMMARY_CRON", "0 8 * * 1"),
    timeZone: timeZone(env, "KEYWARDEN_TZ"),
    scanConcurrency: positiveInt(env, "KEYWARDEN_SCAN_CONCURRENCY", 4),
    writesPerMinute: positiveInt(env, "KEYWARDEN_WRITES_PER_MINUTE", 80),
    writesPerHour: positiveInt(env, "KEYWARDEN_WRITES_PER_HOUR", 500),
    maxNewIssuesPerRun: maxNew ? positiveInt(env, "KEYWARDEN_MAX_NEW_ISSUES_PER_RUN", 1) : undefined,
    jobLockMs: positiveInt(env, "KEYWARDEN_JOB_LOCK_MS", 20_000),
    ...serverUrl(env),
  };
}
