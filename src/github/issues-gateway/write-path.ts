/**
 * The one way Keywarden writes issues, comments and labels: the plan's apply, the config-problems
 * report and the weekly summary all go through here.
 *
 * - Every write is reserved first from the write budget the caller shares across repositories and
 *   job kinds (./budget.ts). A reservation covers a unit of work (closing an issue is a comment and
 *   an edit: 2), so budget never runs out halfway through one; what it did not spend goes back.
 * - A write whose repetition is harmless (an edit, a label) is sent once, marked repeatable:
 *   Keywarden's Octokit repeats it in place on 5xx, dropped connections and rate limits.
 * - A create (issue, comment) is never repeated blindly: GitHub may have applied it before the 502
 *   or the dropped connection. After such a failure the caller's `find` looks for it (an issue by its
 *   marker, a comment by a hidden marker derived from its text), and only when it is not there is it
 *   sent again (./create-retry-policy.ts). A create refused for its rate limit was not applied, so
 *   Octokit's throttling waits that out and repeats it before any failure reaches here.
 * - Errors carry status and GitHub's message, scrubbed of anything credential-shaped; never the
 *   request (its headers hold the token).
 */
import { describeFailure, type GitHubClient, type GitHubResponse, type RequestFailure } from "../requester.js";
import type { WriteBudget } from "./budget.js";
import { decideCreateRetry, DEFAULT_CREATE_RETRY, type CreateRetryPolicy } from "./create-retry-policy.js";

/** A write GitHub did not accept, with what it said (no request, no token). */
export class WriteFailed extends Error {
  constructor(readonly failure: RequestFailure) {
    super(failure.message);
    this.name = "WriteFailed";
  }
}

/** What a failed write (or any failed request) tells, without its request. */
export function failureOf(error: unknown): RequestFailure {
  return error instanceof WriteFailed ? error.failure : describeFailure(error);
}

export interface WriteLogger {
  info?(obj: Record<string, unknown>, msg: string): void;
  warn?(obj: Record<string, unknown>, msg: string): void;
}

export interface WritePathOptions {
  client: GitHubClient;
  budget: WriteBudget;
  /** Injected so tests need not wait out the back-off before looking for a create. */
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<CreateRetryPolicy>;
  logger?: WriteLogger;
}

/** How a create's outcome reads, whether it was answered or found after a failure in flight. */
export interface CreateOutcome<T> {
  /** From GitHub's answer (e.g. the new issue's number). */
  read(response: GitHubResponse): T;
  /** After a failure in flight: the same value if GitHub applied the create after all, else undefined. */
  find(): Promise<T | undefined>;
}

interface Settings {
  client: GitHubClient;
  budget: WriteBudget;
  sleep: (ms: number) => Promise<void>;
  policy: CreateRetryPolicy;
  logger: WriteLogger | undefined;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class WritePath {
  private readonly settings: Settings;

  constructor(options: WritePathOptions) {
    this.settings = {
      client: options.client,
      budget: options.budget,
      sleep: options.sleep ?? defaultSleep,
      policy: { ...DEFAULT_CREATE_RETRY, ...options.retry },
      logger: options.logger,
    };
  }

  /** Reserve `cost` writes; undefined (and nothing held) when the budget cannot cover all of them. */
  async reserve(cost: number): Promise<Reservation | undefined> {
    const { budget } = this.settings;
    const granted = await budget.reserve(cost);
    if (granted >= cost) return new Reservation(this.settings, cost);
    if (granted > 0) await budget.refund?.(granted);
    return undefined;
  }

  /**
   * Do `work` within a reservation of `cost` writes and give back what it did not spend; undefined
   * when the budget cannot cover `cost` (nothing was sent).
   */
  async within<T>(cost: number, work: (writes: Reservation) => Promise<T>): Promise<{ value: T } | undefined> {
    const reservation = await this.reserve(cost);
    if (!reservation) return undefined;
    try {
      return { value: await work(reservation) };
    } finally {
      await reservation.release();
    }
  }
}

/** Writes reserved from the budget, spent one by one. */
export class Reservation {
  private spentWrites = 0;
  private released = false;

  constructor(
    private readonly settings: Settings,
    readonly reserved: number,
  ) {}

  /** Writes GitHub accepted (a create found after a failure in flight included). */
  get spent(): number {
    return this.spentWrites;
  }

  /** A write whose repetition is harmless (PATCH, a label): Octokit repeats it in place if need be. */
  async send(route: string, parameters: Record<string, unknown>): Promise<GitHubResponse> {
    this.claim();
    try {
      const request = { ...(parameters.request as object | undefined), repeatable: true };
      const response = await this.settings.client.request(route, { ...parameters, request });
      this.spentWrites++;
      return response;
    } catch (error) {
      throw new WriteFailed(describeFailure(error));
    }
  }

  /** A create: sent again after a failure in flight only once `outcome.find` has not found it. */
  async create<T>(route: string, parameters: Record<string, unknown>, outcome: CreateOutcome<T>): Promise<T> {
    this.claim();
    const { client, sleep, policy, logger } = this.settings;
    for (let attempt = 1; ; attempt++) {
      let failure: RequestFailure;
      try {
        const value = outcome.read(await client.request(route, parameters));
        this.spentWrites++;
        return value;
      } catch (error) {
        failure = describeFailure(error);
      }
      const decision = decideCreateRetry(failure, attempt, policy);
      if (!decision.retry) throw new WriteFailed(failure);
      logger?.warn?.({ route, status: failure.status, attempt, waitMs: decision.waitMs }, "GitHub create failed in flight; looking for it before repeating");
      await sleep(decision.waitMs);
      let found: T | undefined;
      try {
        found = await outcome.find();
      } catch (findError) {
        // Unknown whether the first attempt landed: repeating could duplicate, so give up here; the
        // next run lists the issues again and decides with certainty.
        const f = describeFailure(findError);
        throw new WriteFailed({ ...failure, message: `${failure.message}; could not check whether GitHub applied it: ${f.message}` });
      }
      if (found !== undefined) {
        this.spentWrites++;
        return found;
      }
    }
  }

  /** Give back what was reserved and not spent (once; later calls do nothing). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const unused = this.reserved - this.spentWrites;
    if (unused > 0) await this.settings.budget.refund?.(unused);
  }

  private claim(): void {
    if (this.released) throw new Error("write after its reservation was released");
    if (this.spentWrites >= this.reserved) throw new Error(`write beyond the ${this.reserved} reserved`);
  }
}
