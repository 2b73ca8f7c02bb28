/**
 * The `Keywarden` check run on a commit: created `in_progress` when a scan starts and completed
 * when it ends (`startCheckRun` then `completeCheckRun`), or created completed in one go
 * (`publishCheckRun`). Annotations go 50 a request, the first batch with the completing write and
 * the rest in PATCHes that append (each repeating title and summary: GitHub requires both in every
 * `output`).
 *
 * Creating a check run is a POST that GitHub may apply before its reply is lost, so it is never
 * repeated blindly: it carries a fresh `external_id`, and after a 5xx or a dropped connection the
 * commit's check runs are looked up by it before the POST is sent once more. A PATCH is not
 * repeated blindly either: its annotations append, so a repeat after a lost reply would list them
 * twice. After a failure in flight the run's `annotations_count` tells whether GitHub applied it,
 * and only when it did not is it sent once more.
 *
 * An installation that has not accepted `checks: write` answers the first write with 403 "Resource
 * not accessible by integration": that is reported as `{ published: false }` after one warning
 * saying how to fix it, so the scan's issues are still filed. Any other failure throws a
 * `CheckRunFailed` naming the repository, without the request (its headers carry the token).
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { CheckAnnotation, CheckRunOutput } from "../../domain/check-run.js";
import type { InstallationOctokit as Octokit } from "../octokit/keywarden-octokit.js";
import { describeFailure, type RequestFailure } from "../requester.js";
import { annotationBatches } from "./batches.js";
import { isMissingPermission } from "./missing-permission.js";

export const CHECK_RUN_NAME = "Keywarden";

export type CheckPublish = { published: true; id: number } | { published: false; reason: "missing-permission" };

/** A check-run write GitHub did not accept, with what it said. */
export class CheckRunFailed extends Error {
  readonly status: number | undefined;
  constructor(what: string, failure: RequestFailure) {
    super(`${what}: ${failure.status ?? "no reply"} ${failure.message}`);
    this.name = "CheckRunFailed";
    this.status = failure.status;
  }
}

interface CommitTarget {
  owner: string;
  repo: string;
  headSha: string;
}

function warnMissingPermission(log: Logger, target: { owner: string; repo: string }): void {
  log.warn(
    { repository: `${target.owner}/${target.repo}` },
    `no Keywarden check run on ${target.owner}/${target.repo}: the installation has not been granted "checks: write". ` +
      "An organization owner accepts the app's new permissions in the installation's settings (organization Settings → GitHub Apps → the app → Review request); until then no check runs are published, and issues still are.",
  );
}

/** The repeatable part of an `output`: GitHub wants title and summary in every one. */
function outputOf(output: CheckRunOutput, annotations: CheckAnnotation[]): Record<string, unknown> {
  return { title: output.title, summary: output.summary, ...(output.text !== undefined ? { text: output.text } : {}), annotations };
}

/** No reply, or a 5xx: GitHub may have created the run. */
function mayHaveApplied(failure: RequestFailure): boolean {
  return !failure.hasResponse || failure.status === undefined || failure.status >= 500;
}

/** The run this process created with `externalId` on the commit, if GitHub applied the POST after all. */
async function findCreated(octokit: Octokit, target: CommitTarget, externalId: string): Promise<number | undefined> {
  const runs = await octokit.paginate("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    owner: target.owner,
    repo: target.repo,
    ref: target.headSha,
    check_name: CHECK_RUN_NAME,
    filter: "all",
    per_page: 100,
  });
  return runs.find((run) => run.external_id === externalId)?.id;
}

/**
 * POST a check run; once more after a failure in flight when it is not there. Undefined: the
 * installation lacks `checks: write` (already logged).
 */
async function createRun(octokit: Octokit, target: CommitTarget, body: Record<string, unknown>, log: Logger): Promise<number | undefined> {
  const externalId = randomUUID();
  const send = () =>
    octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: target.owner,
      repo: target.repo,
      name: CHECK_RUN_NAME,
      head_sha: target.headSha,
      external_id: externalId,
      ...body,
    } as never);
  const what = `could not create the Keywarden check run on ${target.owner}/${target.repo}@${target.headSha.slice(0, 12)}`;
  for (let attempt = 1; ; attempt++) {
    try {
      const { data } = await send();
      return (data as { id: number }).id;
    } catch (error) {
      if (isMissingPermission(error)) {
        warnMissingPermission(log, target);
        return undefined;
      }
      const failure = describeFailure(error);
      if (attempt > 1 || !mayHaveApplied(failure)) throw new CheckRunFailed(what, failure);
      let found: number | undefined;
      try {
        found = await findCreated(octokit, target, externalId);
      } catch (lookup) {
        throw new CheckRunFailed(`${what} (and could not look for it after a failure in flight)`, describeFailure(lookup));
      }
      if (found !== undefined) return found;
      log.warn({ repository: `${target.owner}/${target.repo}`, status: failure.status }, "creating the Keywarden check run failed in flight and it is not there: sending it once more");
    }
  }
}

