/**
 * Which requests plugin-retry may repeat: every method but POST, and a POST that says so with
 * `request: { repeatable: true }`. Every other POST gets `request.retries = 0`: a POST creates
 * something (an issue, a comment) that GitHub may have created before the 502 or the dropped
 * connection reached us, so only the issues gateway repeats it, after looking for it.
 *
 * A `hook.before` added after Probot's plugins runs before plugin-retry's hooks, on the same
 * options object plugin-retry reads `retries` from when the request fails.
 */

interface RequestOptions {
  method?: string;
  request?: { repeatable?: boolean; retries?: number };
}

interface HookedOctokit {
  hook: { before(name: "request", hook: (options: RequestOptions) => void): void };
}

export function isRepeatable(options: RequestOptions): boolean {
  return (options.method ?? "GET").toUpperCase() !== "POST" || options.request?.repeatable === true;
}

export function repeatablePostsOnly(octokit: HookedOctokit): void {
  octokit.hook.before("request", (options) => {
    if (!isRepeatable(options)) options.request = { ...options.request, retries: 0 };
  });
}
