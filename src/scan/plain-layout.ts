import type { BlockLayout, CommentLayout, HclLayout, LayoutOptions } from "./hcl-layout-types.js";
import { UNCONVERTED } from "./hcl-values.js";

/**
 * The layout of a plain HCL file without tree-sitter, line by line: most files that declare a key
 * are a few short blocks of one-line attributes, and for those, loading tree-sitter's WASM costs
 * more than the rest of the scan of a thousand files.
 *
 * It either returns exactly what `layoutHcl` would return with tree-sitter, or undefined, and then
 * tree-sitter lays the file out. So it accepts only files every line of which is one of:
 * - blank, or a `#` / `//` comment;
 * - a block header, `type label "label" {`, its labels ASCII identifiers or plain strings;
 * - `}` closing a block;
 * - an attribute, `name = value`, with the value on that line and in the subset of hcl-values.ts
 *   (a plain string or template, digits, `true`, `false`, `null`, a reference, or a function call,
 *   tuple or negative number of those);
 * each optionally followed by a `#` / `//` comment. Anything else (a heredoc, an object, a value
 * over several lines, a block comment, an escape, a non-ASCII identifier or string) sends the file to
 * tree-sitter. test/scan/plain-paths.test.ts holds the two to the same output.
 */

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_-]/;
/** Words tree-sitter's grammar may read as something else than a name. */
const RESERVED = new Set(["true", "false", "null", "for", "in", "if", "else", "endif", "endfor"]);
const NUMBER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Blocks whose attributes or text Keywarden may need (as in hcl-layout.ts). */
const DETAILED = new Set(["resource", "variable", "locals"]);

const REJECT = Symbol("reject");
type Value = unknown;

/** A cursor over one line. */
class Line {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? "";
  }
  skipSpace(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
  }
  /** At a comment, or at the end: the rest of the line holds no code. */
  atEnd(): boolean {
    return this.done || this.peek() === "#" || (this.peek() === "/" && this.peek(1) === "/");
  }
  ident(): string | undefined {
    if (!IDENT_START.test(this.peek())) return undefined;
    const start = this.pos;
    while (IDENT_CHAR.test(this.peek())) this.pos++;
    const word = this.text.slice(start, this.pos);
    return RESERVED.has(word) ? undefined : word;
  }
}

interface OpenBlock {
  type: string;
  labels: string[];
  /** 0-based row and column of the block's first character. */
  row: number;
  column: number;
  items: { name: string; kind: "attribute" | "block"; row: number; value?: Value; plain?: Record<string, unknown> | undefined }[];
  /** Start of the first item and end of the last, for the body's text. */
  firstItem?: { row: number; column: number };
  lastItemEnd?: { row: number; column: number };
  top: boolean;
  wanted: boolean;
  /** Its entry in `allBlocks` (listed where blocks open, as tree-sitter lists them). */
  index: number;
}

