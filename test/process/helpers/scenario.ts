/**
 * One process-level scenario: a GitHub stand-in with the app's key, a Redis prefix of its own, and
 * the built `keywarden` command started against both. `serve()` starts `keywarden serve` and waits
 * until it is ready; `command("audit")` runs an enqueue command to its end; `converge()` waits until
 * every expected finding has exactly one open issue and no job is left, and says when that was.
 * `close()` stops every child (SIGKILL), closes the stand-in and removes the prefix.
 */
import { generateKeyPairSync } from "node:crypto";
import { EventEmitter } from "node:events";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStandIn, type Permissions, type RecordedRequest, type StandIn } from "../../stand-in/index.js";
import { census, converged, type Census, type Expected } from "./census.js";
import { Keywarden } from "./child.js";
import { waitUntil, type Trigger } from "./converge.js";
import { freePort } from "./ports.js";
import { QueueWatch } from "./queues.js";
import { removePrefix, SHARED_REDIS_URL, uniquePrefix } from "./redis.js";

export const APP_ID = 31_337;
export const INSTALLATION_ID = 4242;
export const OWNER = "octo-org";
export const SLUG = "keywarden";
const WEBHOOK_SECRET = "process-test-webhook-secret";

/** One key pair per test file: 2048-bit RSA takes a moment. */
let keys: { privateKey: string; publicKey: string } | undefined;
export function appKeys(): { privateKey: string; publicKey: string } {
  keys ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return keys;
}

/** Scenarios started and not yet closed (the shared afterEach checks and closes them). */
export const active: Scenario[] = [];

export interface ScenarioOptions {
  /** Redis the child and the test use (default: the shared test Redis). */
  redisUrl?: string;
  /** KEYWARDEN_JOB_LOCK_MS for `serve`; undefined leaves the production default. */
  jobLockMs?: number | undefined;
  /** More variables for every child. */
  env?: Record<string, string>;
  /** What the installation is granted (default: the stand-in's, app.yml's original three). */
  permissions?: Permissions;
}

export class Scenario {
  readonly prefix = uniquePrefix();
  readonly children: Keywarden[] = [];
  /** `poke` whenever a stand-in request is answered, a child logs a line, or a queue moves. */
  readonly activity = new EventEmitter();
  expected: Expected[] = [];
  /** Run after the scenario closed (e.g. stopping a Redis of the test's own). */
  readonly afterClose: (() => Promise<void>)[] = [];
  private constructor(
    readonly gh: StandIn,
    readonly queues: QueueWatch,
    readonly cwd: string,
    readonly port: number,
    private readonly options: ScenarioOptions,
  ) {}

  static async start(options: ScenarioOptions = {}): Promise<Scenario> {
    const { publicKey } = appKeys();
    const gh = await startStandIn({ appId: APP_ID, publicKey, webhookSecret: WEBHOOK_SECRET, owner: OWNER, installationId: INSTALLATION_ID, appSlug: SLUG, permissions: options.permissions });
    const port = await freePort();
    gh.webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
    const cwd = await mkdtemp(join(tmpdir(), "keywarden-process-"));
    const scenario = new Scenario(gh, undefined as never, cwd, port, options);
    active.push(scenario);
    (scenario as { queues: QueueWatch }).queues = new QueueWatch(scenario.redisUrl, scenario.prefix);
    await scenario.queues.ready();
    scenario.activity.setMaxListeners(100);
    gh.events.on("reply", () => scenario.activity.emit("poke"));
    scenario.queues.events.on("change", () => scenario.activity.emit("poke"));
    return scenario;
  }

  get redisUrl(): string {
    return this.options.redisUrl ?? SHARED_REDIS_URL;
  }

  /** The environment of every child: the app, the stand-in, this Redis prefix, JSON logs. */
  env(): Record<string, string> {
    const { privateKey } = appKeys();
    const env: Record<string, string> = {
      ...this.gh.env(),
      APP_ID: String(APP_ID),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET,
      PORT: String(this.port),
      HOST: "127.0.0.1",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      REDIS_URL: this.redisUrl,
      KEYWARDEN_QUEUE_PREFIX: this.prefix,
      ...this.options.env,
    };
    if (this.options.jobLockMs !== undefined) env.KEYWARDEN_JOB_LOCK_MS = String(this.options.jobLockMs);
    return env;
  }

  spawn(args: string[]): Keywarden {
    const child = new Keywarden(args, this.env(), this.cwd);
    this.children.push(child);
    child.events.on("line", () => this.activity.emit("poke"));
    return child;
  }

  /** `keywarden serve`, resolved once it logged "keywarden serve ready" (web server and workers up). */
  async serve(timeoutMs = 20_000): Promise<Keywarden> {
    const child = this.spawn(["serve"]);
    await child.waitForMessage("keywarden serve ready", timeoutMs);
    return child;
  }

  /** An enqueue command (`audit`, `summary`) run to its end; it must exit 0. */
  async command(args: string[], timeoutMs = 15_000): Promise<Keywarden> {
    const child = this.spawn(args);
    const exit = await child.waitForExit(timeoutMs);
    if (exit.code !== 0) throw new Error(`keywarden ${args.join(" ")} exited ${exit.code ?? exit.signal}: ${child.tail()}`);
    return child;
  }

  private triggers(): Trigger[] {
    return [{ emitter: this.activity, event: "poke" }];
  }

  census(): Census {
    return census(this.gh, this.expected);
  }

  /**
   * Wait until every expected finding has exactly one issue, open, nothing else is open, and no job
   * is left to run; resolves with the epoch ms at which that was first seen.
   */
  converge(timeoutMs: number): Promise<number> {
    return waitUntil(async () => converged(this.census()) && (await this.queues.pending()) === 0, this.triggers(), {
      timeoutMs,
      what: () => `converged (${JSON.stringify(this.census())})`,
    });
  }

  /** The next request (arriving from now on) that `match` accepts. */
  nextRequest(match: (r: RecordedRequest) => boolean, timeoutMs: number, what: string): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const onRequest = (r: RecordedRequest) => {
        if (!match(r)) return;
        clearTimeout(timer);
        this.gh.events.off("request", onRequest);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.gh.events.off("request", onRequest);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.gh.events.on("request", onRequest);
    });
  }

  /** Wait for a condition on the stand-in or the logs, re-checked whenever something happens. */
  until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
    return waitUntil(check, this.triggers(), { timeoutMs, what: () => what });
  }

  async close(): Promise<void> {
    // KEYWARDEN_PROCESS_LOG=FILE keeps every child's output, for looking into a failure.
    const keep = process.env.KEYWARDEN_PROCESS_LOG;
    if (keep) {
      for (const c of this.children) await appendFile(keep, `=== keywarden ${c.args.join(" ")} (${c.exit?.code ?? c.exit?.signal})\n${c.output().toString("utf8")}\n`);
    }
    const index = active.indexOf(this);
    if (index >= 0) active.splice(index, 1);
    await Promise.all(this.children.map((c) => c.stop()));
    await this.queues.close();
    await this.gh.close();
    await removePrefix(this.redisUrl, this.prefix).catch(() => undefined);
    await rm(this.cwd, { recursive: true, force: true });
    for (const after of this.afterClose) await after();
  }
}

