/**
 * The `text` format: for a person reading a terminal. Findings grouped by file, each with its line,
 * severity, what is wrong and what to do; then suppressed findings, files that failed, and files
 * that were skipped, so nothing the scan left out is silent.
 */
import type { Finding, ScanResult, Severity } from "../domain/types.js";
import { compareText } from "../domain/order.js";
import { sortFindings } from "./sort-findings.js";
import { ansiPalette, escapeForTerminal, plainPalette, type Palette } from "./terminal-text.js";

export interface TextOptions {
  /** ANSI colour; the caller decides (TTY and NO_COLOR). */
  color: boolean;
  /** The scanned path as the user typed it, shown in the header. */
  root?: string;
  /** Where a rule is documented, for the "See:" line (the registry's docsUrl). */
  docsUrl?: (ruleId: string) => string | undefined;
}

/** Repository lines can be minified megabytes; a terminal line does not need more than this. */
const MAX_LINE = 240;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function severityLabel(severity: Severity, p: Palette): string {
  const label = severity.padEnd(6);
  if (severity === "HIGH") return p.bold(p.red(label));
  if (severity === "MEDIUM") return p.yellow(label);
  return label;
}

/** Untrusted, possibly multi-line text, each line escaped and indented. */
function indentLines(text: string, indent: string): string[] {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => indent + escapeForTerminal(line));
}

function clip(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}

/**
 * What to do, concretely: the hunks of the finding's fix (the diff without its file header), `+`
 * lines green and `-` lines red. Without a diff, the remediation text instead.
 */
function fixLines(f: Finding, p: Palette): string[] {
  const hunks = f.fix
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .filter((line) => !line.startsWith("--- ") && !line.startsWith("+++ "));
  while (hunks.length > 0 && hunks.at(-1) === "") hunks.pop();
  if (hunks.length === 0) return indentLines(f.remediation, "      ");
  return hunks.map((line) => {
    const shown = `      ${escapeForTerminal(clip(line))}`;
    if (line.startsWith("+")) return p.green(shown);
    if (line.startsWith("-")) return p.red(shown);
    if (line.startsWith("@@")) return p.cyan(shown);
    return shown;
  });
}

function groupByFile<T extends Finding>(findings: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const f of sortFindings(findings)) {
    const group = groups.get(f.file);
    if (group) group.push(f);
    else groups.set(f.file, [f]);
  }
  return groups;
}

function summaryLine(result: ScanResult): string {
  const bySeverity = new Map<Severity, number>();
  for (const f of result.findings) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
  const parts = (["HIGH", "MEDIUM", "LOW", "INFO"] as const)
    .filter((s) => bySeverity.has(s))
    .map((s) => `${bySeverity.get(s)} ${s.toLowerCase()}`);
  const head = plural(result.findings.length, "finding") + (parts.length ? ` (${parts.join(", ")})` : "");
  return [
    head,
    `${result.suppressed.length} suppressed`,
    plural(result.errors.length, "error"),
    plural(result.stats.skipped.length, "skipped file"),
  ].join(", ");
}

export function formatText(result: ScanResult, options: TextOptions): string {
  const p = options.color ? ansiPalette : plainPalette;
  const out: string[] = [];
  const { stats } = result;
  const where = options.root === undefined ? "" : ` ${escapeForTerminal(options.root)}:`;
  out.push(
    p.dim(
      `keywarden scan${where} ${plural(stats.filesDiscovered, "Terraform file")} in ` +
        `${plural(stats.modules, "module directory", "module directories")}, ${stats.filesParsed} parsed` +
        (stats.modulesNotFollowed ? `, ${plural(stats.modulesNotFollowed, "module call")} not followed (remote or outside the scanned tree)` : ""),
    ),
    "",
  );

  for (const [file, findings] of groupByFile(result.findings)) {
    out.push(p.bold(p.cyan(escapeForTerminal(file))));
    const width = Math.max(...findings.map((f) => String(f.line).length));
    for (const f of findings) {
      out.push(
        `  line ${String(f.line).padEnd(width)}  ${severityLabel(f.severity, p)} ${escapeForTerminal(f.title)}  ` +
          p.dim(`[${escapeForTerminal(f.ruleId)}]`),
      );
      // Messages usually name the resource already; when one does not, say which resource it is.
      const message = f.message.includes(f.resource) ? f.message : `${f.resource}: ${f.message}`;
      out.push(...indentLines(message, "    "));
      out.push(`    ${p.bold("Fix:")}`, ...fixLines(f, p));
      const docs = options.docsUrl?.(f.ruleId);
      if (docs) out.push(p.dim(`    See: ${escapeForTerminal(docs)}`));
    }
    out.push("");
  }

  if (result.suppressed.length > 0) {
    out.push(p.bold(`Suppressed (${result.suppressed.length}):`));
    for (const s of sortFindings(result.suppressed)) {
      const reason =
        (s.suppression.reason ? ` reason: ${s.suppression.reason}` : " no reason given: say why in the comment") +
        (s.suppression.expires ? `; expires ${s.suppression.expires}` : "");
      out.push(
        `  ${escapeForTerminal(`${s.file}:${s.line}`)}  ${s.severity.padEnd(6)} ${escapeForTerminal(s.ruleId)}  ` +
          escapeForTerminal(s.resource),
      );
      out.push(
        `    by ${escapeForTerminal(s.suppression.comment)} (line ${s.suppression.line});` + escapeForTerminal(reason),
      );
    }
    out.push("");
  }

  if (result.errors.length > 0) {
    out.push(p.bold(p.red(`Errors (${result.errors.length}):`)));
    for (const e of [...result.errors].sort((a, b) => compareText(a.file, b.file))) {
      out.push(`  ${escapeForTerminal(e.file)}: ${escapeForTerminal(e.message)}`);
    }
    out.push("");
  }

  if (stats.skipped.length > 0) {
    out.push(p.bold(`Skipped (${stats.skipped.length}):`));
    for (const s of [...stats.skipped].sort((a, b) => compareText(a.file, b.file))) {
      const detail = s.detail ? ` (${s.detail})` : "";
      out.push(`  ${escapeForTerminal(s.file)}: ${escapeForTerminal(s.reason + detail)}`);
    }
    out.push("");
  }

  if (result.findings.length > 0) {
    out.push(p.dim("Why it matters and how to rotate an exposed key: the same scan with --format markdown."));
  }
  out.push(result.findings.length > 0 ? p.bold(summaryLine(result)) : summaryLine(result));
  return out.join("\n") + "\n";
}
