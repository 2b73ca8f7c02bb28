/**
 * `keywarden serve [--role all|web|worker]`: the GitHub App's processes. `web` receives webhooks and
 * only enqueues; `worker` runs jobs and schedules; `all` (the default, for small installs) does both.
 * Workers scale out across machines that share one Redis.
 */
import { parseArgs } from "node:util";
import { createProbot, run as runProbot } from "probot";
import { applyDotEnv, readSettings, SettingsError, type Role, type Settings } from "../app/settings.js";
import { KeywardenOctokit } from "../app/octokit.js";
import { keywardenApp } from "../app/keywarden-app.js";
import { connectRedis, createQueues } from "../jobs/queues.js";
import { StateStore } from "../jobs/repo-state.js";
import { WriteBudget } from "../jobs/write-budget.js";
import { startWorkers } from "../jobs/start-workers.js";
import { packageVersion } from "./version.js";
import { stopHclParser } from "../scan/index.js";

const ROLES: readonly Role[] = ["all", "web", "worker"];

function fail(message: string): number {
  process.stderr.write(`keywarden serve: ${message}\n`);
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

async function serve(role: Role, settings: Settings): Promise<void> {
  // Probot moves Octokit's throttling onto Redis when REDIS_URL is set: every process then draws
  // on one rate budget. Keywarden always has Redis, so make that explicit.
  process.env.REDIS_URL = settings.redisUrl;
  const redis = connectRedis(settings.redisUrl);
  const queues = createQueues(redis, settings.queuePrefix);
  const closers: (() => Promise<unknown>)[] = [];

  if (runsWorkers(role, process.env)) {
    const probot = createProbot({ overrides: { Octokit: KeywardenOctokit, logLevel: (process.env.LOG_LEVEL as "info") ?? "info" } });
    const workers = await startWorkers(
      {
        probot,
        settings,
        queues,
        state: new StateStore(redis, settings.queuePrefix),
        budget: new WriteBudget(redis, settings.queuePrefix, { perMinute: settings.writesPerMinute, perHour: settings.writesPerHour }),
        log: probot.log,
        version: packageVersion(),
        now: () => new Date(),
      },
      redis,
    );
    closers.push(() => workers.close());
    probot.log.info({ concurrency: settings.scanConcurrency, prefix: settings.queuePrefix }, "keywarden workers started");
  }
  if (role !== "worker") {
    // Probot's `run` adds a SIGINT handler that stops the server and exits at once, cutting running
    // jobs short: remove it, so the drain below is the only one.
    const before = new Set(process.listeners("SIGINT"));
    const server = await runProbot(keywardenApp(queues, async () => (await redis.ping()) === "PONG"), { Octokit: KeywardenOctokit });
    for (const listener of process.listeners("SIGINT")) if (!before.has(listener)) process.off("SIGINT", listener);
    closers.unshift(() => server.stop());
  }

  const shutdown = async (signal: string) => {
    process.stderr.write(`keywarden serve: ${signal}: finishing running jobs, then exiting\n`);
    try {
      for (const close of closers) await close();
      await queues.close();
      await redis.quit();
      // hcl2json runs in a worker thread: stop it so nothing outlives the drain.
      await stopHclParser();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`keywarden serve: shutdown failed: ${(error as Error).message}\n`);
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
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
    if (runsWorkers(role, process.env)) requireAppCredentials(process.env);
    await serve(role, settings);
  } catch (error) {
    if (error instanceof SettingsError) return fail(error.message);
    throw error;
  }
  // Keep running: the servers and workers hold the event loop open until a signal arrives.
  return new Promise<number>(() => undefined);
}
