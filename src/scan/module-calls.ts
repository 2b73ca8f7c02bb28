/**
 * Local `module` calls (`source = "./..."` or `"../..."`), followed as Terraform would: the call's
 * arguments, evaluated in the caller's scope, become the called module's variables. A directory
 * another module of the scanned tree calls is evaluated only through its calls; one nobody calls is
 * a root module. Remote sources (registry, git, http, ...) are never fetched: they are counted as
 * not followed, as is a local source that leaves the scanned root or holds no Terraform file.
 *
 * The walk only notes, per directory, which calls its text makes (`findModuleCalls`, a text search:
 * no parse), so a tree without local calls costs nothing more. After the walk, `followModuleCalls`
 * parses (hcl2json) only the callers on a path from a root module to a module that may declare a
 * key, and evaluates those modules once per chain of calls.
 */
import { posix } from "node:path";
import type { ScanError } from "../domain/types.js";
import type { Rule } from "../rules/rule.js";
import { autoloadOrder } from "../domain/terraform-files.js";
import { closingBrace } from "../domain/closing-brace.js";
import type { DiscoveredFile } from "./discover-files.js";
import type { HclParser } from "./hcl2json-adapter.js";
import { decodeText, ReadArena } from "./read-terraform-file.js";
import { prepareModule, readModule } from "./prepare-module.js";
import { evaluateModules, type EvaluateOutcome, type ModuleInstance } from "./evaluate-modules.js";
import { asBodies, collectDefinitions, emptyDefinitions } from "./raw-module.js";
import { buildScope, evaluate, isZeroCount, type Evaluated, type ModuleScope } from "./evaluate.js";
import { parseTerraformJson } from "./json-terraform.js";
import { reportFileError } from "./file-errors.js";

/** A `module` block as the walk's text search sees it. */
export interface CallSite {
  name: string;
  source: string;
  file: string;
  line: number;
}

export const MODULE_BYTES = Buffer.from("module");

const MODULE_HEADER = /^[ \t]*module[ \t]+"([^"\n]+)"[ \t]*\{/gm;
const SOURCE_ATTR = /^[ \t]*source[ \t]*=[ \t]*"([^"\n]*)"/m;
/** Arguments of a `module` block that are Terraform's own, not the module's variables. */
const META_ARGUMENTS = new Set(["source", "version", "count", "for_each", "providers", "depends_on"]);
/** Chains of calls deeper than this are not followed (Terraform has no limit; a tree this deep is a mistake). */
const MAX_CALL_DEPTH = 32;

/** Terraform's rule: a local path starts with `./` or `../` (anything else is a registry or a remote address). */
export function isLocalSource(source: string): boolean {
  return source.startsWith("./") || source.startsWith("../");
}

/** The called directory, POSIX and relative to the root, or undefined when it leaves the root. */
export function resolveSource(callerDir: string, source: string): string | undefined {
  const target = posix.normalize(posix.join(callerDir, source)).replace(/\/+$/, "") || ".";
  if (target === ".." || target.startsWith("../") || posix.isAbsolute(target)) return undefined;
  return target;
}

