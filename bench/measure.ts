/**
 * One measurement in a fresh process, so each approach's peak RSS is its own:
 *   node dist/bench/measure.js <read|keywarden|hcl2json> <corpus-dir>
 * prints one JSON line: { approach, files, bytes, startupMs, ms, maxRssKiB, detail }.
 *
 * One-time start-up (loading modules, instantiating the WASM parsers) is measured apart, by a warm-up
 * on one tiny file, and `ms` is the work proportional to the corpus. Both are reported: start-up is a
 * constant a real `keywarden scan` pays once, throughput is what the targets are about.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { terraformFileKind } from "../src/domain/terraform-files.js";

export type Approach = "read" | "keywarden" | "hcl2json";

export interface Measurement {
  approach: Approach;
  files: number;
  bytes: number;
  /** One-time start-up: module loading and WASM instantiation, measured on a one-file warm-up. */
  startupMs: number;
  /** The corpus itself, after start-up. */
  ms: number;
  maxRssKiB: number;
  detail: Record<string, number>;
}

/** The same file set the scanner reads: Terraform files, no `.git/` or `.terraform/`, no symlinks. */
function* terraformFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== ".git" && entry.name !== ".terraform") yield* terraformFiles(path);
    } else if (entry.isFile() && terraformFileKind(entry.name)) {
      yield path;
    }
  }
}

type Counted = Omit<Measurement, "approach" | "startupMs" | "ms" | "maxRssKiB">;

/** The floor: find every Terraform file and read it, nothing else. */
function plainRead(dir: string): Counted {
  let files = 0;
  let bytes = 0;
  for (const path of terraformFiles(dir)) {
    bytes += readFileSync(path).length;
    files++;
  }
  return { files, bytes, detail: {} };
}

type HclParse = (name: string, text: string) => Promise<unknown>;

async function loadHcl2json(): Promise<HclParse> {
  // A computed specifier keeps hcl2json's DOM-referencing typings out of the compilation.
  const specifier = "@cdktf/hcl2json";
  const hcl = (await import(specifier)) as { parse: HclParse };
  await hcl.parse("warmup.tf", WARMUP_TF);
  return hcl.parse;
}

/** The naive approach: parse every file with hcl2json (`.tf.json` with JSON.parse), nothing skipped. */
async function parseAll(parse: HclParse, dir: string): Promise<Counted> {
  let files = 0;
  let bytes = 0;
  let failed = 0;
  for (const path of terraformFiles(dir)) {
    const buffer = readFileSync(path);
    bytes += buffer.length;
    files++;
    const text = buffer.toString("utf8");
    try {
      if (path.endsWith(".json")) JSON.parse(text);
      else await parse(path, text);
    } catch {
      failed++;
    }
  }
  return { files, bytes, detail: { failed } };
}

const WARMUP_TF = 'resource "aws_iam_access_key" "warmup" {\n  user = "root"\n}\n';

type Scan = typeof import("../src/scan/index.js").scan;

/** Loads the scanner and runs it once on a one-file directory, so its parsers are initialised. */
async function loadScanner(): Promise<Scan> {
  const { scan } = await import("../src/scan/index.js");
  const dir = mkdtempSync(join(tmpdir(), "keywarden-bench-warmup-"));
  try {
    writeFileSync(join(dir, "main.tf"), WARMUP_TF);
    await scan(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return scan;
}

async function keywardenScan(scan: Scan, dir: string): Promise<Counted> {
  const result = await scan(dir);
  return {
    files: result.stats.filesDiscovered,
    bytes: result.stats.bytesRead,
    detail: {
      findings: result.findings.length,
      suppressed: result.suppressed.length,
      errors: result.errors.length,
      parsed: result.stats.filesParsed,
      skipped: result.stats.skipped.length,
    },
  };
}

async function time<T>(work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

export async function measure(approach: Approach, dir: string): Promise<Measurement> {
  let startup: { ms: number };
  let run: { value: Counted; ms: number };
  if (approach === "read") {
    startup = { ms: 0 };
    run = await time(() => plainRead(dir));
  } else if (approach === "hcl2json") {
    const loaded = await time(loadHcl2json);
    startup = loaded;
    run = await time(() => parseAll(loaded.value, dir));
  } else {
    const loaded = await time(loadScanner);
    startup = loaded;
    run = await time(() => keywardenScan(loaded.value, dir));
  }
  // maxRSS is in kibibytes on Linux and macOS.
  return { approach, startupMs: startup.ms, ms: run.ms, maxRssKiB: process.resourceUsage().maxRSS, ...run.value };
}

const [, , approach, dir] = process.argv;
if (approach && dir && import.meta.url.endsWith("/measure.js")) {
  if (approach !== "read" && approach !== "keywarden" && approach !== "hcl2json") {
    process.stderr.write(`measure: unknown approach '${approach}'\n`);
    process.exit(2);
  }
  measure(approach, dir).then(
    (m) => {
      process.stdout.write(JSON.stringify(m) + "\n");
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`measure ${approach}: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
