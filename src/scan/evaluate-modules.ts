import type { EvaluatedAccessKey, EvaluatedAttribute, Rule } from "../rules/rule.js";
import type { Finding, ScanError, SuppressedFinding } from "../domain/types.js";
import type { BlockLayout } from "./hcl-layout.js";
import type { HclParser } from "./hcl2json-adapter.js";
import { asBodies, collectDefinitions, emptyDefinitions, type RawAccessKey, type RawAttribute } from "./raw-module.js";
import { buildScope, evaluate, isZeroCount, type Evaluated, type ModuleScope } from "./evaluate.js";
import { fingerprint } from "../domain/fingerprint.js";
import { findSuppression } from "./suppressions.js";
import { buildFinding } from "./build-finding.js";
import { buildExcerpt, isAccessKeyBlock, isPlainModule, plainExcerptDoc, wrapInBlock, type ModuleExcerpt } from "./module-excerpt.js";
import { NeedsFullParse } from "./hcl-values.js";
import type { HclFile, KeySource, PreparedModule } from "./prepare-module.js";
import { reportFileError } from "./file-errors.js";

export interface EvaluateOutcome {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  errors: ScanError[];
}

/**
 * One evaluation of a module reached through local `module` calls: the call's arguments are its
 * variables (its defaults fill what the call omits; a called module's tfvars are not read, as in
 * Terraform).
 */
export interface ModuleInstance {
  /** `module.a.module.b`: the calls from the root module, outermost first. */
  path: string;
  /** The root module's directory ("." for the scanned root): part of the fingerprint. */
  rootDir: string;
  calls: { name: string; file: string; line: number }[];
  variables: Map<string, Evaluated>;
}

export interface EvaluateOptions {
  plainValues?: boolean;
  /** The clock for `exp:` dates (default: now). */
  now?: Date;
  /** Per module directory: evaluate it once per instance instead of as a root module. */
  instances?: ReadonlyMap<string, readonly ModuleInstance[]>;
}

/** Bounds of one batched hcl2json call. */
const BATCH_MAX_MODULES = 200;
const BATCH_MAX_CHARS = 1_000_000;

/** Values of one module after hcl2json. */
interface ModuleValues {
  excerpt: ModuleExcerpt;
  excerptDoc: Record<string, unknown> | undefined;
  varsDocs: Record<string, unknown>[];
  /** HCL files hcl2json rejected (reported already). */
  failed: Set<HclFile>;
}

/**
 * Phase two: values for every prepared module, from its layout when every block is plain, else
 * from as few hcl2json calls as possible (one per batch of modules), then the rules. A batch that fails is retried module by module, and a module
 * that fails file by file, so an error always names the file that caused it.
 */
export async function evaluateModules(
  modules: readonly PreparedModule[],
  rules: readonly Rule[],
  parser: HclParser,
  options: EvaluateOptions = {},
): Promise<EvaluateOutcome> {
  const out: EvaluateOutcome = { findings: [], suppressed: [], errors: [] };
  // Modules whose blocks are all plain are evaluated from their layouts' values alone (hcl-values.ts);
  // the others, or one whose evaluation needs a value the plain subset leaves unconverted, go to hcl2json.
  const rest = options.plainValues === false ? modules : modules.filter((m) => !evaluatePlain(m, rules, out, options));
  for (const batch of batches(rest)) {
    const excerpts = batch.map((m) => buildExcerpt(m.hclFiles.map((h) => h.layout)));
    let values: ModuleValues[] | undefined;
    try {
      values = await batchValues(batch, excerpts, parser);
    } catch {
      values = [];
      for (const [i, m] of batch.entries()) values.push(await moduleValuesAlone(m, excerpts[i] as ModuleExcerpt, out.errors, parser));
    }
    batch.forEach((m, i) => finishModule(m, values[i] as ModuleValues, rules, out, options));
  }
  return out;
}

/** Evaluates `m` without hcl2json when that gives exactly hcl2json's result; false when it cannot. */
function evaluatePlain(m: PreparedModule, rules: readonly Rule[], out: EvaluateOutcome, options: EvaluateOptions): boolean {
  if (!isPlainModule(m)) return false;
  const excerpt = buildExcerpt(m.hclFiles.map((h) => h.layout));
  const excerptDoc = plainExcerptDoc(m.hclFiles.map((h) => h.layout), excerpt);
  if (!excerptDoc) return false;
  const varsDocs: Record<string, unknown>[] = [];
  for (const v of m.varsFiles) {
    const doc = "doc" in v ? v.doc : v.plain;
    if (!doc) return false;
    varsDocs.push(doc);
  }
  const local: EvaluateOutcome = { findings: [], suppressed: [], errors: [] };
  try {
    finishModule(m, { excerpt, excerptDoc, varsDocs, failed: new Set() }, rules, local, options);
  } catch (error) {
    if (error instanceof NeedsFullParse) return false;
    throw error;
  }
  out.findings.push(...local.findings);
  out.suppressed.push(...local.suppressed);
  out.errors.push(...local.errors);
  return true;
}

