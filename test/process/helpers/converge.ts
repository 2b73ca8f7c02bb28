/**
 * Wait for a condition without polling: re-check it whenever something happens (a stand-in request
 * answered, a child's log line, a queue event) and resolve with the time it first held.
 */
import type { EventEmitter } from "node:events";

export interface Trigger {
  emitter: EventEmitter;
  event: string;
}

export function waitUntil(check: () => boolean | Promise<boolean>, triggers: readonly Trigger[], options: { timeoutMs: number; what: () => string }): Promise<number> {
  return new Promise((resolve, reject) => {
    let running = false;
    let again = false;
    let done = false;
    const finish = (error?: Error, at?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const t of triggers) t.emitter.off(t.event, poke);
      if (error) reject(error);
      else resolve(at!);
    };
    const evaluate = async () => {
      running = true;
      do {
        again = false;
        const at = Date.now();
        let ok: boolean;
        try {
          ok = await check();
        } catch {
          // A check reading Redis while it is down: the next event re-checks.
          ok = false;
        }
        if (ok) return finish(undefined, at);
      } while (again && !done);
      running = false;
    };
    const poke = () => {
      if (done) return;
      if (running) again = true;
      else void evaluate();
    };
    const timer = setTimeout(() => finish(new Error(`not ${options.what()} within ${options.timeoutMs} ms`)), options.timeoutMs);
    for (const t of triggers) t.emitter.on(t.event, poke);
    poke();
  });
}
