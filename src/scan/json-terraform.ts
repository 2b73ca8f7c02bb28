import { createRequire } from "node:module";
import type * as Jsonc from "jsonc-parser";
import type { Node, ParseError } from "jsonc-parser";
import type { RawAccessKey, RawAttribute } from "./raw-module.js";

/**
 * Terraform's JSON syntax (`*.tf.json`, `*.tfvars.json`), read with positions. A resource's line
 * is the line of its name key; an attribute's line is the line of its key.
 */
export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
}

export interface ParsedJson {
  doc: Record<string, unknown>;
  root: Node;
  lineOf: (offset: number) => number;
  /** 0-based column of `offset` in its line. */
  columnOf: (offset: number) => number;
}

let jsonc: typeof Jsonc | undefined;

/** jsonc-parser, loaded on first use: most scans never parse a Terraform JSON file. */
function parser(): typeof Jsonc {
  jsonc ??= createRequire(import.meta.url)("jsonc-parser") as typeof Jsonc;
  return jsonc;
}

export function parseTerraformJson(text: string): ParsedJson {
  const { getNodeValue, parseTree, printParseErrorCode } = parser();
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const lineStarts = computeLineStarts(text);
  const lineOf = (offset: number): number => lineAt(lineStarts, offset);
  const columnOf = (offset: number): number => offset - (lineStarts[lineOf(offset) - 1] ?? 0);
  const first = errors[0];
  if (first || !root) {
    const offset = first?.offset ?? 0;
    throw new JsonSyntaxError(`${lineOf(offset)}:${columnOf(offset) + 1}: ${first ? printParseErrorCode(first.error) : "empty document"}`);
  }
  const doc: unknown = getNodeValue(root);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new JsonSyntaxError("1:1: a Terraform JSON file must hold an object");
  }
  return { doc: doc as Record<string, unknown>, root, lineOf, columnOf };
}

/** Every `aws_iam_access_key` in a Terraform JSON document, with positions. */
export function jsonAccessKeys(parsed: ParsedJson, file: string): RawAccessKey[] {
  const { findNodeAtLocation, getNodeValue } = parser();
  const keys: RawAccessKey[] = [];
  for (const resourceObject of objectsOf(findNodeAtLocation(parsed.root, ["resource"]))) {
    for (const typeProp of propertiesOf(resourceObject)) {
      if (keyOf(typeProp) !== "aws_iam_access_key") continue;
      for (const typeObject of objectsOf(typeProp.children?.[1])) {
        for (const nameProp of propertiesOf(typeObject)) {
          const name = keyOf(nameProp);
          const bodyNode = nameProp.children?.[1];
          for (const body of objectsOf(bodyNode)) {
            const attributes = new Map<string, RawAttribute>();
            for (const attr of propertiesOf(body)) {
              const key = keyOf(attr);
              const valueNode = attr.children?.[1];
              if (key === undefined || !valueNode || attributes.has(key)) continue;
              attributes.set(key, {
                line: parsed.lineOf(attr.offset),
                endLine: parsed.lineOf(attr.offset + attr.length - 1),
                column: parsed.columnOf(attr.offset),
                raw: getNodeValue(valueNode),
              });
            }
            const headerLine = parsed.lineOf(nameProp.offset);
            keys.push({
              file,
              name: name ?? "",
              syntax: "json",
              headerLine,
              block: { startLine: headerLine, endLine: parsed.lineOf(body.offset + body.length - 1) },
              bodyOpen: { line: parsed.lineOf(body.offset), column: parsed.columnOf(body.offset) + 1 },
              attributes,
            });
          }
        }
      }
    }
  }
  return keys;
}

function objectsOf(node: Node | undefined): Node[] {
  if (!node) return [];
  if (node.type === "object") return [node];
  if (node.type === "array") return (node.children ?? []).filter((c) => c.type === "object");
  return [];
}

function propertiesOf(node: Node): Node[] {
  return (node.children ?? []).filter((c) => c.type === "property");
}

function keyOf(prop: Node): string | undefined {
  const v: unknown = prop.children?.[0]?.value;
  return typeof v === "string" ? v : undefined;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
