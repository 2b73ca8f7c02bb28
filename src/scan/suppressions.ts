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
      directives.push({
        suppression: { source: "keywarden", reason: oneLine(ours[2]), ...base },
        rules: ids,
        from: block?.startLine ?? target,
        to: block?.endLine ?? target,
      });
      continue;
    }
    const kics = KICS_RE.exec(body);
    if (!kics?.[1] || !kics[2]) continue;
    const source = kics[1].toLowerCase() === "kics-scan" ? "kics" : "dd-iac-scan";
    const suppression: Suppression = { source, reason: oneLine(kics[4]), ...base };
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

/** The first directive (in source order) that covers `line` for a rule known by `ids`. */
export function findSuppression(
  directives: readonly SuppressionDirective[],
  ids: readonly string[],
  line: number,
): Suppression | undefined {
  const wanted = ids.map((id) => id.toLowerCase());
  for (const d of directives) {
    if (line < d.from || line > d.to) continue;
    if (d.rules === "all" || wanted.some((id) => (d.rules as ReadonlySet<string>).has(id))) return d.suppression;
  }
  return undefined;
}
