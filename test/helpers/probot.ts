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
 * Keywarden's Octokit (its in-place retries included) without the write pacing of the throttling
 * plugin, and with back-offs of a millisecond: a test of a transient fault must not wait seconds.
 */
export const TestOctokit = KeywardenOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  throttle: { enabled: false },
  retryInPlace: { baseDelayMs: 1, secondaryLimitDelayMs: 1 },
}));

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
