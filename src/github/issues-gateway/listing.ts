/**
 * The one listing of Keywarden's issues in a repository: `GET /repos/{o}/{r}/issues` through
 * `octokit.paginate` (pages of 100, followed by GitHub's `Link` header), narrowed by the author
 * server-side (`creator=SLUG[bot]`) and checked again here (./ownership.ts). The scan's plan, the
 * config-problems report and the weekly summary all read issues through it.
 *
 * Why by author and not by label: labels belong to people. Someone renames `keywarden` or removes
 * it, and a label-based listing loses the issue, and the next scan files a duplicate. The author of
 * an issue never changes.
 *
 * Why a fallback: a server-side author filter that silently matches nothing is the worst failure
 * here (every run files duplicates); it has happened for bot logins on GitHub Enterprise Cloud
 * (renovatebot/renovate#44730). So with `fallback`, when the filtered listing finds nothing, the
 * unfiltered listing is read and filtered here by author. That costs one request per 100 issues,
 * only in repositories where Keywarden has no issue yet, so only callers that may file an issue
 * ask for it (a missed issue means a duplicate). Pull requests, which the issues API also returns,
 * are never listed.
 */
import { readFindingMarkers, type FindingMeta } from "../../issues/marker.js";
import type { ExistingIssue } from "../../issues/plan-issues.js";
import type { GitHubClient, RepoRef } from "../requester.js";
import { isKeywardens } from "./ownership.js";

export const PER_PAGE = 100;
/** The unfiltered fallback reads at most this many pages of 100 (20,000 issues). */
export const MAX_FALLBACK_PAGES = 200;

export type StateReason = ExistingIssue["stateReason"];

/** An issue (never a pull request) as the gateway lists it. */
export interface ListedIssue {
  number: number;
  state: "open" | "closed";
  stateReason: StateReason;
  title: string;
  body: string;
  labels: string[];
  /** The author's login. */
  author: string | undefined;
  /** `html_url`: the issue's web address. */
  url: string;
  /** ISO 8601, as GitHub gives them. */
  createdAt: string;
  closedAt: string | null;
}

/** One of Keywarden's finding issues: carries a fingerprint marker (an ExistingIssue for the plan). */
export interface FindingIssue extends ListedIssue {
  fingerprint: string;
  /** Filed centrally: the source repository's id (its source marker). */
  source?: number;
  meta?: FindingMeta;
}

export interface IssueListing {
  state: "open" | "closed" | "all";
  sort?: "created" | "updated";
  direction?: "asc" | "desc";
  /** Only issues updated at or after this ISO time. */
  since?: string;
  /** Read every issue when the author-filtered listing is empty (see above; default false). */
  fallback?: boolean;
  /** Pages to read at most, per listing (default: every page; the fallback: MAX_FALLBACK_PAGES). */
  maxPages?: number;
}

interface RawIssue {
  number?: unknown;
  state?: unknown;
  state_reason?: unknown;
  title?: unknown;
  body?: unknown;
  labels?: unknown;
  html_url?: unknown;
  created_at?: unknown;
  closed_at?: unknown;
  user?: { login?: unknown } | null;
  pull_request?: unknown;
}

const STATE_REASONS = new Set(["completed", "not_planned", "reopened", "duplicate"]);

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** A listed issue in the gateway's shape; undefined for a pull request or a malformed entry. */
export function toListedIssue(raw: RawIssue): ListedIssue | undefined {
  if (raw.pull_request || typeof raw.number !== "number") return undefined;
  const labels = Array.isArray(raw.labels)
    ? raw.labels.map((l) => (typeof l === "string" ? l : (l as { name?: unknown })?.name)).filter((n): n is string => typeof n === "string")
    : [];
  const reason = typeof raw.state_reason === "string" && STATE_REASONS.has(raw.state_reason) ? (raw.state_reason as StateReason) : null;
  return {
    number: raw.number,
    state: raw.state === "closed" ? "closed" : "open",
    stateReason: reason,
    title: text(raw.title),
    body: text(raw.body),
    labels,
    author: typeof raw.user?.login === "string" ? raw.user.login : undefined,
    url: text(raw.html_url),
    createdAt: text(raw.created_at),
    closedAt: typeof raw.closed_at === "string" ? raw.closed_at : null,
  };
}

