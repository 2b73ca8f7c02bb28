/**
 * `npm run bench`: generate (or reuse) the corpus at a few sizes, then measure in one run, each in
 * its own child process: the keywarden scan, a plain read of the same files (the floor), and parsing
 * every file with hcl2json (the naive approach). Prints the tables and writes BENCHMARKS.md.
 *
 * Two views of the same question:
 * - whole process, as a user runs it: `keywarden scan DIR --format json` against a Node process that
 *   only walks and reads the same files, both timed from outside (Node start-up, module loading,
 *   the report: everything), alternating, median of BENCH_WHOLE_REPEAT runs each; peak RSS of each
 *   from one more, untimed run with a probe preloaded (bench/rss-probe.ts);
 * - in process, after start-up: the scan's throughput, with one-time start-up measured apart.
 *
 * Environment: BENCH_SIZES (comma-separated file counts, default 2000,10000,30000), BENCH_REPEAT
 * (in-process runs per approach and size, default 3; the median time and the highest peak RSS are
 * kept), BENCH_WHOLE_REPEAT (whole-process runs of each, default 5; the median is kept).
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem, release, platform, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { performance } from "node:perf_hooks";
import { ensureCorpus, type CorpusManifest } from "./generate.js";
import type { Approach, Measurement } from "./measure.js";

const run = promisify(execFile);
const SEED = 20_261_124;
type Kind = Approach;
const KINDS: Kind[] = ["read", "keywarden", "hcl2json"];
const LABEL: Record<Kind, string> = {
  read: "plain read (floor)",
  keywarden: "**keywarden scan**",
  hcl2json: "hcl2json every file (naive)",
};
/** Whole-process target: the command within this factor of a process that only reads the files. */
const WHOLE_TARGET = 1.5;
/** BENCHMARKS.md below this line is kept as it is when the figures above are regenerated. */
const NOTES_MARKER = "<!-- notes: kept across runs -->";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "keywarden") return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("bench: cannot find the keywarden package root");
    dir = parent;
  }
}

function parseSizes(text: string | undefined): number[] {
  const sizes = (text ?? "2000,10000,30000").split(",").map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`bench: BENCH_SIZES must be positive integers, got '${text}'`);
  return sizes;
}

/** The two whole processes compared, as argument lists for `node`. */
function wholeCommands(root: string, dir: string): { floor: string[]; scan: string[] } {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: Record<string, string> };
  return {
    floor: [join(dirname(fileURLToPath(import.meta.url)), "measure.js"), "read", dir],
    scan: [join(root, pkg.bin["keywarden"] ?? ""), "scan", dir, "--format", "json", "--fail-on", "none"],
  };
}

/** Wall-clock time of one whole process, from outside. */
async function timeProcess(args: string[]): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  const { stdout } = await run(process.execPath, args, { maxBuffer: 256 << 20 });
  return { ms: performance.now() - start, stdout };
}

/** Peak RSS (KiB) of one more, untimed run of the process, from the probe preloaded into it. */
async function peakRss(args: string[]): Promise<number> {
  const probe = join(dirname(fileURLToPath(import.meta.url)), "rss-probe.js");
  const file = join(tmpdir(), `keywarden-bench-rss-${process.pid}-${Date.now()}`);
  try {
    await run(process.execPath, ["--import", pathToFileURL(probe).href, ...args], {
      maxBuffer: 256 << 20,
      env: { ...process.env, KEYWARDEN_BENCH_RSS_FILE: file },
    });
    return Number(readFileSync(file, "utf8").trim());
  } finally {
    rmSync(file, { force: true });
  }
}

interface WholeRow {
  corpus: CorpusManifest;
  files: number;
  bytes: number;
  floorMs: number[];
  scanMs: number[];
  floorRssKiB: number;
  scanRssKiB: number;
  findings: number;
}

/**
 * `keywarden scan DIR --format json` and the read floor as whole processes, alternating (so a
 * machine that slows down or speeds up during the run weighs on both alike).
 */
