import type { Node } from "web-tree-sitter";

/**
 * Values of HCL attributes straight from tree-sitter's tree, for the plain cases, so that a module
 * whose blocks are all plain never waits for hcl2json (whose WASM start-up alone costs more than
 * reading ten thousand files).
 *
 * The contract is strict: a body is converted only when hcl2json would certainly accept the same
 * text and give exactly these values; anything else (`undefined`) sends the module to hcl2json,
 * which stays the reference. Hence a deliberately small, line-oriented subset:
 * - blocks laid out as HCL requires: `{` on the header line, every attribute or nested block on
 *   lines of its own, `}` on a line after the last one; no attribute set twice, no attribute and
 *   nested block sharing a name; comments only on one line each;
 * - attributes on one line each, whose value is a number (digits only), `true`, `false`, `null`, a
 *   printable-ASCII string without escapes (`\`, `$${`, `%%{`, `%{`), a template made of such text
 *   and `${a.b.c}` interpolations, a bare reference (`var.x`, `local.x`, `aws_iam_user.x.name`,
 *   `string`), or, accepted but not converted (`UNCONVERTED`), a function call, a tuple or a
 *   negative number built from those;
 * - ASCII identifiers and labels only (HCL normalises Unicode, and identifiers may be Unicode).
 *
 * test/scan/plain-paths.test.ts holds these conversions to hcl2json's own.
 */

/**
 * An attribute hcl2json would accept whose value is not converted here (e.g. `type = list(string)`):
 * harmless until something evaluates it, and then the module is parsed by hcl2json after all.
 */
export const UNCONVERTED: unique symbol = Symbol("keywarden.unconverted");

/** Thrown by the evaluation when it meets an UNCONVERTED value: parse the module with hcl2json. */
export class NeedsFullParse extends Error {
  override name = "NeedsFullParse";
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** `a`, `a.b`, `a.b.c`: a root and attribute steps, nothing else, no spaces. */
const TRAVERSAL = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
const NUMBER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Printable ASCII without the quote and the backslash; escapes of `${` and `%{` are excluded below. */
const PLAIN_TEXT = /^[\x20!\x23-\x5b\x5d-\x7e]*$/;

/** An attribute's value, UNCONVERTED (accepted, not converted), or undefined (not in the subset). */
type Converted = unknown;
const REJECT = undefined;

/**
 * The body of `block` (a tree-sitter `block` node) as hcl2json gives it, attributes only (nested
 * blocks are checked, not converted: Keywarden reads no nested block of these), or undefined when
 * the block is outside the subset.
 */
export function plainBlockBody(block: Node): Record<string, unknown> | undefined {
  let open: Node | undefined;
  let body: Node | undefined;
  let close: Node | undefined;
  const headerRow = block.startPosition.row;
  for (const child of block.children) {
    if (!child) return undefined;
    switch (child.type) {
      case "identifier":
        if (child.startPosition.row !== headerRow || !IDENT.test(child.text)) return undefined;
        break;
      case "string_lit":
        if (child.startPosition.row !== headerRow || plainString(child) === REJECT) return undefined;
        break;
      case "block_start":
        if (child.startPosition.row !== headerRow) return undefined;
        open = child;
        break;
      case "body":
        body = child;
        break;
      case "block_end":
        close = child;
        break;
      case "comment":
        if (child.startPosition.row !== child.endPosition.row) return undefined;
        break;
      default:
        return undefined;
    }
  }
  if (!open || !close) return undefined;
  if (!body) return close.startPosition.row >= open.startPosition.row ? {} : undefined;
  return plainBody(body, open.endPosition.row, close.startPosition.row);
}

/**
 * The attributes of a file's top level (a `.tfvars` file: attributes only), from the tree's root,
 * or undefined outside the subset.
 */
export function plainTopLevel(root: Node): Record<string, unknown> | undefined {
  let body: Node | undefined;
  for (const child of root.children) {
    if (child?.type === "body" && !body) body = child;
    else if (child?.type !== "comment" || child.startPosition.row !== child.endPosition.row) return undefined;
  }
  return body ? plainBody(body, -1, Number.POSITIVE_INFINITY, false) : {};
}

function plainBody(body: Node, openRow: number, closeRow: number, blocksAllowed = true): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const blockTypes = new Set<string>();
  let lastRow = openRow;
  for (const item of body.children) {
    if (!item) return undefined;
    if (item.type === "comment") {
      if (item.startPosition.row !== item.endPosition.row) return undefined;
      continue;
    }
    if (item.startPosition.row <= lastRow) return undefined;
    lastRow = item.endPosition.row;
    if (item.type === "attribute") {
      const entry = plainAttribute(item);
      if (!entry || Object.prototype.hasOwnProperty.call(out, entry.name)) return undefined;
      out[entry.name] = entry.value;
    } else if (item.type === "block" && blocksAllowed) {
      const type = item.firstChild;
      if (!type || type.type !== "identifier" || plainBlockBody(item) === undefined) return undefined;
      blockTypes.add(type.text);
    } else return undefined;
  }
  if (lastRow >= closeRow) return undefined;
  for (const type of blockTypes) if (Object.prototype.hasOwnProperty.call(out, type)) return undefined;
  return out;
}

function plainAttribute(attr: Node): { name: string; value: unknown } | undefined {
  if (attr.startPosition.row !== attr.endPosition.row) return undefined;
  const [name, eq, expr, ...rest] = attr.children;
  if (!name || !eq || !expr || rest.length > 0) return undefined;
  if (name.type !== "identifier" || !IDENT.test(name.text) || name.text === "__proto__") return undefined;
  if (eq.type !== "=" || expr.type !== "expression") return undefined;
  const value = plainExpression(expr);
  return value === REJECT ? undefined : { name: name.text, value };
}

