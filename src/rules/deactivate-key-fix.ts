import type { EvaluatedAccessKey } from "./rule.js";
import { closingBrace } from "../domain/closing-brace.js";

/**
 * The concrete fix as a unified diff of the resource block: set `status = "Inactive"` (replacing
 * the current status line, or adding one). Deleting the key is the better end state, but
 * deactivating first is the safe, reversible step AWS recommends before deletion.
 */
export function deactivateKeyFix(key: EvaluatedAccessKey): string {
  const { startLine } = key.block;
  const before = [...key.blockLines];
  const after = key.syntax === "json" ? jsonAfter(key, before) : hclAfter(key, before);
  return unifiedDiff(key.file, startLine, before, after);
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

/** Indentation used by the block's attributes (the user line's, else two spaces past the header). */
function attributeIndent(key: EvaluatedAccessKey, lines: readonly string[]): string {
  const user = key.attributes["user"];
  const userLine = user ? lines[user.line - key.block.startLine] : undefined;
  if (userLine !== undefined && user && user.line !== key.block.startLine) return indentOf(userLine);
  return indentOf(lines[0] ?? "") + "  ";
}

function hclAfter(key: EvaluatedAccessKey, lines: string[]): string[] {
  const out = [...lines];
  const status = key.attributes["status"];
  const { startLine, endLine } = key.block;
  if (status && status.line > startLine && status.line < endLine) {
    // Replace the whole attribute: its value may span lines (a heredoc, a bracketed expression).
    const first = status.line - startLine;
    const last = Math.min(status.endLine ?? status.line, endLine - 1) - startLine;
    out.splice(first, last - first + 1, `${indentOf(out[first] ?? "")}status = "Inactive"`);
    return out;
  }
  if (startLine === endLine) return expandOneLineBlock(out[0] ?? "");
  out.splice(out.length - 1, 0, `${attributeIndent(key, lines)}status = "Inactive"`);
  return out;
}

/**
 * HCL allows a single-line block to hold one argument only, so the fix cannot add `status` inside
 * it: the block is written out over several lines. A comment after the closing brace stays on the
 * header line, where a suppression comment means the same thing.
 */
function expandOneLineBlock(line: string): string[] {
  const open = line.indexOf("{");
  const close = open < 0 ? -1 : closingBrace(line, open + 1);
  if (close < 0) return [line];
  const indent = indentOf(line);
  const inner = line.slice(open + 1, close).trim();
  const trailing = line.slice(close + 1).trimEnd();
  return [
    line.slice(0, open + 1).trimEnd() + trailing,
    ...(inner ? [`${indent}  ${inner}`] : []),
    `${indent}  status = "Inactive"`,
    `${indent}}`,
  ];
}

function jsonAfter(key: EvaluatedAccessKey, lines: string[]): string[] {
  const out = [...lines];
  const { startLine } = key.block;
  const status = key.attributes["status"];
  if (status && status.line >= startLine) {
    // From the attribute's own column: a one-line document may hold other keys' "status".
    const i = status.line - startLine;
    const line = out[i] ?? "";
    const at = status.column ?? Math.max(0, line.indexOf('"status"'));
    const rest = line.slice(at).replace(/^("status"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\s]+)/, '$1"Inactive"');
    if (rest !== line.slice(at)) {
      out[i] = line.slice(0, at) + rest;
      return out;
    }
  }
  const open = key.bodyOpen;
  if (!open || open.line < startLine) return out;
  const i = open.line - startLine;
  const line = out[i] ?? "";
  if (line.slice(open.column).trim() === "") {
    // `{` ends its line: add the attribute on a line of its own, indented like the next one.
    const indent = indentOf(out[i + 1] ?? "") || indentOf(line) + "  ";
    out.splice(i + 1, 0, `${indent}"status": "Inactive",`);
  } else {
    out[i] = `${line.slice(0, open.column)}"status": "Inactive", ${line.slice(open.column).trimStart()}`;
  }
  return out;
}

/** A single-hunk unified diff covering the whole block, with `a/` and `b/` prefixes as git writes them. */
function unifiedDiff(file: string, startLine: number, before: readonly string[], after: readonly string[]): string {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) suffix++;
  const body: string[] = [];
  for (let i = 0; i < prefix; i++) body.push(` ${before[i]}`);
  for (let i = prefix; i < before.length - suffix; i++) body.push(`-${before[i]}`);
  for (let i = prefix; i < after.length - suffix; i++) body.push(`+${after[i]}`);
  for (let i = before.length - suffix; i < before.length; i++) body.push(` ${before[i]}`);
  const range = (start: number, count: number): string => (count === 1 ? `${start}` : `${start},${count}`);
  return [
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -${range(startLine, before.length)} +${range(startLine, after.length)} @@`,
    ...body,
    "",
  ].join("\n");
}
