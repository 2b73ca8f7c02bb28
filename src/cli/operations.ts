/**
 * The operations side of `keywarden serve`, wired: the metrics' queue source, the Octokit class
 * that feeds the GitHub metrics, the web role's routes (health, readiness, metrics, dashboard on
 * Probot's server) and a worker-only process's own server for health, readiness and metrics.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createProbot, type Probot } from "probot";
import type { OperationsSettings } from "../config/operations-settings.js";
import { KeywardenOctokit } from "../github/octokit/keywarden-octokit.js";
import { githubMetrics } from "../jobs/github-metrics.js";
import { watchQueues, watchReadiness } from "../jobs/metrics.js";
import type { Queues } from "../jobs/queues.js";
import { Readiness } from "../jobs/readiness.js";
import { dashboardRoute } from "../app/routes/dashboard.js";
import { operationsRoutes, type Route } from "../app/routes/operations.js";
import { startOperationsServer, type OperationsServer } from "../app/operations-server.js";
import { packageVersion } from "./version.js";

/** Keywarden's Octokit, counting rate limits and issue writes into /metrics. */
export const MeteredOctokit = KeywardenOctokit.plugin(githubMetrics as never);

/** /metrics reads the job counts of these queues on this connection. */
export function meterQueues(queues: Queues, redis: Redis): void {
  watchQueues(queues, redis, packageVersion());
}

/** Readiness, also reported as `keywarden_ready{check}` in /metrics. */
function reported(readiness: Readiness): Readiness {
  watchReadiness(async () => Object.fromEntries(Object.entries((await readiness.report()).checks).map(([name, r]) => [name, r.ok])));
  return readiness;
}

/** The web role's operations routes, for keywardenApp (the dashboard only when configured). */
export async function webOperations(queues: Queues, redis: Redis, settings: OperationsSettings, log: Logger): Promise<(app: Probot) => Route> {
  const dashboard = await dashboardRoute(queues, settings.admin, log);
  if (settings.admin) log.info({ path: "/admin/queues", writable: settings.admin.write }, "queue dashboard enabled");
  return (app) => operationsRoutes(reported(Readiness.of(redis, app)), dashboard);
}

/**
 * A worker-only process's health, readiness and metrics server. Started before the workers, so it
 * answers (and /readyz names Redis) while a worker waits for Redis at start; its readiness asks
 * GitHub through a Probot of its own, from the same environment as the workers'.
 */
export function workerOperations(redis: Redis, env: NodeJS.ProcessEnv, settings: OperationsSettings, log: Logger): Promise<OperationsServer> {
  const probot = createProbot({ env, overrides: { Octokit: MeteredOctokit, log, redisConfig: undefined } });
  return startOperationsServer(operationsRoutes(reported(Readiness.of(redis, probot))), { port: settings.workerPort, host: settings.host, log });
}