/** The `module` blocks of one file, by a text search (HCL) or a JSON parse (`.tf.json`). */
export function findModuleCalls(file: DiscoveredFile, text: string): CallSite[] {
  const calls: CallSite[] = [];
  if (file.kind === "tf.json") {
    let doc: Record<string, unknown>;
    try {
      doc = parseTerraformJson(text).doc;
    } catch {
      return calls; // reported by the scan proper when it matters
    }
    for (const body of asBodies(doc["module"])) {
      for (const [name, decl] of Object.entries(body)) {
        const source = asBodies(decl)[0]?.["source"];
        if (typeof source === "string") calls.push({ name, source, file: file.path, line: lineOfName(text, `"${name}"`) });
      }
    }
    return calls;
  }
  for (const m of text.matchAll(MODULE_HEADER)) {
    const open = m.index + m[0].length;
    const end = closingBrace(text, open);
    const body = text.slice(open, end < 0 ? text.length : end);
    const source = SOURCE_ATTR.exec(body)?.[1];
    if (source === undefined || m[1] === undefined) continue;
    calls.push({ name: m[1], source, file: file.path, line: lineAt(text, m.index + (m[0].length - m[0].trimStart().length)) });
  }
  return calls;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function lineOfName(text: string, quoted: string): number {
  const at = text.indexOf(quoted);
  return at < 0 ? 1 : lineAt(text, at);
}

export interface CallGraph {
  /** Directory → its calls (local and remote), as the walk saw them. */
  calls: Map<string, CallSite[]>;
  /** Directories holding Terraform files. */
  dirs: Set<string>;
  /** Directories whose text may declare a key → their files (read again to evaluate them per call). */
  candidates: Map<string, DiscoveredFile[]>;
  /** Directories with a local call → their files (read again for the callers' values). */
  callerFiles: Map<string, DiscoveredFile[]>;
}

export interface FollowContext {
  parser: HclParser;
  rules: readonly Rule[];
  maxFileBytes: number;
  plainValues: boolean;
  now: Date;
}

export interface FollowOutcome extends EvaluateOutcome {
  /** Directories evaluated through their calls: their findings as root modules do not count. */
  calledDirs: Set<string>;
  notFollowed: number;
}

interface CallerValues {
  /** Per file: its `module` blocks' bodies (hcl2json / Terraform JSON form). */
  calls: { name: string; body: Record<string, unknown>; file: string; line: number }[];
  defs: ReturnType<typeof emptyDefinitions>;
  tfvars: Record<string, unknown>[];
}

/** Counts what is not followed and, when some local call reaches a key, evaluates it through its calls. */
export async function followModuleCalls(graph: CallGraph, ctx: FollowContext): Promise<FollowOutcome> {
  const out: FollowOutcome = { findings: [], suppressed: [], errors: [], calledDirs: new Set(), notFollowed: 0 };
  const edges = new Map<string, Set<string>>();
  for (const [dir, calls] of graph.calls) {
    for (const call of calls) {
      const target = isLocalSource(call.source) ? resolveSource(dir, call.source) : undefined;
      if (target === undefined || !graph.dirs.has(target) || target === dir) {
        out.notFollowed++;
        continue;
      }
      out.calledDirs.add(target);
      let set = edges.get(dir);
      if (!set) edges.set(dir, (set = new Set()));
      set.add(target);
    }
  }
  if (out.calledDirs.size === 0) return out;

  // Directories on a path to a module that may declare a key: only their calls are evaluated.
  const relevant = new Set(graph.candidates.keys());
  for (let grew = true; grew; ) {
    grew = false;
    for (const [dir, targets] of edges) {
      if (!relevant.has(dir) && [...targets].some((t) => relevant.has(t))) {
        relevant.add(dir);
        grew = true;
      }
    }
  }
  // Root modules: nobody calls them. A called directory no root reaches (only a cycle calls it)
  // stays a root module itself, so a key in it is never silently dropped.
  const roots = [...relevant].filter((d) => !out.calledDirs.has(d)).sort();
  const reached = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const d = stack.pop() as string;
    for (const t of edges.get(d) ?? []) {
      if (reached.has(t)) continue;
      reached.add(t);
      stack.push(t);
    }
  }
  for (const d of [...out.calledDirs]) if (!reached.has(d)) out.calledDirs.delete(d);

  const callerCache = new Map<string, Promise<CallerValues>>();
  const callerValues = (dir: string): Promise<CallerValues> => {
    let p = callerCache.get(dir);
    if (!p) callerCache.set(dir, (p = loadCaller(graph.callerFiles.get(dir) ?? [], ctx, out.errors)));
    return p;
  };
  const instances = new Map<string, ModuleInstance[]>();

  const visit = async (dir: string, rootDir: string, chain: ModuleInstance["calls"], variables: Map<string, Evaluated> | undefined, inChain: string[]): Promise<void> => {
    if (variables && graph.candidates.has(dir)) {
      let list = instances.get(dir);
      if (!list) instances.set(dir, (list = []));
      list.push({ path: chain.map((c) => `module.${c.name}`).join("."), rootDir, calls: chain, variables });
    }
    const targets = edges.get(dir);
    if (!targets || ![...targets].some((t) => relevant.has(t))) return;
    const values = await callerValues(dir);
    const scope: ModuleScope = buildScope(values.defs, variables ? [] : values.tfvars);
    if (variables) for (const [name, value] of variables) scope.variables.set(name, value);
    for (const call of values.calls) {
      const source = call.body["source"];
      if (typeof source !== "string" || !isLocalSource(source)) continue;
      const target = resolveSource(dir, source);
      if (target === undefined || !relevant.has(target) || !out.calledDirs.has(target)) continue;
      if (removesCall(call.body, scope)) continue;
      const here = { name: call.name, file: call.file, line: call.line };
      if (inChain.includes(target) || chain.length >= MAX_CALL_DEPTH) {
        out.errors.push({
          file: call.file,
          message: `line ${call.line}: module "${call.name}" calls ${source}, which is already in its chain of calls (${[...inChain, target].join(" → ")}): not followed`,
        });
        continue;
      }
      const args = new Map<string, Evaluated>();
      for (const [name, raw] of Object.entries(call.body)) if (!META_ARGUMENTS.has(name)) args.set(name, evaluate(raw, scope));
      await visit(target, rootDir, [...chain, here], args, [...inChain, target]);
    }
  };
  for (const root of roots) await visit(root, root, [], undefined, [root]);

  // Each called module that may declare a key, read and prepared again (phase one kept nothing of
  // it), then evaluated once per instance.
  for (const [dir, list] of [...instances].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const files = graph.candidates.get(dir) ?? [];
    const read = readModule(files, ctx.maxFileBytes, new ReadArena());
    const prepared = await prepareModule(read.loaded, { parser: ctx.parser });
    // Its errors were reported when the walk prepared it as a root module.
    if (!prepared.prepared) continue;
    const r = await evaluateModules([prepared.prepared], ctx.rules, ctx.parser, {
      plainValues: ctx.plainValues,
      now: ctx.now,
      instances: new Map([[dir, list]]),
    });
    out.findings.push(...r.findings);
    out.suppressed.push(...r.suppressed);
    out.errors.push(...r.errors);
  }
  return out;
}

