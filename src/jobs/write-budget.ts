/**
 * GitHub's content-creation limits (80 writes a minute, 500 an hour per installation by default) are
 * shared by every worker, so the budget lives in Redis: one Lua script reads both windows and grants
 * what is left, atomically, so two workers can never both spend the last write.
 */
import type { Redis } from "ioredis";

const RESERVE = `
local perMinute = tonumber(ARGV[1])
local perHour = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local usedMinute = tonumber(redis.call('GET', KEYS[1]) or '0')
local usedHour = tonumber(redis.call('GET', KEYS[2]) or '0')
local grant = math.min(wanted, perMinute - usedMinute, perHour - usedHour)
if grant <= 0 then return 0 end
redis.call('INCRBY', KEYS[1], grant)
redis.call('EXPIRE', KEYS[1], 120)
redis.call('INCRBY', KEYS[2], grant)
redis.call('EXPIRE', KEYS[2], 7200)
return grant
`;

export interface WriteLimits {
  perMinute: number;
  perHour: number;
}

export class WriteBudget {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: WriteLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserve up to `wanted` content writes for an installation; returns how many were granted. */
  async reserve(installationId: number, wanted: number): Promise<number> {
    if (wanted <= 0) return 0;
    const t = this.now();
    const minuteKey = `${this.prefix}:writes:${installationId}:m:${Math.floor(t / 60_000)}`;
    const hourKey = `${this.prefix}:writes:${installationId}:h:${Math.floor(t / 3_600_000)}`;
    const granted = await this.redis.eval(RESERVE, 2, minuteKey, hourKey, this.limits.perMinute, this.limits.perHour, wanted);
    return Number(granted);
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
