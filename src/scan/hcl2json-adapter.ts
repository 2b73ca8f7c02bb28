/**
 * The one place that talks to @cdktf/hcl2json (HCL → JSON, Go compiled to WASM). Keep it that way:
 * the package is final (CDKTF was deprecated) and may be swapped for its fork.
 *
 * The parser runs in a worker thread, started only when something needs parsing:
 * - its WASM start-up (a few hundred milliseconds of Go runtime on one thread) overlaps the file
 *   reads of the main thread instead of stalling them;
 * - a timeout can really stop it: if start-up fails, hcl2json's own calls would wait forever, and a
 *   call that hangs cannot be interrupted on the main thread. Start-up and every call are raced
 *   against a timeout; on a timeout the worker is terminated. After a failed start-up every later
 *   call fails at once; after a call times out, the next call starts a fresh worker.
 */
import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import { ParserUnavailableError } from "./file-errors.js";

export interface HclParserOptions {
  /** Time allowed for the worker and the parser's WASM to start. Default 20 s. */
  startupTimeoutMs?: number;
  /** Time allowed for each call. Default 10 s. */
  callTimeoutMs?: number;
}

export class HclParseError extends Error {
  override name = "HclParseError";
}

/** Plain CommonJS, evaluated as the worker's script, so it runs the same from sources and from dist. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { parse } = require(workerData.modulePath);
parentPort.on("message", (m) => {
  Promise.resolve()
    .then(() => parse(m.fileName, m.source))
    .then(
      (value) => parentPort.postMessage({ id: m.id, ok: true, value }),
      (e) => parentPort.postMessage({ id: m.id, ok: false, message: e && e.message ? e.message : String(e) }),
    );
});
Promise.resolve()
  .then(() => parse("keywarden-warmup.tf", ""))
  .then(() => parentPort.postMessage({ ready: true }), (e) => parentPort.postMessage({ ready: false, message: String(e && e.message || e) }));
`;

type Reply = { id: number; ok: true; value: Record<string, unknown> } | { id: number; ok: false; message: string };

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

interface Running {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, Pending>;
}

let modulePath: string | undefined;
let running: Running | undefined;
let broken: string | undefined;
let nextId = 1;

/** For tests: load another module with hcl2json's `parse` signature (e.g. one that never starts). */
export function setHclModulePathForTests(path: string | undefined): void {
  stopWorker("parser module replaced");
  modulePath = path;
  broken = undefined;
}

function resolveModulePath(): string {
  modulePath ??= createRequire(import.meta.url).resolve("@cdktf/hcl2json");
  return modulePath;
}

function stopWorker(reason: string): void {
  const current = running;
  if (!current) return;
  running = undefined;
  for (const p of current.pending.values()) p.reject(new HclParseError(reason));
  current.pending.clear();
  void current.worker.terminate();
}

/** Keep the process alive only while a call is waiting for the worker. */
function refWhileBusy(current: Running): void {
  if (current.pending.size > 0) current.worker.ref();
  else current.worker.unref();
}

function startWorker(startupTimeoutMs: number): Running {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modulePath: resolveModulePath() } });
  const current: Running = { worker, pending: new Map(), ready: Promise.resolve() };
  current.ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      broken = `starting the HCL parser timed out after ${startupTimeoutMs} ms`;
      reject(new HclParseError(broken));
      if (running === current) stopWorker(broken);
    }, startupTimeoutMs);
    // A start-up nobody waits for must not hold the process open; a caller waiting refs the worker.
    timer.unref();
    worker.on("message", (m: { ready?: boolean; message?: string } & Partial<Reply>) => {
      if (m.ready !== undefined) {
        clearTimeout(timer);
        if (m.ready) resolve();
        else {
          broken = `starting the HCL parser failed: ${m.message ?? "unknown error"}`;
          reject(new HclParseError(broken));
          if (running === current) stopWorker(broken);
        }
        return;
      }
      const p = m.id === undefined ? undefined : current.pending.get(m.id);
      if (!p || m.id === undefined) return;
      current.pending.delete(m.id);
      refWhileBusy(current);
      if (m.ok) p.resolve(m.value as Record<string, unknown>);
      else p.reject(new HclParseError(cleanMessage(m.message ?? "parse failed")));
    });
    worker.on("error", (error) => {
      clearTimeout(timer);
      reject(new HclParseError(`HCL parser crashed: ${error.message}`));
      if (running === current) stopWorker(`HCL parser crashed: ${error.message}`);
    });
    worker.on("exit", () => {
      clearTimeout(timer);
      reject(new HclParseError("HCL parser exited"));
      if (running === current) stopWorker("HCL parser exited");
    });
  });
  current.ready.catch(() => undefined);
  // Start-up must not keep the process alive on its own (a scan may end without parsing).
  worker.unref();
  return current;
}

/** Stops the parser's worker (e.g. on shutdown); the next call starts a new one. */
export async function stopHclParser(): Promise<void> {
  const current = running;
  stopWorker("HCL parser stopped");
  if (current) await current.worker.terminate();
}

/**
 * Starts the parser without waiting for it, so its start-up overlaps the reads still in flight.
 * Call it once it is known that something will be parsed; failures surface on first use.
 */
export function warmUpHclParser(options: HclParserOptions = {}): void {
  if (broken || running) return;
  running = startWorker(options.startupTimeoutMs ?? 20_000);
}

/**
 * Parses HCL source into hcl2json's JSON form. Throws HclParseError with the parser's own message
 * (which names the file and the line,column range) on a syntax error, a timeout or a crash, and
 * ParserUnavailableError when the parser could not start.
 */
export async function parseHcl(fileName: string, source: string, options: HclParserOptions = {}): Promise<Record<string, unknown>> {
  if (broken) throw new ParserUnavailableError(`HCL parser unavailable: ${broken}`);
  running ??= startWorker(options.startupTimeoutMs ?? 20_000);
  const current = running;
  current.worker.ref();
  try {
    await current.ready;
  } catch {
    throw new ParserUnavailableError(`HCL parser unavailable: ${broken ?? "start-up failed"}`);
  } finally {
    refWhileBusy(current);
  }
  const callTimeoutMs = options.callTimeoutMs ?? 10_000;
  const id = nextId++;
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      // The call may never return: kill the worker; the next call starts a fresh one.
      if (running === current) stopWorker(`parsing ${fileName} timed out after ${callTimeoutMs} ms`);
    }, callTimeoutMs);
    timer.unref(); // the worker, ref'd while the call is pending, keeps the process alive
    current.pending.set(id, {
      resolve: (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    refWhileBusy(current);
    current.worker.postMessage({ id, fileName, source });
  });
}

/** hcl2json wraps diagnostics as `parse config: [file:2,7-3,1: Summary; Detail.]`: keep the inside. */
function cleanMessage(message: string): string {
  const m = /^parse config: \[(.*)\]$/s.exec(message.trim());
  return (m?.[1] ?? message).trim();
}
