/** What `layoutHcl` (hcl-layout.ts, plain-layout.ts) says about an HCL file. */
export interface BlockLayout {
  /** Block type (`resource`, `variable`, ...). */
  type: string;
  labels: string[];
  /** 1-based lines. */
  startLine: number;
  endLine: number;
  /** Attribute name → its 1-based first and last lines, for the block's own attributes (first occurrence). */
  attributes: Map<string, { line: number; endLine: number }>;
  /**
   * The block's source text, and its body's (between the braces): only for blocks Keywarden reads
   * (access keys, IAM users, variables, locals); empty for the rest, as are their attributes.
   */
  text: string;
  bodyText: string;
  /**
   * The block's attributes as hcl2json would give them, when the block is plain enough to be sure
   * of that (see hcl-values.ts); undefined otherwise, and for blocks Keywarden does not read.
   */
  plainBody?: Record<string, unknown>;
}

export interface CommentLayout {
  line: number;
  endLine: number;
  text: string;
  /** Nothing but whitespace before the comment on its line. */
  ownLine: boolean;
}

export interface HclLayout {
  /**
   * Top-level blocks that may matter (resources of type aws_iam_*, variables, locals), in source
   * order; other blocks are left out.
   */
  topBlocks: BlockLayout[];
  /** Every block, nested ones included (for block-scoped suppressions; empty when the file has none). */
  allBlocks: { startLine: number; endLine: number }[];
  /** Comments that may be suppressions (empty when the file has no "ignore" / "disable" text). */
  comments: CommentLayout[];
  /** The text's lines (split on LF; a CR before it is kept). */
  lines: string[];
  /** First line holding something other than a comment (Infinity when none). */
  firstCodeLine: number;
  /** tree-sitter found a syntax error: let hcl2json parse the whole file and give its message. */
  hasError: boolean;
  /**
   * With `{ topAttributes: true }` (a `.tfvars` file): the top-level attributes as hcl2json would
   * give them, when the file is plain enough to be sure of that (see hcl-values.ts).
   */
  plainTopLevel?: Record<string, unknown>;
}

export interface LayoutOptions {
  /** Also convert the top-level attributes (`.tfvars` files). */
  topAttributes?: boolean;
}