/** An `expression` node: its value, UNCONVERTED, or REJECT. */
function plainExpression(expr: Node): Converted {
  const children = expr.children;
  const first = children[0];
  if (!first) return REJECT;
  if (first.type === "variable_expr") return traversal(expr);
  if (children.length !== 1) return REJECT;
  switch (first.type) {
    case "literal_value":
      return literal(first);
    case "template_expr":
      return template(first);
    case "function_call":
      return functionCall(first);
    case "collection_value":
      return tuple(first);
    case "operation":
      return negativeNumber(first);
    default:
      return REJECT;
  }
}

/** `var.x`, `aws_iam_user.x.name`, `string`: hcl2json writes the source text as `${...}`. */
function traversal(expr: Node): Converted {
  for (const [i, child] of expr.children.entries()) {
    if (!child) return REJECT;
    if (i === 0 ? child.type !== "variable_expr" : child.type !== "get_attr") return REJECT;
  }
  const text = expr.text;
  if (!TRAVERSAL.test(text) || text === "true" || text === "false" || text === "null") return REJECT;
  return "${" + text + "}";
}

function literal(node: Node): Converted {
  const [value, ...rest] = node.children;
  if (!value || rest.length > 0) return REJECT;
  switch (value.type) {
    case "numeric_lit":
      return NUMBER.test(value.text) ? Number(value.text) : REJECT;
    case "bool_lit":
      return value.text === "true" ? true : value.text === "false" ? false : REJECT;
    case "null_lit":
      return value.text === "null" ? null : REJECT;
    case "string_lit":
      return plainString(value);
    default:
      return REJECT;
  }
}

/** A quoted string whose text needs no decoding: exactly the characters between the quotes. */
function plainString(node: Node): Converted {
  const children = node.children;
  if (children[0]?.type !== "quoted_template_start" || children.at(-1)?.type !== "quoted_template_end") return REJECT;
  if (children.length > 3) return REJECT;
  if (children.length === 3 && children[1]?.type !== "template_literal") return REJECT;
  const text = node.text.slice(1, -1);
  return plainText(text) && !text.includes("${") ? text : REJECT;
}

function plainText(text: string): boolean {
  return PLAIN_TEXT.test(text) && !text.includes("$$") && !text.includes("%%") && !text.includes("%{");
}

/** `"a-${var.x}-b"`: literal text and `${traversal}` parts, which hcl2json keeps as written. */
function template(node: Node): Converted {
  const [quoted, ...rest] = node.children;
  if (!quoted || rest.length > 0 || quoted.type !== "quoted_template") return REJECT;
  const children = quoted.children;
  if (children[0]?.type !== "quoted_template_start" || children.at(-1)?.type !== "quoted_template_end") return REJECT;
  const text = quoted.text.slice(1, -1);
  if (!plainText(text)) return REJECT;
  let out = "";
  for (const part of children.slice(1, -1)) {
    if (!part) return REJECT;
    if (part.type === "template_literal") {
      if (part.text.includes("${")) return REJECT;
      out += part.text;
      continue;
    }
    if (part.type !== "template_interpolation") return REJECT;
    const [start, inner, end, ...more] = part.children;
    if (!start || !inner || !end || more.length > 0) return REJECT;
    if (start.type !== "template_interpolation_start" || inner.type !== "expression" || end.type !== "template_interpolation_end") return REJECT;
    const ref = traversal(inner);
    if (ref === REJECT || part.text !== ref) return REJECT;
    out += ref;
  }
  // Every character between the quotes is accounted for by the parts, or the tree is not what it seems.
  return out === text ? out : REJECT;
}

/** `list(string)`, `f(1, "a")`: accepted, not converted. */
function functionCall(node: Node): Converted {
  const [name, open, ...rest] = node.children;
  if (!name || name.type !== "identifier" || !IDENT.test(name.text) || open?.type !== "(") return REJECT;
  const close = rest.pop();
  if (close?.type !== ")" || rest.length > 1) return REJECT;
  const args = rest[0];
  if (args && (args.type !== "function_arguments" || !commaSeparated(args.children))) return REJECT;
  return UNCONVERTED;
}

/** `[a, b]`: accepted, not converted. */
function tuple(node: Node): Converted {
  const [value, ...rest] = node.children;
  if (!value || rest.length > 0 || value.type !== "tuple") return REJECT;
  const children = value.children;
  if (children[0]?.type !== "tuple_start" || children.at(-1)?.type !== "tuple_end") return REJECT;
  return commaSeparated(children.slice(1, -1)) ? UNCONVERTED : REJECT;
}

/** `expr, expr, expr` with no trailing comma, each in the subset. */
function commaSeparated(items: readonly (Node | null)[]): boolean {
  for (const [i, item] of items.entries()) {
    if (!item) return false;
    if (i % 2 === 1) {
      if (item.type !== ",") return false;
      continue;
    }
    if (item.type !== "expression" || plainExpression(item) === REJECT) return false;
  }
  return items.length % 2 === 1 || items.length === 0;
}

/** `-1`: accepted, not converted. */
function negativeNumber(node: Node): Converted {
  const [unary, ...rest] = node.children;
  if (!unary || rest.length > 0 || unary.type !== "unary_operation") return REJECT;
  const [minus, operand, ...more] = unary.children;
  if (minus?.type !== "-" || operand?.type !== "literal_value" || more.length > 0) return REJECT;
  return typeof literal(operand) === "number" ? UNCONVERTED : REJECT;
}
