/**
 * Make repository-derived text (paths, resource names, snippets, messages quoting them) safe to put
 * in a GitHub issue. Repository content is hostile: a file under `teams/@org/team/` must not ping that
 * team, `#12` or `GH-12` must not link or close anything, HTML must not render, and backticks must not
 * break out of a code span or fence. A hidden-marker look-alike in a snippet must not be mistaken for
 * Keywarden's own marker either (readFingerprint takes the first match).
 *
 * GitHub finds mentions and references in the rendered HTML's text nodes, so HTML entities do not
 * help (`&#64;team` still pings). An invisible zero-width joiner between the sigil and the name
 * breaks the pattern while the text still reads the same.
 */

export const ZWJ = "\u200D";

/** Bidirectional overrides and isolates (Trojan Source): shown as visible `[U+XXXX]` instead. */
const BIDI_RE = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
/** C0/C1 controls except tab and line feed. */
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

function showInvisible(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(BIDI_RE, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`)
    .replace(CONTROL_RE, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`);
}

/**
 * Break `@user`, `@org/team`, `#12`, `owner/repo#12`, `GH-12` and issue URLs. A closing keyword
 * ("fixes #12") acts only through such a reference, so breaking the reference disarms it too.
 */
function breakReferences(text: string): string {
  return text
    .replace(/@/g, `@${ZWJ}`)
    .replace(/#/g, `#${ZWJ}`)
    // A bare issue URL would link and leave a cross-reference in that issue.
    .replace(/:\/\//g, `:${ZWJ}//`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZWJ}.`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${ZWJ}-`);
}

/** Keep repository text from forging `<!-- keywarden:... -->` markers (also inside code). */
function breakMarkers(text: string): string {
  return text.replace(/<!--/g, `<!${ZWJ}--`);
}

/**
 * Plain Markdown prose from repository text: HTML escaped, Markdown punctuation escaped, mentions,
 * references and closing keywords broken, one line.
 */
export function neutralizeText(text: string): string {
  // References first: GitHub links them in the rendered text, after Markdown escapes are gone.
  const escaped = breakReferences(showInvisible(text).replace(/\n+/g, " "))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    // Markdown punctuation that could start emphasis, links, code, tables, headings or lists.
    .replace(/([\\`*_[\]{}()|!~+\-.=])/g, "\\$1");
  return escaped;
}

/**
 * Prose that may quote code between backticks (rule messages, remediations): the quoted parts become
 * safe code spans, the rest neutralised prose. Hostile backticks can only move where a span starts
 * or ends; every piece is made safe either way. Line structure survives: paragraphs (blank lines)
 * and a leading list marker (`1. `, `- `) on a line, which are layout, not content. URLs listed in
 * `trustedUrls` (the rule's own documentation) become links; any other URL stays inert text.
 */
export function neutralizeProse(text: string, trustedUrls: readonly string[] = []): string {
  const lines = showInvisible(text).split("\n");
  return lines
    .map((line) => {
      const marker = /^(\s{0,3})(\d{1,3}\. |[-*] )/.exec(line);
      const rest = marker ? line.slice(marker[0].length) : line;
      const lead = marker ? `${marker[2]!.startsWith("-") || marker[2]!.startsWith("*") ? "- " : marker[2]}` : "";
      return lead + neutralizeInline(rest, trustedUrls);
    })
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function neutralizeInline(line: string, trustedUrls: readonly string[]): string {
  const trusted = [...trustedUrls].filter((u) => /^https:\/\/[^\s()<>[\]]+$/.test(u)).sort((a, b) => b.length - a.length);
  const pieces = trusted.length
    ? line.split(new RegExp(`(${trusted.map((u) => u.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "g"))
    : [line];
  return pieces
    .map((piece, i) => {
      if (trusted.length && i % 2 === 1) return `[${new URL(piece).host}](${piece})`;
      return piece
        .split(/(`[^`\n]+`)/g)
        .map((part, j) => (j % 2 === 1 ? inlineCode(part.slice(1, -1)) : part === "" ? "" : neutralizeText(part)))
        .join("");
    })
    .join("");
}

/** Plain text for an issue title: no Markdown is rendered there, but references and mentions are. */
export function neutralizeTitle(text: string, maxLength = 240): string {
  const flat = showInvisible(text).replace(/\s+/g, " ").trim();
  const broken = breakReferences(flat);
  return broken.length <= maxLength ? broken : `${broken.slice(0, maxLength - 1)}…`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    if (current > longest) longest = current;
  }
  return longest;
}

/**
 * An inline code span that content cannot close: the delimiter is one backtick longer than any
 * backtick run inside, padded with spaces when the content touches a backtick. GitHub links no
 * mention or reference inside code, and renders no HTML there. Newlines become spaces (a blank line
 * would end the paragraph, and the span with it).
 */
export function inlineCode(text: string): string {
  const flat = breakMarkers(showInvisible(text)).replace(/\n/g, " ");
  if (flat.trim() === "") return "`\u00A0`";
  const fence = "`".repeat(longestRun(flat, "`") + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || (flat.startsWith(" ") && flat.endsWith(" ")) ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A fenced code block the content cannot close: a backtick fence longer than any backtick run in it
 * (at least three). The info string is reduced to a safe language name.
 */
export function fencedBlock(text: string, language = ""): string {
  const body = breakMarkers(showInvisible(text)).replace(/\n+$/, "");
  const fence = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
  const lang = language.replace(/[^A-Za-z0-9_+-]/g, "");
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** Percent-encode one URL path segment, including the characters that end a Markdown link. */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Percent-encode a POSIX path segment by segment (slashes kept). */
export function encodePath(path: string): string {
  return path.split("/").map(encodePathSegment).join("/");
}
