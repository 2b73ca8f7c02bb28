/**
 * Comments Keywarden posts on its issues (why an issue closes, reopens, or was superseded). Each
 * carries a hidden marker derived from issue and text (src/issues/marker.ts `commentMarker`), so a
 * comment whose reply was lost is found again instead of posted twice.
 */
import { commentMarker } from "../../issues/marker.js";
import type { GitHubClient, RepoRef } from "../requester.js";
import { isKeywardens } from "./ownership.js";
import type { Reservation } from "./write-path.js";

/** Comments read at most when looking for one (100 a page). */
const MAX_COMMENT_PAGES = 25;

/** True when Keywarden's own comment carrying `marker` is on the issue. */
export async function hasKeywardenComment(client: GitHubClient, repo: RepoRef, issueNumber: number, login: string, marker: string): Promise<boolean> {
  let read = 0;
  const pages = client.paginate.iterator("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    owner: repo.owner,
    repo: repo.repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  for await (const { data } of pages) {
    const comments = Array.isArray(data) ? (data as { body?: unknown; user?: { login?: unknown } | null }[]) : [];
    if (comments.some((c) => isKeywardens(c.user, login) && typeof c.body === "string" && c.body.includes(marker))) return true;
    if (++read >= MAX_COMMENT_PAGES) return false;
  }
  return false;
}

/** Post `text` on the issue, once, within `writes` (one write). */
export async function commentOnce(writes: Reservation, client: GitHubClient, repo: RepoRef, issueNumber: number, text: string, login: string): Promise<void> {
  const marker = commentMarker(issueNumber, text);
  await writes.create(
    "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
    { owner: repo.owner, repo: repo.repo, issue_number: issueNumber, body: `${text}\n\n${marker}` },
    {
      read: () => true,
      find: async () => ((await hasKeywardenComment(client, repo, issueNumber, login, marker)) ? true : undefined),
    },
  );
}
