/**
 * The one place that talks to @cdktf/hcl2json (HCL → JSON, Go compiled to WASM). Keep it that way:
 * the package is final (CDKTF was deprecated) and may be swapped for its fork.
 *
 * The parser is a service (`HclParser`) that runs hcl2json in a worker thread, started only when
 * something needs parsing:
 * - its WASM start-up (a few hundred milliseconds of Go runtime on one thread) overlaps the file
 *   reads of the main thread instead of stalling them;
 * - a timeout can really stop it: if start-up fails, hcl2json's own calls would wait forever, and a
 *   call that hangs cannot be interrupted on the main thread. Start-up and every call are raced
 *   against a timeout; on a timeout the worker is terminated.
 *
 * No fault outlives itself. A start-up that fails or times out fails the calls waiting for it
 * (ParserUnavailableError: the scan fails as a whole) and starts a back-off, 1 s doubling up to 30 s
 * by default: during it calls fail at once, and the first call after it starts a fresh worker. A
 * successful start-up ends the back-off. A call that hangs (or a worker that crashes) fails what
 * was waiting on that worker, which is killed; the next call starts a fresh one at once. Nothing
 * is ever refused for good. `health()` tells the state, the restarts and the last fault, for
 * readiness checks.
 *
 * `scan()` takes a parser as an option; without one it uses the process's default parser
 * (`defaultHclParser()`, which `stopHclParser()` stops on shutdown).
 */
import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import { messageOf, ParserUnavailableError } from "./file-errors.js";

export interface HclParserOptions {
  /** Time allowed for the worker and the parser's WASM to start. Default 20 s. */
  startupTimeoutMs?: number;
  /** Time allowed for each call. Default 10 s. */
  callTimeoutMs?: number;
  /** Back-off after the first failed start-up; doubles with each further failure. Default 1 s. */
  backoffInitialMs?: number;
  /** Longest back-off. Default 30 s. */
  backoffMaxMs?: number;
  /** A module with hcl2json's `parse(fileName, source)` signature (tests: one that never starts). */
  modulePath?: string;
  /** Clock for the back-off. Default `Date.now`. */
  now?: () => number;
}

/**
 * - `idle`: no worker; the next call starts one.
 * - `starting`: a worker is starting; calls wait for it.
 * - `ready`: a worker is up.
 * - `backing-off`: the last start-up failed; calls fail at once until `retryInMs` has passed.
 */
export type ParserState = "idle" | "starting" | "ready" | "backing-off";

export interface ParserHealth {
  state: ParserState;
  /** Workers started to replace one that failed to start, crashed, or hung in a call. */
  restarts: number;
  /** Start-ups that failed in a row (0 once one succeeds). */
  failedStarts: number;
  /** The last fault (a failed start-up, a crash, a hung call); absent until one happens. */
  lastError?: string;
  /** While backing off: how long until a call may start a fresh worker. */
  retryInMs?: number;
}

export interface HclParser {
  /**
   * Parses HCL source into hcl2json's JSON form. Throws HclParseError with the parser's own message
   * (which names the file and the line,column range) on a syntax error, a timeout or a crash, and
   * ParserUnavailableError when the parser could not start (or is backing off after that).
   */
  parse(fileName: string, source: string): Promise<Record<string, unknown>>;
  /**
   * Starts the worker without waiting for it, so its start-up overlaps the reads still in flight.
   * Call it once it is known that something will be parsed; failures surface on first use.
   */
  warmUp(): void;
  health(): ParserHealth;
  /** Stops the worker (e.g. on shutdown); the next call starts a new one. Not a fault. */
  stop(): Promise<void>;
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
  isReady: boolean;
  pending: Map<number, Pending>;
}

export function createHclParser(options: HclParserOptions = {}): HclParser {
  return new WorkerHclParser(options);
}

class WorkerHclParser implements HclParser {
  private readonly startupTimeoutMs: number;
  private readonly callTimeoutMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly now: () => number;
  private modulePath: string | undefined;
  private running: Running | undefined;
  private nextId = 1;
  private restarts = 0;
  private failedStarts = 0;
  private lastError: string | undefined;
  private retryAt: number | undefined;
  /** A worker was lost to a fault since the last start: the next start is a restart. */
  private faulted = false;

  constructor(options: HclParserOptions) {
    this.startupTimeoutMs = options.startupTimeoutMs ?? 20_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.backoffInitialMs = options.backoffInitialMs ?? 1_000;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.modulePath = options.modulePath;
  }

  health(): ParserHealth {
    const health: ParserHealth = { state: "idle", restarts: this.restarts, failedStarts: this.failedStarts };
    if (this.lastError !== undefined) health.lastError = this.lastError;
    const wait = this.backoffRemaining();
    if (this.running) health.state = this.running.isReady ? "ready" : "starting";
    else if (wait > 0) {
      health.state = "backing-off";
      health.retryInMs = wait;
    }
    return health;
  }

  warmUp(): void {
    if (this.running || this.backoffRemaining() > 0) return;
    try {
      this.ensureWorker();
    } catch {
      // Recorded as a failed start-up; the next call reports it.
    }
  }

