/**
 * Tokens for `git clone`: installation tokens with `contents: read` only, narrowed to repositories.
 *
 * A push scan or a pull-request check gets a token narrowed to its one repository, minted for it.
 * An audit queues its scans in groups of up to 100 repositories (src/jobs/audit-plan.ts
 * `cloneGroups`): the first scan of a group to run in this process mints one token narrowed to the
 * whole group, and the group's other scans here reuse it while it has more than TOKEN_MARGIN_MS
 * left (GitHub's tokens last an hour): one mint per hundred clones instead of one per clone. The
 * price is a token that reads a hundred repositories' contents instead of one; it grants nothing
 * else, lives in this process's memory only, and reaches git as a header scoped to the server's
 * origin (src/git/clone.ts). A group GitHub refuses (422: one of them left the installation since
 * the listing) falls back to the scan's own repository; a failed mint is not kept.
 */
import { mintCloneToken, type InstallationOctokit } from "./keywarden-octokit.js";

/** A kept token is handed out only while it has at least this long to live: longer than any clone. */
export const TOKEN_MARGIN_MS = 10 * 60_000;

export interface CloneTokenRequest {
  installationId: number;
  /** The scanned repository: its name (the token of a push scan names it) and its id. */
  repo: string;
  repositoryId: number;
  /** The audit's group of repository ids this scan was queued in; absent for push scans and checks. */
  group?: readonly number[];
}

interface Minted {
  token: string;
  expiresAt: number;
}

/** Group tokens by installation and ids; `expiresAt` is known once the mint has answered. */
const groupTokens = new Map<string, { minted: Promise<Minted>; expiresAt?: number }>();

/** A clone token for `request.repositoryId`; `appOctokit` is the app (JWT) client from `probot.auth()`. */
export async function cloneTokenFor(appOctokit: InstallationOctokit, request: CloneTokenRequest, now: () => number = Date.now): Promise<string> {
  const { installationId, repo, repositoryId, group } = request;
  if (!group || group.length < 2 || !group.includes(repositoryId)) return mintCloneToken(appOctokit, installationId, repo);
  for (const [k, e] of groupTokens) if (e.expiresAt !== undefined && e.expiresAt - now() < TOKEN_MARGIN_MS) groupTokens.delete(k);
  const key = `${installationId}:${[...group].sort((a, b) => a - b).join(",")}`;
  let entry = groupTokens.get(key);
  if (!entry) {
    const created: { minted: Promise<Minted>; expiresAt?: number } = { minted: mintGroupToken(appOctokit, installationId, [...group], now) };
    groupTokens.set(key, created);
    void created.minted.then(
      (m) => (created.expiresAt = m.expiresAt),
      () => groupTokens.get(key) === created && groupTokens.delete(key),
    );
    entry = created;
  }
  try {
    return (await entry.minted).token;
  } catch (error) {
    if ((error as { status?: unknown }).status !== 422) throw error;
    return mintCloneToken(appOctokit, installationId, repo);
  }
}

async function mintGroupToken(appOctokit: InstallationOctokit, installationId: number, repositoryIds: number[], now: () => number): Promise<Minted> {
  const { data } = await appOctokit.request("POST /app/installations/{installation_id}/access_tokens", {
    installation_id: installationId,
    repository_ids: repositoryIds,
    permissions: { contents: "read" },
    // Minting another token is harmless: a transient failure is retried in place.
    request: { repeatable: true },
  });
  const expiresAt = Date.parse(data.expires_at);
  // Without a readable expiry the token is used once: kept, it would be dropped at the next look.
  return { token: data.token, expiresAt: Number.isNaN(expiresAt) ? now() : expiresAt };
}

/** Forget every kept token (tests). */
export function forgetCloneTokens(): void {
  groupTokens.clear();
}
