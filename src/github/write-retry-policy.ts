/**
 * Whether and when to retry a failed issue write: pure logic, in the spirit of @octokit/plugin-retry,
 * but aware that a write that failed on our side may have succeeded on GitHub's. apply-plan.ts does
 * the waiting and the I/O.
 *
 * - 5xx or a dropped connection (Octokit reports it as status 500 without a response): GitHub may
 *   have applied the write before failing. Idempotent writes (PATCH an issue, create a label) are
 *   simply repeated; a create (issue, comment) first looks for what it would have written
 *   (`verifyFirst`), so a retry never files a duplicate.
 * - 403 or 429 that is a rate limit: wait `retry-after` seconds when given; a secondary limit
 *   without it waits at least a minute (GitHub's guidance); a primary limit waits for
 *   `x-ratelimit-reset`. The write was refused, so nothing to verify.
 * - Anything else (401, 403 forbidden, 404, 410, 422, ...) is an answer, not a hiccup: no retry.
 */

export type WriteKind = "create" | "idempotent";

export interface WriteFailure {
  /** HTTP status; undefined when no response arrived at all. */
  status?: number;
  /** Whether a response arrived (Octokit uses status 500 for a dropped connection, without one). */
  hasResponse: boolean;
  headers?: Record<string, string | number | undefined>;
  /** The error message GitHub returned, if any (to tell a rate limit from a permission 403). */
  message?: string;
}

export interface RetryDecision {
  retry: boolean;
  waitMs: number;
  /** Look for the write's effect before repeating it. */
  verifyFirst: boolean;
}

export interface RetryPolicyOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First back-off after a server error; doubles each attempt. */
  baseDelayMs: number;
  /** Back-off for a secondary rate limit that gives no `retry-after`. */
  secondaryLimitDelayMs: number;
  /** Never wait longer than this in one go (a longer wait gives up; the next run does it). */
  maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicyOptions = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  secondaryLimitDelayMs: 60_000,
  maxWaitMs: 15 * 60_000,
};

const NO_RETRY: RetryDecision = { retry: false, waitMs: 0, verifyFirst: false };

function header(headers: WriteFailure["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && v !== undefined) return String(v);
  return undefined;
}

/** `retry-after` in milliseconds: seconds, or an HTTP date. */
function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Decide what to do after attempt number `attempt` (1-based) of a write of `kind` failed.
 * `nowMs` is passed in (no clock here) for `retry-after` dates and `x-ratelimit-reset`.
 */
export function decideWriteRetry(
  failure: WriteFailure,
  kind: WriteKind,
  attempt: number,
  nowMs: number,
  options: RetryPolicyOptions = DEFAULT_RETRY_POLICY,
): RetryDecision {
  if (attempt >= options.maxAttempts) return NO_RETRY;
  const status = failure.status;
  const within = (waitMs: number): RetryDecision =>
    waitMs <= options.maxWaitMs ? { retry: true, waitMs, verifyFirst: false } : NO_RETRY;

  if (status === 403 || status === 429) {
    const after = retryAfterMs(header(failure.headers, "retry-after"), nowMs);
    if (after !== undefined) return within(after);
    const message = (failure.message ?? "").toLowerCase();
    if (header(failure.headers, "x-ratelimit-remaining") === "0") {
      const reset = Number(header(failure.headers, "x-ratelimit-reset"));
      if (Number.isFinite(reset) && reset > 0) return within(Math.max(0, reset * 1000 - nowMs) + 1_000);
      return within(options.secondaryLimitDelayMs);
    }
    if (status === 429 || message.includes("secondary rate limit") || message.includes("rate limit")) {
      return within(options.secondaryLimitDelayMs);
    }
    return NO_RETRY; // a plain "forbidden": permissions, not pace
  }

  const serverSide = status === undefined || !failure.hasResponse || (status >= 500 && status <= 599);
  if (serverSide) {
    return { retry: true, waitMs: options.baseDelayMs * 2 ** (attempt - 1), verifyFirst: kind === "create" };
  }
  return NO_RETRY;
}
