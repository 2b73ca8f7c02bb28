/**
 * The weekly summary's numbers, from the issues Keywarden filed and the last audit run. Pure: the
 * clock is an argument, so the same inputs always give the same summary (and tests can pin `now`).
 *
 * The issues are the source of truth for findings (they survive a lost Redis); the audit records only
 * say which repositories were scanned, failed or were skipped. "This week" is the 7 days ending at
 * `now`: with the default Monday 08:00 schedule that is exactly the span since the previous summary,
 * whereas the ISO week-to-date would be 8 hours old when the summary is posted.
 */
import { SEVERITY_RANK, type Severity } from "../domain/types.js";
import type { AuditRecord, AuditRunTotals, AuditStatus, FindingIssueRecord } from "./types.js";
import { isoWeek, ONE_DAY_MS, ONE_WEEK_MS, startOfIsoWeek } from "./week.js";

/** Severities as reported; `UNKNOWN` for an issue whose meta marker is missing or damaged. */
export type SummarySeverity = Severity | "UNKNOWN";

export const TREND_WEEKS = 12;
export const OLDEST_OPEN_LIMIT = 10;

export interface OpenFinding {
  repo: string;
  number: number;
  url: string;
  ruleId: string;
  severity: SummarySeverity;
  file: string;
  resource: string;
  createdAt: string;
  /** Whole days open at `now`. */
  ageDays: number;
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
  repositories: RepositoryRow[];
  unscanned: UnscannedRepository[];
  trend: TrendPoint[];
}

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
}

const SEVERITY_ORDER: SummarySeverity[] = ["HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"];

export function severityOf(issue: FindingIssueRecord): SummarySeverity {
  const s = issue.meta?.severity;
  return s !== undefined && Object.hasOwn(SEVERITY_RANK, s) ? s : "UNKNOWN";
}

export function severityRank(s: SummarySeverity): number {
  return s === "UNKNOWN" ? -1 : SEVERITY_RANK[s];
}

