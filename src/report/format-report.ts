/** One entry point for every report format, so the CLI and tests pick formats by name. */
import type { ScanResult } from "../domain/types.js";
import { formatJson } from "./json.js";
import { formatMarkdown, type MarkdownOptions } from "./markdown.js";
import { formatSarif, type SarifOptions } from "./sarif.js";
import { formatText, type TextOptions } from "./text.js";

export type ReportFormat = "text" | "json" | "sarif" | "markdown";

export interface ReportOptions {
  text: TextOptions;
  sarif: SarifOptions;
  markdown: MarkdownOptions;
}

export function formatReport(format: ReportFormat, result: ScanResult, options: ReportOptions): string {
  switch (format) {
    case "text":
      return formatText(result, options.text);
    case "json":
      return formatJson(result);
    case "sarif":
      return formatSarif(result, options.sarif);
    case "markdown":
      return formatMarkdown(result, options.markdown);
  }
}
