/**
 * The files a pull request changes, as GitHub lists them (`GET /repos/{o}/{r}/pulls/{n}/files`),
 * every page at 100 a page. GitHub lists at most 3,000 files however many the pull request changes:
 * `complete` is false then, and a caller must treat the files it was not told about as changed
 * (scan the whole head commit) rather than trust the partial list.
 */
import type { InstallationOctokit as Octokit } from "./octokit/keywarden-octokit.js";

/** One changed file; `patch` is absent when GitHub omits it (binary, or a diff too large to show). */
export interface PullRequestFile {
  filename: string;
  status: string;
  patch?: string;
  previous_filename?: string;
  /** Added plus removed lines: 0 for a pure rename, which GitHub lists without a patch. */
  changes?: number;
}

export interface PullRequestFiles {
  files: PullRequestFile[];
  /** False when GitHub listed fewer files than the pull request's `changed_files`. */
  complete: boolean;
}

export async function listPullRequestFiles(
  octokit: Octokit,
  pr: { owner: string; repo: string; pullNumber: number; changedFiles: number },
): Promise<PullRequestFiles> {
  const listed = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.pullNumber,
    per_page: 100,
  });
  // Only what the scan needs: the listing carries blob URLs and counts nobody reads.
  const files = listed.map((f): PullRequestFile => {
    const file: PullRequestFile = { filename: f.filename, status: f.status };
    if (typeof f.patch === "string") file.patch = f.patch;
    if (typeof f.previous_filename === "string") file.previous_filename = f.previous_filename;
    if (typeof f.changes === "number") file.changes = f.changes;
    return file;
  });
  return { files, complete: files.length >= pr.changedFiles };
}
