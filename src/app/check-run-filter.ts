/**
 * Decide what a `check_run` event asks of Keywarden. Pure: the webhook handler only enqueues what
 * this says. Only the "Re-run" button counts (`rerequested`), and only on Keywarden's own check run:
 * GitHub sends every app subscribed to `check_run` the events of other apps' runs too, so the run's
 * name and its app's id must both be Keywarden's.
 *
 * A run on a pull request's head lists that pull request: its check job re-reads the PR and checks
 * its current head. A push check run lists none and belongs to the default branch: a scan publishes
 * it again. GitHub lists no pull request for a fork's pull request either; finding it from the head
 * SHA is not done here, so the user is told to push to it or reopen it.
 */
import { CHECK_RUN_NAME } from "../github/checks/publish.js";

export interface CheckRunPayloadLike {
  action: string;
  check_run: {
    name: string;
    head_sha: string;
    app?: { id: number } | null;
    pull_requests: { number: number; base?: { repo?: { id: number } } }[];
    check_suite?: { head_branch?: string | null } | null;
  };
  repository: { id: number; default_branch?: string; archived?: boolean };
}

export type CheckRunDecision =
  | { rerun: "pull_request"; pullNumbers: number[] }
  | { rerun: "push" }
  /** `tell`: a user asked for this re-run and should learn why nothing happens (logged at info). */
  | { rerun: false; reason: string; tell?: boolean };

export function decideCheckRun(payload: CheckRunPayloadLike, appId: number): CheckRunDecision {
  const run = payload.check_run;
  if (payload.action !== "rerequested") return { rerun: false, reason: `action ${payload.action} asks for no re-run` };
  if (run.name !== CHECK_RUN_NAME || run.app?.id !== appId) return { rerun: false, reason: "another app's check run" };
  if (payload.repository.archived) return { rerun: false, reason: "repository archived" };
  // GitHub lists the pull requests whose head is the run's commit; only this repository's are ours to check.
  const pullNumbers = run.pull_requests.filter((p) => p.base?.repo?.id === undefined || p.base.repo.id === payload.repository.id).map((p) => p.number);
  if (pullNumbers.length > 0) return { rerun: "pull_request", pullNumbers: [...new Set(pullNumbers)].sort((a, b) => a - b) };
  const branch = run.check_suite?.head_branch;
  if (branch && branch === payload.repository.default_branch) return { rerun: "push" };
  return {
    rerun: false,
    tell: true,
    reason: "GitHub lists no pull request for this check run (a fork's pull request): push a commit to the pull request or close and reopen it to check it again",
  };
}
