/**
 * The figures per repository: one row for every repository the audit, the issue listing or an issue
 * names; the ones that could not be scanned or read, and why; and how many scanned ones are compliant.
 */
import { closedTime, outcome } from "./lifecycle.js";
import { inPeriod, type Period } from "./period.js";
import { countSeverity, severityOf } from "./severity.js";
import type { RepositoryRow, SummaryInput, SummaryNumbers, UnscannedRepository } from "./types.js";

export interface RepositoryFigures extends Pick<SummaryNumbers, "compliance" | "repositories" | "unscanned"> {
  /** The repository's name as its row shows it. */
  displayName(repo: string): string;
}

/** Repository names are case-insensitive on GitHub; the first spelling seen is the one shown. */
function repoKey(repo: string): string {
  return repo.toLowerCase();
}

const UNSCANNED_ORDER = { failed: 0, "issues-unreadable": 1, "issues-disabled": 2, skipped: 3 } as const;

export function repositoryFigures(input: Pick<SummaryInput, "issues" | "audit" | "issueErrors">, period: Period): RepositoryFigures {
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

  for (const issue of input.issues) {
    const r = row(issue.repo);
    switch (outcome(issue)) {
      case "open":
        r.open++;
        countSeverity(r.openBySeverity, severityOf(issue));
        break;
      case "fixed":
        if (inPeriod(period, closedTime(issue))) r.fixedThisWeek++;
        break;
      case "accepted-risk":
        r.acceptedRisk++;
        break;
      case "closed":
        break;
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

  return {
    compliance: { scanned, compliant, percent: scanned === 0 ? null : (compliant / scanned) * 100 },
    repositories: [...rows.values()].sort(
      (a, b) =>
        b.open - a.open ||
        (b.openBySeverity.HIGH ?? 0) - (a.openBySeverity.HIGH ?? 0) ||
        Number(a.compliant === true) - Number(b.compliant === true) ||
        a.repo.localeCompare(b.repo),
    ),
    unscanned: unscanned.sort((a, b) => UNSCANNED_ORDER[a.status] - UNSCANNED_ORDER[b.status] || a.repo.localeCompare(b.repo)),
    displayName: (repo) => rows.get(repoKey(repo))?.repo ?? repo,
  };
}
