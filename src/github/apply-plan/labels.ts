/**
 * The labels of a plan's creates, given their colour and description after the issues are filed.
 *
 * Nothing is asked of labels before the first create: GitHub creates a missing label when an issue
 * names it (grey, `ededed`, no description), so a label request before the create would only delay
 * the issue (each write is paced 1 s apart; three labels were 3 s of every push's latency).
 *
 * Afterwards, off the latency path, one GET per label the applied creates named tells whether the
 * label is still as GitHub made it; only such a label is given Keywarden's colour and description
 * (one PATCH). Checking the label itself rather than remembering "set up once per installation"
 * needs no state, survives a person deleting the label (the next create recreates it grey and this
 * colours it again), and costs only reads on every later run: a label whose colour or description
 * someone chose is never touched, and nothing is recreated per scan. A grey label without a
 * description that a person made is indistinguishable from GitHub's, and is coloured like one.
 *
 * The edits draw nothing from the content-creation budget (80 a minute, 500 an hour): GitHub limits
 * content creation (issues, comments) that way, and an edited label creates none. Counted, the 123
 * edits of a 1,000-repository first audit took 123 of the minute windows' 80 places from its 82
 * issues and held the audit to 80 writes a minute (bench:org, BENCHMARKS.md); with 200 repositories
 * with findings the hour's 500 would go to 600 label edits before the issues. They stay paced like
 * every mutation, 1 s apart in their own queue (src/github/octokit/lane-clients.ts), and a secondary
 * limit GitHub answers anyway is waited out by Keywarden's Octokit.
 */
import type { LabelDefinition } from "../../issues/plan-issues.js";
import { describeFailure, type GitHubClient, type RepoRef } from "../requester.js";
import { failureOf, WritePath, type WriteBudget, type WriteLogger } from "../issues-gateway/index.js";
import { where } from "./action-context.js";
import type { ApplyRecorder } from "./result.js";

/** The colour GitHub gives a label it creates because an issue named it. */
export const GITHUB_DEFAULT_LABEL_COLOR = "ededed";

interface LabelReply {
  color?: string;
  description?: string | null;
}

/** A label exactly as GitHub creates it for an issue: default colour, no description. */
export function isAsGitHubMadeIt(label: LabelReply): boolean {
  return (label.color ?? "").toLowerCase() === GITHUB_DEFAULT_LABEL_COLOR && !label.description;
}

/** Not content creation: every reservation is granted (see above). */
const UNMETERED: WriteBudget = { reserve: (wanted) => wanted };

export async function styleCreatedLabels(client: GitHubClient, repo: RepoRef, labels: readonly LabelDefinition[], record: ApplyRecorder, logger?: WriteLogger): Promise<void> {
  const writes = new WritePath({ client, budget: UNMETERED, logger });
  for (const label of labels) {
    let current: LabelReply;
    try {
      ({ data: current } = (await client.request("GET /repos/{owner}/{repo}/labels/{name}", { ...where(repo), name: label.name })) as { data: LabelReply });
    } catch (error) {
      const failure = describeFailure(error);
      // 404: the create that named it did not happen after all (deferred, failed); nothing to style.
      if (failure.status !== 404) record.error({ action: "label", label: label.name, status: failure.status, message: failure.message });
      continue;
    }
    if (!isAsGitHubMadeIt(current)) continue;
    const reservation = (await writes.reserve(1))!;
    try {
      await reservation.send("PATCH /repos/{owner}/{repo}/labels/{name}", { ...where(repo), name: label.name, color: label.color, description: label.description });
    } catch (error) {
      const failure = failureOf(error);
      record.error({ action: "label", label: label.name, status: failure.status, message: failure.message });
    } finally {
      record.wrote(reservation.spent);
      await reservation.release();
    }
  }
}
