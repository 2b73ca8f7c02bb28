/**
 * A real Probot instance for tests: a freshly generated app key, Keywarden's Octokit without
 * throttling (a rate-limited reply must not cost seconds), and logs captured in memory so tests can
 * read them (and prove a token never reaches them).
 */
import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { Probot } from "probot";
import { KeywardenOctokit } from "../../src/github/octokit/keywarden-octokit.js";

export const TEST_APP_ID = 123456;
export const WEBHOOK_SECRET = "test-webhook-secret";

export const { privateKey: TEST_PRIVATE_KEY } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/**
 * Keywarden's Octokit (plugin-retry's in-place repeats included) without the throttling plugin,
 * whose write pacing would cost a second per write, and with plugin-retry's back-offs in
 * milliseconds instead of seconds: a test of a transient fault must not wait seconds. Rate limits
 * are the throttling plugin's, so tests of them use `throttledTestOctokit`.
 */
export const TestOctokit = KeywardenOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  throttle: { enabled: false },
  retry: { ...options.retry, retryAfterBaseValue: 1 },
}));

let throttleIds = 0;

/**
 * Keywarden's Octokit as production runs it, throttling included, but with every wait in
 * milliseconds instead of seconds (`retry-after: 37` waits 37 ms). The throttling plugin still
 * spaces writes 1 s apart (its limiter is global); each client gets its own key, so only repeated
 * writes of one test pay that second.
 */
export function throttledTestOctokit(options: Record<string, any> = {}): InstanceType<typeof KeywardenOctokit> {
  return new KeywardenOctokit({
    log: { debug() {}, info() {}, warn() {}, error() {} },
    ...options,
    throttle: { retryAfterBaseValue: 1, id: `test-${process.pid}-${++throttleIds}`, ...options.throttle },
    retry: { retryAfterBaseValue: 1, ...options.retry },
  });
}

export interface CapturedLog {
  logger: Logger;
  /** Every line logged so far, as raw JSON text. */
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: "trace" }, stream), text: () => lines.join("") };
}

export function createTestProbot(log: Logger, baseUrl = "https://api.github.com"): Probot {
  return new Probot({
    appId: TEST_APP_ID,
    privateKey: TEST_PRIVATE_KEY,
    secret: WEBHOOK_SECRET,
    baseUrl,
    Octokit: TestOctokit,
    log,
  });
}
