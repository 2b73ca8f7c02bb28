/**
 * The repository's CODEOWNERS text, as GitHub finds it: the first of `.github/CODEOWNERS`,
 * `CODEOWNERS`, `docs/CODEOWNERS` that exists, read through the contents API at `ref` (the scanned
 * commit of the default branch). A 404 means "not there"; none found gives undefined. Any other
 * failure is thrown (the job is retried): assigning the fallback people because GitHub had a bad
 * minute would route the issue to the wrong owners.
 */
import { CODEOWNERS_PATHS } from "../issues/codeowners.js";
import type { GitHubClient, RepoRef } from "./requester.js";

function status(error: unknown): number | undefined {
  const s = (error as { status?: unknown } | null)?.status;
  return typeof s === "number" ? s : undefined;
}

export async function readCodeowners(client: GitHubClient, repo: RepoRef, ref?: string): Promise<string | undefined> {
  for (const path of CODEOWNERS_PATHS) {
    let data: unknown;
    try {
      ({ data } = await client.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: repo.owner,
        repo: repo.repo,
        path,
        ...(ref ? { ref } : {}),
        // The raw text (any size GitHub serves); the JSON form is read too, should a proxy ignore this.
        headers: { accept: "application/vnd.github.raw+json" },
      }));
    } catch (error) {
      if (status(error) === 404) continue;
      throw error;
    }
    if (typeof data === "string") return data;
    const file = data as { type?: unknown; content?: unknown; encoding?: unknown } | null;
    if (!file || Array.isArray(data) || file.type !== "file") continue; // a directory of that name
    if (typeof file.content !== "string") return ""; // too large to be served inline: owns nothing
    return file.encoding === "base64" ? Buffer.from(file.content, "base64").toString("utf8") : file.content;
  }
  return undefined;
}
