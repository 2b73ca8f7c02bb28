/**
 * What the issues gateway needs of an Octokit: `request(route, parameters)` and
 * `paginate.iterator` (pages followed by their `Link` header, as GitHub paginates). Keywarden's
 * Octokit (./octokit/keywarden-octokit.ts) is meant: its plugin-retry repeats idempotent requests
 * in place, its throttling waits out rate limits. The gateway repeats only what must be looked for
 * first: a create that failed in flight.
 */
export interface GitHubResponse {
  status: number;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- GitHub's JSON, read defensively
  headers: Record<string, string | number | undefined>;
}

export interface GitHubClient {
  request(route: string, parameters?: Record<string, unknown>): Promise<GitHubResponse>;
  paginate: {
    iterator(route: string, parameters?: Record<string, unknown>): AsyncIterable<{ data: unknown }>;
  };
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** What a failed Octokit request tells us, without its request (which carries the token). */
export interface RequestFailure {
  status?: number;
  hasResponse: boolean;
  message: string;
  /** GitHub's validation error codes (`already_exists`, ...). */
  codes: string[];
}

export function describeFailure(error: unknown): RequestFailure {
  const e = (error ?? {}) as { status?: unknown; message?: unknown; response?: { data?: unknown } };
  const response = e.response && typeof e.response === "object" ? e.response : undefined;
  const data = (response?.data ?? {}) as { message?: unknown; errors?: unknown };
  const codes = Array.isArray(data.errors)
    ? data.errors.map((x) => (x && typeof x === "object" ? String((x as { code?: unknown }).code ?? "") : "")).filter(Boolean)
    : [];
  const message = typeof data.message === "string" ? data.message : typeof e.message === "string" ? e.message : String(error);
  return {
    status: typeof e.status === "number" ? e.status : undefined,
    hasResponse: Boolean(response),
    message: redactSecrets(message),
    codes,
  };
}

/** Remove anything shaped like a credential from text that may reach logs or results. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]+/g, "$1[redacted]")
    .replace(/\bv1\.[0-9a-f]{40}\b/g, "v1.[redacted]")
    .replace(/\b(token|bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]")
    .replace(/\/\/[^/@\s:]*:[^/@\s]*@/g, "//[redacted]@")
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, "[redacted-jwt]");
}
