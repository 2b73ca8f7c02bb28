/**
 * What should change on GitHub so that its issues tell the truth about one scan. Pure and
 * deterministic (design.md: no network, no clock): the same inputs give the same plan, in the same
 * order, which is what makes a re-run after a crash safe. The lifecycle is design.md's
 * "Issues on GitHub":
 *
 * | finding            | issue                          | action                                         |
 * | ------------------ | ------------------------------ | ---------------------------------------------- |
 * | present            | none                           | create (labels, assignees)                     |
 * | present            | open                           | edit the body only if it changed, no comment   |
 * | present            | closed as completed            | reopen with a comment (regression)             |
 * | present/suppressed | closed as not planned          | leave (accepted risk)                          |
 * | present, exception expired | closed (either reason) | reopen once, the comment says it expired       |
 * | gone               | open                           | comment with the fixing commit, close completed|
 * | suppressed in code | open                           | comment citing the comment, close not planned  |
 *
 * Filed centrally (`source`: the findings' repository has issues disabled, and `issues.repository`
 * names where they go), the same lifecycle runs on the central repository's issues that carry the
 * source's marker, and on no other: neither the central repository's own findings' issues nor
 * another source's, even with the same fingerprint. A repository's own plan, likewise, never sees
 * issues that carry a source marker.
 *
 * Findings out of scope (rule disabled, below `minSeverity`, ignored path) are not filed, and their
 * existing issues are left untouched: the code did not change, the configuration did, so "fixed"
 * would be a lie.
 */
import picomatch from "picomatch";
import { compareMostSevereFirst, compareText } from "../domain/order.js";
import { SEVERITY_RANK, type Finding, type Severity, type SuppressedFinding } from "../domain/types.js";
import { readMeta, type FindingMeta } from "./marker.js";
import { severityLabel, type KeywardenConfig } from "../config/repo-config.js";
import { renderIssueBody, renderIssueTitle, type IssueExtras, type IssueSource, type IssueTarget } from "./render-issue.js";
import { parseCodeowners } from "./codeowners.js";
import { encodePathSegment, inlineCode, neutralizeText } from "./neutralize.js";

export interface ExistingIssue {
  number: number;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | "duplicate" | null;
  title: string;
  body: string;
  labels: string[];
  fingerprint: string;
  /** Filed centrally: the source repository's id (its source marker). */
  source?: number;
  /** From the meta marker, when present: lets out-of-scope issues be recognised. */
  meta?: FindingMeta;
  /** ISO 8601 (GitHub's `created_at`): the SLA's due date counts from it. */
  createdAt?: string;
}

export type IssueAction =
  | { kind: "create"; fingerprint: string; source?: number; severity: Severity; title: string; body: string; labels: string[]; assignees: string[] }
  | { kind: "update"; fingerprint: string; issueNumber: number; body: string }
  | { kind: "reopen"; fingerprint: string; issueNumber: number; body: string; comment: string }
  | { kind: "close"; fingerprint: string; issueNumber: number; reason: "completed" | "not_planned"; comment: string; body?: string };

export interface IssuePlan {
  /** In execution order: regressions, new findings (most severe first), suppressions, fixes, edits. */
  actions: IssueAction[];
  /** New findings beyond `maxNewIssuesPerRun`: filed by a later run. */
  deferred: number;
  /** Present findings whose issue needs nothing. */
  unchanged: number;
  /** Labels the creates use, with colour and description: apply-plan makes sure they exist. */
  labels: LabelDefinition[];
}

export interface LabelDefinition {
  name: string;
  /** Six hex digits, no `#`. */
  color: string;
  description: string;
}

