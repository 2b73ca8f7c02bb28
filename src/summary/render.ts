/**
 * The weekly summary issue's title and Markdown body, from computeSummary's numbers. Pure.
 *
 * The body must stay under GitHub's 65,536-character limit for any organization: every per-item list
 * is bounded by construction except the repository table and the unscanned list, whose rows are
 * dropped from the end (least important first) until the body fits, saying how many were left out.
 * Repository text goes through markdown.ts so it cannot ping anyone or break the layout.
 */
import { EXPIRING_WITHIN_DAYS } from "./deadlines.js";
import { OLDEST_OPEN_LIMIT } from "./findings.js";
import { codeCell, link, plainText } from "./markdown.js";
import { SEVERITY_ORDER } from "./severity.js";
import type { RepositoryRow, SummaryNumbers, SummarySeverity, UnscannedRepository } from "./types.js";

export { isoWeek } from "./week.js";

/** GitHub's limit is 65,536 characters; we measure UTF-8 bytes (never fewer) and keep a margin. */
export const MAX_BODY_BYTES = 65_000;
/** Lists longer than this are folded in `<details>`. */
const FOLD_AFTER = 10;
/** Rules come from issue markers people could edit: bound the table anyway. */
const MAX_RULE_ROWS = 50;

export const RESCAN_MARKER = "<!-- keywarden:rescan -->";
export const RESCAN_LABEL = "Re-scan all repositories now";
const SUMMARY_MARKER_RE = /<!-- keywarden:summary week=(\d{4}-W\d{2}) -->/;
const RESCAN_LINE_RE = /^([ \t]*[-*+][ \t]+\[)([ xX])(\][^\r\n]*<!-- keywarden:rescan -->)/gm;

export function summaryTitle(week: string): string {
  return `Keywarden compliance summary — ${week}`;
}

export function summaryMarker(week: string): string {
  return `<!-- keywarden:summary week=${week} -->`;
}

/** The ISO week a summary issue body is for, or undefined when it is not a summary. */
export function readSummaryWeek(body: string | null | undefined): string | undefined {
  return body ? SUMMARY_MARKER_RE.exec(body)?.[1] : undefined;
}

/** True when someone ticked the "Re-scan all repositories now" box. */
export function isRescanRequested(body: string | null | undefined): boolean {
  if (!body) return false;
  return [...body.matchAll(RESCAN_LINE_RE)].some((m) => m[2] !== " ");
}

/** The same body with the re-scan box unticked; everything else byte for byte unchanged. */
export function untickRescan(body: string): string {
  return body.replace(RESCAN_LINE_RE, (_all, before: string, _tick: string, after: string) => `${before} ${after}`);
}

export interface RenderedSummary {
  title: string;
  body: string;
  /** Rows left out to respect the size limit. */
  omitted: { repositories: number; unscanned: number };
}

export interface RenderOptions {
  /** For tests; defaults to MAX_BODY_BYTES. */
  maxBytes?: number;
}

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function formatDays(days: number | null): string {
  if (days === null) return "—";
  return `${days.toFixed(1)} days`;
}

function formatPercent(p: number | null): string {
  return p === null ? "—" : `${Number(p.toFixed(1))}%`;
}

function severityList(counts: Partial<Record<SummarySeverity, number>>): string {
  const parts = SEVERITY_ORDER.filter((s) => counts[s]).map((s) => `${s} ${counts[s]}`);
  return parts.length ? parts.join(", ") : "none";
}

function fold(summary: string, lines: string[], total: number): string[] {
  if (total <= FOLD_AFTER) return [...lines, ""];
  return ["<details>", `<summary>${summary}</summary>`, "", ...lines, "", "</details>", ""];
}

function repoLabel(repo: string): string {
  return plainText(repo, 200);
}

