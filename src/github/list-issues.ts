/**
 * Find the issues Keywarden filed in a repository, in every state, by their hidden marker.
 *
 * Why by creator and not by label: labels belong to people. Someone renames `keywarden` or removes
 * it, and a label-based listing loses the issue, and the next scan files a duplicate. The author of
 * an issue never changes, so we list what the app's bot user created
 * (`GET /repos/{o}/{r}/issues?state=all&creator={slug}[bot]`) and read the fingerprint marker.
 *
 * Why a fallback: a server-side author filter that silently matches nothing is the worst failure
 * here (every run files duplicates); it has happened for bot logins on GitHub Enterprise Cloud
 * (renovatebot/renovate#44730). So when the filtered listing finds nothing, the unfiltered listing
 * is read and filtered here by author. That costs one request per 100 issues, only in repositories
 * where Keywarden has no issue yet. Pull requests (which the issues API also returns) are skipped,
 * and so are issues by anyone else that merely quote a marker.
 */
import { readFingerprint, readMeta } from "../issues/marker.js";
import type { ExistingIssue } from "../issues/plan-issues.js";
import type { GitHubRequester, RepoRef } from "./requester.js";

export interface ListIssuesOptions {
  /** The GitHub App's slug; its bot user is `${appSlug}[bot]`. */
  appSlug: string;
  /** Stop after this many pages of 100 on the unfiltered fallback (default 200: 20,000 issues). */
  maxFallbackPages?: number;
  /**
   * Read every issue when the author-filtered listing is empty (default true). Only a run that may
   * file issues needs it (a missed issue means a duplicate); a run with nothing to file can skip it.
   */
  fallback?: boolean;
}

const PER_PAGE = 100;

interface RawIssue {
  number?: unknown;
  state?: unknown;
  state_reason?: unknown;
  title?: unknown;
  body?: unknown;
  labels?: unknown;
  user?: { login?: unknown } | null;
  pull_request?: unknown;
}

export function botLogin(appSlug: string): string {
  return `${appSlug}[bot]`;
}

const STATE_REASONS = new Set(["completed", "not_planned", "reopened", "duplicate"]);

/** An issue of the listing as an ExistingIssue, or undefined if it is not one of ours. */
export function toExistingIssue(raw: RawIssue, appSlug: string): ExistingIssue | undefined {
  if (raw.pull_request) return undefined;
  const login = typeof raw.user?.login === "string" ? raw.user.login.toLowerCase() : "";
  if (login !== botLogin(appSlug).toLowerCase()) return undefined;
  const body = typeof raw.body === "string" ? raw.body : "";
  const fingerprint = readFingerprint(body);
  if (!fingerprint || typeof raw.number !== "number") return undefined;
  const labels = Array.isArray(raw.labels)
    ? raw.labels.map((l) => (typeof l === "string" ? l : (l as { name?: unknown })?.name)).filter((n): n is string => typeof n === "string")
    : [];
  const reason = typeof raw.state_reason === "string" && STATE_REASONS.has(raw.state_reason) ? raw.state_reason : null;
  const meta = readMeta(body);
  return {
    number: raw.number,
    state: raw.state === "closed" ? "closed" : "open",
    stateReason: reason as ExistingIssue["stateReason"],
    title: typeof raw.title === "string" ? raw.title : "",
    body,
    labels,
    fingerprint,
    ...(meta && meta.fingerprint === fingerprint ? { meta } : {}),
  };
}

async function listPages(
  octokit: GitHubRequester,
  repo: RepoRef,
  query: Record<string, unknown>,
  maxPages: number,
): Promise<RawIssue[]> {
  const all: RawIssue[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues", {
      owner: repo.owner,
      repo: repo.repo,
      state: "all",
      per_page: PER_PAGE,
      page,
      ...query,
    });
    const items = Array.isArray(data) ? (data as RawIssue[]) : [];
    all.push(...items);
    if (items.length < PER_PAGE) break;
  }
  return all;
}

/** Every issue the app created in `repo`, all states, oldest first. */
export async function listAppIssues(octokit: GitHubRequester, repo: RepoRef, options: ListIssuesOptions): Promise<ExistingIssue[]> {
  const order = { sort: "created", direction: "asc" };
  let raw = await listPages(octokit, repo, { ...order, creator: botLogin(options.appSlug) }, Number.MAX_SAFE_INTEGER);
  if (raw.length === 0 && options.fallback !== false) raw = await listPages(octokit, repo, order, options.maxFallbackPages ?? 200);
  const seen = new Set<number>();
  const out: ExistingIssue[] = [];
  for (const item of raw) {
    const issue = toExistingIssue(item, options.appSlug);
    if (issue && !seen.has(issue.number)) {
      seen.add(issue.number);
      out.push(issue);
    }
  }
  return out;
}

/**
 * The newest issue of ours carrying `fingerprint`, looking only at the most recently created ones:
 * used right after a create failed in flight, to learn whether GitHub applied it.
 */
export async function findRecentAppIssue(
  octokit: GitHubRequester,
  repo: RepoRef,
  appSlug: string,
  fingerprint: string,
): Promise<ExistingIssue | undefined> {
  const order = { sort: "created", direction: "desc" };
  for (const query of [{ ...order, creator: botLogin(appSlug) }, order]) {
    const raw = await listPages(octokit, repo, query, 1);
    const match = raw.map((r) => toExistingIssue(r, appSlug)).find((i) => i?.fingerprint === fingerprint);
    if (match) return match;
  }
  return undefined;
}
