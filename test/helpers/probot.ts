/**
 * A real Probot instance for tests: a freshly generated app key, Octokit without retries or
 * throttling (a rate-limited reply must not cost seconds), and logs captured in memory so tests can
 * read them (and prove a token never reaches them).
 */
import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";

export const TEST_APP_ID = 123456;
export const WEBHOOK_SECRET = "test-webhook-secret";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export const TestOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
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
    privateKey,
    secret: WEBHOOK_SECRET,
    baseUrl,
    Octokit: TestOctokit,
    log,
  });
}
