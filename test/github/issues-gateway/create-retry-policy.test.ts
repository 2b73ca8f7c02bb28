import { describe, expect, it } from "vitest";
import { decideCreateRetry, DEFAULT_CREATE_RETRY } from "../../../src/github/issues-gateway/create-retry-policy.js";

describe("decideCreateRetry", () => {
  it("after a 5xx, waits attempt² seconds, then (the write path) looks for the create before repeating", () => {
    expect(decideCreateRetry({ status: 502, hasResponse: true }, 1)).toEqual({ retry: true, waitMs: 1000 });
    expect(decideCreateRetry({ status: 503, hasResponse: true }, 2)).toEqual({ retry: true, waitMs: 4000 });
    expect(decideCreateRetry({ status: 500, hasResponse: true }, 3)).toEqual({ retry: true, waitMs: 9000 });
  });

  it("treats a dropped connection (Octokit: 500 without a response) like a server error", () => {
    expect(decideCreateRetry({ status: 500, hasResponse: false }, 1).retry).toBe(true);
    expect(decideCreateRetry({ hasResponse: false }, 1).retry).toBe(true);
  });

  it("gives up after the last attempt", () => {
    expect(decideCreateRetry({ status: 503, hasResponse: true }, DEFAULT_CREATE_RETRY.maxAttempts).retry).toBe(false);
  });

  it("does not repeat answers: rate limits (Octokit's throttling already waited), forbidden, not found, gone, validation failed", () => {
    for (const status of [401, 403, 404, 410, 422, 429]) {
      expect(decideCreateRetry({ status, hasResponse: true }, 1).retry).toBe(false);
    }
  });
});