async function* pages(client: GitHubClient, repo: RepoRef, query: Record<string, unknown>, maxPages: number): AsyncGenerator<RawIssue[]> {
  let read = 0;
  const iterator = client.paginate.iterator("GET /repos/{owner}/{repo}/issues", { owner: repo.owner, repo: repo.repo, per_page: PER_PAGE, ...query });
  for await (const { data } of iterator) {
    yield Array.isArray(data) ? (data as RawIssue[]) : [];
    if (++read >= maxPages) return;
  }
}

/**
 * Keywarden's issues in `repo` (those of `login`, `SLUG[bot]`), page by page as they arrive, so a
 * caller looking for one can stop early. Each issue once, even if pages shift while being read.
 */
export async function* keywardenIssues(client: GitHubClient, repo: RepoRef, login: string, listing: IssueListing): AsyncGenerator<ListedIssue> {
  const query: Record<string, unknown> = { state: listing.state };
  if (listing.sort) query.sort = listing.sort;
  if (listing.direction) query.direction = listing.direction;
  if (listing.since) query.since = listing.since;
  const seen = new Set<number>();
  function* ours(page: RawIssue[]): Generator<ListedIssue> {
    for (const raw of page) {
      const issue = isKeywardens(raw.user, login) ? toListedIssue(raw) : undefined;
      if (issue && !seen.has(issue.number)) {
        seen.add(issue.number);
        yield issue;
      }
    }
  }
  const maxPages = listing.maxPages ?? Number.MAX_SAFE_INTEGER;
  let listed = 0;
  for await (const page of pages(client, repo, { ...query, creator: login }, maxPages)) {
    listed += page.length;
    yield* ours(page);
  }
  if (listed > 0 || !listing.fallback) return;
  for await (const page of pages(client, repo, query, Math.min(maxPages, MAX_FALLBACK_PAGES))) yield* ours(page);
}

/** Every issue `keywardenIssues` yields, as a list. */
export async function listKeywardenIssues(client: GitHubClient, repo: RepoRef, login: string, listing: IssueListing): Promise<ListedIssue[]> {
  const issues: ListedIssue[] = [];
  for await (const issue of keywardenIssues(client, repo, login, listing)) issues.push(issue);
  return issues;
}

/** The issue as a finding's issue, or undefined when it carries no fingerprint marker. */
export function asFindingIssue(issue: ListedIssue): FindingIssue | undefined {
  const markers = readFindingMarkers(issue.body);
  return markers ? { ...issue, ...markers } : undefined;
}

/** Keywarden's finding issues in `repo`, in listing order. */
export async function listFindingIssues(client: GitHubClient, repo: RepoRef, login: string, listing: IssueListing): Promise<FindingIssue[]> {
  const found: FindingIssue[] = [];
  for await (const issue of keywardenIssues(client, repo, login, listing)) {
    const finding = asFindingIssue(issue);
    if (finding) found.push(finding);
  }
  return found;
}

/**
 * The newest of Keywarden's issues that `match` accepts, looking only at the most recently created
 * page: used right after a create failed in flight, to learn whether GitHub applied it.
 */
export async function findRecentKeywardenIssue(
  client: GitHubClient,
  repo: RepoRef,
  login: string,
  match: (issue: ListedIssue) => boolean,
): Promise<ListedIssue | undefined> {
  for await (const issue of keywardenIssues(client, repo, login, { state: "all", sort: "created", direction: "desc", fallback: true, maxPages: 1 })) {
    if (match(issue)) return issue;
  }
  return undefined;
}
