/**
 * Reads the issues Keywarden filed, in every state, so the summary is right even if Redis was lost.
 *
 * Cost: one paginated listing per repository through the issues gateway (100 a page), narrowed
 * server-side to the app's own issues (`creator=SLUG[bot]`), so a busy repository costs only as many
 * pages as Keywarden's own issues. Issues are recognised by author and fingerprint marker, never by
 * labels or titles (people change those): another app's issue, or a person's, that quotes a
 * finding's body is not a finding. A `labels=keywarden` filter would lose issues whose label
 * someone removed, and `since` cannot be used: a finding opened long ago and untouched since is
 * still open. No unfiltered fallback: the summary files no finding issue, so a missed one cannot
 * become a duplicate, and the fallback would read every issue of every clean repository.
 * One repository that cannot be read is recorded in `errors`; the others go on.
 *
 * Issues filed in a central repository (`issues.repository`, for repositories whose issues are
 * disabled) carry their source's marker and name: they count under the source repository, not the
 * one they live in. With a central repository configured, a repository whose issues are disabled
 * (410) is not unreadable: its findings' issues are the central repository's.
 */
import { listFindingIssues, type FindingIssue } from "../issues-gateway/index.js";
import { describeFailure, type GitHubClient } from "../requester.js";
import type { FindingIssueRecord } from "../../summary/types.js";

export interface RepositoryRef {
  owner: string;
  repo: string;
}

export interface CollectOptions {
  /** The app's bot login (`keywarden[bot]`): only its issues are Keywarden's. */
  botLogin: string;
  /** Repositories read at once (default 4: well under GitHub's 100 concurrent requests). */
  concurrency?: number;
  /** The organization's `issues.repository`, when set: issues-disabled repositories file there. */
  centralRepository?: string;
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

/**
 * The summary's record of one of Keywarden's finding issues, under the repository whose finding it
 * is: `repo` where it lives, or for a centrally filed issue the source its meta marker names.
 */
export function toFindingRecord(repo: string, issue: FindingIssue): FindingIssueRecord {
  return {
    repo: (issue.source !== undefined && issue.meta?.sourceRepo) || repo,
    number: issue.number,
    url: issue.url,
    state: issue.state,
    stateReason: issue.stateReason,
    createdAt: issue.createdAt,
    closedAt: issue.closedAt,
    fingerprint: issue.fingerprint,
    ...(issue.meta ? { meta: issue.meta } : {}),
  };
}

/** Message and status only (describeFailure never keeps the request, whose headers hold the token). */
function describe(error: unknown): { status?: number; message: string } {
  const { status, message } = describeFailure(error);
  if (status === 410) return { status, message: "issues are disabled in this repository" };
  if (status === 404) return { status, message: "repository not found or not accessible to the installation" };
  return { ...(status !== undefined ? { status } : {}), message: message.split("\n")[0]!.slice(0, 300) };
}

async function collectRepository(client: GitHubClient, ref: RepositoryRef, login: string): Promise<FindingIssueRecord[]> {
  const issues = await listFindingIssues(client, ref, login, { state: "all" });
  return issues.map((issue) => toFindingRecord(`${ref.owner}/${ref.repo}`, issue));
}

export async function collectFindingIssues(
  client: GitHubClient,
  repositories: readonly RepositoryRef[],
  options: CollectOptions,
): Promise<CollectResult> {
  const records: FindingIssueRecord[][] = new Array(repositories.length);
  const errors: CollectError[] = [];
  let next = 0;
  const worker = async () => {
    while (next < repositories.length) {
      const i = next++;
      const ref = repositories[i]!;
      try {
        records[i] = await collectRepository(client, ref, options.botLogin);
      } catch (error) {
        const failure = describe(error);
        if (failure.status === 410 && options.centralRepository !== undefined) continue;
        errors.push({ repo: `${ref.owner}/${ref.repo}`, ...failure });
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, repositories.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  errors.sort((a, b) => a.repo.localeCompare(b.repo));
  // Input order, whatever order the requests finished in: deterministic summaries.
  return { records: records.flatMap((r) => r ?? []), errors };
}
