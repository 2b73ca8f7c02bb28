/**
 * One log line when Redis goes away and one when it is back. While Redis is down every BullMQ
 * connection (each worker has its own blocking one) reports every reconnect attempt: about 80 lines
 * in 3 s, which drowns the one fact an operator needs. The process's main connection is the judge:
 * connection errors are reported once while it is not ready and otherwise kept at debug level.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { QUEUE_NAMES, type Queues } from "./queues.js";

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === "string" && CONNECTION_CODES.has(e.code)) return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return /Connection is closed|connect ECONNREFUSED|Stream isn't writeable|enableOfflineQueue|ECONNRESET|Socket closed unexpectedly/i.test(message);
}

export interface RedisConnectionLog {
  /** Report an error from any Redis user (worker, queue, connection); non-connection errors pass through. */
  error(source: string, error: Error): void;
}

const watching = new WeakMap<Redis, RedisConnectionLog>();

/** The reporter of `redis` (one per connection, however often asked). */
export function logRedisConnection(redis: Redis, log: Logger): RedisConnectionLog {
  const known = watching.get(redis);
  if (known) return known;
  let lostAt: number | undefined;
  const lost = (source: string, error: Error) => {
    if (lostAt !== undefined) return log.debug({ source, err: error.message }, "Redis still unreachable");
    lostAt = Date.now();
    log.error({ source, err: error.message }, "Redis connection lost; jobs pause until it is back (retrying)");
  };
  redis.on("ready", () => {
    if (lostAt === undefined) return;
    log.info({ downSeconds: Math.round((Date.now() - lostAt) / 100) / 10 }, "Redis connection restored");
    lostAt = undefined;
  });
  const report: RedisConnectionLog = {
    error(source, error) {
      if (!isConnectionError(error)) return void log.error({ source, err: error.message }, `${source} error`);
      if (redis.status === "ready") return void log.debug({ source, err: error.message }, "Redis connection error (main connection is up)");
      lost(source, error);
    },
  };
  // Without a listener ioredis prints every failed reconnect to the console itself.
  redis.on("error", (error: Error) => report.error("redis", error));
  watching.set(redis, report);
  return report;
}

/** Route the queues' errors through the reporter of their connection. */
export function logQueueErrors(queues: Queues, report: RedisConnectionLog): void {
  for (const queue of QUEUE_NAMES.map((name) => queues[name])) {
    queue.on("error", (error) => report.error(`${queue.name} queue`, error));
  }
}