function chart(n: SummaryNumbers): string[] {
  const values = n.trend.map((p) => p.open);
  const max = Math.max(1, ...values);
  // Headroom so the top bar is not clipped, and a round-ish axis.
  const top = max < 10 ? max + 1 : Math.ceil((max * 1.1) / 5) * 5;
  const labels = n.trend.map((p) => `"${p.week.slice(5)}"`).join(", ");
  return [
    "```mermaid",
    "xychart-beta",
    `    title "Open findings at the end of each ISO week"`,
    `    x-axis [${labels}]`,
    `    y-axis "Open findings" 0 --> ${top}`,
    `    bar [${values.join(", ")}]`,
    "```",
    "",
  ];
}

function repositoryLines(rows: readonly RepositoryRow[], limit: number, total: number): string[] {
  const lines = ["| Repository | Status | Open | HIGH | MEDIUM | Other | Fixed this week | Accepted risk | Compliant |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |"];
  for (const r of rows.slice(0, limit)) {
    const high = r.openBySeverity.HIGH ?? 0;
    const medium = r.openBySeverity.MEDIUM ?? 0;
    const other = r.open - high - medium;
    const status = r.issuesDisabled ? `${r.status}, issues disabled` : r.status;
    const compliant = r.compliant === null ? "—" : r.compliant ? "✅" : "❌";
    lines.push(`| ${repoLabel(r.repo)} | ${status} | ${r.open} | ${high} | ${medium} | ${other} | ${r.fixedThisWeek} | ${r.acceptedRisk} | ${compliant} |`);
  }
  if (limit < total) lines.push("", `_${total - limit} more repositories omitted to keep this issue under GitHub's size limit._`);
  return lines;
}

function unscannedLines(rows: readonly UnscannedRepository[], limit: number, total: number): string[] {
  const lines = ["| Repository | Status | Reason |", "| --- | --- | --- |"];
  for (const u of rows.slice(0, limit)) lines.push(`| ${repoLabel(u.repo)} | ${u.status} | ${plainText(u.reason)} |`);
  if (limit < total) lines.push("", `_${total - limit} more repositories omitted to keep this issue under GitHub's size limit._`);
  return lines;
}

/** The Controls table (our own rule metadata, still escaped: it lands in a table cell). */
function controlLines(n: SummaryNumbers): string[] {
  const lines = [
    "### Controls",
    "",
    "A scanned repository fails a control while it has an open finding of a rule that evidences it.",
    "",
    "| Control | Passing repositories | Failing repositories | Open findings |",
    "| --- | ---: | ---: | ---: |",
  ];
  for (const row of n.controls ?? []) {
    const c = row.control;
    const facts = [c.versions, c.note].filter(Boolean).join("; ");
    const name = `${link(plainText(`${c.framework} ${c.id}`), c.url)}: ${plainText(c.title)}${facts ? ` (${plainText(facts)})` : ""}`;
    const counts = n.auditKnown ? `${row.passing} | ${row.failing}` : "unknown | unknown";
    lines.push(`| ${name} | ${counts} | ${row.open} |`);
  }
  if (!n.auditKnown) lines.push("", "_Passing and failing are known after the first nightly audit._");
  return lines;
}

