/**
 * Carry out an IssuePlan through the GitHub API. This module owns write retries (the Octokit it is
 * given retries nothing by itself, see src/app/octokit.ts): the decision is the pure
 * ./write-retry-policy.ts, the waiting and the looking-before-repeating live here.
 *
 * - A create (issue or comment) that failed in flight is only repeated after looking for it: GitHub
 *   may have applied it before the 502 or the dropped connection. Issues are found by their
 *   fingerprint marker, comments by a hidden marker derived from their text.
 * - Every action reserves its content writes from a `WriteBudget` the caller shares across
 *   repositories (GitHub: 80 a minute, 500 an hour per installation); what does not fit is reported
 *   as deferred and done by a later run, which plans it again.
 * - 410 (issues disabled) stops the work for this repository and is reported.
 * - Errors carry status and GitHub's message, scrubbed of anything credential-shaped; never the
 *   request (its headers hold the token).
 */
import { createHash } from "node:crypto";
import type { IssueAction, IssuePlan, LabelDefinition } from "../issues/plan-issues.js";
import { findRecentAppIssue } from "./list-issues.js";
import { describeFailure, redactSecrets, type GitHubRequester, type RepoRef, type RequestFailure } from "./requester.js";
import { decideWriteRetry, DEFAULT_RETRY_POLICY, type RetryPolicyOptions, type WriteKind } from "./write-retry-policy.js";

/** Content writes shared by every repository of an installation (e.g. src/jobs/write-budget.ts). */
export interface WriteBudget {
  /** Reserve up to `wanted` writes; resolves to how many were granted (0 to `wanted`). */
  reserve(wanted: number): Promise<number> | number;
  /** Give back writes reserved but not spent. */
  refund?(unused: number): Promise<void> | void;
}

/** An in-process budget, for one run or the CLI. */
export function createLocalWriteBudget(limit: number): WriteBudget & { readonly remaining: number } {
  let remaining = Math.max(0, limit);
  return {
    get remaining() {
      return remaining;
    },
    reserve(wanted: number) {
      const granted = Math.max(0, Math.min(wanted, remaining));
      remaining -= granted;
      return granted;
    },
    refund(unused: number) {
      remaining += Math.max(0, unused);
    },
  };
}

/**
 * Adapt an installation-wide budget such as src/jobs/write-budget.ts (`reserve(installationId, n)`,
 * `refund(installationId, n)`) to the per-run shape applyPlan takes.
 */
export function forInstallation(
  shared: { reserve(installationId: number, wanted: number): Promise<number>; refund(installationId: number, unused: number): Promise<void> },
  installationId: number,
): WriteBudget {
  return {
    reserve: (wanted) => shared.reserve(installationId, wanted),
    refund: (unused) => shared.refund(installationId, unused),
  };
}

export interface ApplyLogger {
  info?(obj: Record<string, unknown>, msg: string): void;
  warn?(obj: Record<string, unknown>, msg: string): void;
}

export interface ApplyOptions {
  octokit: GitHubRequester;
  repo: RepoRef;
  /** The GitHub App's slug: its issues are those of `${appSlug}[bot]`. */
  appSlug: string;
  budget: WriteBudget;
  /** Injected so tests need not wait out a minute-long back-off. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  retryPolicy?: Partial<RetryPolicyOptions>;
  logger?: ApplyLogger;
}

export interface AppliedIssue {
  fingerprint: string;
  number: number;
}

export interface ApplyError {
  action: IssueAction["kind"] | "label";
  fingerprint?: string;
  issueNumber?: number;
  label?: string;
  status?: number;
  message: string;
}

export interface ApplyResult {
  created: AppliedIssue[];
  updated: AppliedIssue[];
  closed: AppliedIssue[];
  reopened: AppliedIssue[];
  commented: number;
  /** Actions left for a later run: the plan's own cap plus what the write budget did not cover. */
  deferred: number;
  /** Actions not attempted because issues are disabled in the repository. */
  skipped: number;
  issuesDisabled: boolean;
  /** Content writes GitHub accepted (label creations included). */
  writes: number;
  /** Writes that failed: the run is incomplete and worth retrying. */
  errors: ApplyError[];
  /** Writes that succeeded without all they asked for (an assignee GitHub refused): a retry would not help. */
  warnings: ApplyError[];
}

