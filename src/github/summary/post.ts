/**
 * Posts the weekly summary: one issue per ISO week, found again by its hidden marker (never by
 * title or search, which lags), so running the job twice in a week edits the same issue. Then every
 * older summary still open is closed with a comment linking to the new one.
 *
 * Where it goes: `summary.repository` from the organization's `.github/keywarden.yml`, else the
 * organization's `.github` repository when it exists, the app can see it and it is private, else
 * nowhere (the caller logs the reason once). chooseSummaryRepository is the pure decision; the rest
 * is I/O. A public `.github` (the usual case: it holds the organization's profile) is never chosen by
 * default: the summary names private repositories and the files holding live root keys.
 */
import type { InstallationOctokit } from "../octokit/keywarden-octokit.js";
import { readSummaryWeek, summaryMarker } from "../../summary/render.js";
import { isoWeekStart } from "../../summary/week.js";

const REPO_NAME_RE = /^[A-Za-z0-9._-]{1,100}$/;
const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export type SummaryTarget =
  | { kind: "repository"; owner?: string; repo: string; source: "config" | "dot-github" }
  | { kind: "none"; reason: string };

/**
 * `config` is the organization's keywarden.yml as parsed (anything; it is validated here).
 * `summary.repository` may be `name` or `owner/name`.
 */
export function chooseSummaryRepository(config: unknown, orgHasDotGithub: boolean): SummaryTarget {
  const summary = (config as { summary?: unknown } | null | undefined)?.summary;
  const configured = (summary as { repository?: unknown } | null | undefined)?.repository;
  if (configured !== undefined && configured !== null && configured !== "") {
    if (typeof configured !== "string") {
      return { kind: "none", reason: `summary.repository must be a repository name, got ${typeof configured}: no summary posted` };
    }
    const value = configured.trim();
    const parts = value.split("/");
    const [owner, repo] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (parts.length > 2 || !repo || !REPO_NAME_RE.test(repo) || repo === "." || repo === ".." || (owner !== undefined && !OWNER_RE.test(owner))) {
      return { kind: "none", reason: `summary.repository ${JSON.stringify(value).slice(0, 120)} is not a repository name (use "name" or "owner/name"): no summary posted` };
    }
    return owner === undefined ? { kind: "repository", repo, source: "config" } : { kind: "repository", owner, repo, source: "config" };
  }
  if (orgHasDotGithub) return { kind: "repository", repo: ".github", source: "dot-github" };
  return {
    kind: "none",
    reason: "no summary.repository in the organization's .github/keywarden.yml and no .github repository visible to the app: no summary posted",
  };
}

/** `owner/.github` as far as the choice needs it, or undefined when it does not exist or the installation cannot read it. */
async function findDotGithubRepository(octokit: InstallationOctokit, owner: string): Promise<{ private: boolean } | undefined> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo: ".github" });
    return { private: data.private !== false };
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/**
 * The repository to post in for an organization (I/O only when the config names none). A configured
 * `owner/name` in another account is refused: the installation's token could not write there anyway.
 */
export async function resolveSummaryRepository(
  octokit: InstallationOctokit,
  org: string,
  config: unknown,
): Promise<{ owner: string; repo: string } | { reason: string }> {
  const configured = (config as { summary?: { repository?: unknown } } | null | undefined)?.summary?.repository;
  const dotGithub = configured ? undefined : await findDotGithubRepository(octokit, org);
  const target = chooseSummaryRepository(config, dotGithub !== undefined);
  if (target.kind === "none") return { reason: target.reason };
  if (target.source === "dot-github" && !dotGithub?.private) {
    return {
      reason: `${org}/.github is public and the summary names private repositories and files with live keys: set summary.repository to a private repository; no summary posted`,
    };
  }
  if (target.owner && target.owner.toLowerCase() !== org.toLowerCase()) {
    return { reason: `summary.repository names ${target.owner}/${target.repo}, outside ${org}: no summary posted` };
  }
  return { owner: org, repo: target.repo };
}

export interface SummaryToPost {
  /** `YYYY-Www`; the body must carry summaryMarker(week). */
  week: string;
  title: string;
  body: string;
}

export interface PostOptions {
  /** The app's bot login (`SLUG[bot]`): lists only its issues, and only its issues count as summaries. */
  creator?: string;
}

export interface PostResult {
  number: number;
  url: string;
  action: "created" | "updated" | "unchanged";
  /** Older summaries closed by this call. */
  closed: number[];
}

interface ListedIssue {
  number: number;
  html_url: string;
  state: string;
  title: string;
  body?: string | null;
  pull_request?: unknown;
  user: { login: string; type?: string } | null;
}

async function listSummaries(
  octokit: InstallationOctokit,
  target: { owner: string; repo: string },
  params: { state: "open" | "closed"; since?: string },
  creator: string | undefined,
): Promise<Array<ListedIssue & { week: string }>> {
  const found: Array<ListedIssue & { week: string }> = [];
  const pages = octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues", {
    ...target,
    state: params.state,
    per_page: 100,
    ...(params.since ? { since: params.since } : {}),
    ...(creator ? { creator } : {}),
  });
  for await (const page of pages) {
    for (const issue of page.data as ListedIssue[]) {
      // Only an app's issue can be a summary: a person who pasted the marker into their own issue
      // must never have it overwritten or closed. With `creator`, GitHub has already narrowed it.
      if (issue.pull_request || issue.user?.type !== "Bot") continue;
      if (creator && issue.user.login !== creator) continue;
      const week = readSummaryWeek(issue.body);
      if (week) found.push({ ...issue, week });
    }
  }
  return found;
}

export async function postSummary(
  octokit: InstallationOctokit,
  target: { owner: string; repo: string },
  summary: SummaryToPost,
  options: PostOptions = {},
): Promise<PostResult> {
  if (readSummaryWeek(summary.body) !== summary.week) {
    throw new Error(`summary body for ${summary.week} does not carry ${summaryMarker(summary.week)}`);
  }
  const open = await listSummaries(octokit, target, { state: "open" }, options.creator);
  let current: ListedIssue | undefined = open.find((i) => i.week === summary.week);
  if (!current) {
    // A closed summary of this week was necessarily updated this week: `since` finds it cheaply.
    const since = isoWeekStart(summary.week).toISOString();
    current = (await listSummaries(octokit, target, { state: "closed", since }, options.creator)).find((i) => i.week === summary.week);
  }

  let number: number;
  let url: string;
  let action: PostResult["action"];
  if (current) {
    number = current.number;
    url = current.html_url;
    if (current.body === summary.body && current.title === summary.title) action = "unchanged";
    else {
      await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
        ...target,
        issue_number: current.number,
        title: summary.title,
        body: summary.body,
      });
      action = "updated";
    }
  } else {
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues", { ...target, title: summary.title, body: summary.body });
    number = data.number;
    url = data.html_url;
    action = "created";
  }

  const closed: number[] = [];
  // Only older weeks: a summary from a later week (a clock running ahead elsewhere) is left alone.
  // `YYYY-Www` strings sort in time order.
  for (const old of open.filter((i) => i.week < summary.week && i.number !== number).sort((a, b) => a.number - b.number)) {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...target,
      issue_number: old.number,
      body: `Superseded by the ${summary.week} summary: ${url}`,
    });
    await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...target,
      issue_number: old.number,
      state: "closed",
      state_reason: "completed",
    });
    closed.push(old.number);
  }
  return { number, url, action, closed };
}
