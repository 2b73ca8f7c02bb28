/**
 * `keywarden serve` as a real process: it starts the webhook server and the workers on real Redis,
 * registers the schedules, answers its health check, and exits cleanly on SIGTERM. Runs the built
 * command (`npm test` builds first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:net";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createQueues } from "../../src/jobs/queues.js";
import { openTestRedis, REDIS_URL, type TestRedis } from "../helpers/redis.js";

const main = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Resolves with everything printed once `pattern` appears on stdout or stderr. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve(seen);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before ${pattern}: ${seen}`)));
  });
}

describe("keywarden serve", () => {
  let t: TestRedis;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    t = await openTestRedis();
  });
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    await t.cleanup();
  });

  it("serves webhooks and runs workers in one process, then drains on SIGTERM", async () => {
    const port = await freePort();
    child = spawn(process.execPath, [main, "serve"], {
      env: {
        PATH: process.env.PATH,
        APP_ID: "123",
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: "s3cret",
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        LOG_FORMAT: "json",
        REDIS_URL,
        KEYWARDEN_QUEUE_PREFIX: t.prefix,
        KEYWARDEN_TZ: "Europe/Berlin",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    await Promise.all([waitForOutput(child, /keywarden workers started/), waitForOutput(child, /Listening on/)]);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const queues = createQueues(t.redis, t.prefix);
    expect((await queues.audit.getJobSchedulers()).map((s) => [s.key, s.pattern, s.tz])).toEqual([["nightly-audit", "0 2 * * *", "Europe/Berlin"]]);
    expect((await queues.summary.getJobSchedulers()).map((s) => [s.key, s.pattern, s.tz])).toEqual([["weekly-summary", "0 8 * * 1", "Europe/Berlin"]]);
    await queues.close();

    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it("fails at start with one line naming a bad variable", async () => {
    child = spawn(process.execPath, [main, "serve", "--role", "worker"], {
      env: { PATH: process.env.PATH, APP_ID: "123", PRIVATE_KEY: privateKey, KEYWARDEN_SCAN_CONCURRENCY: "many" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([`keywarden serve: KEYWARDEN_SCAN_CONCURRENCY: expected a whole number of at least 1, got "many"`]);
  });
});