export function plainLayout(text: string, options: LayoutOptions = {}): HclLayout | undefined {
  const lines = text.split("\n");
  const topBlocks: BlockLayout[] = [];
  const allBlocks: { startLine: number; endLine: number }[] = [];
  const comments: CommentLayout[] = [];
  const topAttributes: { name: string; value: Value }[] = [];
  let topHasBlock = false;
  let firstCodeLine = Number.POSITIVE_INFINITY;
  const stack: OpenBlock[] = [];
  // Comments matter only as suppressions, which say "ignore" or "disable" (as in hcl-layout.ts).
  const wantComments = /ignore|disable/i.test(text);

  for (const [row, raw] of lines.entries()) {
    const content = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (hasUnsafeCharacter(content)) return undefined;
    const line = new Line(content);
    line.skipSpace();
    if (!line.atEnd()) {
      const itemStart = line.pos;
      const parent = stack.at(-1);
      if (line.peek() === "}") {
        line.pos++;
        const block = stack.pop();
        if (!block) return undefined;
        const entry = allBlocks[block.index];
        if (entry) entry.endLine = row + 1;
        const layout = finishBlock(block, row, line.pos, lines, text);
        const outer = stack.at(-1);
        if (outer) {
          outer.items.push({ name: block.type, kind: "block", row: block.row, plain: layout.plain });
          outer.firstItem ??= { row: block.row, column: block.column };
          outer.lastItemEnd = { row, column: line.pos };
        } else if (block.wanted) topBlocks.push(layout.block);
      } else {
        const name = line.ident();
        if (name === undefined) return undefined;
        line.skipSpace();
        if (line.peek() === "=" && line.peek(1) !== "=") {
          line.pos++;
          line.skipSpace();
          const value = parseValue(line);
          if (value === REJECT) return undefined;
          if (parent) {
            parent.items.push({ name, kind: "attribute", row, value });
            parent.firstItem ??= { row, column: itemStart };
            parent.lastItemEnd = { row, column: line.pos };
          } else topAttributes.push({ name, value });
        } else {
          const labels: string[] = [];
          for (;;) {
            if (line.peek() === "{") break;
            const before = line.pos;
            const label = line.peek() === '"' ? plainString(line) : line.ident();
            if (typeof label !== "string" || label.includes("${") || line.pos === before) return undefined;
            labels.push(label);
            if (line.peek() !== " " && line.peek() !== "\t" && line.peek() !== "{") return undefined;
            line.skipSpace();
          }
          line.pos++; // the "{"
          const top = stack.length === 0;
          if (top) topHasBlock = true;
          stack.push({ type: name, labels, row, column: itemStart, items: [], top, wanted: top && mayBeWanted(raw), index: allBlocks.length });
          allBlocks.push({ startLine: row + 1, endLine: row + 1 });
        }
      }
      // The first code of a file is always at its top level.
      if (firstCodeLine === Number.POSITIVE_INFINITY) firstCodeLine = row + 1;
      line.skipSpace();
      if (!line.atEnd()) return undefined;
    }
    if (!line.done) {
      // A comment to the end of the line.
      if (line.peek() !== "#" && !(line.peek() === "/" && line.peek(1) === "/")) return undefined;
      if (wantComments) {
        const commentText = raw.slice(line.pos).replace(/\r$/, "");
        const firstLine = commentText.trimEnd();
        comments.push({ line: row + 1, endLine: row + 1, text: commentText, ownLine: raw.trimStart().startsWith(firstLine) });
      }
    }
  }
  if (stack.length > 0) return undefined;

  const layout: HclLayout = {
    topBlocks,
    allBlocks: comments.some((c) => /ignore/i.test(c.text)) ? allBlocks : [],
    comments: wantComments ? comments : [],
    firstCodeLine,
    hasError: false,
    lines,
  };
  if (options.topAttributes && !topHasBlock) {
    const plain: Record<string, unknown> = {};
    let ok = true;
    for (const a of topAttributes) {
      if (a.value === REJECT || a.name === "__proto__" || Object.prototype.hasOwnProperty.call(plain, a.name)) ok = false;
      else plain[a.name] = a.value;
    }
    if (ok) layout.plainTopLevel = plain;
  }
  return layout;
}

function finishBlock(
  block: OpenBlock,
  endRow: number,
  endColumn: number,
  lines: readonly string[],
  text: string,
): { block: BlockLayout; plain: Record<string, unknown> | undefined } {
  const plain = plainBody(block);
  const startLine = block.row + 1;
  const endLine = endRow + 1;
  const attributes = new Map<string, { line: number; endLine: number }>();
  const labels: string[] = [];
  const minimal = (): BlockLayout => ({ type: block.type, labels, startLine, endLine, attributes, text: "", bodyText: "" });
  if (!block.top || !block.wanted) return { block: minimal(), plain };
  if (!DETAILED.has(block.type)) return { block: minimal(), plain };
  if (block.type === "resource") {
    const resourceType = block.labels[0];
    if (resourceType !== "aws_iam_access_key" && resourceType !== "aws_iam_user") {
      if (resourceType !== undefined) labels.push(resourceType);
      return { block: minimal(), plain };
    }
  }
  labels.push(...block.labels);
  for (const item of block.items) {
    if (item.kind === "attribute" && !attributes.has(item.name)) attributes.set(item.name, { line: item.row + 1, endLine: item.row + 1 });
  }
  const offset = offsets(lines);
  const at = (p: { row: number; column: number }): number => (offset[p.row] ?? 0) + p.column;
  const blockText = text.slice(at({ row: block.row, column: block.column }), at({ row: endRow, column: endColumn }));
  const bodyText = block.firstItem && block.lastItemEnd ? text.slice(at(block.firstItem), at(block.lastItemEnd)) : "";
  const layout: BlockLayout = { type: block.type, labels, startLine, endLine, attributes, text: blockText, bodyText };
  if (plain) layout.plainBody = plain;
  return { block: layout, plain };
}

/** As `plainBlockBody` in hcl-values.ts: attributes once each, no block sharing an attribute's name. */
function plainBody(block: OpenBlock): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const blockTypes = new Set<string>();
  for (const item of block.items) {
    if (item.kind === "block") {
      if (item.plain === undefined) return undefined;
      blockTypes.add(item.name);
      continue;
    }
    if (item.name === "__proto__" || Object.prototype.hasOwnProperty.call(out, item.name)) return undefined;
    out[item.name] = item.value;
  }
  for (const type of blockTypes) if (Object.prototype.hasOwnProperty.call(out, type)) return undefined;
  return out;
}

