/**
 * The Octokit class every Keywarden process uses. Two deliberate departures from Probot's defaults:
 * - plugin-retry is off: it would repeat a POST that GitHub may already have applied (a 502 after
 *   the issue was created), filing a duplicate. Issue writes are retried by apply-plan, which looks
 *   for the marker first; anything else fails the job and BullMQ retries the whole, idempotent, job.
 * - a secondary rate limit is not retried blindly here either, for the same reason; apply-plan waits
 *   out `retry-after` itself. Primary rate limits are waited out as Probot does.
 */
import { ProbotOctokit } from "probot";

export const KeywardenOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  retry: { ...options.retry, enabled: false },
  throttle: { ...options.throttle, onSecondaryRateLimit: () => false },
}));

export type InstallationOctokit = InstanceType<typeof ProbotOctokit>;

/**
 * Mint an installation token narrowed to one repository with `contents: read`, for `git clone`.
 * `appOctokit` is the app-authenticated (JWT) client from `probot.auth()`: the request goes to the
 * configured base URL, so GitHub Enterprise Server works (see platform notes).
 */
export async function mintCloneToken(appOctokit: InstallationOctokit, installationId: number, repo: string): Promise<string> {
  const { data } = await appOctokit.request("POST /app/installations/{installation_id}/access_tokens", {
    installation_id: installationId,
    repositories: [repo],
    permissions: { contents: "read" },
  });
  return data.token;
}
