/**
 * The `Keywarden` check run of one commit, rendered from its scan: pure, so the GitHub layer only
 * publishes what this returns. A pull request fails only on what it adds: a finding whose resource
 * block touches a line the pull request adds or changes. Findings already on the base branch have
 * their issues; they are listed, never failed on. Every piece of repository text (paths, resource
 * addresses, messages) goes through the neutralisers, and every fence is one the content cannot close.
 */
import type { ChangedLines, CheckAnnotation, CheckRunOutput } from "../domain/check-run.js";
import { SEVERITY_RANK, type Finding, type Severity, type SuppressedFinding } from "../domain/types.js";
import { compareMostSevereFirst } from "../domain/order.js";
import { fencedBlock, inlineCode } from "../issues/neutralize.js";
import { codeCell, link, plainText } from "../summary/markdown.js";
import { sortFindings } from "./sort-findings.js";

export interface CheckRunInput {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /** The repository's `minSeverity`: a changed finding at or above it fails the check. */
  minSeverity: Severity;
  /** The pull request's added lines, or "all" for a push (the whole commit counts). */
  changed: ChangedLines | "all";
  headSha: string;
  /** Terraform files that could not be scanned (their findings are unknown). */
  fileErrors?: number;
  /** Fingerprint → the finding's issue (html_url), for findings already on the base branch. */
  issueUrls?: ReadonlyMap<string, string>;
}

/**
 * Annotations kept per check run. GitHub takes 50 per request and shows them all in the diff; past a
 * few hundred a pull request's "Files changed" view is unreadable and each 50 costs one more write
 * request of the installation's content budget. 500 is ten requests: every finding of any realistic
 * pull request, and a bound for a generated or vendored tree; the summary counts the rest.
 */
export const MAX_ANNOTATIONS = 500;

/**
 * GitHub rejects `output.summary` and `output.text` over 65,535 characters. Measured in UTF-8 bytes
 * (never fewer than characters), with a margin for the lines that say what was left out.
 */
export const MAX_OUTPUT_BYTES = 65_000;

/** GitHub's limits on one annotation: title 255 characters, message and raw_details 64 KB. */
const MAX_ANNOTATION_TITLE = 255;
const MAX_ANNOTATION_TEXT = 60_000;

/** Whether a finding lies on what this commit (a push) or pull request adds. */
export function isChanged(finding: Finding, changed: ChangedLines | "all"): boolean {
  if (changed === "all") return true;
  const lines = changed.files.get(finding.file);
  if (lines === undefined) return !changed.complete;
  if (lines === "all") return true;
  const start = Math.min(finding.block.startLine, finding.line);
  const end = Math.max(finding.block.endLine, finding.line);
  for (let n = start; n <= end; n++) if (lines.has(n)) return true;
  return false;
}

