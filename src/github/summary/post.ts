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
 *
 * Reading and writing go through the issues gateway: only the app's own issues count as summaries
 * (a person or another app that pastes the marker never has their issue edited or closed), and
 * every write is reserved from the installation's write budget, a create looked for before it is
 * repeated.
 */
import { commentOnce, findRecentKeywardenIssue, keywardenIssues, WritePath, type IssueListing, type ListedIssue, type WritePathOptions } from "../issues-gateway/index.js";
import type { GitHubClient } from "../requester.js";
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
async function findDotGithubRepository(octokit: GitHubClient, owner: string): Promise<{ private: boolean } | undefined> {
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
  octokit: GitHubClient,
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

export interface PostOptions extends Omit<WritePathOptions, "client"> {
  /** The app's bot login (`SLUG[bot]`): only its issues are summaries. */
  botLogin: string;
}

export interface PostResult {
  number: number;
  url: string;
  action: "created" | "updated" | "unchanged";
  /** Older summaries closed by this call. */
  closed: number[];
}

/** The write budget had nothing left for the summary itself: the job's next attempt posts it. */
export class SummaryBudgetSpent extends Error {
  constructor(week: string) {
    super(`write budget spent: the ${week} summary is posted on the job's next attempt`);
    this.name = "SummaryBudgetSpent";
  }
}

type Summary = ListedIssue & { week: string };

async function listSummaries(client: GitHubClient, target: { owner: string; repo: string }, login: string, listing: IssueListing): Promise<Summary[]> {
  const found: Summary[] = [];
  for await (const issue of keywardenIssues(client, target, login, listing)) {
    const week = readSummaryWeek(issue.body);
    if (week) found.push({ ...issue, week });
  }
  return found;
}

export async function postSummary(
  client: GitHubClient,
  target: { owner: string; repo: string },
  summary: SummaryToPost,
  options: PostOptions,
): Promise<PostResult> {
  if (readSummaryWeek(summary.body) !== summary.week) {
    throw new Error(`summary body for ${summary.week} does not carry ${summaryMarker(summary.week)}`);
  }
  const login = options.botLogin;
  // With the fallback: this may file an issue, so a creator filter that silently matches nothing
  // must not make it file this week's summary a second time.
  const open = await listSummaries(client, target, login, { state: "open", fallback: true });
  let current: Summary | undefined = open.find((i) => i.week === summary.week);
  if (!current) {
    // A closed summary of this week was necessarily updated this week: `since` finds it cheaply.
    const since = isoWeekStart(summary.week).toISOString();
    current = (await listSummaries(client, target, login, { state: "closed", since, fallback: true })).find((i) => i.week === summary.week);
  }

  const writes = new WritePath({ ...options, client });
  let posted: { number: number; url: string; action: PostResult["action"] };
  if (current && current.body === summary.body && current.title === summary.title) {
    posted = { number: current.number, url: current.url, action: "unchanged" };
  } else if (current) {
    const { number, url } = current;
    const done = await writes.within(1, (w) =>
      w.send("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...target, issue_number: number, title: summary.title, body: summary.body }),
    );
    if (!done) throw new SummaryBudgetSpent(summary.week);
    posted = { number, url, action: "updated" };
  } else {
    const done = await writes.within(1, (w) =>
      w.create(
        "POST /repos/{owner}/{repo}/issues",
        { ...target, title: summary.title, body: summary.body },
        {
          read: (response) => ({ number: Number(response.data.number), url: String(response.data.html_url) }),
          find: async () => {
            const found = await findRecentKeywardenIssue(client, target, login, (i) => readSummaryWeek(i.body) === summary.week);
            return found && { number: found.number, url: found.url };
          },
        },
      ),
    );
    if (!done) throw new SummaryBudgetSpent(summary.week);
    posted = { ...done.value, action: "created" };
  }

  const closed: number[] = [];
  // Only older weeks: a summary from a later week (a clock running ahead elsewhere) is left alone.
  // `YYYY-Www` strings sort in time order.
  for (const old of open.filter((i) => i.week < summary.week && i.number !== posted.number).sort((a, b) => a.number - b.number)) {
    const done = await writes.within(2, async (w) => {
      await commentOnce(w, client, target, old.number, `Superseded by the ${summary.week} summary: ${posted.url}`, login);
      await w.send("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...target, issue_number: old.number, state: "closed", state_reason: "completed" });
    });
    if (!done) {
      options.logger?.info?.({ ...target, open: old.number }, "write budget spent; older summaries are closed by a later run");
      break;
    }
    closed.push(old.number);
  }
  return { ...posted, closed };
}
