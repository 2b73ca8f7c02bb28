import type { ScanError, SkippedFile } from "../domain/types.js";
import type { DiscoveredFile } from "./discover-files.js";
import { classifyBytes, decodeText, readTerraformFile, type ReadArena } from "./read-terraform-file.js";
import { mayDeclareAccessKey, mayDefineReferencedValues, mayMentionAccessKey } from "./precheck.js";
import { addDocDefinitions, addLayoutDefinitions, addReferences, emptyNames, missingNames } from "./references.js";
import type { HclParser } from "./hcl2json-adapter.js";
import { layoutHcl, type HclLayout } from "./hcl-layout.js";
import { jsonAccessKeys, parseTerraformJson, type ParsedJson } from "./json-terraform.js";
import type { RawAccessKey } from "./raw-module.js";
import { parseSuppressions, type SuppressionDirective } from "./suppressions.js";
import { autoloadOrder } from "../domain/terraform-files.js";
import { isAccessKeyBlock, isPlainModule } from "./module-excerpt.js";
import { ParserUnavailableError, reportFileError } from "./file-errors.js";

/** Where a key's snippet and suppressions come from. */
export interface KeySource {
  lines: string[];
  directives: SuppressionDirective[];
}

/** An HCL file of a candidate module, after tree-sitter, before values. */
export interface HclFile {
  path: string;
  name: string;
  text: string;
  layout: HclLayout;
  /** Present for key files: snippets and suppressions. */
  source?: KeySource;
  /**
   * Set when hcl2json parsed the whole file: tree-sitter saw an error and hcl2json accepted the file,
   * or the module's batched excerpt failed and its files were parsed one by one.
   */
  doc?: Record<string, unknown>;
}

export type VarsFile =
  | { path: string; name: string; doc: Record<string, unknown> }
  /** Batched into hcl2json with the module; `plain`: its values, when the layout is sure of them (hcl-values.ts). */
  | { path: string; name: string; hcl: string; plain?: Record<string, unknown> };

/** What phase one keeps of a module that may produce findings; everything else is dropped. */
export interface PreparedModule {
  /** The module's directory, POSIX, relative to the root ("." for the root). */
  dir: string;
  /** Keys from Terraform JSON files, complete with raw values. */
  jsonKeys: { raw: RawAccessKey; source: KeySource }[];
  /** Documents whose definitions (variables, locals, users) count: JSON files, whole-parsed HCL. */
  docs: Record<string, unknown>[];
  /** HCL files with a clean tree, key files first: their values come from the batched excerpt. */
  hclFiles: HclFile[];
  /** Key files whose values come from `doc` (parsed whole). */
  wholeKeyFiles: HclFile[];
  /** Auto-loaded variable files, in Terraform's order. */
  varsFiles: VarsFile[];
}

export interface ModuleContext {
  parser: HclParser;
}

export interface PrepareResult {
  errors: ScanError[];
  filesParsed: number;
  prepared?: PreparedModule;
}

export interface LoadedFile {
  file: DiscoveredFile;
  bytes: Buffer;
}

export interface ReadModuleResult {
  skipped: SkippedFile[];
  bytesRead: number;
  /** The module's readable text files. */
  loaded: LoadedFile[];
  /** Some `.tf` / `.tf.json` of the module mentions `aws_iam_access_key`: `prepareModule` it. */
  mayDeclareKeys: boolean;
}

const isConfig = (f: LoadedFile): boolean => f.file.kind === "tf" || f.file.kind === "tf.json";
const isKeyCandidate = (f: LoadedFile): boolean => isConfig(f) && mayDeclareAccessKey(f.bytes, f.file.kind === "tf.json");

/**
 * Phase one's first half for a module directory, synchronous: read each file once into `arena`
 * (the bytes are valid until its next reset) and say whether the module can hold a key at all.
 * Almost every module ends here, so the byte searches (NUL, `aws_iam_access_key`) run once over
 * the directory's bytes, and file by file only where they found something.
 */
