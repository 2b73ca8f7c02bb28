/**
 * The `markdown` format: per finding, the issue Keywarden would file — its title and exactly the body
 * src/github/render-issue.ts renders — so a person can see what the App would write before
 * installing it. Suppressed findings would not be filed; they are listed at the end.
 */
import { neutralizeText, inlineCode } from "../issues/neutralize.js";
import { renderIssueBody, renderIssueTitle, type IssueTarget } from "../issues/render-issue.js";
import type { ScanResult } from "../domain/types.js";
import { sortFindings } from "./sort-findings.js";

export interface MarkdownOptions {
  target: IssueTarget;
}

export function formatMarkdown(result: ScanResult, options: MarkdownOptions): string {
  const findings = sortFindings(result.findings);
  const parts: string[] = [];
  if (findings.length === 0) parts.push("No findings: Keywarden would file no issue.\n");
  findings.forEach((f, i) => {
    parts.push(
      `# Issue ${i + 1} of ${findings.length}: ${neutralizeText(renderIssueTitle(f))}\n\n` +
        `${renderIssueBody(f, options.target)}\n`,
    );
  });
  if (result.suppressed.length > 0) {
    const lines = sortFindings(result.suppressed).map(
      (s) =>
        `- ${inlineCode(`${s.file}:${s.line}`)} ${inlineCode(s.ruleId)} ${inlineCode(s.resource)}: ${inlineCode(
          s.suppression.comment,
        )}`,
    );
    parts.push(`# Suppressed in code (no issue filed)\n\n${lines.join("\n")}\n`);
  }
  if (result.errors.length > 0) {
    const lines = result.errors.map((e) => `- ${inlineCode(e.file)}: ${neutralizeText(e.message)}`);
    parts.push(`# Files that could not be scanned\n\n${lines.join("\n")}\n`);
  }
  return parts.join("\n---\n\n");
}
