/**
 * `keywarden serve [--role all|web|worker]`: the GitHub App's processes. `web` receives webhooks and
 * only enqueues; `worker` runs jobs and schedules; `all` (the default, for small installs) does both.
 * Workers scale out across machines that share one Redis.
 */
import { parseArgs } from "node:util";
import { run as runProbot } from "probot";
import type { Logger } from "pino";
import { applyDotEnv, readSettings, SettingsError, type Role, type Settings } from "../config/settings.js";
import { keywardenApp } from "../app/keywarden-app.js";
import { createLogger, logFormat } from "./logger.js";
import { connectRedis, createQueues } from "../jobs/queues.js";
import { logQueueErrors, logRedisConnection } from "../jobs/redis-connection-log.js";
import { startWorkerRuntime } from "./worker-runtime.js";
import { readOperationsSettings, type OperationsSettings } from "../config/operations-settings.js";
import { MeteredOctokit, meterQueues, webOperations, workerOperations } from "./operations.js";
import { stopHclParser, stopScanPool } from "../scan/index.js";

const ROLES: readonly Role[] = ["all", "web", "worker"];

/** A start-up failure: one line, JSON when the process logs JSON (an operator's pipeline reads it). */
function fail(message: string): number {
  if (logFormat(process.env) === "json") createLogger(process.env, process.stderr).fatal(`keywarden serve: ${message}`);
  else process.stderr.write(`keywarden serve: ${message}\n`);
  return 2;
}

/** Workers authenticate as the app: without its credentials they cannot do anything useful. */
function requireAppCredentials(env: NodeJS.ProcessEnv): void {
  if (!env.APP_ID || !/^\d+$/.test(env.APP_ID)) throw new SettingsError("APP_ID", "required for the worker role (the GitHub App's numeric id)");
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) {
    throw new SettingsError("PRIVATE_KEY", "required for the worker role (or PRIVATE_KEY_PATH to the app's .pem file)");
  }
}

/** Without the app's credentials, `all` serves only Probot's setup flow (register the app first). */
function runsWorkers(role: Role, env: NodeJS.ProcessEnv): boolean {
  return role === "worker" || (role === "all" && Boolean(env.APP_ID));
}

/** Probot's environment without REDIS_URL: see ./worker-runtime.ts for why Octokit's limiter stays in memory. */
function probotEnv(): NodeJS.ProcessEnv {
  const { REDIS_URL: _ignored, ...env } = process.env;
  return env;
}

async function serve(role: Role, settings: Settings, operations: OperationsSettings, log: Logger): Promise<void> {
  const redis = connectRedis(settings.redisUrl);
  const queues = createQueues(redis, settings.queuePrefix);
  logQueueErrors(queues, logRedisConnection(redis, log));
  meterQueues(queues, redis);
  const closers: (() => Promise<unknown>)[] = [];
  // Before anything starts: a signal during start-up must drain too, not kill the process.
  const shutdown = async (signal: string) => {
    log.info({ signal }, "finishing running jobs, then exiting");
    try {
      for (const close of closers) await close();
      await queues.close();
      await redis.quit();
      // hcl2json runs in a worker thread: stop it so nothing outlives the drain.
      await stopHclParser();
      await stopScanPool();
      log.info("stopped");
      process.exit(0);
    } catch (error) {
      log.error({ err: (error as Error).message }, "shutdown failed");
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));

  // A worker-only process has no Probot server: health, readiness and metrics get a port of their own.
  const operationsServer = role === "worker" ? await workerOperations(redis, probotEnv(), operations, log) : undefined;
  if (runsWorkers(role, process.env)) {
    const workers = await startWorkerRuntime({ settings, redis, log, queues, env: probotEnv() });
    closers.push(() => workers.close());
    log.info({ concurrency: settings.scanConcurrency, prefix: settings.queuePrefix }, "keywarden workers started");
  }
  if (operationsServer) closers.push(() => operationsServer.close());
  if (role !== "worker") {
    // Probot's `run` adds a SIGINT handler that stops the server and exits at once, cutting running
    // jobs short: remove it, so the drain above is the only one.
    const before = new Set(process.listeners("SIGINT"));
    const server = await runProbot(keywardenApp(queues, await webOperations(queues, redis, operations, log)), {
      Octokit: MeteredOctokit,
      log,
      env: probotEnv(),
    });
    for (const listener of process.listeners("SIGINT")) if (!before.has(listener)) process.off("SIGINT", listener);
    closers.unshift(() => server.stop());
  }
  log.info({ role }, "keywarden serve ready");
}

export async function run(argv: string[]): Promise<number> {
  let role: Role;
  try {
    const { values } = parseArgs({ args: argv, options: { role: { type: "string", default: "all" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      process.stdout.write("Usage: keywarden serve [--role all|web|worker]\n");
      return 0;
    }
    if (!ROLES.includes(values.role as Role)) return fail(`--role must be one of ${ROLES.join(", ")}, got ${JSON.stringify(values.role)}`);
    role = values.role as Role;
  } catch (error) {
    return fail((error as Error).message);
  }
  try {
    applyDotEnv();
    const settings = readSettings();
    const operations = readOperationsSettings();
    if (runsWorkers(role, process.env)) requireAppCredentials(process.env);
    await serve(role, settings, operations, createLogger(process.env));
  } catch (error) {
    if (error instanceof SettingsError) return fail(error.message);
    throw error;
  }
  // Keep running: the servers and workers hold the event loop open until a signal arrives.
  return new Promise<number>(() => undefined);
}
