/**
 * A client of the same installation for read-only GraphQL queries (the audit's HEAD look-ups),
 * whose requests are not paced as writes.
 *
 * @octokit/plugin-throttling cannot tell a GraphQL query from a mutation: every `POST /graphql`
 * waits in its `write` limiter, 1 s apart per installation, so the 10 look-ups of a 1,000-repository
 * audit took 10 s (BENCHMARKS.md). The plugin has no per-request option; its limiter groups are per
 * client (`throttle.write`), so this client gets a `write` group that lets every request through at
 * once. Everything else stays: the same Octokit class (retries, rate-limit waits, metrics), the
 * same throttle `id` (the installation's), so its requests still share the installation's
 * concurrency limit, and the installation's token. Only queries may be sent through it; the caller
 * bounds how many run at once.
 */
import type { InstallationOctokit } from "./keywarden-octokit.js";

type Task = (...args: unknown[]) => Promise<unknown>;

/** Stands in for a Bottleneck group: `key(id).schedule(options, task, ...args)` runs the task now. */
const UNPACED = {
  key: () => ({ schedule: (_options: unknown, task: Task, ...args: unknown[]) => Promise.resolve().then(() => task(...args)) }),
};

export async function readOnlyGraphqlClient(octokit: InstallationOctokit, installationId: number): Promise<InstallationOctokit["graphql"]> {
  // The installation's token as the client already holds it (cached for its hour: no request).
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  const Octokit = octokit.constructor as new (options: Record<string, unknown>) => InstallationOctokit;
  const reader = new Octokit({ auth: { token }, log: octokit.log, throttle: { id: String(installationId), write: UNPACED } });
  return reader.graphql;
}
