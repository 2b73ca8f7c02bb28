/**
 * Clients of the same installation whose requests do not wait in its write queue: the audit's
 * read-only GraphQL queries (no pacing at all) and the label edits of the labels job (their own
 * queue, 1 s apart; src/jobs/process-labels.ts).
 *
 * @octokit/plugin-throttling puts every write and every GraphQL request (it cannot tell a query
 * from a mutation) in one `write` limiter per throttle id, 1 s apart. So the 10 HEAD look-ups of a
 * 1,000-repository audit took 10 s, and the three label edits of each repository with new findings
 * would have queued between the issue creations of every other repository: 123 label edits next
 * to 82 issues at 1,000 repositories, a 205 s write floor instead of 82 s (BENCHMARKS.md). The
 * plugin has no per-request option; its limiter groups are per client (`throttle.write`), so these
 * clients get their own `write` group. Everything else stays: the same Octokit class (retries,
 * rate-limit waits, metrics), the same throttle `id` (the installation's: they still share its
 * concurrency limit), the installation's token, and Keywarden's Redis write budget, which every
 * label edit still reserves from.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { InstallationOctokit } from "./keywarden-octokit.js";

type Task = (...args: unknown[]) => Promise<unknown>;

/** What the throttling plugin asks of a Bottleneck group: `key(id).schedule(options, task, ...args)`. */
interface LimiterGroup {
  key(id: string): { schedule(options: unknown, task: Task, ...args: unknown[]): Promise<unknown> };
}

/** Lets every request through at once. */
const UNPACED: LimiterGroup = {
  key: () => ({ schedule: (_options, task, ...args) => Promise.resolve().then(() => task(...args)) }),
};

/** Starts requests of one key at least `minTimeMs` apart, in the order they were scheduled. */
export function spacedGroup(minTimeMs: number): LimiterGroup {
  const nextStart = new Map<string, number>();
  return {
    key: (id) => ({
      async schedule(_options, task, ...args) {
        const now = Date.now();
        const at = Math.max(now, nextStart.get(id) ?? 0);
        nextStart.set(id, at + minTimeMs);
        if (at > now) await sleep(at - now);
        return task(...args);
      },
    }),
  };
}

/** Label edits of every installation client of the process, 1 s apart per installation. */
const LABEL_EDITS = spacedGroup(1000);

async function laneClient(octokit: InstallationOctokit, installationId: number, write: LimiterGroup): Promise<InstallationOctokit> {
  // The installation's token as the client already holds it (cached for its hour: no request).
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  const Octokit = octokit.constructor as new (options: Record<string, unknown>) => InstallationOctokit;
  return new Octokit({ auth: { token }, log: octokit.log, throttle: { id: String(installationId), write } });
}

/** For queries only (the caller bounds how many run at once). */
export async function readOnlyGraphqlClient(octokit: InstallationOctokit, installationId: number): Promise<InstallationOctokit["graphql"]> {
  return (await laneClient(octokit, installationId, UNPACED)).graphql;
}

/** For label edits only (src/jobs/process-labels.ts). */
export function labelEditClient(octokit: InstallationOctokit, installationId: number): Promise<InstallationOctokit> {
  return laneClient(octokit, installationId, LABEL_EDITS);
}
