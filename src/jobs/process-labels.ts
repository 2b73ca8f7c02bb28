/**
 * A labels job: colour the labels a scan's new issues named in one repository, where GitHub made
 * them grey (src/github/apply-plan/labels.ts decides which). Its own job rather than the scan's last
 * step because the edits are paced 1 s apart per installation (src/github/octokit/lane-clients.ts):
 * at 1,000 repositories 41 scans waited on 123 edits, held the scan jobs, and the clones of the other
 * repositories ended at 125 s against a fetch floor of 47 s (BENCHMARKS.md). Idempotent: a label
 * already coloured (by this job's first attempt, or by a person) is left as it is.
 */
import type { Job } from "bullmq";
import { colourCreatedLabels } from "../github/apply-plan/index.js";
import { installationClient } from "../github/octokit/keywarden-octokit.js";
import { labelEditClient } from "../github/octokit/lane-clients.js";
import type { LabelsJobData } from "./queues.js";
import type { WorkerDeps } from "./worker-deps.js";

export async function processLabels(job: Job<LabelsJobData>, deps: WorkerDeps): Promise<{ writes: number }> {
  const { installationId, owner, repo, labels } = job.data;
  const log = deps.log.child({ installation: installationId, repo: `${owner}/${repo}` });
  const octokit = await labelEditClient(await installationClient(deps.probot, installationId, log), installationId);
  const result = await colourCreatedLabels({ octokit, repo: { owner, repo }, logger: log }, labels);
  // A failed edit fails the job, so BullMQ tries it again; the ones done are not redone.
  if (result.errors.length > 0) throw new Error(`${result.errors.length} label edit(s) failed in ${owner}/${repo}: ${result.errors[0]!.message}`);
  log.info({ labels: labels.map((l) => l.name), writes: result.writes }, "labels coloured");
  return { writes: result.writes };
}
