import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { rules as allRules } from "../rules/index.js";
import type { Rule } from "../rules/rule.js";
import type { Finding, ScanError, ScanOptions, ScanResult, SkippedFile, SuppressedFinding } from "../domain/types.js";
import { walkDirectories } from "./discover-files.js";
import { prepareModule, readModule, type LoadedFile, type PreparedModule } from "./prepare-module.js";
import { ReadArena } from "./read-terraform-file.js";
import { evaluateModules } from "./evaluate-modules.js";
import { compareFindings, compareText } from "../domain/order.js";
import { defaultHclParser, type HclParser } from "./hcl2json-adapter.js";
import { posix } from "node:path";
import { decodeText } from "./read-terraform-file.js";
import { findModuleCalls, followModuleCalls, isLocalSource, MODULE_BYTES, type CallGraph } from "./module-calls.js";

/** `scan()`'s options: the domain's ScanOptions, plus what it runs with (injected, not global). */
export interface ScanRunOptions extends ScanOptions {
  /** The rules to apply (default: the registry, `rules/index.ts`); `ruleIds` selects among them. */
  rules?: readonly Rule[];
  /** The HCL parser (default: the process's, `defaultHclParser()`). */
  parser?: HclParser;
  /**
   * Evaluate plain modules from tree-sitter's values, without hcl2json (default true). False sends
   * every candidate module to hcl2json: the reference the plain path is tested against.
   */
  plainValues?: boolean;
}

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/**
 * Files (and directories) read between two yields to the event loop: a few milliseconds of work.
 * A yield costs tens of microseconds (a turn of the event loop), so not after every directory.
 */
const YIELD_EVERY = 512;
/** Candidate modules evaluated together (one hcl2json call per batch, memory bounded by it). */
const EVALUATION_BATCH = 100;
/** Candidate modules read and waiting to be prepared before the walk waits for them. */
const MAX_QUEUED_MODULES = 32;

/**
 * Scans a directory of Terraform for the registered rules. Pure with respect to the outside world:
 * it reads the files under `root` and nothing else (no network; the clock only through
 * `options.now`, for the `exp:` dates of suppressions), and its output is sorted
 * so the same tree always gives the same result. Throws only when `root` itself cannot be scanned.
 */
