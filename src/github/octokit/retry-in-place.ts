/**
 * An Octokit plugin that repeats a request GitHub failed transiently, inside the job, instead of
 * failing the whole job attempt (which BullMQ would only retry after 30 s, 60 s, 120 s). The
 * decision is the one pure policy every GitHub write already uses (../write-retry-policy.ts): 5xx
 * and dropped connections back off exponentially, `retry-after` and `x-ratelimit-reset` are waited
 * out, anything else is an answer.
 *
 * Only requests whose repetition is harmless are repeated here: every method but POST, and a POST
 * that says so with `request: { repeatable: true }` (minting a token, a GraphQL query). A create
 * (issue, comment) is never repeated blindly: apply-plan looks for its marker first.
 *
 * Defaults are overridable per client (`new Octokit({ retryInPlace })`) and per request
 * (`request: { retryInPlace }`), as @octokit/plugin-retry does.
 */
import { describeFailure } from "../requester.js";
import { decideWriteRetry, DEFAULT_RETRY_POLICY, type RetryPolicyOptions } from "../write-retry-policy.js";

/** In place, a wait longer than this gives the attempt up: BullMQ's back-off takes over. */
export const IN_PLACE_POLICY: RetryPolicyOptions = { ...DEFAULT_RETRY_POLICY, maxWaitMs: 2 * 60_000 };

interface RequestOptions {
  method?: string;
  url?: string;
  request?: { repeatable?: boolean; retryInPlace?: Partial<RetryPolicyOptions> | false };
}

interface HookedOctokit {
  hook: { wrap(name: "request", wrapper: (request: (o: RequestOptions) => Promise<unknown>, o: RequestOptions) => Promise<unknown>): void };
  log: { warn(message: string): void };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function isRepeatable(options: RequestOptions): boolean {
  return (options.method ?? "GET").toUpperCase() !== "POST" || options.request?.repeatable === true;
}

export function retryInPlace(octokit: HookedOctokit, clientOptions: { retryInPlace?: Partial<RetryPolicyOptions> | false }): void {
  octokit.hook.wrap("request", async (request, options) => {
    const perRequest = options.request?.retryInPlace;
    if (clientOptions.retryInPlace === false || perRequest === false || !isRepeatable(options)) return request(options);
    const policy = { ...IN_PLACE_POLICY, ...clientOptions.retryInPlace, ...perRequest };
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(options);
      } catch (error) {
        const failure = describeFailure(error);
        const decision = decideWriteRetry(failure, "idempotent", attempt, Date.now(), policy);
        if (!decision.retry) throw error;
        // The route template, never the expanded URL's query (no secrets there, but keep lines short).
        octokit.log.warn(
          `${options.method ?? "GET"} ${options.url ?? ""} answered ${failure.status ?? "no response"} (${failure.message}); retry ${attempt} in ${decision.waitMs} ms`,
        );
        await sleep(decision.waitMs);
      }
    }
  });
}
