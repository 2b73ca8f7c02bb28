/**
 * The pure decisions of a pull request's check job, apart from its I/O (./process-pull-request.ts):
 * whether the pull request needs a scan at all, what a check run says when it does not or when the
 * head moved under the scan, and whether a check run already started can be completed.
 */
import type { CheckRunOutput } from "../domain/check-run.js";
import { isTerraformPath } from "../domain/terraform-files.js";

export interface ListedFile {
  filename: string;
  previous_filename?: string;
}

export type CheckPlan = { kind: "skip"; reason: string } | { kind: "no-terraform" } | { kind: "scan" };

/**
 * A closed pull request is skipped (nothing merges from it), as is one into a repository archived
 * since the webhook (archived repositories are not scanned). One whose listed files hold no
 * Terraform (a rename counts by its old name too: moving a file changes what a module loads) gets a
 * `success` without a clone — but only when GitHub listed every file: past its 3,000-file cap the
 * unlisted ones may be Terraform, and the head is scanned whole.
 */
export function planCheck(pr: { state: string; base?: { repo?: { archived?: boolean } } }, files: readonly ListedFile[], complete: boolean): CheckPlan {
  if (pr.state !== "open") return { kind: "skip", reason: `pull request ${pr.state}` };
  if (pr.base?.repo?.archived) return { kind: "skip", reason: "repository archived" };
  const touchesTerraform = files.some((f) => isTerraformPath(f.filename) || (f.previous_filename !== undefined && isTerraformPath(f.previous_filename)));
  if (complete && !touchesTerraform) return { kind: "no-terraform" };
  return { kind: "scan" };
}

/** A required check must still report on a pull request that changes no Terraform. */
export function noTerraformOutput(fileCount: number): CheckRunOutput {
  return {
    conclusion: "success",
    title: "No Terraform files changed",
    summary: `This pull request changes ${fileCount} ${fileCount === 1 ? "file" : "files"}, none of them Terraform (\`*.tf\`, \`*.tf.json\`, \`*.tfvars\`, \`*.tfvars.json\`): nothing for Keywarden to scan.`,
    annotations: [],
  };
}

/**
 * The run was started on `startedOn`, the clone fetched `scanned` (the pull request moved in
 * between). A check run belongs to one commit: it is concluded `neutral`, and the job queued by the
 * push that moved the head checks the new one.
 */
export function supersededOutput(startedOn: string, scanned: string): CheckRunOutput {
  return {
    conclusion: "neutral",
    title: "Superseded by a newer commit",
    summary: `The pull request moved to \`${scanned.slice(0, 12)}\` while \`${startedOn.slice(0, 12)}\` was being checked; the newer commit gets its own Keywarden check run.`,
    annotations: [],
  };
}

/**
 * The last attempt failed: the run must not stay `in_progress` forever, and must not pass a required
 * check on a commit nobody scanned. `reason` is already redacted.
 */
export function failedOutput(reason: string): CheckRunOutput {
  const oneLine = reason.replace(/\s+/g, " ").slice(0, 1000);
  return {
    conclusion: "failure",
    title: "Keywarden could not scan this commit",
    // An indented code block: shown literally (no mention pings, no markup), and one line cannot leave it.
    summary: `The scan failed after every retry:\n\n    ${oneLine.replace(/`/g, "'")}\n\nPush a new commit (or close and reopen the pull request) to check it again; if it keeps failing, the Keywarden operator finds the job in the dashboard's \`check\` queue.`,
    annotations: [],
  };
}
