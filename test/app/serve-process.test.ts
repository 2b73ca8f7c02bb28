/**
 * `keywarden serve` as a real process: it starts the webhook server and the workers on real Redis,
 * registers the schedules, answers its health check, and exits cleanly on SIGTERM. Runs the built
 * command (`npm test` builds first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:net";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  /** Everything `serve` needs to run both roles against the test's Redis prefix. */
  const appEnv = (port: number) => ({
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
  });

  it("serves webhooks and runs workers in one process, then drains on SIGTERM", async () => {
    const port = await freePort();
    child = spawn(process.execPath, [main, "serve"], { env: { ...appEnv(port), KEYWARDEN_TZ: "Europe/Berlin" }, stdio: ["ignore", "pipe", "pipe"] });
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

  it("reads .env from its working directory before deciding anything, as Probot's setup flow leaves it", async () => {
    // Probot's setup page writes APP_ID and the key to .env; Probot itself loads that file only
    // inside its server start, after the worker role had been decided from the real environment.
    const dir = await mkdtemp(join(tmpdir(), "keywarden-dotenv-"));
    try {
      const port = await freePort();
      await writeFile(join(dir, "app.pem"), privateKey);
      await writeFile(
        join(dir, ".env"),
        [
          "APP_ID=123",
          `PRIVATE_KEY_PATH=${join(dir, "app.pem")}`,
          "WEBHOOK_SECRET=s3cret",
          `PORT=${port}`,
          "HOST=127.0.0.1",
          "LOG_LEVEL=info",
          "LOG_FORMAT=json",
          `REDIS_URL=${REDIS_URL}`,
          `KEYWARDEN_QUEUE_PREFIX=${t.prefix}`,
          "KEYWARDEN_TZ=Asia/Tokyo",
          "",
        ].join("\n"),
      );
      child = spawn(process.execPath, [main, "serve"], { cwd: dir, env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "pipe"] });
      await Promise.all([waitForOutput(child, /keywarden workers started/), waitForOutput(child, /Listening on/)]);
      const queues = createQueues(t.redis, t.prefix);
      expect((await queues.audit.getJobSchedulers()).map((s) => s.tz)).toEqual(["Asia/Tokyo"]);
      await queues.close();
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      expect((await exited)[0]).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("on Ctrl-C (SIGINT) runs only its own drain, not Probot's stop-and-exit that cuts running jobs short", async () => {
    child = spawn(process.execPath, [main, "serve"], { env: appEnv(await freePort()), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    await Promise.all([waitForOutput(child, /keywarden workers started/), waitForOutput(child, /Listening on/)]);
    const exited = once(child, "exit");
    child.kill("SIGINT");
    expect((await exited)[0]).toBe(0);
    expect(output).toMatch(/SIGINT.*finishing running jobs, then exiting/);
    // Probot's own handler announces itself so; it exits as soon as the web server stops.
    expect(output).not.toContain("Stopping server");
  });
});
