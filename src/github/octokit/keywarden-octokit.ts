/**
 * The Octokit class every Keywarden process uses: Probot's, whose own plugins repeat a request that
 * failed transiently, in place, instead of failing the whole job attempt (which BullMQ would only
 * retry after 30 s, 60 s, 120 s).
 *
 * - @octokit/plugin-retry repeats a request answered 5xx or whose connection dropped (Octokit
 *   reports that as status 500 without a response): three more times, after 1 s, 4 s and 9 s
 *   (`retry.retryAfterBaseValue` scales them; tests make them milliseconds). Not a POST, unless it
 *   says `request: { repeatable: true }` (minting a token, the GraphQL HEAD query, creating a label):
 *   ./repeatable.ts gives every other POST `retries: 0`, because a 502 may come after GitHub created
 *   the issue or the comment. Those are repeated by the issues gateway's write path
 *   (src/github/issues-gateway/write-path.ts), which looks for the marker first.
 * - @octokit/plugin-throttling keeps pacing requests (writes 1 s apart per installation: Probot
 *   gives each installation's client the throttle `id` of its installation, so one installation's
 *   writes never queue behind another's, test/github/octokit/pacing.test.ts; GraphQL queries, which
 *   the plugin paces as writes, and label edits go through ./lane-clients.ts; not the extra 3 s it puts between issue and comment creations: that pacing
 *   alone made an audit filing 82 issues take 246 s (BENCHMARKS.md, bench:org), and GitHub's
 *   content-creation limits, 80 a minute and 500 an hour per installation, are kept by the shared
 *   Redis budget, src/jobs/write-budget.ts) and waits out rate limits: a secondary limit's `retry-after` (60 s without one)
 *   and an exhausted primary limit's `x-ratelimit-reset`. It is the one place those headers are
 *   read. A rate-limited request was refused, not applied, so any request is repeated after the
 *   wait, a create included: a duplicate is born of a write applied and then answered with an
 *   error, never of a refusal. A wait longer than IN_PLACE_MAX_WAIT_SECONDS, or a fourth limit in a
 *   row, gives the request up: the job fails and its back-off takes over.
 * - 429 is the throttling plugin's alone: plugin-retry would repeat it on its own schedule, ignoring
 *   `retry-after`, and on top of the throttling plugin's repeats.
 */
import { ProbotOctokit, type Probot } from "probot";
import type { Logger } from "pino";
import { repeatablePostsOnly } from "./repeatable.js";

/** Longest wait for a rate limit inside a job; a longer one fails the attempt. */
export const IN_PLACE_MAX_WAIT_SECONDS = 120;
/** Rate limits waited out in a row for one request before it is given up. */
export const IN_PLACE_RATE_LIMIT_RETRIES = 3;

/** plugin-retry's statuses that are answers, 429 added (see above). */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

interface LimitedRequest {
  method?: string;
  url?: string;
}

/** The throttling plugin's `onRateLimit` / `onSecondaryRateLimit`: true to repeat after `retryAfter` seconds. */
export function waitOutRateLimit(kind: "primary" | "secondary") {
  return (retryAfter: number, options: LimitedRequest, octokit: { log: { warn(message: string): void } }, retryCount = 0): boolean => {
    const what = `${options.method ?? "GET"} ${options.url ?? ""}`;
    if (retryCount >= IN_PLACE_RATE_LIMIT_RETRIES || retryAfter > IN_PLACE_MAX_WAIT_SECONDS) {
      octokit.log.warn(`${kind} rate limit on ${what}: not waiting ${retryAfter} s in place (${retryCount} waits so far); the job retries later`);
      return false;
    }
    octokit.log.warn(`${kind} rate limit on ${what}: retrying in ${retryAfter} s`);
    return true;
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Octokit's options are untyped here
export const KeywardenOctokit = ProbotOctokit.plugin(repeatablePostsOnly as never).defaults((options: Record<string, any>) => ({
  ...options,
  retry: { doNotRetry: DO_NOT_RETRY, ...options.retry },
  throttle: {
    ...options.throttle,
    triggersNotification: () => false,
    onRateLimit: waitOutRateLimit("primary"),
    onSecondaryRateLimit: waitOutRateLimit("secondary"),
  },
}));

export type InstallationOctokit = InstanceType<typeof ProbotOctokit>;

/**
 * The installation's client for one job, writing through the job's logger: Octokit's own lines
 * (a rate limit waited out, a retry) then name the queue, job, installation and repository too.
 * Probot hands every client the process's root logger.
 */
export async function installationClient(probot: Probot, installationId: number, log: Logger): Promise<InstallationOctokit> {
  const octokit = await probot.auth(installationId);
  octokit.log = log;
  return octokit;
}

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
