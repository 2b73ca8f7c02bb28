/** What every job processor is given: no globals, so tests build the same thing against nock and real Redis. */
import type { Logger } from "pino";
import type { Probot } from "probot";
import type { Settings } from "../config/settings.js";
import type { Queues } from "./queues.js";
import type { StateStore } from "./repo-state.js";
import type { WriteBudget } from "./write-budget.js";

export interface WorkerDeps {
  probot: Probot;
  settings: Settings;
  queues: Queues;
  state: StateStore;
  budget: WriteBudget;
  log: Logger;
  /** Keywarden's version, part of the rule-set identity. */
  version: string;
  /** The clock, injectable for tests of time-dependent output. */
  now: () => Date;
  /**
   * Runs a scan's clone and scan (its checkout on disk), at most `scanConcurrency` at once in the
   * process; the job's API requests and issue writes happen outside it (./start-workers.ts).
   */
  checkoutSlots: <T>(work: () => Promise<T>) => Promise<T>;
}
