/**
 * When a running job's lock is lost — Redis was unreachable for longer than the lock, or the process
 * stalled — BullMQ's stalled check hands the job out again while the first run is still going. Two
 * runs of one repository's scan at once would both find no issue for a finding and both file one.
 *
 * - `oneRunPerKey`: in this process, a second run of the same repository waits until the first one
 *   has ended, then finds its issues by their markers and writes nothing twice. (A rerun taken by
 *   another worker process is not covered here: that needs a per-repository lease in Redis.)
 * - `lockLossReporter`: BullMQ reports the lost lock as an error on every renewal attempt (every
 *   quarter of the lock) and again when the first run finishes; an operator needs one warning per job.
 */
import type { Logger } from "pino";

export function oneRunPerKey<J, R>(keyOf: (job: J) => string, run: (job: J) => Promise<R>): (job: J) => Promise<R> {
  const tails = new Map<string, Promise<void>>();
  return async (job) => {
    const key = keyOf(job);
    const before = tails.get(key);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = (before ?? Promise.resolve()).then(() => mine);
    tails.set(key, tail);
    try {
      if (before) await before;
      return await run(job);
    } finally {
      done();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

const LOCK_LOST = /^(?:could not renew lock for job (\S+)|Missing lock for job ([^\s.]+)\.|Lock mismatch for job ([^\s.]+)\.)/;

/** Handle BullMQ's lost-lock errors (true), once per job at warn level; any other error is not ours (false). */
export function lockLossReporter(log: Logger, fieldsOf: (queue: string, jobId: string) => object = () => ({})): (queue: string, error: Error) => boolean {
  const reported = new Set<string>();
  return (queue, error) => {
    const match = LOCK_LOST.exec(error.message);
    if (!match) return false;
    const jobId = (match[1] ?? match[2] ?? match[3])!;
    const key = `${queue}:${jobId}`;
    if (reported.has(key)) {
      log.debug({ queue, jobId, err: error.message }, "job lock still lost");
      return true;
    }
    if (reported.size >= 1000) reported.clear();
    reported.add(key);
    log.warn({ queue, jobId, ...fieldsOf(queue, jobId), err: error.message }, "job lost its lock (Redis unreachable or the process stalled for longer than the lock); it runs again, after this run");
    return true;
  };
}
