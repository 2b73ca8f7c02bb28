/**
 * `keywarden status [--json]`: what Keywarden is doing and how its last audits went, from Redis
 * alone (REDIS_URL, KEYWARDEN_QUEUE_PREFIX; no GitHub credentials needed): queue counts, running
 * jobs with their progress, recent failed jobs with their reasons, and per installation the last
 * audit (when, repositories done of total, findings) and the repositories whose last scan failed.
 * `--json` prints the same as one JSON object for scripts. Exit 0, or 2 with one line when Redis
 * cannot be reached or a setting is wrong.
 */
import { parseArgs } from "node:util";
import type { Redis } from "ioredis";
import { applyDotEnv, readSettings, SettingsError } from "../config/settings.js";
import { connectOnce, createQueues } from "../jobs/queues.js";
import { StateStore } from "../jobs/repo-state.js";
import { STATUS_STATES, statusReport, type JobSummary, type StatusReport } from "../jobs/status-report.js";
import { createLogger, logFormat } from "./logger.js";

const USAGE = "Usage: keywarden status [--json]\n";

function fail(message: string): number {
  if (logFormat(process.env) === "json") createLogger(process.env, process.stderr).error(`keywarden status: ${message}`);
  else process.stderr.write(`keywarden status: ${message}\n`);
  return 2;
}

/** The Redis URL without its password, for messages. */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "REDIS_URL";
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd());
}

/** A job's progress for people: a scan's stage, an audit's repositories done of total. */
function progressText(progress: unknown): string {
  if (progress && typeof progress === "object") {
    const p = progress as { stage?: unknown; done?: unknown; total?: unknown };
    if (typeof p.stage === "string") return `stage ${p.stage}`;
    if (typeof p.done === "number" && typeof p.total === "number") return `${p.done} of ${p.total} repositories done`;
    return JSON.stringify(progress);
  }
  return typeof progress === "number" && progress > 0 ? `${progress}%` : "";
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

function jobLine(job: JobSummary, extra: string): string {
  return `  ${job.queue} #${job.id}  ${job.name}${extra ? `  ${extra}` : ""}`;
}

export function formatStatus(report: StatusReport, where: string): string {
  const out: string[] = [`Keywarden status (${where})`, "", "Queues"];
  out.push(...table([["", ...STATUS_STATES], ...Object.entries(report.queues).map(([name, counts]) => [name, ...STATUS_STATES.map((s) => String(counts[s] ?? 0))])]).map((l) => `  ${l}`));

  out.push("", "Running now");
  if (report.running.length === 0) out.push("  nothing");
  for (const job of report.running) out.push(jobLine(job, [progressText(job.progress), job.startedAt ? `since ${job.startedAt}` : ""].filter(Boolean).join(", ")));

  out.push("", "Last audit per installation");
  if (report.installations.length === 0) out.push("  none recorded");
  for (const inst of report.installations) {
    const audit = inst.lastAudit;
    if (!audit) out.push(`  installation ${inst.installationId}: no audit recorded`);
    else {
      const p = audit.progress;
      out.push(`  installation ${inst.installationId}: audit ${audit.runId} started ${audit.startedAt}`);
      out.push(
        `    ${p.done} of ${p.total} repositories done: ${p.scanned} scanned, ${p.unchanged} unchanged, ${p.skipped} skipped, ${p.failed} failed` +
          `${p.pending ? `, ${p.pending} not done yet` : ""}; ${audit.findings} findings, ${audit.opened} issues opened, ${audit.closed} closed`,
      );
    }
    for (const f of inst.failures) out.push(`    failed ${f.repository} (${f.at}): ${oneLine(f.reason)}`);
  }

  out.push("", "Recent failed jobs");
  if (report.recentFailures.length === 0) out.push("  none");
  for (const job of report.recentFailures) {
    out.push(jobLine(job, `${job.failedAt ?? ""} after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? "" : "s"}: ${oneLine(job.failedReason ?? "")}`));
  }
  return `${out.join("\n")}\n`;
}

export async function run(argv: string[]): Promise<number> {
  let json: boolean;
  try {
    const { values } = parseArgs({ args: argv, options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    json = values.json ?? false;
  } catch (error) {
    const code = fail((error as Error).message);
    if (logFormat(process.env) !== "json") process.stderr.write(USAGE);
    return code;
  }

  let settings;
  try {
    applyDotEnv();
    settings = readSettings();
  } catch (error) {
    if (error instanceof SettingsError) return fail(error.message);
    throw error;
  }
  const where = `Redis ${shownUrl(settings.redisUrl)}, prefix ${settings.queuePrefix}`;
  let redis: Redis;
  try {
    redis = await connectOnce(settings.redisUrl);
  } catch (error) {
    return fail(`cannot reach Redis at ${shownUrl(settings.redisUrl)}: ${(error as Error).message}`);
  }
  const queues = createQueues(redis, settings.queuePrefix);
  try {
    const report = await statusReport(queues, new StateStore(redis, settings.queuePrefix));
    // --json: one line, one object (`| jq` for people).
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatStatus(report, where));
    return 0;
  } catch (error) {
    return fail(`reading Redis failed: ${(error as Error).message}`);
  } finally {
    await queues.close().catch(() => undefined);
    redis.disconnect();
  }
}
