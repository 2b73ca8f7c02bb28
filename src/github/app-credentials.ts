/**
 * Whether the GitHub App's credentials work: `GET /app` authenticated with the app's JWT (APP_ID and
 * PRIVATE_KEY), for the readiness endpoint. One attempt, bounded in time: a readiness probe must
 * answer quickly, and plugin-retry's in-place repeats are for jobs.
 */
import type { Probot } from "probot";
import { redactSecrets } from "./requester.js";

export async function checkAppCredentials(probot: Probot, timeoutMs: number): Promise<void> {
  try {
    const app = await probot.auth();
    await app.request("GET /app", { request: { signal: AbortSignal.timeout(timeoutMs), retries: 0 } });
  } catch (error) {
    const e = error as { status?: number; name?: string; message?: string };
    const message = e.name === "TimeoutError" || e.name === "AbortError" ? `no answer from GitHub within ${timeoutMs} ms` : (e.message ?? String(error));
    // eslint-disable-next-line preserve-caught-error -- the original error carries the request, and its headers the JWT
    throw new Error(redactSecrets(`GET /app${e.status ? ` answered ${e.status}` : " failed"}: ${message}`).slice(0, 300));
  }
}