function* batches(modules: readonly PreparedModule[]): Generator<PreparedModule[]> {
  let batch: PreparedModule[] = [];
  let chars = 0;
  for (const m of modules) {
    const size = m.hclFiles.reduce((n, h) => n + h.text.length, 0);
    if (batch.length > 0 && (batch.length >= BATCH_MAX_MODULES || chars + size > BATCH_MAX_CHARS)) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(m);
    chars += size;
  }
  if (batch.length > 0) yield batch;
}

async function batchValues(batch: readonly PreparedModule[], excerpts: readonly ModuleExcerpt[], parser: HclParser): Promise<ModuleValues[]> {
  const parts: string[] = [];
  batch.forEach((m, i) => {
    parts.push(wrapInBlock(`keywarden_module_${i}`, excerpts[i]?.text ?? ""));
    m.varsFiles.forEach((v, j) => {
      if ("hcl" in v) parts.push(wrapInBlock(`keywarden_vars_${i}_${j}`, v.hcl));
    });
  });
  const needsParse = batch.some((m, i) => (excerpts[i]?.text ?? "") !== "" || m.varsFiles.some((v) => "hcl" in v));
  const doc = needsParse ? await parser.parse("keywarden-batch.tf", parts.join("")) : {};
  checkBatchShape(doc, batch, excerpts);
  return batch.map((m, i) => ({
    excerpt: excerpts[i] as ModuleExcerpt,
    excerptDoc: asBodies(doc[`keywarden_module_${i}`])[0] ?? {},
    varsDocs: m.varsFiles.map((v, j) => ("doc" in v ? v.doc : (asBodies(doc[`keywarden_vars_${i}_${j}`])[0] ?? {}))),
    failed: new Set(),
  }));
}

/**
 * Every wrapper block, and every synthetic key, must come back exactly once. Anything else means a
 * document escaped its wrapper (the parsers disagreed about where something ends): the batch is
 * then not trusted, and its modules are parsed one by one.
 */
function checkBatchShape(doc: Record<string, unknown>, batch: readonly PreparedModule[], excerpts: readonly ModuleExcerpt[]): void {
  const expected = new Set<string>();
  batch.forEach((m, i) => {
    expected.add(`keywarden_module_${i}`);
    m.varsFiles.forEach((v, j) => {
      if ("hcl" in v) expected.add(`keywarden_vars_${i}_${j}`);
    });
  });
  for (const key of Object.keys(doc)) {
    if (!expected.has(key) || !Array.isArray(doc[key]) || (doc[key] as unknown[]).length !== 1) {
      throw new Error(`batched parse returned an unexpected shape at ${key}`);
    }
  }
  excerpts.forEach((excerpt, i) => {
    const moduleDoc = asBodies(doc[`keywarden_module_${i}`])[0] ?? {};
    for (const synthetic of excerpt.names.values()) {
      if (resourceBodies(moduleDoc, "aws_iam_access_key", synthetic).length !== 1) {
        throw new Error(`batched parse lost or duplicated ${synthetic}`);
      }
    }
  });
}

async function moduleValuesAlone(m: PreparedModule, excerpt: ModuleExcerpt, errors: ScanError[], parser: HclParser): Promise<ModuleValues> {
  const values: ModuleValues = { excerpt, excerptDoc: undefined, varsDocs: [], failed: new Set() };
  try {
    values.excerptDoc = excerpt.text === "" ? {} : await parser.parse("keywarden-excerpt.tf", excerpt.text);
  } catch {
    // Parse each file whole, so the error names the file and the real line.
    for (const h of m.hclFiles) {
      try {
        h.doc = await parser.parse(h.path, h.text);
      } catch (error) {
        reportFileError(errors, h.path, error);
        values.failed.add(h);
      }
    }
  }
  for (const v of m.varsFiles) {
    if ("doc" in v) {
      values.varsDocs.push(v.doc);
      continue;
    }
    try {
      values.varsDocs.push(await parser.parse(v.path, v.hcl));
    } catch (error) {
      reportFileError(errors, v.path, error);
    }
  }
  return values;
}