function build(n: SummaryNumbers, repoLimit: number, unscannedLimit: number): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);

  push(summaryMarker(n.week), `## ${summaryTitle(n.week)}`, "");
  const span = n.period.kind === "iso-week-to-date" ? "this week" : "the last 7 days";
  push(
    `_Generated ${when(n.generatedAt)} from the issues Keywarden filed (every state) and the last nightly audit. ` +
      `"This week" is ${span}: ${when(n.period.start)} to ${when(n.period.end)}._`,
    "",
  );
  push(`- [ ] ${RESCAN_LABEL} ${RESCAN_MARKER}`, "");

  const c = n.compliance;
  push("### At a glance", "", "| | |", "| --- | ---: |");
  push(`| Open findings | **${n.open.total}** (${severityList(n.open.bySeverity)}) |`);
  push(
    n.auditKnown
      ? `| Compliant repositories | **${c.compliant} of ${c.scanned}** scanned (${formatPercent(c.percent)}) |`
      : "| Compliant repositories | unknown: no audit run on record yet |",
  );
  push(`| New this week | ${n.thisWeek.new} |`);
  push(`| Fixed this week | ${n.thisWeek.fixed} |`);
  push(`| Accepted risk this week | ${n.thisWeek.acceptedRisk} |`);
  if (n.overdue.total > 0) push(`| Overdue (past the SLA due date) | **${n.overdue.total}** |`);
  const mtf = n.meanTimeToFix;
  push(`| Mean time to fix, all time | ${formatDays(mtf.allTime.days)} (${mtf.allTime.count} fixed) |`);
  push(`| Mean time to fix, this week | ${formatDays(mtf.thisWeek.days)} (${mtf.thisWeek.count} fixed) |`);
  const count = (status: UnscannedRepository["status"]) => n.unscanned.filter((u) => u.status === status).length;
  push(
    `| Repositories not scanned or not fully reported | ${count("failed")} failed, ${count("issues-disabled")} with issues disabled, ` +
      `${count("issues-unreadable")} with unreadable issues, ${count("skipped")} skipped |`,
    "",
  );
  if (n.lastAudit) {
    const a = n.lastAudit;
    push(
      `Last nightly audit, started ${when(a.startedAt)}: ${a.repositories} repositories, ${a.scanned} scanned, ` +
        `${a.unchanged} unchanged (not cloned), ${a.failed} failed, ${a.skipped} skipped; ${a.findings} findings, ` +
        `${a.opened} issues opened, ${a.closed} closed.`,
      "",
    );
  }
  if (!n.auditKnown) {
    push("> [!NOTE]", "> No nightly audit is on record (first run, or Keywarden's Redis state was lost), so compliance and scan failures are unknown; findings below come from the issues and are complete.", "");
  }

  // Overdue findings come first: they are the ones past the deadline the organization set itself.
  if (n.overdue.total > 0) {
    push("### Overdue findings", "");
    push("| Overdue by | Due | Severity | Repository | Issue | File | Resource |", "| ---: | --- | --- | --- | --- | --- | --- |");
    for (const f of n.overdue.findings) {
      push(
        `| ${f.overdueDays === 0 ? "less than a day" : `${f.overdueDays} day${f.overdueDays === 1 ? "" : "s"}`} | ${f.due} | ${f.severity} | ${repoLabel(f.repo)} | ${link(`#${f.number}`, f.url)} | ${codeCell(f.file)} | ${codeCell(f.resource, 100)} |`,
      );
    }
    if (n.overdue.total > n.overdue.findings.length) push("", `_${n.overdue.total - n.overdue.findings.length} more overdue findings omitted._`);
    push("");
  }

  if (n.controls?.length) push(...controlLines(n), "");

  push("### Trend", "", ...chart(n));
  push(
    ...fold(
      "Open findings per week",
      ["| ISO week | Open findings |", "| --- | ---: |", ...n.trend.map((p) => `| ${p.week} | ${p.open} |`)],
      n.trend.length,
    ),
  );

  push("### Open findings by severity", "");
  if (n.open.total === 0) push("No open findings. 🎉", "");
  else {
    push("| Severity | Open |", "| --- | ---: |");
    for (const s of SEVERITY_ORDER) if (n.open.bySeverity[s]) push(`| ${s} | ${n.open.bySeverity[s]} |`);
    push("");
    push("### Open findings by rule", "");
    const rules = n.open.byRule.slice(0, MAX_RULE_ROWS);
    const ruleLines = ["| Rule | Severity | Open |", "| --- | --- | ---: |", ...rules.map((r) => `| ${codeCell(r.ruleId, 100)} | ${r.severity} | ${r.open} |`)];
    if (n.open.byRule.length > rules.length) ruleLines.push("", `_${n.open.byRule.length - rules.length} more rules omitted._`);
    push(...fold(`${n.open.byRule.length} rules`, ruleLines, n.open.byRule.length));

    push(`### Oldest open findings`, "");
    push("| Age | Severity | Repository | Issue | File | Resource |", "| ---: | --- | --- | --- | --- | --- |");
    for (const f of n.oldestOpen.slice(0, OLDEST_OPEN_LIMIT)) {
      push(`| ${f.ageDays} days | ${f.severity} | ${repoLabel(f.repo)} | ${link(`#${f.number}`, f.url)} | ${codeCell(f.file)} | ${codeCell(f.resource, 100)} |`);
    }
    push("");
  }

  const { expiringSoon, withoutReason } = n.exceptions;
  if (expiringSoon.length > 0 || withoutReason.length > 0) {
    push("### Exceptions in code", "");
    if (expiringSoon.length > 0) {
      push(`Expiring in the next ${EXPIRING_WITHIN_DAYS} days (the finding is live again from 00:00 UTC on the date):`, "");
      push("| Expires | In | Severity | Repository | Issue | File | Resource |", "| --- | ---: | --- | --- | --- | --- | --- |");
      for (const e of expiringSoon) {
        push(`| ${e.expires ?? ""} | ${e.daysLeft ?? ""} day${e.daysLeft === 1 ? "" : "s"} | ${e.severity} | ${repoLabel(e.repo)} | ${link(`#${e.number}`, e.url)} | ${codeCell(e.file)} | ${codeCell(e.resource, 100)} |`);
      }
      push("");
    }
    if (withoutReason.length > 0) {
      push("Without a reason (add one after the rule id in the comment):", "");
      push("| Severity | Repository | Issue | File | Resource | Expires |", "| --- | --- | --- | --- | --- | --- |");
      for (const e of withoutReason) {
        push(`| ${e.severity} | ${repoLabel(e.repo)} | ${link(`#${e.number}`, e.url)} | ${codeCell(e.file)} | ${codeCell(e.resource, 100)} | ${e.expires ?? "never"} |`);
      }
      push("");
    }
  }

  push("### Repositories", "");
  const repoTotal = n.repositories.length;
  if (repoTotal === 0) push("No repositories on record yet.", "");
  else push(...fold(`${repoTotal} repositories`, repositoryLines(n.repositories, repoLimit, repoTotal), repoTotal));

  push("### Repositories that could not be scanned", "");
  const unscannedTotal = n.unscanned.length;
  if (unscannedTotal > 0) push(...fold(`${unscannedTotal} repositories`, unscannedLines(n.unscanned, unscannedLimit, unscannedTotal), unscannedTotal));
  if (!n.auditKnown) push("Scan failures are unknown until the next nightly audit.", "");
  else if (unscannedTotal === 0) push("None: every repository was scanned.", "");

  push("---", "_Written by Keywarden, which rewrites this issue when it regenerates this week's summary: edits are not kept. Tick the box at the top to audit every repository now._");
  return out.join("\n") + "\n";
}

function bytes(body: string): number {
  return Buffer.byteLength(body, "utf8");
}

/** The largest `k` in [0, hi] with `fits(k)`, given fits is monotone (fewer rows, shorter body). */
function largestFitting(hi: number, fits: (k: number) => boolean): number {
  let lo = 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function renderSummary(n: SummaryNumbers, options: RenderOptions = {}): RenderedSummary {
  const max = options.maxBytes ?? MAX_BODY_BYTES;
  const repoTotal = n.repositories.length;
  const unscannedTotal = n.unscanned.length;
  const fits = (r: number, u: number) => bytes(build(n, r, u)) <= max;

  let repoLimit = repoTotal;
  let unscannedLimit = unscannedTotal;
  if (!fits(repoLimit, unscannedLimit)) {
    // The per-repository table goes first (its rows are sorted most important first); the
    // unscanned list only shrinks when even an empty repository table does not fit.
    if (fits(0, unscannedLimit)) repoLimit = largestFitting(repoTotal, (k) => fits(k, unscannedLimit));
    else {
      repoLimit = 0;
      unscannedLimit = largestFitting(unscannedTotal, (k) => fits(0, k));
    }
  }
  const body = build(n, repoLimit, unscannedLimit);
  if (bytes(body) > max) throw new Error(`summary body is ${bytes(body)} bytes even with every optional row dropped (limit ${max})`);
  return {
    title: summaryTitle(n.week),
    body,
    omitted: { repositories: repoTotal - repoLimit, unscanned: unscannedTotal - unscannedLimit },
  };
}