function atOrAbove(severity: Severity, min: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[min];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function clipText(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

/**
 * The one-line fix of a finding: the first step of its remediation (the rules write the why first,
 * then numbered steps), else its first paragraph, else a generic one.
 */
function oneLineFix(f: Finding): string {
  const step = /^\s{0,3}1\.\s+(.+)$/m.exec(f.remediation)?.[1];
  const first = f.remediation.split(/\n\s*\n/)[0] ?? "";
  const line = (step ?? first).replace(/\s+/g, " ").trim();
  return line || `Deactivate the key (status = "Inactive") or remove the resource.`;
}

function annotation(f: Finding, minSeverity: Severity): CheckAnnotation {
  const line = Math.max(1, f.line);
  const out: CheckAnnotation = {
    path: f.file,
    start_line: line,
    end_line: line,
    annotation_level: atOrAbove(f.severity, minSeverity) ? "failure" : "warning",
    // Annotations are plain text: no Markdown to escape, but nothing to overflow GitHub's limits.
    title: clipText(`${f.title} (${f.ruleId})`.replace(/\s+/g, " "), MAX_ANNOTATION_TITLE),
    message: clipText(`${f.message}\n\nFix: ${oneLineFix(f)}`, MAX_ANNOTATION_TEXT),
  };
  if (f.fix.trim()) out.raw_details = clipText(f.fix, MAX_ANNOTATION_TEXT);
  return out;
}

/** Distinct keys (one resource can break both rules) among findings. */
function keyCount(findings: readonly Finding[]): number {
  return new Set(findings.map((f) => `${f.file}\u0000${f.resource}`)).size;
}

function renderTitle(failing: Finding[], changed: Finding[], minSeverity: Severity, push: boolean): string {
  const verb = push ? "in this commit" : "added";
  if (failing.length > 0) {
    const keys = keyCount(failing);
    return `${plural(keys, "root-user access key")} ${verb} (${plural(failing.length, "finding")} at ${minSeverity} or above)`;
  }
  if (changed.length > 0) {
    return `No root-user access key ${verb} at ${minSeverity} or above (${plural(changed.length, "lower-severity finding")})`;
  }
  return `No root-user access key ${verb}`;
}

/**
 * Lines of a list that fit in `budget` bytes (each line plus its newline), with a closing line
 * saying how many were left out. The closing line's own size is kept free from the start.
 */
function fitLines(lines: readonly string[], budget: number, rest: (n: number) => string): { lines: string[]; used: number } {
  const kept: string[] = [];
  let used = 0;
  const reserve = bytes(rest(lines.length)) + 1;
  for (const [i, line] of lines.entries()) {
    const size = bytes(line) + 1;
    const last = i === lines.length - 1;
    if (used + size + (last ? 0 : reserve) > budget) break;
    kept.push(line);
    used += size;
  }
  if (kept.length < lines.length) {
    const tail = rest(lines.length - kept.length);
    kept.push(tail);
    used += bytes(tail) + 1;
  }
  return { lines: kept, used };
}

function where(f: Finding): string {
  return codeCell(`${f.file}:${f.line}`, 300);
}

function changedRow(f: Finding, minSeverity: Severity): string {
  const mark = atOrAbove(f.severity, minSeverity) ? "❌" : "⚠️";
  return `| ${mark} ${codeCell(f.ruleId)} | ${f.severity} | ${where(f)} | ${codeCell(f.resource, 300)} |`;
}

function preExistingLine(f: Finding, issueUrls: ReadonlyMap<string, string> | undefined): string {
  const url = issueUrls?.get(f.fingerprint);
  const issue = url ? ` (${link("issue", url)})` : "";
  return `- ${f.severity} ${codeCell(f.ruleId)} at ${where(f)}, ${codeCell(f.resource, 300)}${issue}`;
}

function suppressedLine(s: SuppressedFinding): string {
  const reason = s.suppression.reason.trim() ? plainText(s.suppression.reason) : "_no reason given_";
  const expires = s.suppression.expires ? `, until ${inlineCode(s.suppression.expires)}` : "";
  return `- ${s.severity} ${codeCell(s.ruleId)} at ${where(s)}, ${codeCell(s.resource, 300)}: ${reason}${expires}`;
}

interface Section {
  heading: string[];
  lines: string[];
  rest: (n: number) => string;
}

function renderSummary(input: CheckRunInput, changed: Finding[], preExisting: Finding[], failing: Finding[], annotationsLeftOut: number): string {
  const { minSeverity } = input;
  const counts = [
    `**${plural(changed.length, "finding")}** on ${input.changed === "all" ? "this commit" : "lines this pull request adds or changes"}`,
    `${failing.length} at ${minSeverity} or above`,
    ...(input.changed === "all" ? [] : [`${preExisting.length} already on the base branch`]),
    `${input.suppressed.length} suppressed`,
  ].join(" · ");
  const head: string[] = [counts, ""];
  if (failing.length > 0) {
    head.push(
      `This check fails because ${input.changed === "all" ? "this commit declares" : "this pull request adds"} an access key for the AWS root user at ${minSeverity} or above. ` +
        `Apply each fix below (or delete the resource), and rotate any key that was ever created from it.`,
      "",
    );
  }
  const tail: string[] = [];
  if (input.fileErrors) {
    tail.push(
      `⚠️ ${plural(input.fileErrors, "Terraform file")} could not be scanned, so findings in ${input.fileErrors === 1 ? "it" : "them"} are unknown. ` +
        "Run `keywarden scan` on the branch to see why and fix the file.",
      "",
    );
  }
  if (annotationsLeftOut > 0) {
    tail.push(
      `${plural(annotationsLeftOut, "more changed finding is", "more changed findings are")} not annotated: a check run keeps ${MAX_ANNOTATIONS} annotations, the most severe first.`,
      "",
    );
  }
  tail.push(`<sub>Keywarden scanned ${inlineCode(input.headSha.slice(0, 40))}.</sub>`);

  const sections: Section[] = [];
  if (changed.length > 0) {
    sections.push({
      heading: [`### ${input.changed === "all" ? "Findings" : "Added or changed"}`, "", "| rule | severity | file:line | resource |", "| --- | --- | --- | --- |"],
      lines: changed.map((f) => changedRow(f, minSeverity)),
      // A row, so the table stays one table.
      rest: (n) => `| … | | ${plural(n, "more finding")} not listed | |`,
    });
  }
  if (preExisting.length > 0) {
    sections.push({
      heading: ["### Already on the base branch (not failed on: each has its issue)", ""],
      lines: preExisting.map((f) => preExistingLine(f, input.issueUrls)),
      rest: (n) => `- … and ${plural(n, "more finding")} not listed`,
    });
  }
  if (input.suppressed.length > 0) {
    sections.push({
      heading: ["### Suppressed in code", ""],
      lines: sortFindings(input.suppressed).map(suppressedLine),
      rest: (n) => `- … and ${plural(n, "more suppressed finding")} not listed`,
    });
  }

  const fixed = [...head, ...tail].join("\n");
  // What a section needs at least: its heading and the line saying none of its items fit. Every
  // later section's minimum is kept free, so a long first table never hides a later heading.
  const minimum = (section: Section): number => bytes(section.heading.join("\n")) + bytes(section.rest(section.lines.length)) + 3;
  let budget = MAX_OUTPUT_BYTES - bytes(fixed) - 2;
  const body: string[] = [];
  sections.forEach((section, i) => {
    const later = sections.slice(i + 1).reduce((sum, s) => sum + minimum(s), 0);
    const heading = bytes(section.heading.join("\n")) + 1;
    const fitted = fitLines(section.lines, budget - later - heading - 1, section.rest);
    budget -= heading + fitted.used + 1;
    body.push(...section.heading, ...fitted.lines, "");
  });
  return [...head, ...body, ...tail].join("\n");
}

/** The fix diffs of the changed findings, one fence per distinct diff, within GitHub's limit. */
function renderText(changed: Finding[]): string | undefined {
  const byFix = new Map<string, Finding[]>();
  for (const f of changed) {
    if (!f.fix.trim()) continue;
    const list = byFix.get(f.fix) ?? [];
    list.push(f);
    byFix.set(f.fix, list);
  }
  if (byFix.size === 0) return undefined;
  const blocks = [...byFix.entries()].map(([fix, fs]) => {
    const first = fs[0]!;
    const rules = [...new Set(fs.map((f) => f.ruleId))].map((id) => inlineCode(id)).join(", ");
    return `#### ${inlineCode(clipText(first.file, 300))} · ${inlineCode(clipText(first.resource, 300))}\n\nFixes ${rules}:\n\n${fencedBlock(fix, "diff")}\n`;
  });
  const intro = "## How to fix\n";
  const rest = (n: number): string => `\n_${plural(n, "more fix", "more fixes")} not shown: see the annotations._`;
  const kept: string[] = [intro];
  let used = bytes(intro);
  for (const [i, block] of blocks.entries()) {
    const reserve = i === blocks.length - 1 ? 0 : bytes(rest(blocks.length));
    if (used + bytes(block) + 1 + reserve > MAX_OUTPUT_BYTES) {
      kept.push(rest(blocks.length - i));
      break;
    }
    kept.push(block);
    used += bytes(block) + 1;
  }
  return kept.join("\n");
}

export function renderCheckRun(input: CheckRunInput): CheckRunOutput {
  const all = sortFindings(input.findings);
  const changed = all.filter((f) => isChanged(f, input.changed));
  const preExisting = all.filter((f) => !isChanged(f, input.changed));
  const failing = changed.filter((f) => atOrAbove(f.severity, input.minSeverity));
  const byImportance = [...changed].sort(compareMostSevereFirst);
  const annotations = byImportance.slice(0, MAX_ANNOTATIONS).map((f) => annotation(f, input.minSeverity));
  const text = renderText(byImportance);
  return {
    conclusion: failing.length > 0 ? "failure" : "success",
    title: renderTitle(failing, changed, input.minSeverity, input.changed === "all"),
    summary: renderSummary(input, byImportance, preExisting, failing, changed.length - annotations.length),
    ...(text ? { text } : {}),
    annotations,
  };
}