async function measureWhole(root: string, dir: string, corpus: CorpusManifest, repeat: number): Promise<WholeRow> {
  const commands = wholeCommands(root, dir);
  const row: WholeRow = { corpus, files: 0, bytes: 0, floorMs: [], scanMs: [], floorRssKiB: 0, scanRssKiB: 0, findings: 0 };
  await timeProcess(commands.scan); // untimed: the command's own files into the page cache
  for (let i = 0; i < repeat; i++) {
    const floor = await timeProcess(commands.floor);
    const scan = await timeProcess(commands.scan);
    row.floorMs.push(floor.ms);
    row.scanMs.push(scan.ms);
    const report = JSON.parse(scan.stdout) as { findings: unknown[]; stats: { filesDiscovered: number; bytesRead: number } };
    row.files = report.stats.filesDiscovered;
    row.bytes = report.stats.bytesRead;
    row.findings = report.findings.length;
    process.stderr.write(`bench:   whole     run ${i + 1}/${repeat}: floor ${fmt(floor.ms)} ms, keywarden scan ${fmt(scan.ms)} ms\n`);
  }
  row.floorRssKiB = await peakRss(commands.floor);
  row.scanRssKiB = await peakRss(commands.scan);
  return row;
}

async function measureInChild(approach: Approach, dir: string): Promise<Measurement> {
  const script = join(dirname(fileURLToPath(import.meta.url)), "measure.js");
  const { stdout } = await run(process.execPath, [script, approach, dir], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Measurement;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One in-process measurement of one approach on one corpus. */
interface Row extends Omit<Measurement, "approach"> {
  corpus: CorpusManifest;
  approach: Kind;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes: number): string => fmt(bytes / 1_048_576, 1);
const orDash = (n: number, text: (n: number) => string): string => (Number.isFinite(n) && n > 0 ? text(n) : "–");

function table(rows: Row[]): string {
  const lines = [
    "| corpus | approach | files | MiB | start-up (ms) | time (ms) | files/s | MiB/s | peak RSS (MiB) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    const seconds = r.ms / 1000;
    lines.push(
      `| ${fmt(r.corpus.files)} files | ${LABEL[r.approach]} | ${fmt(r.files)} | ${mib(r.bytes)} | ${orDash(r.startupMs, (n) => fmt(n))} | ${fmt(r.ms)} | ${fmt(r.files / seconds)} | ${fmt(r.bytes / 1_048_576 / seconds, 1)} | ${orDash(r.maxRssKiB, (n) => fmt(n / 1024, 1))} |`,
    );
  }
  return lines.join("\n");
}

function wholeTable(rows: WholeRow[]): string {
  const lines = [
    "| corpus | files | MiB | read floor (ms) | **keywarden scan** (ms) | scan / floor | peak RSS, floor (MiB) | peak RSS, scan (MiB) | runs: floor / scan (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    const floor = median(r.floorMs);
    const scan = median(r.scanMs);
    const runs = `${r.floorMs.map((n) => fmt(n)).join(", ")} / ${r.scanMs.map((n) => fmt(n)).join(", ")}`;
    lines.push(
      `| ${fmt(r.corpus.files)} files | ${fmt(r.files)} | ${mib(r.bytes)} | ${fmt(floor)} | ${fmt(scan)} | **${fmt(scan / floor, 2)}x** | ${fmt(r.floorRssKiB / 1024, 1)} | ${fmt(r.scanRssKiB / 1024, 1)} | ${runs} |`,
    );
  }
  return lines.join("\n");
}

function wholeVerdicts(rows: WholeRow[]): string[] {
  const out = rows.map((r) => {
    const ratio = median(r.scanMs) / median(r.floorMs);
    const expected = 2 * r.corpus.rootKeyFiles;
    return (
      `- ${fmt(r.corpus.files)} files, whole process: \`keywarden scan\` takes **${fmt(ratio, 2)}x** the read floor ` +
      `(target ≤ ${WHOLE_TARGET}x: ${ratio <= WHOLE_TARGET ? "met" : "**missed**"}); findings ${r.findings} (expected ${expected}).`
    );
  });
  if (rows.length > 1) {
    const first = rows[0]!;
    const last = rows.at(-1)!;
    out.push(
      `- Memory, whole process: scan peak RSS ${fmt(first.scanRssKiB / 1024, 1)} MiB at ${fmt(first.corpus.files)} files, ` +
        `${fmt(last.scanRssKiB / 1024, 1)} MiB at ${fmt(last.corpus.files)} files ` +
        `(${fmt(last.corpus.files / first.corpus.files, 1)}x the files, ${fmt(last.scanRssKiB / first.scanRssKiB, 2)}x the memory; ` +
        `the floor: ${fmt(first.floorRssKiB / 1024, 1)} and ${fmt(last.floorRssKiB / 1024, 1)} MiB).`,
    );
  }
  return out;
}

function verdicts(rows: Row[]): string[] {
  const out: string[] = [];
  const sizes = [...new Set(rows.map((r) => r.corpus.files))];
  for (const size of sizes) {
    const get = (a: Kind) => rows.find((r) => r.corpus.files === size && r.approach === a)!;
    const scan = get("keywarden");
    const read = get("read");
    const naive = get("hcl2json");
    const vsFloor = scan.ms / read.ms;
    const vsNaive = naive.ms / scan.ms;
    const coldVsFloor = (scan.ms + scan.startupMs) / read.ms;
    const expected = 2 * scan.corpus.rootKeyFiles;
    out.push(
      `- ${fmt(size)} files, in process: scan takes **${fmt(vsFloor, 2)}x** the read floor (target ≤ 2x: ${vsFloor <= 2 ? "met" : "**missed**"}; ${fmt(coldVsFloor, 2)}x counting start-up); ` +
        `hcl2json takes **${fmt(vsNaive, 1)}x** the scan (target ≥ 10x: ${vsNaive >= 10 ? "met" : "**missed**"}); ` +
        `findings ${scan.detail["findings"] ?? "?"} (expected ${expected}: two rules × ${scan.corpus.rootKeyFiles} root-key files), ` +
        `files parsed by the scan ${scan.detail["parsed"] ?? "?"} of ${fmt(scan.files)}.`,
    );
  }
  const scans = rows.filter((r) => r.approach === "keywarden");
  if (scans.length > 1) {
    const first = scans[0]!;
    const last = scans.at(-1)!;
    out.push(
      `- Memory, in process: scan peak RSS ${fmt(first.maxRssKiB / 1024, 1)} MiB at ${fmt(first.corpus.files)} files, ` +
        `${fmt(last.maxRssKiB / 1024, 1)} MiB at ${fmt(last.corpus.files)} files ` +
        `(${fmt(last.corpus.files / first.corpus.files, 1)}x the files, ${fmt(last.maxRssKiB / first.maxRssKiB, 2)}x the memory).`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const sizes = parseSizes(process.env["BENCH_SIZES"]);
  const repeat = Number(process.env["BENCH_REPEAT"] ?? "3");
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error("bench: BENCH_REPEAT must be a positive integer");
  const wholeRepeat = Number(process.env["BENCH_WHOLE_REPEAT"] ?? "5");
  if (!Number.isInteger(wholeRepeat) || wholeRepeat < 1) throw new Error("bench: BENCH_WHOLE_REPEAT must be a positive integer");
  const load = loadavg()[0] ?? 0;

  const rows: Row[] = [];
  const wholeRows: WholeRow[] = [];
  for (const size of sizes) {
    const dir = join(root, "bench", ".corpus", `${size}-files`);
    process.stderr.write(`bench: corpus of ${size} files in ${relative(root, dir)} ... `);
    const corpus = await ensureCorpus(dir, { files: size, seed: SEED });
    process.stderr.write(`${mib(corpus.bytes)} MiB, ${corpus.modules} modules, ${corpus.accessKeyFiles} access-key files\n`);
    await measureInChild("read", dir); // warm the page cache so every approach reads from memory

    const samples = new Map<Kind, Measurement[]>(KINDS.map((a) => [a, []]));
    for (let i = 0; i < repeat; i++) {
      for (const approach of KINDS) {
        const m = await measureInChild(approach, dir);
        samples.get(approach)!.push(m);
        process.stderr.write(
          `bench:   ${approach.padEnd(9)} run ${i + 1}/${repeat}: start-up ${fmt(m.startupMs)} ms, ${fmt(m.ms)} ms, ${fmt(m.maxRssKiB / 1024, 1)} MiB\n`,
        );
      }
    }
    for (const approach of KINDS) {
      const ms = samples.get(approach)!;
      const last = ms.at(-1)!;
      rows.push({
        corpus,
        approach,
        files: last.files,
        bytes: last.bytes,
        startupMs: median(ms.map((m) => m.startupMs)),
        ms: median(ms.map((m) => m.ms)),
        maxRssKiB: Math.max(...ms.map((m) => m.maxRssKiB)),
        detail: last.detail,
      });
    }
    wholeRows.push(await measureWhole(root, dir, corpus, wholeRepeat));
  }

  const cpu = cpus();
  const machine =
    `${cpu[0]?.model.trim() ?? "unknown CPU"}, ${cpu.length} cores, ${fmt(totalmem() / 1_073_741_824, 1)} GiB RAM, ` +
    `Node ${process.version}, ${platform()} ${release()}; load average ${fmt(load, 2)} at the start (a shared machine makes single runs noisy)`;
  const report = [
    "# Benchmarks",
    "",
    "How fast `keywarden scan` reads a large Terraform estate, against the cost of just reading the files",
    "(the floor) and of parsing every file with hcl2json (the naive approach).",
    "",
    `- Command: \`npm run bench\` (bench/run.ts; sizes ${sizes.join(", ")}; whole process: ${wholeRepeat} alternating runs each, median; ` +
      `in process: ${repeat} runs each, median time, highest peak RSS)`,
    `- Machine: ${machine}`,
    `- Measured: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `- Corpus: bench/generate.ts, seed ${SEED}: module directories of main/variables/outputs/locals/providers files,`,
    "  heredoc and jsonencode IAM policies, comments, `terraform.tfvars` and `.tf.json` files; about 1% of the files",
    "  declare `aws_iam_access_key`, 4 in 10 of those for the root user (literal, variable default, local, `aws_iam_user.X.name`).",
    "",
    "## Whole process, as a user runs it",
    "",
    "`node dist/src/cli/main.js scan DIR --format json --fail-on none` against `node dist/bench/measure.js read DIR`",
    "(a Node process that only walks the tree and reads the same Terraform files with `readdirSync` / `readFileSync`),",
    "both timed from outside: Node start-up, module loading, parsing, the report, everything. The two alternate, after",
    "one untimed run of each that warms the page cache; the median of each is kept, and every run is listed. Peak RSS",
    "comes from one more, untimed run of each with a probe preloaded (`node --import dist/bench/rss-probe.js`).",
    "",
    wholeTable(wholeRows),
    "",
    "## In process, after start-up",
    "",
    "Each approach runs in its own child process (so peak RSS is its own), after one untimed read that warms",
    "the page cache. One-time start-up (module loading, WASM parser instantiation) is measured apart, on a",
    "one-file warm-up, and shown in its own column; time, files/s and MiB/s are for the corpus after start-up.",
    "",
    table(rows),
    "",
    "## Against the targets",
    "",
    ...wholeVerdicts(wholeRows),
    ...verdicts(rows),
    "",
  ].join("\n");

  // Hand-written analysis below the marker (e.g. a profile of where the time goes) survives re-runs.
  const target = join(root, "BENCHMARKS.md");
  const previous = existsSync(target) ? readFileSync(target, "utf8") : "";
  const notesAt = previous.indexOf(NOTES_MARKER);
  const notes = notesAt >= 0 ? previous.slice(notesAt) : `${NOTES_MARKER}\n`;
  process.stdout.write(report);
  await writeFile(target, `${report}\n${notes}`);
  process.stderr.write(`bench: wrote ${target}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
