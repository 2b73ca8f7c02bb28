/**
 * Scans in worker threads, so that a scan never blocks the event loop of the process that runs it:
 * in the app, that loop renews job locks and answers webhooks, and a 30,000-file monorepo must not
 * stall them. The pool is sized to the machine (`os.availableParallelism()` threads), so one worker
 * process uses every core; threads start when first needed and are reused across jobs, one scan
 * per thread at a time; scans beyond that wait their turn.
 *
 * A thread that dies (a crash, running out of memory) fails the scan it was running with a
 * `ScanPoolError` saying so, and is replaced: the next scan starts a fresh thread. `scanInPool`
 * gives what `scan(dir, options)` gives, or throws what it throws (same message, name and code).
 * Idle threads do not keep the process alive. `stopScanPool()` (shutdown) ends every thread and
 * fails what had not finished; the next `scanInPool` starts a new pool.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ScanOptions, ScanResult } from "../domain/types.js";
import type { ScanReply, ScanRequest } from "./scan-pool-worker.js";

export interface ScanPoolOptions {
  /** Threads at most (default `os.availableParallelism()`). */
  size?: number;
  /** The thread's script (default: the built scan-pool-worker.js). Tests give their own. */
  workerUrl?: URL;
}

export interface ScanPoolStats {
  size: number;
  /** Threads alive now. */
  threads: number;
  busy: number;
  queued: number;
  /** Threads lost while scanning (each replaced by the next scan that needs one). */
  crashes: number;
}

export interface ScanPool {
  scan(dir: string, options?: ScanOptions): Promise<ScanResult>;
  stats(): ScanPoolStats;
  /** Ends every thread; running and waiting scans fail with a ScanPoolError. */
  stop(): Promise<void>;
}

/** The scan did not run to its end because of the pool, not of the tree: its thread died, or the pool stopped. */
export class ScanPoolError extends Error {
  override name = "ScanPoolError";
}

interface Job {
  id: number;
  dir: string;
  options: ScanOptions;
  resolve: (result: ScanResult) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  job: Job | undefined;
  /** Ended on purpose (stop): its exit is no crash. */
  stopping: boolean;
}

export function createScanPool(options: ScanPoolOptions = {}): ScanPool {
  return new WorkerScanPool(options.size ?? availableParallelism(), options.workerUrl);
}

class WorkerScanPool implements ScanPool {
  private readonly threads = new Set<Thread>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private crashes = 0;
  private stopped = false;

  constructor(
    private readonly size: number,
    private readonly workerUrl: URL | undefined,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`scan pool size must be a positive integer, got ${size}`);
  }

  scan(dir: string, options: ScanOptions = {}): Promise<ScanResult> {
    if (this.stopped) return Promise.reject(new ScanPoolError("the scan pool is stopped"));
    return new Promise<ScanResult>((resolve, reject) => {
      // Only what `scan()` reads crosses the thread boundary (and it must be cloneable).
      const plain: ScanOptions = {};
      if (options.ruleIds) plain.ruleIds = [...options.ruleIds];
      if (options.ignorePaths) plain.ignorePaths = [...options.ignorePaths];
      if (options.maxFileBytes !== undefined) plain.maxFileBytes = options.maxFileBytes;
      if (options.now !== undefined) plain.now = new Date(options.now.getTime());
      this.queue.push({ id: this.nextId++, dir, options: plain, resolve, reject });
      this.dispatch();
    });
  }

  stats(): ScanPoolStats {
    const busy = [...this.threads].filter((t) => t.job).length;
    return { size: this.size, threads: this.threads.size, busy, queued: this.queue.length, crashes: this.crashes };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const job of this.queue.splice(0)) job.reject(new ScanPoolError("the scan pool stopped before this scan started"));
    const ending = [...this.threads].map((thread) => {
      thread.stopping = true;
      thread.job?.reject(new ScanPoolError(`the scan pool stopped while scanning ${thread.job.dir}`));
      thread.job = undefined;
      return thread.worker.terminate();
    });
    this.threads.clear();
    await Promise.all(ending);
  }

  /** Hands waiting scans to idle threads, starting threads up to the pool's size. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let thread = [...this.threads].find((t) => !t.job);
      if (!thread) {
        if (this.threads.size >= this.size) return;
        try {
          thread = this.startThread();
        } catch (error) {
          // The script is missing or the thread cannot start: fail the scan, not the process.
          const job = this.queue.shift() as Job;
          job.reject(new ScanPoolError(`cannot start a scan thread: ${error instanceof Error ? error.message : String(error)}`));
          continue;
        }
      }
      const job = this.queue.shift() as Job;
      thread.job = job;
      thread.worker.ref(); // a running scan keeps the process alive
      thread.worker.postMessage({ id: job.id, dir: job.dir, options: job.options } satisfies ScanRequest);
    }
  }

  private startThread(): Thread {
    const worker = new Worker(this.workerUrl ?? defaultWorkerUrl());
    const thread: Thread = { worker, job: undefined, stopping: false };
    worker.unref();
    worker.on("message", (reply: ScanReply) => {
      const job = thread.job;
      if (!job || job.id !== reply.id) return;
      thread.job = undefined;
      worker.unref();
      if (reply.ok) job.resolve(reply.result);
      else job.reject(rebuild(reply.error));
      this.dispatch();
    });
    let lost: string | undefined;
    worker.on("error", (error) => {
      lost ??= `the scan thread crashed: ${error.message}`;
    });
    worker.on("exit", (code) => {
      this.threads.delete(thread);
      if (thread.stopping) return;
      const reason = lost ?? `the scan thread exited unexpectedly (code ${code})`;
      const job = thread.job;
      thread.job = undefined;
      if (job) {
        this.crashes++;
        job.reject(new ScanPoolError(`${reason}; the scan of ${job.dir} did not finish`));
      }
      // Its place is free: a waiting scan starts a fresh thread.
      this.dispatch();
    });
    this.threads.add(thread);
    return thread;
  }
}

/** The error `scan()` threw in the thread, as close to the original as a message allows. */
function rebuild(error: { name: string; message: string; code?: string }): Error {
  const rebuilt = new Error(error.message) as NodeJS.ErrnoException;
  rebuilt.name = error.name;
  if (error.code !== undefined) rebuilt.code = error.code;
  return rebuilt;
}

/**
 * The built worker script: next to this module in dist/; when this module runs from the TypeScript
 * sources (the tests), the one `npm run build` put under dist/.
 */
function defaultWorkerUrl(): URL {
  const sibling = new URL("./scan-pool-worker.js", import.meta.url);
  if (existsSync(sibling)) return sibling;
  const built = new URL("../../dist/src/scan/scan-pool-worker.js", import.meta.url);
  if (existsSync(built)) return built;
  throw new ScanPoolError("the scan worker script is not built (run npm run build)");
}

let defaultPool: ScanPool | undefined;

/** `scan(dir, options)` in the process's scan pool (created on first use). */
export function scanInPool(dir: string, options: ScanOptions = {}): Promise<ScanResult> {
  defaultPool ??= createScanPool();
  return defaultPool.scan(dir, options);
}

/** The process's pool, for readiness checks and logs (undefined until a scan has run). */
export function scanPoolStats(): ScanPoolStats | undefined {
  return defaultPool?.stats();
}

/** Stops the process's pool (shutdown): its threads end; the next `scanInPool` starts a new pool. */
export async function stopScanPool(): Promise<void> {
  const pool = defaultPool;
  defaultPool = undefined;
  await pool?.stop();
}
