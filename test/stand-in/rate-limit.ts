/**
 * GitHub's primary rate limit, per identity and resource, so every API reply carries the
 * `x-ratelimit-*` headers Probot's throttling plugin reads, and a test can shrink the limit to see
 * Keywarden wait for `x-ratelimit-reset` instead of failing. Installation tokens of one installation
 * share a budget, as on GitHub; the app's JWT has its own; unauthenticated callers get 60 an hour.
 * A 304 (conditional request answered from cache) costs nothing, as on GitHub.
 */

export type RateResource = "core" | "graphql";

export interface RateLimitOptions {
  /** Requests per window for installation tokens and for the app JWT (default 5000). */
  limit?: number;
  /** Window length in seconds (default 3600). */
  windowSeconds?: number;
}

interface Window {
  limit: number;
  used: number;
  /** Epoch seconds at which the window resets. */
  reset: number;
}

export interface RateState {
  limit: number;
  used: number;
  remaining: number;
  reset: number;
  resource: RateResource;
}

export class RateLimits {
  private readonly windows = new Map<string, Window>();
  readonly limit: number;
  readonly windowSeconds: number;

  constructor(options: RateLimitOptions = {}) {
    this.limit = options.limit ?? 5000;
    this.windowSeconds = options.windowSeconds ?? 3600;
  }

  private window(identity: string, resource: RateResource, nowMs: number): Window {
    const key = `${identity}|${resource}`;
    let w = this.windows.get(key);
    const nowSeconds = Math.floor(nowMs / 1000);
    if (!w || w.reset <= nowSeconds) {
      w = { limit: identity === "anonymous" ? 60 : this.limit, used: 0, reset: nowSeconds + this.windowSeconds };
      this.windows.set(key, w);
    }
    return w;
  }

  /** The budget before this request; `exhausted` when it must be refused. */
  peek(identity: string, resource: RateResource, nowMs: number): RateState & { exhausted: boolean } {
    const w = this.window(identity, resource, nowMs);
    return { ...this.state(w, resource), exhausted: w.used >= w.limit };
  }

  /** Count one request and return the headers' values after it. */
  charge(identity: string, resource: RateResource, nowMs: number): RateState {
    const w = this.window(identity, resource, nowMs);
    w.used = Math.min(w.limit, w.used + 1);
    return this.state(w, resource);
  }

  private state(w: Window, resource: RateResource): RateState {
    return { limit: w.limit, used: w.used, remaining: w.limit - w.used, reset: w.reset, resource };
  }
}

export function rateHeaders(state: RateState): Record<string, string> {
  return {
    "x-ratelimit-limit": String(state.limit),
    "x-ratelimit-remaining": String(state.remaining),
    "x-ratelimit-used": String(state.used),
    "x-ratelimit-reset": String(state.reset),
    "x-ratelimit-resource": state.resource,
  };
}