function finishModule(m: PreparedModule, values: ModuleValues, rules: readonly Rule[], out: EvaluateOutcome, options: EvaluateOptions): void {
  const defs = emptyDefinitions();
  for (const doc of m.docs) collectDefinitions(doc, defs);
  if (values.excerptDoc) collectDefinitions(values.excerptDoc, defs);
  else for (const h of m.hclFiles) if (h.doc) collectDefinitions(h.doc, defs);
  const instances = options.instances?.get(m.dir);
  const evaluations: { scope: ModuleScope; instance?: ModuleInstance }[] = instances
    ? instances.map((instance) => {
        const scope = buildScope(defs, []);
        for (const [name, value] of instance.variables) scope.variables.set(name, value);
        return { scope, instance };
      })
    : [{ scope: buildScope(defs, values.varsDocs) }];

  const keys: { raw: RawAccessKey; source: KeySource }[] = [...m.jsonKeys];
  for (const h of [...m.hclFiles, ...m.wholeKeyFiles]) {
    if (!h.source || values.failed.has(h)) continue;
    for (const raw of hclKeys(h, values)) keys.push({ raw, source: h.source });
  }
  const now = options.now ?? new Date();
  for (const { scope, instance } of evaluations) {
    for (const { raw, source } of keys) checkKey(raw, source, scope, rules, out, now, instance);
  }
}

function hclKeys(h: HclFile, values: ModuleValues): RawAccessKey[] {
  const keys: RawAccessKey[] = [];
  const seen = new Map<string, number>();
  for (const block of h.layout.topBlocks) {
    if (!isAccessKeyBlock(block)) continue;
    const name = block.labels[1] ?? "";
    const index = seen.get(name) ?? 0;
    seen.set(name, index + 1);
    const body = bodyFor(h, block, name, index, values);
    const attributes = new Map<string, RawAttribute>();
    for (const [attr, at] of block.attributes) {
      if (body && attr in body) attributes.set(attr, { ...at, raw: body[attr] });
    }
    keys.push({
      file: h.path,
      name,
      syntax: "hcl",
      headerLine: block.startLine,
      block: { startLine: block.startLine, endLine: block.endLine },
      attributes,
    });
  }
  return keys;
}

function bodyFor(h: HclFile, block: BlockLayout, name: string, index: number, values: ModuleValues): Record<string, unknown> | undefined {
  if (h.doc) return resourceBodies(h.doc, "aws_iam_access_key", name)[index];
  const synthetic = values.excerpt.names.get(block);
  if (!values.excerptDoc || synthetic === undefined) return undefined;
  return resourceBodies(values.excerptDoc, "aws_iam_access_key", synthetic)[0];
}

function resourceBodies(doc: Record<string, unknown>, type: string, name: string): Record<string, unknown>[] {
  return asBodies(doc["resource"]).flatMap((resources) => asBodies(resources[type]).flatMap((byName) => asBodies(byName[name])));
}

function checkKey(
  raw: RawAccessKey,
  source: KeySource,
  scope: ModuleScope,
  rules: readonly Rule[],
  out: EvaluateOutcome,
  now: Date,
  instance?: ModuleInstance,
): void {
  const attributes: Record<string, EvaluatedAttribute> = {};
  for (const [name, attr] of raw.attributes) {
    const value = evaluate(attr.raw, scope);
    attributes[name] = { line: attr.line, endLine: attr.endLine, column: attr.column, value: value.value, resolved: value.resolved };
  }
  const count = attributes["count"];
  if (count && isZeroCount(count)) return;
  const key: EvaluatedAccessKey = {
    file: raw.file,
    address: `${instance ? instance.path + "." : ""}aws_iam_access_key.${raw.name}`,
    syntax: raw.syntax,
    headerLine: raw.headerLine,
    block: raw.block,
    blockLines: source.lines.slice(raw.block.startLine - 1, raw.block.endLine),
    bodyOpen: raw.bodyOpen,
    attributes,
  };
  for (const rule of rules) {
    const hit = rule.check(key);
    if (!hit) continue;
    const finding = buildFinding(rule, key, hit);
    if (instance) {
      // A root module's fingerprint is rule, file and address, as always; a module reached through
      // calls adds its root module's directory and module path, so each call is its own finding.
      finding.fingerprint = fingerprint(rule.meta.id, key.file, `${instance.rootDir}//${key.address}`);
      finding.modulePath = instance.path;
      finding.moduleCalls = instance.calls.map((c) => ({ ...c }));
      finding.message += ` Reached through ${instance.calls.map((c) => `module.${c.name} (${c.file}:${c.line})`).join(" → ")}.`;
    }
    const { suppression, expired } = findSuppression(source.directives, [rule.meta.id, ...rule.aliases], hit.line, now);
    if (suppression) out.suppressed.push({ ...finding, suppression });
    else if (expired?.expires !== undefined) {
      out.findings.push({ ...finding, exceptionExpired: expired.expires, message: `${finding.message} Its exception (${expired.comment}, line ${expired.line}) expired on ${expired.expires}.` });
    } else out.findings.push(finding);
  }
}
