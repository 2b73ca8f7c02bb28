/**
 * Redis for process tests: a unique key prefix per test on the shared test Redis (removed
 * afterwards), or a redis-server of the test's own, with append-only persistence, that the test can
 * SIGKILL and start again on the same port and directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./ports.js";
import { deleteKeys } from "../../helpers/redis.js";

export const SHARED_REDIS_URL = process.env.KEYWARDEN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A hash-tagged prefix, as in production. */
export function uniquePrefix(): string {
  return `{kw-process-${randomUUID()}}`;
}

/** Delete every key under `prefix`. */
export async function removePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** A redis-server of the test's own: `--appendonly yes --save ""` in a temporary directory. */
export class OwnRedis {
  private process: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<OwnRedis> {
    const own = new OwnRedis(await freePort(), await mkdtemp(join(tmpdir(), "keywarden-redis-")));
    await own.launch();
    return own;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start redis-server (again) on the same port and directory; resolves once it accepts connections. */
  async launch(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--appendonly", "yes", "--save", "", "--daemonize", "no"];
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${this.port}: ${seen}`)), 15_000);
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        if (/Ready to accept connections/.test(seen)) {
          clearTimeout(timer);
          child.stdout!.off("data", onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.resume();
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${seen}`));
      });
    });
  }

  /** SIGKILL: no shutdown save, clients see the connection drop. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async close(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
