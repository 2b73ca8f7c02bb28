import type { BlockLayout, HclLayout } from "./hcl-layout.js";

/**
 * hcl2json costs several milliseconds a call however small the input, and more with size, while a
 * module only needs a handful of blocks evaluated. So the blocks that matter (access keys, IAM
 * users, variables, locals) are cut out of the module's files by their exact tree-sitter extent
 * into one small excerpt, and the excerpts of many modules are parsed together in one call, each
 * wrapped in a block of its own (hcl2json converts any block generically). Each access key gets a
 * synthetic, unique name so its values map back to its position without ambiguity.
 */
export interface ModuleExcerpt {
  text: string;
  /** Key block → its synthetic name in the excerpt. */
  names: Map<BlockLayout, string>;
}

export const isAccessKeyBlock = (b: BlockLayout): boolean =>
  b.type === "resource" && b.labels[0] === "aws_iam_access_key" && b.labels[1] !== undefined;

const isDefinitionBlock = (b: BlockLayout): boolean =>
  b.type === "variable" || b.type === "locals" || (b.type === "resource" && b.labels[0] === "aws_iam_user");

export function buildExcerpt(layouts: readonly HclLayout[]): ModuleExcerpt {
  const parts: string[] = [];
  const names = new Map<BlockLayout, string>();
  for (const layout of layouts) {
    for (const block of layout.topBlocks) {
      if (isAccessKeyBlock(block)) {
        const synthetic = `keywarden_key_${names.size}`;
        names.set(block, synthetic);
        parts.push(`resource "aws_iam_access_key" "${synthetic}" {\n${block.bodyText}\n}\n`);
      } else if (isDefinitionBlock(block)) {
        parts.push(`${block.text}\n`);
      }
    }
  }
  return { text: parts.join(""), names };
}

/** Wraps a document (an excerpt, or a tfvars file's attributes) in a named block for batching. */
export function wrapInBlock(name: string, text: string): string {
  return `${name} {\n${text}\n}\n`;
}
