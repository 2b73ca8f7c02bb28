/**
 * An Octokit plugin that feeds ./metrics.ts from every GitHub response: the rate limit remaining
 * (`x-ratelimit-remaining` / `x-ratelimit-resource`, answers and errors alike) and the issue writes
 * GitHub accepted, by kind. `KeywardenOctokit.plugin(githubMetrics)` is the class `serve` runs.
 */
import { countIssueWrite, observeRateLimit, type IssueWriteKind } from "./metrics.js";

interface RequestOptions {
  method?: string;
  url?: string;
  state?: unknown;
  [parameter: string]: unknown;
}

type Headers = Record<string, string | number | undefined>;

interface HookedOctokit {
  hook: {
    wrap(name: "request", hook: (request: (options: RequestOptions) => Promise<{ headers: Headers }>, options: RequestOptions) => Promise<unknown>): void;
  };
}

const ISSUES = /^\/repos\/[^/]+\/[^/]+\/issues$/;
const ISSUE = /^\/repos\/[^/]+\/[^/]+\/issues\/[^/]+$/;
const ISSUE_COMMENTS = /^\/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/comments$/;
const COMMENT = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/[^/]+$/;
const LABELS = /^\/repos\/[^/]+\/[^/]+\/(labels|issues\/[^/]+\/labels)$/;

/** What kind of issue write a request is (routes as templates or with their values filled in). */
export function issueWriteKind(method: string | undefined, url: string | undefined, state: unknown): IssueWriteKind | undefined {
  const path = (url ?? "").split("?")[0]!.replace(/^https?:\/\/[^/]+(\/api\/v3)?/, "");
  switch ((method ?? "GET").toUpperCase()) {
    case "POST":
      if (ISSUES.test(path)) return "create";
      if (ISSUE_COMMENTS.test(path)) return "comment";
      if (LABELS.test(path)) return "label";
      return undefined;
    case "PATCH":
      if (ISSUE.test(path)) return state === "closed" ? "close" : state === "open" ? "reopen" : "update";
      if (COMMENT.test(path)) return "comment";
      return undefined;
    case "PUT":
      return LABELS.test(path) ? "label" : undefined;
    default:
      return undefined;
  }
}

function observeHeaders(headers: Headers | undefined): void {
  const remaining = headers?.["x-ratelimit-remaining"];
  if (remaining === undefined || remaining === "") return;
  const value = Number(remaining);
  if (Number.isFinite(value)) observeRateLimit(headers?.["x-ratelimit-resource"]?.toString(), value);
}

export function githubMetrics(octokit: HookedOctokit): void {
  octokit.hook.wrap("request", async (request, options) => {
    try {
      const response = await request(options);
      observeHeaders(response.headers);
      const kind = issueWriteKind(options.method, options.url, options.state);
      if (kind) countIssueWrite(kind);
      return response;
    } catch (error) {
      observeHeaders((error as { response?: { headers?: Headers } }).response?.headers);
      throw error;
    }
  });
}