let offsetCache: { lines: readonly string[]; offsets: number[] } | undefined;

function offsets(lines: readonly string[]): number[] {
  if (offsetCache?.lines === lines) return offsetCache.offsets;
  const out: number[] = [];
  let at = 0;
  for (const line of lines) {
    out.push(at);
    at += line.length + 1;
  }
  offsetCache = { lines, offsets: out };
  return out;
}

/**
 * A character no line of a plain file holds (outside a trailing CR): a control character other
 * than tab, or one that some parser may take for the end of a line.
 */
function hasUnsafeCharacter(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c === 0x85 || c === 0x2028 || c === 0x2029 || c === 0xfeff) return true;
  }
  return false;
}

function mayBeWanted(headerLine: string): boolean {
  return headerLine.includes("variable") || headerLine.includes("locals") || headerLine.includes("aws_iam_");
}

/** A value of the subset, its converted form (or UNCONVERTED), ending where the value ends. */
function parseValue(line: Line): Value | typeof REJECT {
  const c = line.peek();
  if (c === '"') return plainString(line);
  if (c === "[") return list(line, "]") === REJECT ? REJECT : UNCONVERTED;
  if (c === "-") {
    line.pos++;
    return typeof number(line) === "number" ? UNCONVERTED : REJECT;
  }
  if (c >= "0" && c <= "9") return number(line);
  if (!IDENT_START.test(c)) return REJECT;
  const start = line.pos;
  while (IDENT_CHAR.test(line.peek())) line.pos++;
  const word = line.text.slice(start, line.pos);
  if (word === "true" || word === "false" || word === "null") {
    if (line.peek() === "." || line.peek() === "(" || line.peek() === "[") return REJECT;
    return word === "null" ? null : word === "true";
  }
  if (RESERVED.has(word)) return REJECT;
  if (line.peek() === "(") return list(line, ")") === REJECT ? REJECT : UNCONVERTED;
  return traversalRest(line, start);
}

/** `a.b.c` (the root read already, from `start`): hcl2json writes its source as `${a.b.c}`. */
function traversalRest(line: Line, start: number): Value | typeof REJECT {
  while (line.peek() === ".") {
    line.pos++;
    if (line.ident() === undefined) return REJECT;
  }
  const next = line.peek();
  if (next === "[" || next === "(" || next === "." || next === '"') return REJECT;
  return "${" + line.text.slice(start, line.pos) + "}";
}

function number(line: Line): Value | typeof REJECT {
  const start = line.pos;
  while (line.peek() >= "0" && line.peek() <= "9") line.pos++;
  const digits = line.text.slice(start, line.pos);
  if (!NUMBER.test(digits) || IDENT_CHAR.test(line.peek()) || line.peek() === ".") return REJECT;
  return Number(digits);
}

/** `(a, b)` or `[a, b]` from its opening character: values of the subset, no trailing comma. */
function list(line: Line, close: ")" | "]"): typeof REJECT | undefined {
  line.pos++;
  line.skipSpace();
  if (line.peek() === close) {
    line.pos++;
    return undefined;
  }
  for (;;) {
    if (parseValue(line) === REJECT) return REJECT;
    line.skipSpace();
    if (line.peek() === close) {
      line.pos++;
      return undefined;
    }
    if (line.peek() !== ",") return REJECT;
    line.pos++;
    line.skipSpace();
    if (line.peek() === close) return REJECT;
  }
}

/**
 * A quoted string of printable ASCII without `\`, `$$`, `%%`, `%{`, whose `${` are interpolations
 * of a bare reference: the text between the quotes, as hcl2json gives it.
 */
function plainString(line: Line): string | typeof REJECT {
  const start = ++line.pos;
  for (;;) {
    const c = line.peek();
    if (c === "") return REJECT;
    if (c === '"') break;
    if (c === "\\" || c < " " || c > "~") return REJECT;
    if (c === "$" && line.peek(1) === "{") {
      line.pos += 2;
      const refStart = line.pos;
      if (line.ident() === undefined) return REJECT;
      if (traversalRest(line, refStart) === REJECT || line.peek() !== "}") return REJECT;
    }
    line.pos++;
  }
  const value = line.text.slice(start, line.pos);
  line.pos++;
  if (value.includes("$$") || value.includes("%%") || value.includes("%{")) return REJECT;
  return value;
}