export function readModule(files: readonly DiscoveredFile[], maxFileBytes: number, arena: ReadArena): ReadModuleResult {
  const result: ReadModuleResult = { skipped: [], bytesRead: 0, loaded: [], mayDeclareKeys: false };
  const read: LoadedFile[] = [];
  for (const file of files) {
    const outcome = readTerraformFile(file.absPath, maxFileBytes, arena);
    if (!outcome.ok) {
      result.skipped.push({ file: file.path, reason: outcome.reason, detail: outcome.detail });
      continue;
    }
    result.bytesRead += outcome.bytes.length;
    read.push({ file, bytes: outcome.bytes });
  }
  const written = arena.written();
  const mayHoldNul = written.some((b) => b.includes(0));
  const mayHoldKey = written.some((b) => mayMentionAccessKey(b));
  for (const f of read) {
    const kind = classifyBytes(f.bytes, mayHoldNul);
    if (!kind.ok) {
      result.skipped.push({ file: f.file.path, reason: kind.reason, detail: kind.detail });
      continue;
    }
    result.loaded.push(f);
    // A Terraform JSON file may spell the type with \u escapes: it is checked whatever the search said.
    if (!result.mayDeclareKeys && (mayHoldKey || f.file.kind === "tf.json") && isKeyCandidate(f)) result.mayDeclareKeys = true;
  }
  return result;
}

/**
 * Phase one's second half, for a module whose text mentions `aws_iam_access_key`: locate blocks
 * with tree-sitter; the other files of the directory are looked at only when a key's values refer
 * to variables, locals or users.
 */
export async function prepareModule(loaded: readonly LoadedFile[], ctx: ModuleContext): Promise<PrepareResult> {
  const result: PrepareResult = { errors: [], filesParsed: 0 };
  const keyCandidates = loaded.filter(isKeyCandidate);
  if (keyCandidates.length === 0) return result;

  const prepared: PreparedModule = { dir: loaded[0]?.file.dir ?? ".", jsonKeys: [], docs: [], hclFiles: [], wholeKeyFiles: [], varsFiles: [] };
  for (const f of keyCandidates) {
    const text = decodeText(f.bytes);
    if (f.file.kind === "tf.json") {
      const parsed = parseJsonFile(f, text, result);
      if (!parsed) continue;
      prepared.docs.push(parsed.doc);
      const source: KeySource = { lines: splitLines(text), directives: [] };
      for (const raw of jsonAccessKeys(parsed, f.file.path)) prepared.jsonKeys.push({ raw, source });
      continue;
    }
    const hcl = await layoutFile(f, text, result, ctx.parser);
    if (!hcl) continue;
    const lines = hcl.layout.lines.map(stripCr);
    hcl.source = { lines, directives: parseSuppressions(hcl.layout, lines) };
    for (const d of hcl.source.directives) if (d.error !== undefined) result.errors.push({ file: f.file.path, message: d.error });
    if (hcl.doc) {
      prepared.docs.push(hcl.doc);
      prepared.wholeKeyFiles.push(hcl);
    } else prepared.hclFiles.push(hcl);
  }

  // The text only mentioned the type (e.g. an output reading a key's secret): nothing to check.
  const keyFiles = [...prepared.hclFiles, ...prepared.wholeKeyFiles];
  if (prepared.jsonKeys.length === 0 && !keyFiles.some((h) => h.layout.topBlocks.some(isAccessKeyBlock))) return result;

  // Which names do the keys refer to, and which do the files parsed so far define? Of the other
  // files, parse only those whose text mentions a name still missing, until nothing is missing.
  const refs = emptyNames();
  const defined = emptyNames();
  for (const h of keyFiles) {
    for (const b of h.layout.topBlocks) if (isAccessKeyBlock(b)) addReferences(b.bodyText, refs);
    if (h.doc) addDocDefinitions(h.doc, defined, refs);
    else addLayoutDefinitions(h.layout, defined, refs);
  }
  for (const k of prepared.jsonKeys) for (const a of k.raw.attributes.values()) addReferences(JSON.stringify(a.raw) ?? "", refs);
  for (const doc of prepared.docs) addDocDefinitions(doc, defined, refs);

  const included = new Set(keyCandidates);
  for (;;) {
    const missing = missingNames(refs, defined);
    if (missing.length === 0) break;
    const more = loaded.filter((f) => !included.has(f) && isConfig(f) && missing.some((name) => f.bytes.includes(name)));
    if (more.length === 0) break;
    for (const f of more) {
      included.add(f);
      const text = decodeText(f.bytes);
      if (!mayDefineReferencedValues(text)) continue;
      if (f.file.kind === "tf.json") {
        const parsed = parseJsonFile(f, text, result);
        if (!parsed) continue;
        prepared.docs.push(parsed.doc);
        addDocDefinitions(parsed.doc, defined, refs);
        continue;
      }
      const hcl = await layoutFile(f, text, result, ctx.parser);
      if (!hcl) continue;
      if (hcl.doc) {
        prepared.docs.push(hcl.doc);
        addDocDefinitions(hcl.doc, defined, refs);
      } else {
        prepared.hclFiles.push(hcl);
        addLayoutDefinitions(hcl.layout, defined, refs);
      }
    }
  }

  if (refs.vars.size > 0) {
    const autoloaded = loaded
      .filter((f) => autoloadOrder(f.file.name) !== undefined)
      .sort((a, b) => ((autoloadOrder(a.file.name) ?? "") < (autoloadOrder(b.file.name) ?? "") ? -1 : 1));
    for (const f of autoloaded) {
      const text = decodeText(f.bytes);
      if (f.file.kind === "tfvars.json") {
        const parsed = parseJsonFile(f, text, result);
        if (parsed) prepared.varsFiles.push({ path: f.file.path, name: f.file.name, doc: parsed.doc });
      } else {
        result.filesParsed++;
        const vars = await prepareVarsFile(f, text, result, ctx.parser);
        if (vars) prepared.varsFiles.push(vars);
      }
    }
  }
  // hcl2json is started (its start-up overlapping the rest of the walk) only for a module that its
  // layout alone may not evaluate.
  if (!isPlainModule(prepared)) ctx.parser.warmUp();
  result.prepared = prepared;
  return result;
}