export interface PlanInput {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  existing: ExistingIssue[];
  config: KeywardenConfig;
  /** The findings' repository (permalinks, commit links): the source when filing centrally. */
  target: IssueTarget;
  /**
   * Filing in a central repository: the findings' repository. `existing` is then the central
   * repository's issues; only those carrying this source's marker are this plan's.
   */
  source?: IssueSource;
  scannedCommit: string;
  /**
   * Files this scan could not read or parse. A finding "gone" from such a file is unknown, not
   * fixed: a syntax error must not close the issue of a live key.
   */
  unreadableFiles?: readonly string[];
  /** The repository's CODEOWNERS text (undefined: none), used when `assignees: codeowners`. */
  codeowners?: string;
  /** The scan's time: a new issue's SLA due date counts from it (the plan reads no clock). */
  now?: Date;
}

/** GitHub assigns at most 10 people to an issue. */
const MAX_ASSIGNEES = 10;
const ONE_DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (UTC) `days` after `from`, or undefined when `from` is not a time. */
export function dueDate(from: string | Date | undefined, days: number): string | undefined {
  if (from === undefined) return undefined;
  const t = typeof from === "string" ? Date.parse(from) : from.getTime();
  if (!Number.isFinite(t)) return undefined;
  return new Date(t + days * ONE_DAY_MS).toISOString().slice(0, 10);
}

const KIND_ORDER: Record<IssueAction["kind"], number> = { reopen: 0, create: 1, close: 2, update: 3 };

/**
 * An issue closed as not planned is accepted risk, left closed, unless the finding is live again
 * because its exception's `exp:` date passed: that ends the acceptance, and the issue is reopened,
 * once. Once reopened its body says the exception expired (the finding's message does), so when a
 * person closes it as not planned again, that close stands.
 */
function reopensOnExpiry(finding: Finding, issue: ExistingIssue): boolean {
  // The body is Markdown-escaped (`2026\-11\-30`): compare without the escapes.
  return finding.exceptionExpired !== undefined && !issue.body.replace(/\\/g, "").includes(`expired on ${finding.exceptionExpired}`);
}

/** Several issues may carry one fingerprint (a person copied one): the open one, then the oldest, rules. */
function primaryIssues(existing: ExistingIssue[]): Map<string, ExistingIssue> {
  const byFingerprint = new Map<string, ExistingIssue>();
  const sorted = [...existing].sort((a, b) => (a.state === b.state ? a.number - b.number : a.state === "open" ? -1 : 1));
  for (const issue of sorted) if (!byFingerprint.has(issue.fingerprint)) byFingerprint.set(issue.fingerprint, issue);
  return byFingerprint;
}

function commitLink(target: IssueTarget, sha: string): string {
  const short = inlineCode(sha.slice(0, 12));
  if (!target.owner || !target.repo) return short;
  const base = target.serverUrl.replace(/\/+$/, "");
  return `[${short}](${base}/${encodePathSegment(target.owner)}/${encodePathSegment(target.repo)}/commit/${encodePathSegment(sha)})`;
}

/** The permalink's commit in a body Keywarden rendered earlier. */
function bodyCommit(body: string): string | undefined {
  return /\/blob\/([0-9a-f]{40})\//.exec(body)?.[1];
}

/**
 * The body to write, or undefined when the existing body already says the same. A new commit alone
 * is not a change: the old permalink still shows the same lines, and editing every issue on every
 * push would spend the write budget for nothing.
 */
function changedBody(finding: Finding, issue: ExistingIssue, target: IssueTarget, extras: IssueExtras): string | undefined {
  const fresh = renderIssueBody(finding, target, extras);
  const current = issue.body.replace(/\r\n/g, "\n"); // in case a line-ending change came back
  if (fresh === current) return undefined;
  const oldCommit = bodyCommit(current);
  if (oldCommit && oldCommit !== target.commitSha && renderIssueBody(finding, { ...target, commitSha: oldCommit }, extras) === current) {
    return undefined;
  }
  return fresh;
}

