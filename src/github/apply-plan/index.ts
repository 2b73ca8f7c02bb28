/**
 * Carry out an IssuePlan through the issues gateway's write path, action by action: one module per
 * action kind (./create.ts, ./update.ts, ./reopen.ts, ./close.ts), the colour of labels the creates
 * made after every action, or handed to the caller (./labels.ts: GitHub creates a missing label when
 * an issue names it, so no label request delays the first issue), the result in one recorder
 * (./result.ts).
 *
 * - Every action reserves its writes first (a create or an edit 1, a close or a reopen 2: a comment
 *   and an edit) from the budget the caller shares across repositories; what does not fit is
 *   reported as deferred and done by a later run, which plans it again.
 * - Repeats happen below: Octokit's for edits and labels and rate limits, the write path's
 *   look-before-repeating for creates (src/github/issues-gateway/write-path.ts).
 * - 410 (issues disabled) stops the work for this repository and is reported; a 403 or 429 still
 *   standing stops it too and defers the rest (forbidden, or rate limited even after waiting).
 */
import type { IssueAction, IssuePlan, LabelDefinition } from "../../issues/plan-issues.js";
import { redactSecrets, type GitHubClient, type RepoRef, type RequestFailure } from "../requester.js";
import { failureOf, WritePath, type CreateRetryPolicy, type WriteBudget, type WriteLogger } from "../issues-gateway/index.js";
import type { ActionContext } from "./action-context.js";
import { closeIssue } from "./close.js";
import { createIssue } from "./create.js";
import { styleCreatedLabels } from "./labels.js";
import { reopenIssue } from "./reopen.js";
import { ApplyRecorder, type ApplyResult } from "./result.js";
import { updateIssue } from "./update.js";

export type { AppliedIssue, ApplyError, ApplyResult } from "./result.js";

export type ApplyLogger = WriteLogger;

export interface ApplyOptions {
  octokit: GitHubClient;
  /**
   * Given the labels this run's creates named (GitHub made any missing one grey), colours them.
   * Default: here, after the plan's actions, through `octokit` (`colourCreatedLabels`). The scan
   * job queues them as a labels job instead (src/jobs/process-labels.ts): the edits are paced 1 s
   * apart, and a scan waiting for them would keep other repositories from being scanned.
   */
  styleLabels?: (labels: readonly LabelDefinition[]) => Promise<void>;
  repo: RepoRef;
  /** The app's bot login, `SLUG[bot]`: only its issues and comments are Keywarden's. */
  botLogin: string;
  budget: WriteBudget;
  /** Injected so tests need not wait out the back-off before looking for a create. */
  sleep?: (ms: number) => Promise<void>;
  retryPolicy?: Partial<CreateRetryPolicy>;
  logger?: ApplyLogger;
}

/** Writes an action needs: a comment and an edit to close or reopen, one write otherwise. */
export function writeCost(action: IssueAction): number {
  return action.kind === "create" || action.kind === "update" ? 1 : 2;
}

function runAction(ctx: ActionContext, action: IssueAction): Promise<void> {
  switch (action.kind) {
    case "create":
      return createIssue(ctx, action);
    case "update":
      return updateIssue(ctx, action);
    case "reopen":
      return reopenIssue(ctx, action);
    case "close":
      return closeIssue(ctx, action);
  }
}

/** Record a failed action; true when the rest of the plan must not be attempted. */
function recordFailure(record: ApplyRecorder, action: IssueAction, failure: RequestFailure, remaining: number, log: (msg: string) => void): boolean {
  if (failure.status === 410) {
    record.issuesDisabled(remaining);
    log("issues are disabled in this repository; skipped");
    return true;
  }
  record.error({
    action: action.kind,
    fingerprint: action.fingerprint,
    ...("issueNumber" in action ? { issueNumber: action.issueNumber } : {}),
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    message: redactSecrets(failure.message),
  });
  // Still rate limited after waiting, or forbidden (permission removed): the rest would fail the
  // same way. Leave it for a later run rather than spend requests on it.
  if (failure.status === 403 || failure.status === 429) {
    record.defer(remaining - 1);
    return true;
  }
  return false;
}

/** The plan's label definitions that an issue filed by this run named (only those can be new). */
function labelsOfCreated(plan: IssuePlan, result: ApplyResult): IssuePlan["labels"] {
  const created = new Set(result.created.map((c) => c.fingerprint));
  const named = new Set(plan.actions.flatMap((a) => (a.kind === "create" && created.has(a.fingerprint) ? a.labels : [])));
  return plan.labels.filter((l) => named.has(l.name));
}

export async function applyPlan(plan: IssuePlan, options: ApplyOptions): Promise<ApplyResult> {
  const { octokit: client, repo, botLogin: login, logger } = options;
  // `repository`, not `repo`: a job's logger already binds `repo`, and pino would write it twice.
  const where = { repository: `${repo.owner}/${repo.repo}` };
  const record = new ApplyRecorder(plan.deferred);
  const writes = new WritePath({ client, budget: options.budget, sleep: options.sleep, retry: options.retryPolicy, logger });
  const { actions } = plan;
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i]!;
    const remaining = actions.length - i;
    const reservation = await writes.reserve(writeCost(action));
    if (!reservation) {
      record.defer(remaining);
      logger?.info?.({ ...where, deferred: remaining }, "write budget spent; the rest waits for a later run");
      break;
    }
    let stop = false;
    try {
      await runAction({ client, repo, login, writes: reservation, record }, action);
    } catch (error) {
      stop = recordFailure(record, action, failureOf(error), remaining, (msg) => logger?.warn?.(where, msg));
    } finally {
      record.wrote(reservation.spent);
      await reservation.release();
    }
    if (stop) break;
  }
  const labels = labelsOfCreated(plan, record.snapshot());
  if (labels.length === 0) return record.snapshot();
  if (options.styleLabels) await options.styleLabels(labels);
  else await styleCreatedLabels(client, repo, labels, record, logger);
  return record.snapshot();
}

/** Colour the labels a run's creates named, on their own (the labels job); errors in the result. */
export async function colourCreatedLabels(options: Pick<ApplyOptions, "octokit" | "repo" | "logger">, labels: readonly LabelDefinition[]): Promise<ApplyResult> {
  const record = new ApplyRecorder(0);
  await styleCreatedLabels(options.octokit, options.repo, labels, record, options.logger);
  return record.snapshot();
}