class WriteFailed extends Error {
  constructor(readonly failure: RequestFailure) {
    super(failure.message);
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Hidden marker that lets a repeated comment be recognised (same issue, same text). */
export function commentMarker(issueNumber: number, text: string): string {
  const digest = createHash("sha256").update(`${issueNumber}\n${text}`).digest("hex").slice(0, 16);
  return `<!-- keywarden:comment=${digest} -->`;
}

function writeCost(action: IssueAction): number {
  return action.kind === "create" || action.kind === "update" ? 1 : 2;
}

export async function applyPlan(plan: IssuePlan, options: ApplyOptions): Promise<ApplyResult> {
  const { octokit, repo, budget, appSlug, logger } = options;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy };
  const result: ApplyResult = {
    created: [],
    updated: [],
    closed: [],
    reopened: [],
    commented: 0,
    deferred: plan.deferred,
    skipped: 0,
    issuesDisabled: false,
    writes: 0,
    errors: [],
    warnings: [],
  };
  const where = { owner: repo.owner, repo: repo.repo };

  /** Send a write; retry per the policy; for creates, look for the effect before repeating. */
  async function write<T>(kind: WriteKind, send: () => Promise<T>, verify?: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const value = await send();
        result.writes++;
        return value;
      } catch (error) {
        const failure = describeFailure(error);
        const decision = decideWriteRetry(failure, kind, attempt, now(), policy);
        if (!decision.retry) throw new WriteFailed(failure);
        logger?.warn?.({ ...where, status: failure.status, attempt, waitMs: decision.waitMs }, "GitHub write failed; retrying");
        await sleep(decision.waitMs);
        if (decision.verifyFirst && verify) {
          let found: T | undefined;
          try {
            found = await verify();
          } catch (verifyError) {
            // Unknown whether the first attempt landed: repeating could duplicate, so give up here;
            // the next run lists the issues again and decides with certainty.
            const v = describeFailure(verifyError);
            throw new WriteFailed({ ...failure, message: `${failure.message}; could not check whether GitHub applied it: ${v.message}` });
          }
          if (found !== undefined) {
            result.writes++;
            return found;
          }
        }
      }
    }
  }

  async function postComment(issueNumber: number, text: string): Promise<void> {
    const marker = commentMarker(issueNumber, text);
    await write(
      "create",
      async () => {
        await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...where, issue_number: issueNumber, body: `${text}\n\n${marker}` });
        return true;
      },
      async () => ((await commentExists(issueNumber, marker)) ? true : undefined),
    );
    result.commented++;
  }

  async function commentExists(issueNumber: number, marker: string): Promise<boolean> {
    for (let page = 1; page <= 25; page++) {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...where,
        issue_number: issueNumber,
        per_page: 100,
        page,
      });
      const items: unknown[] = Array.isArray(data) ? data : [];
      if (items.some((c) => typeof (c as { body?: unknown }).body === "string" && (c as { body: string }).body.includes(marker))) return true;
      if (items.length < 100) return false;
    }
    return false;
  }

  let labelsReady = false;
  let labelWrites = 0;
  async function ensureLabels(labels: LabelDefinition[]): Promise<void> {
    if (labelsReady) return;
    labelsReady = true;
    for (const label of labels) {
      try {
        await octokit.request("GET /repos/{owner}/{repo}/labels/{name}", { ...where, name: label.name });
        continue;
      } catch (error) {
        const failure = describeFailure(error);
        if (failure.status !== 404) {
          result.errors.push({ action: "label", label: label.name, status: failure.status, message: failure.message });
          continue;
        }
      }
      // Missing: create it. Without budget, GitHub still creates it (grey) when the issue uses it.
      if ((await budget.reserve(1)) < 1) continue;
      try {
        await write("idempotent", () =>
          octokit.request("POST /repos/{owner}/{repo}/labels", { ...where, name: label.name, color: label.color, description: label.description }),
        );
        labelWrites++;
      } catch (error) {
        const failure = error instanceof WriteFailed ? error.failure : describeFailure(error);
        await budget.refund?.(1);
        if (!(failure.status === 422 && failure.codes.includes("already_exists"))) {
          result.errors.push({ action: "label", label: label.name, status: failure.status, message: failure.message });
        }
      }
    }
  }

  async function createIssue(action: Extract<IssueAction, { kind: "create" }>): Promise<number> {
    const send = (assignees: string[]) => async (): Promise<number> => {
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues", {
        ...where,
        title: action.title,
        body: action.body,
        labels: action.labels,
        ...(assignees.length ? { assignees } : {}),
      });
      return Number(data.number);
    };
    const verify = async (): Promise<number | undefined> =>
      (await findRecentAppIssue(octokit, repo, appSlug, action.fingerprint))?.number;
    try {
      return await write("create", send(action.assignees), verify);
    } catch (error) {
      // An assignee who cannot be assigned (not a collaborator, renamed) must not stop the issue.
      if (error instanceof WriteFailed && error.failure.status === 422 && action.assignees.length) {
        result.warnings.push({ action: "create", fingerprint: action.fingerprint, status: 422, message: `assignees not applied: ${error.failure.message}` });
        return await write("create", send([]), verify);
      }
      throw error;
    }
  }

  async function patchIssue(issueNumber: number, fields: Record<string, unknown>): Promise<void> {
    await write("idempotent", () => octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...where, issue_number: issueNumber, ...fields }));
  }

  async function run(action: IssueAction): Promise<void> {
    switch (action.kind) {
      case "create": {
        await ensureLabels(plan.labels);
        const number = await createIssue(action);
        result.created.push({ fingerprint: action.fingerprint, number });
        return;
      }
      case "update":
        await patchIssue(action.issueNumber, { body: action.body });
        result.updated.push({ fingerprint: action.fingerprint, number: action.issueNumber });
        return;
      case "reopen":
        await patchIssue(action.issueNumber, { state: "open", body: action.body });
        result.reopened.push({ fingerprint: action.fingerprint, number: action.issueNumber });
        await postComment(action.issueNumber, action.comment);
        return;
      case "close":
        // Comment first: closing without saying why (the fixing commit, the suppression) is worse
        // than a comment on an issue that a failed close leaves open until the next run.
        await postComment(action.issueNumber, action.comment);
        await patchIssue(action.issueNumber, { state: "closed", state_reason: action.reason });
        result.closed.push({ fingerprint: action.fingerprint, number: action.issueNumber });
        return;
    }
  }

  const actions = plan.actions;
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i]!;
    const cost = writeCost(action);
    const granted = await budget.reserve(cost);
    if (granted < cost) {
      if (granted > 0) await budget.refund?.(granted);
      result.deferred += actions.length - i;
      logger?.info?.({ ...where, deferred: actions.length - i }, "write budget spent; the rest waits for a later run");
      break;
    }
    const writesBefore = result.writes - labelWrites;
    let stop = false;
    try {
      await run(action);
    } catch (error) {
      const failure = error instanceof WriteFailed ? error.failure : describeFailure(error);
      if (failure.status === 410) {
        result.issuesDisabled = true;
        result.skipped += actions.length - i;
        logger?.warn?.(where, "issues are disabled in this repository; skipped");
        stop = true;
      } else {
        result.errors.push({
          action: action.kind,
          fingerprint: action.fingerprint,
          ...("issueNumber" in action ? { issueNumber: action.issueNumber } : {}),
          ...(failure.status !== undefined ? { status: failure.status } : {}),
          message: redactSecrets(failure.message),
        });
        // Still rate limited after waiting, or forbidden (permission removed): the rest would fail
        // the same way. Leave it for a later run rather than spend requests on it.
        if (failure.status === 403 || failure.status === 429) {
          result.deferred += actions.length - i - 1;
          stop = true;
        }
      }
    }
    const spent = Math.min(cost, result.writes - labelWrites - writesBefore);
    if (spent < cost) await budget.refund?.(cost - spent);
    if (stop) break;
  }
  return result;
}
