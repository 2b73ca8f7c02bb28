import { describe, expect, it } from "vitest";
import { decideWriteRetry, DEFAULT_RETRY_POLICY } from "../../src/github/write-retry-policy.js";

const NOW = Date.parse("2026-03-02T10:00:00Z");

describe("decideWriteRetry", () => {
  it("after a 502 on a create, looks for the effect before retrying; an edit is just repeated", () => {
    expect(decideWriteRetry({ status: 502, hasResponse: true }, "create", 1, NOW)).toEqual({ retry: true, waitMs: 1000, verifyFirst: true });
    expect(decideWriteRetry({ status: 502, hasResponse: true }, "idempotent", 1, NOW)).toEqual({ retry: true, waitMs: 1000, verifyFirst: false });
  });

  it("treats a dropped connection (Octokit: 500 without a response) like a server error", () => {
    expect(decideWriteRetry({ status: 500, hasResponse: false }, "create", 2, NOW)).toEqual({ retry: true, waitMs: 2000, verifyFirst: true });
    expect(decideWriteRetry({ hasResponse: false }, "create", 1, NOW).verifyFirst).toBe(true);
  });

  it("gives up after the last attempt", () => {
    expect(decideWriteRetry({ status: 503, hasResponse: true }, "create", DEFAULT_RETRY_POLICY.maxAttempts, NOW).retry).toBe(false);
  });

  it("waits out retry-after on a secondary rate limit, in seconds or as a date", () => {
    const failure = { status: 403, hasResponse: true, message: "You have exceeded a secondary rate limit." };
    expect(decideWriteRetry({ ...failure, headers: { "retry-after": "37" } }, "create", 1, NOW)).toEqual({ retry: true, waitMs: 37_000, verifyFirst: false });
    const date = new Date(NOW + 90_000).toUTCString();
    expect(decideWriteRetry({ ...failure, headers: { "Retry-After": date } }, "create", 1, NOW).waitMs).toBe(90_000);
    expect(decideWriteRetry({ status: 429, hasResponse: true, headers: { "retry-after": 5 } }, "idempotent", 1, NOW).waitMs).toBe(5000);
  });

  it("backs off at least a minute on a secondary limit without retry-after", () => {
    const d = decideWriteRetry({ status: 403, hasResponse: true, message: "You have exceeded a secondary rate limit" }, "create", 1, NOW);
    expect(d.retry).toBe(true);
    expect(d.waitMs).toBeGreaterThanOrEqual(60_000);
  });

  it("waits for the reset of an exhausted primary limit", () => {
    const reset = Math.floor(NOW / 1000) + 120;
    const d = decideWriteRetry(
      { status: 403, hasResponse: true, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } },
      "create",
      1,
      NOW,
    );
    expect(d).toEqual({ retry: true, waitMs: 121_000, verifyFirst: false });
  });

  it("does not retry answers: forbidden, not found, gone, validation failed", () => {
    for (const status of [401, 403, 404, 410, 422]) {
      expect(decideWriteRetry({ status, hasResponse: true, message: "Resource not accessible by integration" }, "create", 1, NOW).retry).toBe(false);
    }
  });

  it("gives up rather than wait longer than the cap (the next run does it)", () => {
    const d = decideWriteRetry({ status: 403, hasResponse: true, headers: { "retry-after": String(3 * 3600) } }, "create", 1, NOW);
    expect(d.retry).toBe(false);
  });
});