export async function scan(root: string, options: ScanRunOptions = {}): Promise<ScanResult> {
  const absRoot = resolve(root);
  const rootStat = await stat(absRoot);
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a directory`);
  const rules = selectRules(options.ruleIds, options.rules ?? allRules);
  const parser = options.parser ?? defaultHclParser();
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const now = options.now ?? new Date();
  const plainValues = options.plainValues !== false;
  // What the walk notes for local module calls (module-calls.ts); empty, and unused, in a tree without calls.
  const graph: CallGraph = { calls: new Map(), dirs: new Set(), candidates: new Map(), callerFiles: new Map() };

  // Phase one walks the tree directory by directory (each directory is a module), reads every
  // file once and keeps only what may produce a finding, then lays it out (line by line when the
  // file is plain, else with tree-sitter); phase two takes the values from the layout when every
  // block is plain, else from as few hcl2json calls as possible, then applies the rules.
  const skipped: SkippedFile[] = [];
  const errors: ScanError[] = [];
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const evaluations: Promise<void>[] = [];
  let pending: PreparedModule[] = [];
  let filesDiscovered = 0;
  let filesParsed = 0;
  let bytesRead = 0;
  let modules = 0;
  let sinceYield = 0;
  let failure: { error: unknown } | undefined;
  // Candidate modules are evaluated in batches while the walk goes on (hcl2json runs in its own
  // thread), so memory is bounded by a batch, not by the tree. Output is sorted at the end, so
  // batch composition never shows in the result.
  const evaluatePending = (): void => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    evaluations.push(
      evaluateModules(batch, rules, parser, { plainValues, now }).then(
        (outcome) => {
          findings.push(...outcome.findings);
          suppressed.push(...outcome.suppressed);
          errors.push(...outcome.errors);
        },
        // Handled here so a failure cannot go unobserved while the walk goes on; rethrown below.
        (error: unknown) => {
          failure ??= { error };
        },
      ),
    );
  };
  // Candidate modules (about 1 in 100) are prepared one after the other, off the walk: the walk
  // never waits for tree-sitter's WASM to load, and each is prepared in the walk's yields. The
  // queue is bounded, so memory is bounded by it and not by the tree.
  let preparing: Promise<void> = Promise.resolve();
  let queued = 0;
  const enqueue = (loaded: LoadedFile[]): void => {
    queued++;
    preparing = preparing.then(async () => {
      try {
        if (failure) return;
        const r = await prepareModule(loaded, { parser });
        errors.push(...r.errors);
        filesParsed += r.filesParsed;
        if (r.prepared) pending.push(r.prepared);
        if (pending.length >= EVALUATION_BATCH) evaluatePending();
      } catch (error) {
        failure ??= { error };
      } finally {
        queued--;
      }
    });
  };
  const arena = new ReadArena();
  for (const listing of walkDirectories(absRoot, options.ignorePaths ? { ignorePaths: options.ignorePaths } : {})) {
    if (failure) break;
    skipped.push(...listing.skipped);
    errors.push(...listing.errors);
    sinceYield += listing.files.length + 1;
    if (listing.files.length > 0) {
      modules++;
      filesDiscovered += listing.files.length;
      arena.reset();
      const r = readModule(listing.files, maxFileBytes, arena);
      skipped.push(...r.skipped);
      bytesRead += r.bytesRead;
      graph.dirs.add(listing.dir);
      if (r.mayDeclareKeys) graph.candidates.set(listing.dir, listing.files);
      for (const f of r.loaded) {
        if ((f.file.kind !== "tf" && f.file.kind !== "tf.json") || !f.bytes.includes(MODULE_BYTES)) continue;
        const calls = findModuleCalls(f.file, decodeText(f.bytes));
        if (calls.length === 0) continue;
        const known = graph.calls.get(listing.dir);
        if (known) known.push(...calls);
        else graph.calls.set(listing.dir, calls);
        if (calls.some((c) => isLocalSource(c.source))) graph.callerFiles.set(listing.dir, listing.files);
      }
      // The arena is reused by the next directory: a module kept for later gets its own copy.
      if (r.mayDeclareKeys) enqueue(r.loaded.map((f) => ({ file: f.file, bytes: Buffer.from(f.bytes) })));
      if (queued >= MAX_QUEUED_MODULES) await preparing;
    }
    // Reads are synchronous (much faster for many small files): let timers and I/O of the rest of
    // the process (job lock renewals, webhooks) run regularly. Counted in work, not time.
    if (sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  await preparing;
  evaluatePending();
  await Promise.all(evaluations);
  if (failure) throw failure.error;

  let modulesNotFollowed = 0;
  let live = findings;
  let quiet = suppressed;
  if (graph.calls.size > 0) {
    const followed = await followModuleCalls(graph, { parser, rules, maxFileBytes, plainValues, now });
    modulesNotFollowed = followed.notFollowed;
    // A called module is evaluated only through its calls: its findings as a root module go.
    const asRoot = (f: { file: string }): boolean => !followed.calledDirs.has(posix.dirname(f.file));
    live = [...findings.filter(asRoot), ...followed.findings];
    quiet = [...suppressed.filter(asRoot), ...followed.suppressed];
    errors.push(...followed.errors);
  }

  return {
    findings: live.sort(compareFindings),
    suppressed: quiet.sort(compareFindings),
    errors: uniqueErrors(errors.sort((a, b) => compareText(a.file, b.file) || compareText(a.message, b.message))),
    stats: {
      filesDiscovered,
      filesParsed,
      bytesRead,
      modules,
      modulesNotFollowed,
      skipped: skipped.sort((a, b) => compareText(a.file, b.file)),
    },
  };
}

/** Sorted errors without repeats (a caller's file may be parsed twice: as a module and as a caller). */
function uniqueErrors(errors: ScanError[]): ScanError[] {
  return errors.filter((e, i) => i === 0 || e.file !== errors[i - 1]?.file || e.message !== errors[i - 1]?.message);
}

function selectRules(ids: readonly string[] | undefined, available: readonly Rule[]): readonly Rule[] {
  if (!ids) return available;
  const unknown = ids.filter((id) => !available.some((r) => r.meta.id === id));
  if (unknown.length > 0) throw new Error(`unknown rule id: ${unknown.join(", ")}`);
  return available.filter((r) => ids.includes(r.meta.id));
}