  async parse(fileName: string, source: string): Promise<Record<string, unknown>> {
    const current = this.ensureWorker();
    current.worker.ref();
    try {
      await current.ready;
    } catch (error) {
      throw new ParserUnavailableError(`HCL parser unavailable: ${messageOf(error)}`);
    } finally {
      refWhileBusy(current);
    }
    const callTimeoutMs = this.callTimeoutMs;
    const id = this.nextId++;
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The call may never return: kill the worker; the next call starts a fresh one.
        if (this.running === current) this.fault(current, `parsing ${fileName} timed out after ${callTimeoutMs} ms`);
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

  async stop(): Promise<void> {
    const current = this.running;
    if (!current) return;
    this.drop(current, "HCL parser stopped");
    await current.worker.terminate();
  }

  private backoffRemaining(): number {
    return this.retryAt === undefined ? 0 : Math.max(0, this.retryAt - this.now());
  }

  /** The running worker, or a fresh one; throws ParserUnavailableError while backing off. */
  private ensureWorker(): Running {
    if (this.running) return this.running;
    const wait = this.backoffRemaining();
    if (wait > 0) throw new ParserUnavailableError(`HCL parser unavailable: ${this.lastError ?? "start-up failed"} (next start in ${wait} ms)`);
    if (this.faulted) this.restarts++;
    this.faulted = false;
    try {
      this.running = this.startWorker();
    } catch (error) {
      // hcl2json is not installed, or the worker could not be created: a failed start-up too.
      const message = `starting the HCL parser failed: ${messageOf(error)}`;
      this.recordFault(message, true);
      throw new ParserUnavailableError(`HCL parser unavailable: ${message}`);
    }
    return this.running;
  }

  private recordFault(message: string, duringStartup: boolean): void {
    this.lastError = message;
    this.faulted = true;
    if (!duringStartup) return;
    this.failedStarts++;
    const delay = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** (this.failedStarts - 1));
    this.retryAt = this.now() + delay;
  }

  /** `current` failed (start-up, crash, hung call): record it and kill the worker, if still ours. */
  private fault(current: Running, message: string): void {
    if (this.running !== current) return; // stopped or replaced already: not this service's fault
    this.recordFault(message, !current.isReady);
    this.drop(current, message);
  }

  private drop(current: Running, reason: string): void {
    if (this.running === current) this.running = undefined;
    for (const p of current.pending.values()) p.reject(new HclParseError(reason));
    current.pending.clear();
    void current.worker.terminate();
  }

  private startWorker(): Running {
    this.modulePath ??= createRequire(import.meta.url).resolve("@cdktf/hcl2json");
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modulePath: this.modulePath } });
    const current: Running = { worker, pending: new Map(), ready: Promise.resolve(), isReady: false };
    current.ready = new Promise<void>((resolve, reject) => {
      const fail = (message: string): void => {
        clearTimeout(timer);
        reject(new HclParseError(message));
        this.fault(current, message);
      };
      const timer = setTimeout(() => fail(`starting the HCL parser timed out after ${this.startupTimeoutMs} ms`), this.startupTimeoutMs);
      // A start-up nobody waits for must not hold the process open; a caller waiting refs the worker.
      timer.unref();
      worker.on("message", (m: { ready?: boolean; message?: string } & Partial<Reply>) => {
        if (m.ready !== undefined) {
          clearTimeout(timer);
          if (!m.ready) return fail(`starting the HCL parser failed: ${m.message ?? "unknown error"}`);
          current.isReady = true;
          if (this.running === current) {
            this.failedStarts = 0;
            this.retryAt = undefined;
          }
          return resolve();
        }
        const p = m.id === undefined ? undefined : current.pending.get(m.id);
        if (!p || m.id === undefined) return;
        current.pending.delete(m.id);
        refWhileBusy(current);
        if (m.ok) p.resolve(m.value as Record<string, unknown>);
        else p.reject(new HclParseError(cleanMessage(m.message ?? "parse failed")));
      });
      worker.on("error", (error) => fail(`HCL parser crashed: ${error.message}`));
      worker.on("exit", (code) => fail(`HCL parser exited (code ${code})`));
    });
    current.ready.catch(() => undefined);
    // Start-up must not keep the process alive on its own (a scan may end without parsing).
    worker.unref();
    return current;
  }
}

/** Keep the process alive only while a call is waiting for the worker. */
function refWhileBusy(current: Running): void {
  if (current.pending.size > 0) current.worker.ref();
  else current.worker.unref();
}

/** hcl2json wraps diagnostics as `parse config: [file:2,7-3,1: Summary; Detail.]`: keep the inside. */
function cleanMessage(message: string): string {
  const m = /^parse config: \[(.*)\]$/s.exec(message.trim());
  return (m?.[1] ?? message).trim();
}

let defaultParser: HclParser | undefined;

/** The process's parser, used by `scan()` when none is given; created on first use. */
export function defaultHclParser(): HclParser {
  defaultParser ??= createHclParser();
  return defaultParser;
}

/** The default parser's health (state, restarts, last fault), e.g. for a readiness check. */
export function parserHealth(): ParserHealth {
  return defaultHclParser().health();
}

/** Stops the default parser's worker (e.g. on shutdown); the next call starts a new one. */
export async function stopHclParser(): Promise<void> {
  await defaultParser?.stop();
}

/** Parses with the default parser (see `HclParser.parse`). */
export function parseHcl(fileName: string, source: string): Promise<Record<string, unknown>> {
  return defaultHclParser().parse(fileName, source);
}