export function planIssues(input: PlanInput): IssuePlan {
  const { config, scannedCommit } = input;
  const target: IssueTarget = { ...input.target, commitSha: input.target.commitSha ?? scannedCommit };
  const enabled = config.rules ? new Set(config.rules) : undefined;
  const ignored = config.ignorePaths.length ? picomatch(config.ignorePaths, { dot: true }) : undefined;
  const minRank = SEVERITY_RANK[config.minSeverity];
  const inScope = (f: { ruleId: string; severity: Severity; file: string }): boolean =>
    (!enabled || enabled.has(f.ruleId)) && SEVERITY_RANK[f.severity] >= minRank && !(ignored && ignored(f.file));

  const owners = config.codeowners && input.codeowners !== undefined ? parseCodeowners(input.codeowners) : undefined;
  /** Assignees and the body's extras (due date, owning teams) of a finding's issue. */
  const routing = (finding: Finding, issue: ExistingIssue | undefined): { assignees: string[]; extras: IssueExtras } => {
    const extras: IssueExtras = input.source ? { source: input.source } : {};
    const days = config.sla[finding.severity];
    if (days !== undefined) {
      const due = dueDate(issue ? issue.createdAt : input.now, days);
      if (due) Object.assign(extras, { due, slaDays: days });
    }
    let assignees = [...config.assignees];
    if (owners) {
      const o = owners.ownersOf(finding.file);
      if (o.users.length) assignees = o.users;
      if (o.teams.length) extras.teams = o.teams;
    }
    return { assignees: assignees.slice(0, MAX_ASSIGNEES), extras };
  };

  // Identity is (source, fingerprint): only the issues of this repository's findings are this plan's.
  const issues = primaryIssues(input.existing.filter((i) => i.source === input.source?.id));
  const actions: IssueAction[] = [];
  const creates: Extract<IssueAction, { kind: "create" }>[] = [];
  const seen = new Set<string>();
  let unchanged = 0;

  const findings = [...input.findings].sort(compareMostSevereFirst);
  for (const finding of findings) {
    if (seen.has(finding.fingerprint)) continue; // one issue per fingerprint, even if reported twice
    seen.add(finding.fingerprint);
    if (!inScope(finding)) continue;
    const issue = issues.get(finding.fingerprint);
    const { assignees, extras } = routing(finding, issue);
    if (!issue) {
      creates.push({
        kind: "create",
        fingerprint: finding.fingerprint,
        ...(input.source ? { source: input.source.id } : {}),
        severity: finding.severity,
        title: renderIssueTitle(finding, input.source),
        body: renderIssueBody(finding, target, extras),
        labels: [config.labels.base, severityLabel(config, finding.severity)],
        assignees,
      });
    } else if (issue.state === "open") {
      const body = changedBody(finding, issue, target, extras);
      if (body === undefined) unchanged++;
      else actions.push({ kind: "update", fingerprint: finding.fingerprint, issueNumber: issue.number, body });
    } else if (issue.stateReason === "duplicate" || (issue.stateReason === "not_planned" && !reopensOnExpiry(finding, issue))) {
      unchanged++; // accepted risk (or a person's deliberate close): leave it closed
    } else {
      const expired = finding.exceptionExpired
        ? `Reopening: the exception in code for this finding expired on ${inlineCode(finding.exceptionExpired)}, and`
        : "Reopening:";
      actions.push({
        kind: "reopen",
        fingerprint: finding.fingerprint,
        issueNumber: issue.number,
        body: renderIssueBody(finding, target, extras),
        comment: `${expired} Keywarden finds this again at commit ${commitLink(target, scannedCommit)} (${inlineCode(
          finding.file,
        )}, line ${finding.line}).`,
      });
    }
  }

  const suppressed = [...input.suppressed].sort(compareMostSevereFirst);
  for (const finding of suppressed) {
    if (seen.has(finding.fingerprint)) continue;
    seen.add(finding.fingerprint);
    const issue = issues.get(finding.fingerprint);
    if (!issue) continue;
    const s = finding.suppression;
    // The closed issue keeps the exception's facts in its meta marker for the weekly summary.
    const exception: IssueExtras = {
      ...routing(finding, issue).extras,
      ...(s.expires ? { exceptionExpires: s.expires } : {}),
      ...(s.reasonMissing ? { exceptionReasonMissing: true } : {}),
    };
    if (issue.state !== "open") {
      // Already closed: edit the body only when the exception's facts changed (an `exp:` added later).
      const recorded = readMeta(issue.body);
      const stale =
        recorded?.fingerprint === finding.fingerprint &&
        (recorded.exceptionExpires !== exception.exceptionExpires || (recorded.exceptionReasonMissing ?? false) !== (exception.exceptionReasonMissing ?? false));
      if (issue.stateReason === "not_planned" && (stale || (!recorded && (exception.exceptionExpires || exception.exceptionReasonMissing)))) {
        actions.push({ kind: "update", fingerprint: finding.fingerprint, issueNumber: issue.number, body: renderIssueBody(finding, target, exception) });
      }
      continue;
    }
    const reason = s.reason ? ` Reason given: ${neutralizeText(s.reason)}` : "";
    actions.push({
      kind: "close",
      fingerprint: finding.fingerprint,
      issueNumber: issue.number,
      reason: "not_planned",
      body: renderIssueBody(finding, target, exception),
      comment: `Closing as not planned: suppressed in code at commit ${commitLink(target, scannedCommit)} by ${inlineCode(
        s.comment,
      )} (${inlineCode(finding.file)}, line ${s.line}).${reason}`,
    });
  }

  // Issues whose finding is gone. Sorted by number so the order never depends on the listing's.
  const gone = [...issues.values()].filter((i) => !seen.has(i.fingerprint) && i.state === "open").sort((a, b) => a.number - b.number);
  const unreadable = new Set(input.unreadableFiles ?? []);
  for (const issue of gone) {
    if (issue.meta && !inScope(issue.meta)) continue; // out of scope now: not fixed, so not closed
    if (issue.meta && unreadable.has(issue.meta.file)) continue; // not scanned this time: unknown, not fixed
    actions.push({
      kind: "close",
      fingerprint: issue.fingerprint,
      issueNumber: issue.number,
      reason: "completed",
      comment: `Fixed: Keywarden no longer finds this at commit ${commitLink(target, scannedCommit)}. Closing as completed.`,
    });
  }

  const cap = Math.max(0, config.maxNewIssuesPerRun);
  const filed = creates.slice(0, cap);
  actions.push(...filed);
  const ordered = actions
    .map((a, i) => ({ a, i }))
    .sort((x, y) => KIND_ORDER[x.a.kind] - KIND_ORDER[y.a.kind] || x.i - y.i)
    .map((x) => x.a);
  const used = new Set(filed.flatMap((c) => c.labels));
  const labels = labelDefinitions(config).filter((l) => used.has(l.name));
  return { actions: ordered, deferred: creates.length - filed.length, unchanged, labels };
}

/** Every label Keywarden may use under this configuration, sorted by name. */
export function labelDefinitions(config: KeywardenConfig): LabelDefinition[] {
  const defs: LabelDefinition[] = [
    { name: config.labels.base, color: "5319e7", description: "Found by Keywarden: AWS root-user access key in Terraform" },
    { name: config.labels.high, color: "b60205", description: "Keywarden finding of high severity" },
    { name: config.labels.medium, color: "d93f0b", description: "Keywarden finding of medium severity" },
    { name: config.labels.low, color: "fbca04", description: "Keywarden finding of low severity" },
    { name: config.labels.info, color: "c5def5", description: "Keywarden informational finding" },
  ];
  const byName = new Map<string, LabelDefinition>();
  for (const d of defs) if (!byName.has(d.name)) byName.set(d.name, d);
  return [...byName.values()].sort((a, b) => compareText(a.name, b.name));
}
