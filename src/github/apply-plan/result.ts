/**
 * What applying a plan did, and the one object that accumulates it while the actions run. Actions
 * are given the recorder explicitly; nothing else holds the result.
 */
import type { IssueAction } from "../../issues/plan-issues.js";

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

export type AppliedKind = "created" | "updated" | "closed" | "reopened";

export class ApplyRecorder {
  private readonly result: ApplyResult;

  /** `deferred`: what the plan itself left for a later run. */
  constructor(deferred: number) {
    this.result = { created: [], updated: [], closed: [], reopened: [], commented: 0, deferred, skipped: 0, issuesDisabled: false, writes: 0, errors: [], warnings: [] };
  }

  applied(kind: AppliedKind, issue: AppliedIssue): void {
    this.result[kind].push(issue);
  }

  commented(): void {
    this.result.commented++;
  }

  wrote(writes: number): void {
    this.result.writes += writes;
  }

  defer(actions: number): void {
    this.result.deferred += actions;
  }

  /** Issues are disabled: `actions` were not attempted. */
  issuesDisabled(actions: number): void {
    this.result.issuesDisabled = true;
    this.result.skipped += actions;
  }

  error(error: ApplyError): void {
    this.result.errors.push(error);
  }

  warning(warning: ApplyError): void {
    this.result.warnings.push(warning);
  }

  /** The result so far (a copy: recording on does not change it). */
  snapshot(): ApplyResult {
    return structuredClone(this.result);
  }
}