/** `count = 0`, or `for_each` over an empty collection, on the call: the module is never instantiated. */
function removesCall(body: Record<string, unknown>, scope: ModuleScope): boolean {
  if ("count" in body && isZeroCount(evaluate(body["count"], scope))) return true;
  if (!("for_each" in body)) return false;
  const r = evaluate(body["for_each"], scope);
  if (!r.resolved) return typeof r.value === "string" && /^\s*(?:\[\s*\]|\{\s*\}|toset\(\s*\[\s*\]\s*\))\s*$/.test(r.value);
  const v = r.value;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object" && v !== null) return Object.keys(v).length === 0;
  return false;
}

/** A caller directory's values: every config file parsed whole (hcl2json), and its tfvars. */
async function loadCaller(files: readonly DiscoveredFile[], ctx: FollowContext, errors: ScanError[]): Promise<CallerValues> {
  const values: CallerValues = { calls: [], defs: emptyDefinitions(), tfvars: [] };
  const read = readModule(files, ctx.maxFileBytes, new ReadArena());
  const varsFiles: { order: string; doc: Record<string, unknown> }[] = [];
  for (const f of read.loaded) {
    const text = decodeText(f.bytes);
    let doc: Record<string, unknown>;
    try {
      doc = f.file.kind === "tf.json" || f.file.kind === "tfvars.json" ? parseTerraformJson(text).doc : await ctx.parser.parse(f.file.path, text);
    } catch (error) {
      reportFileError(errors, f.file.path, error);
      continue;
    }
    if (f.file.kind === "tfvars" || f.file.kind === "tfvars.json") {
      const order = autoloadOrder(f.file.name);
      if (order !== undefined) varsFiles.push({ order, doc });
      continue;
    }
    collectDefinitions(doc, values.defs);
    const sites = findModuleCalls(f.file, text);
    for (const body of asBodies(doc["module"])) {
      for (const [name, decl] of Object.entries(body)) {
        const callBody = asBodies(decl)[0];
        if (!callBody) continue;
        values.calls.push({ name, body: callBody, file: f.file.path, line: sites.find((s) => s.name === name)?.line ?? 1 });
      }
    }
  }
  values.tfvars = varsFiles.sort((a, b) => (a.order < b.order ? -1 : 1)).map((v) => v.doc);
  values.calls.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return values;
}