function time(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * When the issue stopped being open, as far as its dates tell. An issue reopened later has no
 * `closed_at` (GitHub clears it), so its earlier closed spell is invisible: the trend counts it open
 * throughout, which is the conservative reading.
 */
function closedTime(issue: FindingIssueRecord): number | undefined {
  if (issue.state === "open") return undefined;
  return time(issue.closedAt) ?? time(issue.createdAt);
}

function openAt(issue: FindingIssueRecord, t: number): boolean {
  const created = time(issue.createdAt);
  if (created === undefined || created > t) return false;
  const closed = closedTime(issue);
  return closed === undefined || closed > t;
}

function mean(spans: number[]): MeanTime {
  if (spans.length === 0) return { days: null, count: 0 };
  const total = spans.reduce((a, b) => a + b, 0);
  return { days: total / spans.length / ONE_DAY_MS, count: spans.length };
}

function bump<K extends string>(record: Partial<Record<K, number>>, key: K, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

/** Repository names are case-insensitive on GitHub; the first spelling seen is the one shown. */
function repoKey(repo: string): string {
  return repo.toLowerCase();
}

export function computeSummary(input: SummaryInput): SummaryNumbers {
  const now = input.now.getTime();
  if (Number.isNaN(now)) throw new RangeError("computeSummary: `now` is not a valid date");
  const periodStart = input.period === "iso-week-to-date" ? startOfIsoWeek(input.now).getTime() : now - ONE_WEEK_MS;
  const inPeriod = (t: number | undefined) => t !== undefined && t >= periodStart && t <= now;

  const rows = new Map<string, RepositoryRow>();
  const row = (repo: string): RepositoryRow => {
    const key = repoKey(repo);
    let r = rows.get(key);
    if (!r) {
      r = { repo, status: "not-audited", open: 0, openBySeverity: {}, fixedThisWeek: 0, acceptedRisk: 0, compliant: null, issuesDisabled: false };
      rows.set(key, r);
    }
    return r;
  };

  const unscanned: UnscannedRepository[] = [];
  for (const a of input.audit ?? []) {
    const r = row(a.repo);
    r.status = a.status;
    r.issuesDisabled = a.issuesDisabled === true;
    if (a.status === "failed") unscanned.push({ repo: r.repo, status: "failed", reason: a.reason || "unknown error" });
    else if (a.status === "skipped") unscanned.push({ repo: r.repo, status: "skipped", reason: a.reason || "skipped by configuration" });
    else if (a.issuesDisabled) {
      unscanned.push({ repo: r.repo, status: "issues-disabled", reason: `issues are disabled; ${a.findings ?? "unknown number of"} finding(s) could not be filed` });
    }
  }

  // Repositories whose issues cannot tell whether findings are open: only the audit's count can.
  const blind = new Set<string>();
  for (const e of input.issueErrors ?? []) {
    const r = row(e.repo);
    blind.add(repoKey(e.repo));
    if (e.status === 410) {
      r.issuesDisabled = true;
      if (!unscanned.some((u) => u.status === "issues-disabled" && repoKey(u.repo) === repoKey(r.repo))) {
        unscanned.push({ repo: r.repo, status: "issues-disabled", reason: "issues are disabled in this repository" });
      }
    } else unscanned.push({ repo: r.repo, status: "issues-unreadable", reason: `its issues could not be read: ${e.message}` });
  }

  const bySeverity: Partial<Record<SummarySeverity, number>> = {};
  const byRule = new Map<string, RuleCount>();
  const open: OpenFinding[] = [];
  const fixSpansAll: number[] = [];
  const fixSpansWeek: number[] = [];
  const thisWeek = { new: 0, fixed: 0, acceptedRisk: 0 };

  for (const issue of input.issues) {
    const r = row(issue.repo);
    const severity = severityOf(issue);
    const created = time(issue.createdAt);
    const closed = closedTime(issue);
    if (inPeriod(created)) thisWeek.new++;

    if (issue.state === "open") {
      r.open++;
      bump(r.openBySeverity, severity);
      bump(bySeverity, severity);
      const ruleId = issue.meta?.ruleId ?? "unknown";
      const key = `${ruleId}\u0000${severity}`;
      const rc = byRule.get(key) ?? { ruleId, severity, open: 0 };
      rc.open++;
      byRule.set(key, rc);
      open.push({
        repo: r.repo,
        number: issue.number,
        url: issue.url,
        ruleId,
        severity,
        file: issue.meta?.file ?? "",
        resource: issue.meta?.resource ?? "",
        createdAt: issue.createdAt,
        ageDays: created === undefined ? 0 : Math.max(0, Math.floor((now - created) / ONE_DAY_MS)),
      });
    } else if (issue.stateReason === "completed") {
      if (created !== undefined && closed !== undefined) fixSpansAll.push(Math.max(0, closed - created));
      if (inPeriod(closed)) {
        thisWeek.fixed++;
        r.fixedThisWeek++;
        if (created !== undefined && closed !== undefined) fixSpansWeek.push(Math.max(0, closed - created));
      }
    } else if (issue.stateReason === "not_planned") {
      r.acceptedRisk++;
      if (inPeriod(closed)) thisWeek.acceptedRisk++;
    }
  }

  let scanned = 0;
  let compliant = 0;
  const audit = new Map((input.audit ?? []).map((a) => [repoKey(a.repo), a]));
  for (const [key, r] of rows) {
    const a = audit.get(key);
    if (r.status !== "scanned" && r.status !== "unchanged") continue;
    scanned++;
    // Findings the write cap has not filed yet have no issue: the audit's count still counts.
    // With issues disabled or unreadable, only the audit's count can say the repository is clean.
    const unknown = (r.issuesDisabled || blind.has(key)) && a?.findings === undefined;
    r.compliant = r.open === 0 && (a?.findings ?? 0) === 0 && !unknown;
    if (r.compliant) compliant++;
  }

  const trend: TrendPoint[] = [];
  const currentWeekStart = startOfIsoWeek(input.now).getTime();
  for (let i = TREND_WEEKS - 1; i >= 0; i--) {
    const start = currentWeekStart - i * ONE_WEEK_MS;
    // The end of a week is the last millisecond before the next Monday; the current week ends now.
    const at = Math.min(start + ONE_WEEK_MS - 1, now);
    trend.push({
      week: isoWeek(new Date(start)),
      at: new Date(at).toISOString(),
      open: input.issues.reduce((n, issue) => n + (openAt(issue, at) ? 1 : 0), 0),
    });
  }

  const repositories = [...rows.values()].sort(
    (a, b) =>
      b.open - a.open ||
      (b.openBySeverity.HIGH ?? 0) - (a.openBySeverity.HIGH ?? 0) ||
      Number(a.compliant === true) - Number(b.compliant === true) ||
      a.repo.localeCompare(b.repo),
  );
  const statusOrder = { failed: 0, "issues-unreadable": 1, "issues-disabled": 2, skipped: 3 } as const;
  unscanned.sort((a, b) => statusOrder[a.status] - statusOrder[b.status] || a.repo.localeCompare(b.repo));

  return {
    week: isoWeek(input.now),
    generatedAt: input.now.toISOString(),
    period: { kind: input.period ?? "last-7-days", start: new Date(periodStart).toISOString(), end: input.now.toISOString() },
    auditKnown: input.audit !== undefined,
    ...(input.lastAudit ? { lastAudit: input.lastAudit } : {}),
    open: {
      total: open.length,
      bySeverity,
      byRule: [...byRule.values()].sort(
        (a, b) => b.open - a.open || severityRank(b.severity) - severityRank(a.severity) || a.ruleId.localeCompare(b.ruleId),
      ),
    },
    compliance: { scanned, compliant, percent: scanned === 0 ? null : (compliant / scanned) * 100 },
    thisWeek,
    meanTimeToFix: { allTime: mean(fixSpansAll), thisWeek: mean(fixSpansWeek) },
    oldestOpen: open
      .sort((a, b) => (time(a.createdAt) ?? 0) - (time(b.createdAt) ?? 0) || a.repo.localeCompare(b.repo) || a.number - b.number)
      .slice(0, OLDEST_OPEN_LIMIT),
    repositories,
    unscanned,
    trend,
  };
}

export { SEVERITY_ORDER };
