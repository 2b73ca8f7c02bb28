/**
 * The one logger of a Keywarden process. Probot, its HTTP server, Octokit and every worker write
 * through it, so in production every line on stdout is one JSON object an operator can ship
 * (`NODE_ENV=production` or `LOG_FORMAT=json`); elsewhere lines are pretty-printed for people.
 *
 * Built synchronously, before Probot: a Probot constructed without `log` creates its own
 * asynchronously, and `probot.log` is null until then (which is how the workers once failed every
 * job with "Cannot read properties of null").
 */
import { pino, type Logger, type LevelWithSilent } from "pino";
import pretty from "pino-pretty";

export type LogFormat = "json" | "pretty";

const LEVELS: readonly string[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function logFormat(env: NodeJS.ProcessEnv): LogFormat {
  // Probot's reading of the same variables: any LOG_FORMAT but "pretty" means JSON.
  const asked = (env.LOG_FORMAT ?? "").trim().toLowerCase();
  if (asked) return asked === "pretty" ? "pretty" : "json";
  return env.NODE_ENV === "production" ? "json" : "pretty";
}

export function logLevel(env: NodeJS.ProcessEnv): LevelWithSilent {
  const asked = (env.LOG_LEVEL ?? "").trim().toLowerCase();
  return (LEVELS.includes(asked) ? asked : "info") as LevelWithSilent;
}

export function createLogger(env: NodeJS.ProcessEnv = process.env, destination: NodeJS.WritableStream = process.stdout): Logger {
  const options = { level: logLevel(env), name: "keywarden" };
  if (logFormat(env) === "json") return pino(options, destination);
  // Synchronous pretty stream: no transport thread, so lines written just before exit are not lost.
  return pino(options, pretty({ destination, sync: true, ignore: "pid,hostname" }));
}
