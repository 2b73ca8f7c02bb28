/**
 * `keywarden audit` and `keywarden summary`: queue either job now, for operators. They need only
 * Redis (REDIS_URL, KEYWARDEN_QUEUE_PREFIX); a running worker does the work. Their one line (what
 * was queued, or what is wrong) is a JSON log line when the process logs JSON, as every other
 * Keywarden line is (`docker compose run worker audit` writes into the same log pipeline).
 */
import { parseArgs } from "node:util";
import type { Redis } from "ioredis";
import { applyDotEnv, readSettings, SettingsError } from "../config/settings.js";
import { connectOnce, createQueues, enqueueAudit, enqueueSummary } from "../jobs/queues.js";
import { createLogger, logFormat } from "./logger.js";

/** One line for the operator: plain text, or one JSON object when LOG_FORMAT=json / NODE_ENV=production. */
function say(stream: NodeJS.WriteStream, level: "info" | "error", message: string): void {
  if (logFormat(process.env) === "json") createLogger(process.env, stream)[level](message);
  else stream.write(`${message}\n`);
}

export type EnqueueKind = "audit" | "summary";

export async function runEnqueue(kind: EnqueueKind, argv: string[]): Promise<number> {
  const usage = `Usage: keywarden ${kind} [--installation ID]${kind === "audit" ? " [--force]" : ""}\n`;
  let installationId: number | undefined;
  let force: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { installation: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    if (values.force && kind !== "audit") throw new Error("--force applies to audit only");
    if (values.installation !== undefined) {
      if (!/^\d+$/.test(values.installation)) throw new Error(`--installation must be a numeric installation id, got ${JSON.stringify(values.installation)}`);
      installationId = Number(values.installation);
    }
    force = values.force ?? false;
  } catch (error) {
    say(process.stderr, "error", `keywarden ${kind}: ${(error as Error).message}`);
    if (logFormat(process.env) !== "json") process.stderr.write(usage);
    return 2;
  }

  let settings;
  try {
    applyDotEnv();
    settings = readSettings();
  } catch (error) {
    if (error instanceof SettingsError) {
      say(process.stderr, "error", `keywarden ${kind}: ${error.message}`);
      return 2;
    }
    throw error;
  }
  let redis: Redis;
  try {
    redis = await connectOnce(settings.redisUrl);
  } catch (error) {
    say(process.stderr, "error", `keywarden ${kind}: cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
    return 2;
  }
  const queues = createQueues(redis, settings.queuePrefix);
  try {
    if (kind === "audit") await enqueueAudit(queues, { installationId, force });
    else await enqueueSummary(queues, { installationId });
  } finally {
    await queues.close();
    await redis.quit();
  }
  const scope = installationId === undefined ? "every installation" : `installation ${installationId}`;
  say(process.stdout, "info", `${kind} queued for ${scope}`);
  return 0;
}