type RunTarget = { owner: string; repo: string; id: number };

/** The run's stored annotation count (GitHub's `output.annotations_count`). */
async function annotationsCount(octokit: Octokit, target: RunTarget): Promise<number> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: target.owner, repo: target.repo, check_run_id: target.id });
  return data.output.annotations_count;
}

/**
 * PATCH run `target.id` with `body`, which appends `adding` annotations to the `stored` ones. Not
 * repeated in place (`retries: 0`); after a failure in flight, sent once more only if the count
 * shows GitHub did not apply it. Resolves the count after the write.
 */
async function patchRun(octokit: Octokit, target: RunTarget, body: Record<string, unknown>, stored: number, adding: number, log: Logger): Promise<number> {
  const what = `could not update Keywarden check run ${target.id} on ${target.owner}/${target.repo}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        owner: target.owner,
        repo: target.repo,
        check_run_id: target.id,
        ...body,
        request: { retries: 0 },
      } as never);
      return stored + adding;
    } catch (error) {
      const failure = describeFailure(error);
      if (attempt > 1 || !mayHaveApplied(failure)) throw new CheckRunFailed(what, failure);
      let count: number;
      try {
        count = await annotationsCount(octokit, target);
      } catch (lookup) {
        throw new CheckRunFailed(`${what} (and could not read it back after a failure in flight)`, describeFailure(lookup));
      }
      // Applied after all: a batch without annotations is idempotent, so sending it again is harmless.
      if (adding > 0 && count >= stored + adding) return count;
      log.warn({ repository: `${target.owner}/${target.repo}`, checkRunId: target.id, status: failure.status }, "updating the Keywarden check run failed in flight and was not applied: sending it once more");
    }
  }
}

/** Append every batch after the first, one PATCH each, after `stored` annotations. */
async function appendRest(octokit: Octokit, target: RunTarget, output: CheckRunOutput, rest: CheckAnnotation[][], stored: number, log: Logger): Promise<void> {
  let count = stored;
  for (const batch of rest) count = await patchRun(octokit, target, { output: outputOf(output, batch) }, count, batch.length, log);
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Create the run `in_progress` on `headSha` as a scan starts. */
export async function startCheckRun(octokit: Octokit, target: CommitTarget, log: Logger): Promise<CheckPublish> {
  const id = await createRun(octokit, target, { status: "in_progress", started_at: now() }, log);
  return id === undefined ? { published: false, reason: "missing-permission" } : { published: true, id };
}

/** Complete run `id` with `output`: conclusion and the first 50 annotations, then 50 per PATCH. */
export async function completeCheckRun(octokit: Octokit, target: { owner: string; repo: string; id: number }, output: CheckRunOutput, log: Logger): Promise<void> {
  const [first, ...rest] = annotationBatches(output.annotations);
  // A run started by startCheckRun has no annotations yet.
  const stored = await patchRun(octokit, target, { status: "completed", conclusion: output.conclusion, completed_at: now(), output: outputOf(output, first!) }, 0, first!.length, log);
  await appendRest(octokit, target, output, rest, stored, log);
  log.debug({ repository: `${target.owner}/${target.repo}`, checkRunId: target.id, annotations: output.annotations.length }, "Keywarden check run completed");
}

/** Create the run already completed (no in-progress phase), then append the annotations past 50. */
export async function publishCheckRun(octokit: Octokit, target: CommitTarget, output: CheckRunOutput, log: Logger): Promise<CheckPublish> {
  const [first, ...rest] = annotationBatches(output.annotations);
  const stamp = now();
  const id = await createRun(
    octokit,
    target,
    { status: "completed", conclusion: output.conclusion, started_at: stamp, completed_at: stamp, output: outputOf(output, first!) },
    log,
  );
  if (id === undefined) return { published: false, reason: "missing-permission" };
  await appendRest(octokit, { owner: target.owner, repo: target.repo, id }, output, rest, first!.length, log);
  return { published: true, id };
}
