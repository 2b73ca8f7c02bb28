/**
 * The child's queues seen from the test, with bullmq itself (literal queue names; nothing from
 * src/): job counts, whether anything is left to do, and an emitter that fires on every queue event
 * so a convergence check can re-run when something happened instead of polling.
 */
import { EventEmitter } from "node:events";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";

export const QUEUE_NAMES = ["scan", "check", "audit", "summary", "labels"] as const;
const UNFINISHED = ["active", "waiting", "waiting-children", "prioritized"] as const;
const QUEUE_EVENTS = ["added", "waiting", "active", "progress", "completed", "failed", "delayed", "stalled", "retries-exhausted", "removed", "drained", "deduplicated"];

export class QueueWatch {
  /** `change` on every queue event. */
  readonly events = new EventEmitter();
  private readonly connection: Redis;
  private readonly queues: Queue[];
  private readonly queueEvents: QueueEvents[];
  readonly counted: Record<string, number> = {};

  constructor(redisUrl: string, prefix: string) {
    // Survive a Redis restart: keep retrying, and keep errors out of the test's output.
    this.connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.connection.on("error", () => undefined);
    this.queues = QUEUE_NAMES.map((name) => {
      const queue = new Queue(name, { connection: this.connection, prefix });
      queue.on("error", () => undefined);
      return queue;
    });
    this.queueEvents = QUEUE_NAMES.map((name) => {
      const events = new QueueEvents(name, { connection: { url: redisUrl, maxRetriesPerRequest: null } as never, prefix });
      events.on("error", () => undefined);
      for (const event of QUEUE_EVENTS) {
        events.on(event as never, (() => {
          const key = `${name}:${event}`;
          this.counted[key] = (this.counted[key] ?? 0) + 1;
          this.events.emit("change", { queue: name, event });
        }) as never);
      }
      return events;
    });
  }

  /** Resolves once every QueueEvents listener is reading the stream (events before this are missed). */
  async ready(): Promise<void> {
    await Promise.all(this.queueEvents.map((e) => e.waitUntilReady()));
  }

  /** Jobs still to run in any queue: unfinished ones, and delayed ones that are not the schedules' next runs. */
  async pending(): Promise<number> {
    let total = 0;
    for (const queue of this.queues) {
      const counts = await queue.getJobCounts(...UNFINISHED);
      total += Object.values(counts).reduce((a, b) => a + b, 0);
      const delayed = await queue.getDelayed();
      total += delayed.filter((job) => !String(job.id).startsWith("repeat:")).length;
    }
    return total;
  }

  async counts(name: (typeof QUEUE_NAMES)[number]): Promise<Record<string, number>> {
    return this.queues[QUEUE_NAMES.indexOf(name)]!.getJobCounts("active", "waiting", "delayed", "completed", "failed");
  }

  async close(): Promise<void> {
    await Promise.all(this.queueEvents.map((e) => e.close().catch(() => undefined)));
    await Promise.all(this.queues.map((q) => q.close().catch(() => undefined)));
    this.connection.disconnect();
  }
}
