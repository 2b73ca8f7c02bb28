/**
 * Reads the issues Keywarden filed, in every state, so the summary is right even if Redis was lost.
 *
 * Cost: one paginated `GET /repos/{owner}/{repo}/issues?state=all` per repository (100 a page).
 * Issues are recognised by the hidden fingerprint marker, never by labels or titles (people change
 * those). Passing `creator` (the app's bot login, `SLUG[bot]`) lets GitHub filter server-side so a
 * busy repository costs only as many pages as Keywarden's own issues; the marker is still checked.
 * A `labels=keywarden` filter would be as cheap but would lose issues whose label someone removed,
 * and `since` cannot be used: a finding opened long ago and untouched since is still open.
 * One repository that cannot be read is recorded in `errors`; the others go on.
 */
import type { InstallationOctokit } from "../octokit/keywarden-octokit.js";
import { readFingerprint, readMeta } from "../../issues/marker.js";
import { describeFailure } from "../requester.js";
import type { FindingIssueRecord } from "../../summary/types.js";

export interface RepositoryRef {
  owner: string;
  repo: string;
}

export interface CollectOptions {
  /** The app's bot login (`keywarden[bot]`), to filter server-side; omit to list every issue. */
  creator?: string;
  /** Repositories read at once (default 4: well under GitHub's 100 concurrent requests). */
  concurrency?: number;
}

export interface CollectError {
  repo: string;
  status?: number;
  message: string;
}

export interface CollectResult {
  records: FindingIssueRecord[];
  errors: CollectError[];
}

interface IssueLike {
  number: number;
  html_url: string;
  state: string;
  state_reason?: string | null;
  created_at: string;
  closed_at: string | null;
  body?: string | null;
  pull_request?: unknown;
  user?: { type?: string } | null;
}

/**
 * The record for one listed issue, or undefined when it is a pull request or not Keywarden's: the
 * marker must be there and the author must be an app (a person quoting a finding's body in an issue
 * of their own does not make a second finding).
 */
export function toFindingRecord(repo: string, issue: IssueLike): FindingIssueRecord | undefined {
  if (issue.pull_request || issue.user?.type !== "Bot") return undefined;
  const fingerprint = readFingerprint(issue.body);
  if (!fingerprint) return undefined;
  const meta = readMeta(issue.body);
  return {
    repo,
    number: issue.number,
    url: issue.html_url,
    state: issue.state === "closed" ? "closed" : "open",
    stateReason: issue.state_reason ?? null,
    createdAt: issue.created_at,
    closedAt: issue.closed_at,
    fingerprint,
    ...(meta ? { meta } : {}),
  };
}

/** Message and status only (describeFailure never keeps the request, whose headers hold the token). */
function describe(error: unknown): { status?: number; message: string } {
  const { status, message } = describeFailure(error);
  if (status === 410) return { status, message: "issues are disabled in this repository" };
  if (status === 404) return { status, message: "repository not found or not accessible to the installation" };
  return { ...(status !== undefined ? { status } : {}), message: message.split("\n")[0]!.slice(0, 300) };
}

async function collectRepository(octokit: InstallationOctokit, ref: RepositoryRef, creator: string | undefined): Promise<FindingIssueRecord[]> {
  const repo = `${ref.owner}/${ref.repo}`;
  const records: FindingIssueRecord[] = [];
  const pages = octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues", {
    owner: ref.owner,
    repo: ref.repo,
    state: "all",
    per_page: 100,
    ...(creator ? { creator } : {}),
  });
  for await (const page of pages) {
    for (const issue of page.data) {
      const record = toFindingRecord(repo, issue);
      if (record) records.push(record);
    }
  }
  return records;
}

export async function collectFindingIssues(
  octokit: InstallationOctokit,
  repositories: readonly RepositoryRef[],
  options: CollectOptions = {},
): Promise<CollectResult> {
  const records: FindingIssueRecord[][] = new Array(repositories.length);
  const errors: CollectError[] = [];
  let next = 0;
  const worker = async () => {
    while (next < repositories.length) {
      const i = next++;
      const ref = repositories[i]!;
      try {
        records[i] = await collectRepository(octokit, ref, options.creator);
      } catch (error) {
        errors.push({ repo: `${ref.owner}/${ref.repo}`, ...describe(error) });
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, repositories.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  errors.sort((a, b) => a.repo.localeCompare(b.repo));
  // Input order, whatever order the requests finished in: deterministic summaries.
  return { records: records.flatMap((r) => r ?? []), errors };
}