/** A Terraform JSON file, counted as parsed; a syntax error is reported for the file. */
function parseJsonFile(f: LoadedFile, text: string, result: PrepareResult): ParsedJson | undefined {
  result.filesParsed++;
  try {
    return parseTerraformJson(text);
  } catch (error) {
    reportFileError(result.errors, f.file.path, error);
    return undefined;
  }
}

/**
 * tree-sitter layout of one HCL file. When tree-sitter sees a syntax error, hcl2json parses the
 * whole file at once: its message (file, line, column) is the one reported, and if it does accept
 * the file, its values are used.
 */
async function layoutFile(f: LoadedFile, text: string, result: PrepareResult, parser: HclParser): Promise<HclFile | undefined> {
  let layout: HclLayout;
  try {
    layout = await layoutHcl(text);
  } catch (error) {
    reportFileError(result.errors, f.file.path, error, "cannot locate positions: ");
    return undefined;
  }
  result.filesParsed++;
  const hcl: HclFile = { path: f.file.path, name: f.file.name, text, layout };
  if (!layout.hasError) return hcl;
  try {
    hcl.doc = await parser.parse(f.file.path, text);
    return hcl;
  } catch (error) {
    reportFileError(result.errors, f.file.path, error);
    return undefined;
  }
}

/**
 * A `.tfvars` file is batched into one hcl2json call with other documents, wrapped in a block, so
 * it must not be able to close that block early and forge another module's values: only a file
 * that tree-sitter parses cleanly, with attributes and no blocks, is batched. Anything else is
 * parsed on its own (and reported if it does not parse).
 */
async function prepareVarsFile(f: LoadedFile, text: string, result: PrepareResult, parser: HclParser): Promise<VarsFile | undefined> {
  let safe: boolean;
  let plain: Record<string, unknown> | undefined;
  try {
    const layout = await layoutHcl(text, { topAttributes: true });
    safe = !layout.hasError && layout.topBlocks.length === 0;
    plain = layout.plainTopLevel;
  } catch (error) {
    if (error instanceof ParserUnavailableError) throw error;
    safe = false;
  }
  if (safe) return plain ? { path: f.file.path, name: f.file.name, hcl: text, plain } : { path: f.file.path, name: f.file.name, hcl: text };
  try {
    return { path: f.file.path, name: f.file.name, doc: await parser.parse(f.file.path, text) };
  } catch (error) {
    reportFileError(result.errors, f.file.path, error);
    return undefined;
  }
}

function splitLines(text: string): string[] {
  return text.split("\n").map(stripCr);
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
