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

export const isDefinitionBlock = (b: BlockLayout): boolean =>
  b.type === "variable" || b.type === "locals" || (b.type === "resource" && b.labels[0] === "aws_iam_user");

/** What `plainExcerptDoc` needs: every block of the excerpt, and every batched `.tfvars`, plain. */
export function isPlainModule(m: { hclFiles: readonly { layout: HclLayout }[]; varsFiles: readonly ({ hcl: string; plain?: unknown } | { doc: unknown })[] }): boolean {
  return (
    m.hclFiles.every((h) => h.layout.topBlocks.every((b) => !(isAccessKeyBlock(b) || isDefinitionBlock(b)) || b.plainBody !== undefined)) &&
    m.varsFiles.every((v) => !("hcl" in v) || v.plain !== undefined)
  );
}

/**
 * The document hcl2json would give for `excerpt` (the parts Keywarden reads: attributes of keys,
 * variables, locals and users), from tree-sitter alone; undefined when some block is not plain
 * (see hcl-values.ts) or not shaped as these blocks must be. Same shape as hcl2json's output:
 * `resource.TYPE.NAME`, `variable.NAME` lists of bodies in source order, `locals` a list of bodies.
 */
export function plainExcerptDoc(layouts: readonly HclLayout[], excerpt: ModuleExcerpt): Record<string, unknown> | undefined {
  const resource: Record<string, Record<string, Record<string, unknown>[]>> = {};
  const variable: Record<string, Record<string, unknown>[]> = {};
  const locals: Record<string, unknown>[] = [];
  const add = (into: Record<string, Record<string, unknown>[]>, name: string, body: Record<string, unknown>): void => {
    if (!Object.prototype.hasOwnProperty.call(into, name)) Object.defineProperty(into, name, { value: [], enumerable: true, writable: true, configurable: true });
    into[name]?.push(body);
  };
  const resourcesOf = (type: string): Record<string, Record<string, unknown>[]> => (resource[type] ??= {});
  for (const layout of layouts) {
    for (const block of layout.topBlocks) {
      const key = isAccessKeyBlock(block);
      if (!key && !isDefinitionBlock(block)) continue;
      const body = block.plainBody;
      if (!body) return undefined;
      if (key) {
        const synthetic = excerpt.names.get(block);
        if (synthetic === undefined || block.labels.length !== 2) return undefined;
        add(resourcesOf("aws_iam_access_key"), synthetic, body);
      } else if (block.type === "variable") {
        if (block.labels.length !== 1) return undefined;
        add(variable, block.labels[0] as string, body);
      } else if (block.type === "locals") {
        if (block.labels.length !== 0) return undefined;
        locals.push(body);
      } else {
        if (block.labels.length !== 2) return undefined;
        add(resourcesOf("aws_iam_user"), block.labels[1] as string, body);
      }
    }
  }
  const doc: Record<string, unknown> = {};
  if (Object.keys(resource).length > 0) doc["resource"] = resource;
  if (Object.keys(variable).length > 0) doc["variable"] = variable;
  if (locals.length > 0) doc["locals"] = locals;
  return doc;
}

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
