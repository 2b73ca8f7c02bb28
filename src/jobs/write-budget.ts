/**
 * GitHub's content-creation limits (80 writes a minute, 500 an hour per installation by default) are
 * shared by every worker, so the budget lives in Redis: one Lua script reads both windows and grants
 * what is left, atomically, so two workers can never both spend the last write.
 *
 * A reservation the minute window alone refuses waits for the next window, as a rate limit is
 * waited out in place (at most `minuteWaits` windows): deferring it would leave an issue unfiled
 * until the next night's audit. Seen in bench:org at 1,000 repositories, when label edits still
 * counted here (src/github/apply-plan/labels.ts): with the issue and label queues writing 1 s apart
 * each, the 80th write of a minute came before the minute ended, and the issues of three
 * repositories waited for the next run. A reservation the hour refuses is left for
 * a later run (the write path reports it deferred).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";

const RESERVE = `
local perMinute = tonumber(ARGV[1])
local perHour = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local usedMinute = tonumber(redis.call('GET', KEYS[1]) or '0')
local usedHour = tonumber(redis.call('GET', KEYS[2]) or '0')
local hourLeft = perHour - usedHour
local grant = math.min(wanted, perMinute - usedMinute, hourLeft)
if grant <= 0 then return {0, hourLeft} end
redis.call('INCRBY', KEYS[1], grant)
redis.call('EXPIRE', KEYS[1], 120)
redis.call('INCRBY', KEYS[2], grant)
redis.call('EXPIRE', KEYS[2], 7200)
return {grant, hourLeft}
`;

export interface WriteLimits {
  perMinute: number;
  perHour: number;
  /** Minute windows a reservation the minute alone refuses waits for (default MINUTE_WINDOW_WAITS). */
  minuteWaits?: number;
}

/** Two windows: the next one may be spent by other workers before this one gets its turn. */
export const MINUTE_WINDOW_WAITS = 2;

export class WriteBudget {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: WriteLimits,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /**
   * Reserve up to `wanted` content writes for an installation; returns how many were granted. Less
   * than `wanted` only when the hour is spent, or the minute still after `minuteWaits` windows.
   */
  async reserve(installationId: number, wanted: number): Promise<number> {
    if (wanted <= 0) return 0;
    for (let waits = 0; ; waits++) {
      const { granted, hourLeft } = await this.tryReserve(installationId, wanted);
      if (granted === wanted || hourLeft < wanted || waits >= (this.limits.minuteWaits ?? MINUTE_WINDOW_WAITS)) return granted;
      // The minute window alone stands in the way: hold nothing while waiting for the next one.
      await this.refund(installationId, granted);
      await this.wait(60_000 - (this.now() % 60_000) + 100);
    }
  }

  private async tryReserve(installationId: number, wanted: number): Promise<{ granted: number; hourLeft: number }> {
    const t = this.now();
    const minuteKey = `${this.prefix}:writes:${installationId}:m:${Math.floor(t / 60_000)}`;
    const hourKey = `${this.prefix}:writes:${installationId}:h:${Math.floor(t / 3_600_000)}`;
    const [granted, hourLeft] = (await this.redis.eval(RESERVE, 2, minuteKey, hourKey, this.limits.perMinute, this.limits.perHour, wanted)) as [number, number];
    return { granted: Number(granted), hourLeft: Number(hourLeft) };
  }

  /** Give back writes reserved but not spent, so the next repository can use them. */
  async refund(installationId: number, unused: number): Promise<void> {
    if (unused <= 0) return;
    const t = this.now();
    await this.redis
      .multi()
      .decrby(`${this.prefix}:writes:${installationId}:m:${Math.floor(t / 60_000)}`, unused)
      .decrby(`${this.prefix}:writes:${installationId}:h:${Math.floor(t / 3_600_000)}`, unused)
      .exec();
  }
}
