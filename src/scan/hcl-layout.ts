import { createRequire } from "node:module";
import type { Node, Parser, TreeCursor } from "web-tree-sitter";
import { messageOf, ParserUnavailableError } from "./file-errors.js";
import { plainBlockBody, plainTopLevel } from "./hcl-values.js";
import { plainLayout } from "./plain-layout.js";
import type { BlockLayout, CommentLayout, HclLayout, LayoutOptions } from "./hcl-layout-types.js";

/**
 * Exact source positions for native HCL, which hcl2json does not give. tree-sitter parses the real
 * grammar, so comments, heredocs and strings that merely contain resource-like text are never
 * mistaken for blocks, and line numbers are right with CRLF endings.
 */

export type { BlockLayout, CommentLayout, HclLayout, LayoutOptions } from "./hcl-layout-types.js";

let ready: Promise<Parser> | undefined;

/**
 * Loads tree-sitter and the WASM grammar once, on first use: a scan with nothing to parse, or
 * only plain files (see plain-layout.ts), never pays for them, not even for loading the module.
 */
function terraformParser(): Promise<Parser> {
  ready ??= (async () => {
    const { Language, Parser } = await import("web-tree-sitter");
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve("@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm"));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

/**
 * Where the blocks, attributes and comments of an HCL file are. A plain file is laid out line by
 * line (plain-layout.ts, the same result), anything else by tree-sitter.
 */
export async function layoutHcl(text: string, options: LayoutOptions = {}): Promise<HclLayout> {
  return plainLayout(text, options) ?? treeSitterLayout(text, options);
}

/** `layoutHcl` by tree-sitter alone: the reference plain-layout.ts is tested against. */
export async function treeSitterLayout(text: string, options: LayoutOptions = {}): Promise<HclLayout> {
  let parser: Parser;
  try {
    parser = await terraformParser();
  } catch (error) {
    throw new ParserUnavailableError(`tree-sitter unavailable: ${messageOf(error)}`);
  }
  const tree = parser.parse(text);
  if (!tree) throw new Error("tree-sitter returned no tree");
  try {
    const root = tree.rootNode;
    const topBlocks: BlockLayout[] = [];
    let firstCodeLine = Number.POSITIVE_INFINITY;
    const lines = text.split("\n");
    // A cursor over the top level: far cheaper than materialising every node, and most top-level
    // blocks are never looked at beyond their first line.
    const cursor = root.walk();
    try {
      if (cursor.gotoFirstChild()) {
        do {
          if (nodeTypeAt(cursor) !== "body") continue;
          if (!cursor.gotoFirstChild()) break;
          do {
            const type = nodeTypeAt(cursor);
            if (type === "comment" || !cursor.nodeIsNamed) continue;
            const row = cursor.startPosition.row;
            if (firstCodeLine === Number.POSITIVE_INFINITY) firstCodeLine = row + 1;
            // HCL puts a block's type and labels on its first line: when that line cannot name a
            // block Keywarden reads, skip the (costly, node by node) description of the block.
            if (type === "block" && mayBeWanted(lines[row] ?? "")) topBlocks.push(describeBlock(cursor.currentNode));
          } while (cursor.gotoNextSibling());
          break;
        } while (cursor.gotoNextSibling());
      }
    } finally {
      cursor.delete();
    }
    // Comments only matter as suppressions, and every suppression form says "ignore" or "disable":
    // without either word in the file, skip collecting them.
    const commentNodes = /ignore|disable/i.test(text) ? root.descendantsOfType("comment") : [];
    const comments = commentNodes.flatMap((n): CommentLayout[] => {
      if (!n) return [];
      const commentText = n.text.replace(/\r$/, "");
      const row = n.startPosition.row;
      const lineText = (lines[row] ?? "").trimStart();
      const firstLine = (commentText.split("\n")[0] ?? "").replace(/\r$/, "").trimEnd();
      return [{ line: row + 1, endLine: n.endPosition.row + 1, text: commentText, ownLine: lineText.startsWith(firstLine) }];
    });
    // Nested block extents only matter to block-scoped suppressions: skip the walk without them.
    const allBlocks = comments.some((c) => /ignore/i.test(c.text))
      ? root.descendantsOfType("block").flatMap((n) => (n ? [{ startLine: n.startPosition.row + 1, endLine: n.endPosition.row + 1 }] : []))
      : [];
    const layout: HclLayout = { topBlocks, allBlocks, comments, firstCodeLine, hasError: root.hasError, lines };
    if (options.topAttributes && !layout.hasError) {
      const plain = plainTopLevel(root);
      if (plain) layout.plainTopLevel = plain;
    }
    return layout;
  } finally {
    tree.delete();
  }
}

/** Read through a function: the cursor moves, and TypeScript would narrow a repeated getter. */
function nodeTypeAt(cursor: TreeCursor): string {
  return cursor.nodeType;
}

function mayBeWanted(headerLine: string): boolean {
  return headerLine.includes("variable") || headerLine.includes("locals") || headerLine.includes("aws_iam_");
}

/** Blocks whose attributes or text Keywarden may need; others are only named and measured. */
const DETAILED = new Set(["resource", "variable", "locals"]);

function describeBlock(node: Node): BlockLayout {
  const first = node.firstNamedChild;
  const type = first?.type === "identifier" ? first.text : "";
  const labels: string[] = [];
  const attributes = new Map<string, { line: number; endLine: number }>();
  let bodyNode: Node | null = null;
  const startLine = node.startPosition.row + 1;
  const endLine = node.endPosition.row + 1;
  const minimal = (): BlockLayout => ({ type, labels, startLine, endLine, attributes, text: "", bodyText: "" });
  // Most blocks are of no interest: name them from their first children without walking the rest.
  if (!DETAILED.has(type)) return minimal();
  if (type === "resource") {
    const resourceType = labelOf(first?.nextNamedSibling ?? null);
    if (resourceType !== "aws_iam_access_key" && resourceType !== "aws_iam_user") {
      if (resourceType !== undefined) labels.push(resourceType);
      return minimal();
    }
  }
  for (const child of node.namedChildren) {
    if (!child || child.id === first?.id) continue;
    const label = labelOf(child);
    if (label !== undefined) labels.push(label);
    else if (child.type === "body") bodyNode = child;
  }
  if (bodyNode) {
    for (const item of bodyNode.namedChildren) {
      if (item?.type !== "attribute") continue;
      const name = item.firstNamedChild?.type === "identifier" ? item.firstNamedChild.text : undefined;
      if (name && !attributes.has(name)) attributes.set(name, { line: item.startPosition.row + 1, endLine: item.endPosition.row + 1 });
    }
  }
  const block: BlockLayout = { type, labels, startLine, endLine, attributes, text: node.text, bodyText: bodyNode?.text ?? "" };
  const plain = plainBlockBody(node);
  if (plain) block.plainBody = plain;
  return block;
}

function labelOf(node: Node | null): string | undefined {
  if (node?.type === "identifier") return node.text;
  if (node?.type === "string_lit") return labelText(node.text);
  return undefined;
}

function labelText(raw: string): string {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === "string") return v;
  } catch {
    // HCL escapes that JSON does not know: fall back to the text between the quotes.
  }
  return raw.slice(1, -1);
}
