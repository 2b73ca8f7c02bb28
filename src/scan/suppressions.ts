import type { Suppression } from "../domain/types.js";
import type { HclLayout } from "./hcl-layout.js";

/**
 * Suppression comments, ours and KICS / Datadog's:
 * - `# keywarden:ignore RULE[,RULE] [reason]` (or `//`): own line → the next code line; trailing →
 *   its own line; when that line is a block header → the whole block.
 * - `kics-scan` / `dd-iac-scan` `ignore-line` (that line), `ignore-block` (the block starting there),
 *   and, in the comments at the top of a file, `ignore` (whole file) and `disable=ID[,ID]`.
 */
export interface SuppressionDirective {
  suppression: Suppression;
  /** Lowercased rule ids / aliases, or "all". */
  rules: "all" | ReadonlySet<string>;
  /** Inclusive line range covered; the whole file is [1, Infinity]. */
  from: number;
  to: number;
  /** Set when the comment is malformed (an invalid `exp:` date): it suppresses nothing, and is reported. */
  error?: string;
}

/**
 * `exp:YYYY-MM-DD` anywhere after the rule ids (Trivy's spelling). As in Trivy, the date is read as
 * midnight UTC at the start of that day: the exception holds up to the end of the day before, and
 * from `YYYY-MM-DDT00:00:00Z` on the finding is live again.
 */
const EXPIRY_RE = /(?:^|\s)exp:(\S*)/i;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant an `exp:` date ends the exception, or undefined when the date is not a real one. */
export function expiryInstant(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t;
}

/** Splits `reason exp:DATE` into the reason and the date ("" reason when none is left). */
function splitExpiry(text: string): { reason: string; expires?: string } {
  const m = EXPIRY_RE.exec(text);
  if (!m) return { reason: oneLine(text) };
  return { reason: oneLine(text.slice(0, m.index) + " " + text.slice(m.index + m[0].length)), expires: m[1] ?? "" };
}

const KEYWARDEN_RE = /^keywarden:ignore\s+([^\s,]+(?:\s*,\s*[^\s,]+)*)(?:\s+(.*))?$/is;
const KICS_RE = /^(kics-scan|dd-iac-scan)\s+(ignore-line|ignore-block|ignore|disable=(\S+))(?:\s+(.*))?$/is;

/** A reason may span the lines of a block comment: keep it as one line. */
function oneLine(text: string | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").trim();
}

function commentBody(text: string): string {
  let t = text.trim();
  if (t.startsWith("/*")) t = t.slice(2).replace(/\*\/$/, "");
  else if (t.startsWith("//")) t = t.slice(2);
  else if (t.startsWith("#")) t = t.slice(1);
  return t.trim();
}

export function parseSuppressions(layout: HclLayout, lines: readonly string[]): SuppressionDirective[] {
  const commentOnlyLines = new Set<number>();
  for (const c of layout.comments) {
    if (!c.ownLine) continue;
    for (let l = c.line; l <= c.endLine; l++) commentOnlyLines.add(l);
  }
  /** The line an own-line comment speaks about: the next one that is neither blank nor a comment. */
  const nextCodeLine = (after: number): number => {
    let l = after + 1;
    while (l <= lines.length && (commentOnlyLines.has(l) || (lines[l - 1] ?? "").trim() === "")) l++;
    return l;
  };
  const blockAt = (line: number): { startLine: number; endLine: number } | undefined => {
    let best: { startLine: number; endLine: number } | undefined;
    for (const b of layout.allBlocks) if (b.startLine === line && (!best || b.endLine > best.endLine)) best = b;
    return best;
  };

  const directives: SuppressionDirective[] = [];
  for (const c of layout.comments) {
    const body = commentBody(c.text);
    const target = c.ownLine ? nextCodeLine(c.endLine) : c.line;
    const base = { line: c.line, comment: c.text.trim() };
    const ours = KEYWARDEN_RE.exec(body);
    if (ours?.[1] !== undefined) {
      const ids = new Set(ours[1].split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
      const block = blockAt(target);
      const { reason, expires } = splitExpiry(ours[2] ?? "");
      const suppression: Suppression = { source: "keywarden", reason, ...base };
      if (reason === "") suppression.reasonMissing = true;
      const directive: SuppressionDirective = { suppression, rules: ids, from: block?.startLine ?? target, to: block?.endLine ?? target };
      if (expires !== undefined) {
        suppression.expires = expires;
        if (expiryInstant(expires) === undefined) {
          directive.error = `line ${c.line}: invalid expiry date ${JSON.stringify(expires)} in a keywarden:ignore comment (expected exp:YYYY-MM-DD); the comment suppresses nothing`;
        }
      }
      directives.push(directive);
      continue;
    }
    const kics = KICS_RE.exec(body);
    if (!kics?.[1] || !kics[2]) continue;
    const source = kics[1].toLowerCase() === "kics-scan" ? "kics" : "dd-iac-scan";
    const suppression: Suppression = { source, reason: oneLine(kics[4]), ...base };
    if (suppression.reason === "") suppression.reasonMissing = true;
    const verb = kics[2].toLowerCase();
    const atTop = c.ownLine && c.endLine < layout.firstCodeLine;
    if (verb === "ignore-line") {
      directives.push({ suppression, rules: "all", from: target, to: target });
    } else if (verb === "ignore-block") {
      const block = blockAt(target);
      directives.push({ suppression, rules: "all", from: block?.startLine ?? target, to: block?.endLine ?? target });
    } else if (verb === "ignore" && atTop) {
      directives.push({ suppression, rules: "all", from: 1, to: Number.POSITIVE_INFINITY });
    } else if (kics[3] !== undefined && atTop) {
      const ids = new Set(kics[3].split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
      directives.push({ suppression, rules: ids, from: 1, to: Number.POSITIVE_INFINITY });
    }
  }
  return directives;
}

/**
 * The first directive (in source order) that covers `line` for a rule known by `ids` and has not
 * expired at `now`; else the first expired one that would have (`expired`), so the finding can say
 * its exception ran out. A malformed directive covers nothing.
 */
export function findSuppression(
  directives: readonly SuppressionDirective[],
  ids: readonly string[],
  line: number,
  now: Date = new Date(),
): { suppression?: Suppression; expired?: Suppression } {
  const wanted = ids.map((id) => id.toLowerCase());
  let expired: Suppression | undefined;
  for (const d of directives) {
    if (d.error !== undefined || line < d.from || line > d.to) continue;
    if (!(d.rules === "all" || wanted.some((id) => (d.rules as ReadonlySet<string>).has(id)))) continue;
    const ends = d.suppression.expires === undefined ? undefined : expiryInstant(d.suppression.expires);
    if (ends !== undefined && now.getTime() >= ends) {
      expired ??= d.suppression;
      continue;
    }
    return { suppression: d.suppression };
  }
  return expired ? { expired } : {};
}
