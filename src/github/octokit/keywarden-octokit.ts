/**
 * The Octokit class every Keywarden process uses. Departures from Probot's defaults:
 * - plugin-retry is off: it would repeat a POST that GitHub may already have applied (a 502 after
 *   the issue was created), filing a duplicate. Requests whose repetition is harmless are retried in
 *   place by ../github/octokit/retry-in-place.ts; issue creates by apply-plan, which looks for the
 *   marker first.
 * - the throttling plugin keeps pacing requests but retries nothing: rate limits are waited out by
 *   the same retry-in-place policy, so one place decides how long to wait.
 */
import { ProbotOctokit } from "probot";
import { retryInPlace } from "./retry-in-place.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Octokit's options are untyped here
export const KeywardenOctokit = ProbotOctokit.plugin(retryInPlace as never).defaults((options: Record<string, any>) => ({
  ...options,
  retry: { ...options.retry, enabled: false },
  throttle: { ...options.throttle, onRateLimit: () => false, onSecondaryRateLimit: () => false },
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
    // Minting another token is harmless: a transient failure is retried in place.
    request: { repeatable: true },
  });
  return data.token;
}
