/**
 * Repository text in the summary (paths, resource addresses, failure reasons) must not ping anyone,
 * link or close issues, or break a table or `<details>`. The escaping itself is ../neutralize.ts;
 * this adds what the summary's tables need on top: a length bound per cell, and pipes escaped
 * inside code spans (a GFM table splits on `|` even there).
 */
import { inlineCode, neutralizeText } from "../issues/neutralize.js";

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : flat;
}

/**
 * A code span that is safe inside a GFM table cell. A backslash right before a pipe is kept from
 * swallowing that pipe's escape (the table splitter reads `\\` as one escaped character). Empty text
 * gives an em dash.
 */
export function codeCell(text: string, max = 120): string {
  const flat = clip(text, max);
  if (!flat) return "—";
  return inlineCode(flat).replace(/\\(?=\|)/g, "\\\u200D").replace(/\|/g, "\\|");
}

/** Plain text safe anywhere in a line, table cells included (neutralizeText escapes `|` too). */
export function plainText(text: string, max = 300): string {
  return neutralizeText(clip(text, max));
}

/**
 * A link only to an http(s) address without characters that could end the link early; otherwise
 * the label as plain text (a bare `#12` would point at an issue of the summary's own repository).
 */
export function link(label: string, url: string): string {
  return /^https?:\/\/[^\s()<>[\]"'`]+$/.test(url) ? `[${label}](${url})` : plainText(label);
}
