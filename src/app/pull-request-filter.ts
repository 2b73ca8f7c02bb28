/**
 * Decide whether a `pull_request` event warrants a check. Pure: the webhook handler only enqueues
 * what this says yes to. Only a new or moved head needs a check run (opened, synchronize: a push to
 * the PR, reopened: its head may have moved while it was closed); labels, reviews, edits and
 * closing change no code. A pull request into an archived repository is ignored as archived
 * repositories are by the scans. Whether the PR touches Terraform is left to the job: the event
 * does not list the files, and a required check must report even when it does not.
 */
export interface PullRequestPayloadLike {
  action: string;
  number: number;
  pull_request: { state?: string; head: { sha: string } };
  repository: { archived?: boolean };
}

export type PullRequestDecision = { check: true } | { check: false; reason: string };

const CHECKED_ACTIONS: ReadonlySet<string> = new Set(["opened", "synchronize", "reopened"]);

export function decidePullRequest(payload: PullRequestPayloadLike): PullRequestDecision {
  if (!CHECKED_ACTIONS.has(payload.action)) return { check: false, reason: `action ${payload.action} changes no code` };
  if (payload.repository.archived) return { check: false, reason: "repository archived" };
  // A synchronize delivered late, after the PR was closed: nothing to report on any more.
  if (payload.pull_request.state === "closed") return { check: false, reason: "pull request closed" };
  return { check: true };
}
