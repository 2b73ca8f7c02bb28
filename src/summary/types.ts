/**
 * The weekly summary's shapes: the plain records it is computed from, read from GitHub (the issues
 * Keywarden filed, src/github/summary/collect.ts) and from the last audit run; and the numbers
 * compute.ts makes of them, which render.ts turns into Markdown.
 */
import type { Severity } from "../domain/types.js";
import type { FindingMeta } from "../issues/marker.js";
import type { Control, RuleMeta } from "../rules/types.js";

/** One issue Keywarden filed for a finding, in any state. */
export interface FindingIssueRecord {
  /** `owner/name` of the repository the issue lives in. */
  repo: string;
  number: number;
  /** The issue's web address (`html_url`), for links in the summary. */
  url: string;
  state: "open" | "closed";
  /** GitHub's `state_reason`: `completed` = fixed, `not_planned` = accepted risk, or null. */
  stateReason: string | null;
  /** ISO 8601 times as GitHub gives them. */
  createdAt: string;
  closedAt: string | null;
  fingerprint: string;
  /** Rule, severity, file and resource; undefined when the meta marker is missing or was damaged. */
  meta?: FindingMeta;
}

/** How the last audit run left a repository (src/jobs/repo-state.ts `RepoStatus`). */
export type AuditStatus = "scanned" | "unchanged" | "failed" | "skipped";

export interface AuditRecord {
  /** `owner/name`. */
  repo: string;
  /** `unchanged` counts as scanned: the last successful scan still describes the default branch. */
  status: AuditStatus;
  /** Why the repository failed or was skipped. */
  reason?: string;
  /** Unsuppressed findings of the last successful scan, when known. */
  findings?: number;
  /** Issues are disabled there: findings exist but no issue can be filed. */
  issuesDisabled?: boolean;
}

/** Totals of the last nightly audit run of an installation (src/jobs/repo-state.ts `AuditTotals`). */
export interface AuditRunTotals {
  startedAt: string;
  repositories: number;
  scanned: number;
  unchanged: number;
  failed: number;
  skipped: number;
  findings: number;
  opened: number;
  closed: number;
}

/** Severities as reported; `UNKNOWN` for an issue whose meta marker is missing or damaged. */
export type SummarySeverity = Severity | "UNKNOWN";

export interface SummaryInput {
  now: Date;
  issues: readonly FindingIssueRecord[];
  /** Per-repository records of the last audit run; undefined when there is none. */
  audit?: readonly AuditRecord[];
  /** The last audit run's totals (scanned, unchanged, failed, findings, issues opened and closed). */
  lastAudit?: AuditRunTotals;
  /**
   * What "this week" means for new / fixed / accepted risk: the 7 days ending at `now` (default: the
   * span since the previous Monday-08:00 summary), or the ISO week so far.
   */
  period?: "last-7-days" | "iso-week-to-date";
  /** Repositories whose issues could not be listed (collectFindingIssues' `errors`). */
  issueErrors?: readonly { repo: string; status?: number; message: string }[];
  /** The rules whose controls the Controls table shows (default: the registry). */
  rules?: readonly { meta: RuleMeta }[];
}

/** A finding's issue as the summary lists it: where it is and what it is about. */
export interface FindingIssueRef {
  repo: string;
  number: number;
  url: string;
  ruleId: string;
  severity: SummarySeverity;
  file: string;
  resource: string;
}

export interface OpenFinding extends FindingIssueRef {
  createdAt: string;
  /** Whole days open at `now`. */
  ageDays: number;
}

export interface OverdueFinding extends FindingIssueRef {
  /** The SLA's due date, `YYYY-MM-DD`. */
  due: string;
  /** Whole days since the end of the due date (UTC). */
  overdueDays: number;
}

/** A suppressed finding's issue (closed as not planned) and its exception's facts. */
export interface ExceptionIssue extends FindingIssueRef {
  /** `exp:` date of the exception, `YYYY-MM-DD`. */
  expires?: string;
  /** Days until it ends (00:00 UTC of `expires`), rounded up; only on the expiring list. */
  daysLeft?: number;
  reasonMissing: boolean;
}

export interface RuleCount {
  ruleId: string;
  severity: SummarySeverity;
  open: number;
}

export interface RepositoryRow {
  repo: string;
  /** From the last audit; `not-audited` when the audit has no record of it (new, or state lost). */
  status: AuditStatus | "not-audited";
  open: number;
  openBySeverity: Partial<Record<SummarySeverity, number>>;
  fixedThisWeek: number;
  /** Closed as not planned, all time, and still closed. */
  acceptedRisk: number;
  /** Scanned (or unchanged) with no open finding; null when not scanned. */
  compliant: boolean | null;
  issuesDisabled: boolean;
}

export interface UnscannedRepository {
  repo: string;
  /** `issues-unreadable`: the issue list could not be read, so its findings are missing above. */
  status: "failed" | "issues-unreadable" | "issues-disabled" | "skipped";
  reason: string;
}

export interface TrendPoint {
  week: string;
  /** End of the ISO week, or `now` for the current week. */
  at: string;
  open: number;
}

export interface MeanTime {
  /** Mean days from opening to closing as completed; null when nothing was fixed. */
  days: number | null;
  count: number;
}

/** One compliance control: scanned repositories passing and failing it, open findings against it. */
export interface ControlRow {
  control: Control;
  /** The rules whose findings fail it. */
  ruleIds: string[];
  passing: number;
  failing: number;
  open: number;
}

export interface SummaryNumbers {
  week: string;
  generatedAt: string;
  /** The "this week" window, both ends included: by default the 7 days ending at `now`. */
  period: { kind: "last-7-days" | "iso-week-to-date"; start: string; end: string };
  /** False when no audit record was given (e.g. Redis was lost): compliance is then unknown. */
  auditKnown: boolean;
  /** The last audit run's own totals, when on record. */
  lastAudit?: AuditRunTotals;
  open: {
    total: number;
    bySeverity: Partial<Record<SummarySeverity, number>>;
    byRule: RuleCount[];
  };
  compliance: { scanned: number; compliant: number; percent: number | null };
  thisWeek: { new: number; fixed: number; acceptedRisk: number };
  meanTimeToFix: { allTime: MeanTime; thisWeek: MeanTime };
  oldestOpen: OpenFinding[];
  /** Open findings past their SLA due date, most overdue first (bounded list, full total). */
  overdue: { total: number; findings: OverdueFinding[] };
  /** Exceptions in code expiring in the next 14 days, and those giving no reason (bounded lists). */
  exceptions: { expiringSoon: ExceptionIssue[]; withoutReason: ExceptionIssue[] };
  repositories: RepositoryRow[];
  unscanned: UnscannedRepository[];
  trend: TrendPoint[];
  /** Per compliance control the rules evidence (optional: numbers built before controls had none). */
  controls?: ControlRow[];
}
