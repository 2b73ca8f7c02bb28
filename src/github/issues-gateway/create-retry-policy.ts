/**
 * Whether and when to repeat a create (an issue, a comment) that failed: pure. Every other request
 * is repeated in place by Keywarden's Octokit (../octokit/keywarden-octokit.ts): plugin-retry for
 * 5xx and dropped connections, the throttling plugin for rate limits (it alone reads `retry-after`
 * and `x-ratelimit-reset`). A create is the exception because GitHub may have applied it before the
 * failure reached us:
 *
 * - 5xx, or no response at all (Octokit reports a dropped connection as status 500 without one):
 *   wait, then look for what it would have written (the write path asks), and send it again only
 *   if it is not there. The wait grows as plugin-retry's does: attempt² × base (1 s, 4 s, 9 s).
 * - Anything else is an answer, not a hiccup: a rate limit still standing after the throttling
 *   plugin waited it out, 401, 403, 404, 410, 422. No repeat.
 */

export interface CreateFailure {
  /** HTTP status; undefined when no response arrived at all. */
  status?: number;
  /** Whether a response arrived (Octokit uses status 500 for a dropped connection, without one). */
  hasResponse: boolean;
}

export interface CreateRetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the first repeat; attempt² times this before later ones. */
  baseDelayMs: number;
}

export const DEFAULT_CREATE_RETRY: CreateRetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000 };

export interface CreateRetryDecision {
  retry: boolean;
  /** Wait this long, then look for the create's effect before repeating it. */
  waitMs: number;
}

/** After attempt number `attempt` (1-based) of a create failed with `failure`. */
export function decideCreateRetry(failure: CreateFailure, attempt: number, policy: CreateRetryPolicy = DEFAULT_CREATE_RETRY): CreateRetryDecision {
  const inFlight = failure.status === undefined || !failure.hasResponse || (failure.status >= 500 && failure.status <= 599);
  if (!inFlight || attempt >= policy.maxAttempts) return { retry: false, waitMs: 0 };
  return { retry: true, waitMs: policy.baseDelayMs * attempt ** 2 };
}
