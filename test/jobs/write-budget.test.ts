import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WriteBudget } from "../../src/jobs/write-budget.js";
import { openTestRedis, type TestRedis } from "../helpers/redis.js";

describe("WriteBudget", () => {
  let t: TestRedis;
  let now = Date.UTC(2026, 10, 24, 4, 0, 0);
  beforeEach(async () => {
    t = await openTestRedis();
    now = Date.UTC(2026, 10, 24, 4, 0, 0);
  });
  afterEach(() => t.cleanup());

  it("grants at most the per-minute cap, shared between budget holders, per installation", async () => {
    const a = new WriteBudget(t.redis, t.prefix, { perMinute: 80, perHour: 500, minuteWaits: 0 }, () => now);
    const b = new WriteBudget(t.redis, t.prefix, { perMinute: 80, perHour: 500, minuteWaits: 0 }, () => now);
    expect(await a.reserve(1, 50)).toBe(50);
    expect(await b.reserve(1, 50)).toBe(30);
    expect(await a.reserve(1, 1)).toBe(0);
    expect(await a.reserve(2, 10)).toBe(10);
  });

  it("opens a new minute window but keeps the hourly cap", async () => {
    const budget = new WriteBudget(t.redis, t.prefix, { perMinute: 80, perHour: 100, minuteWaits: 0 }, () => now);
    expect(await budget.reserve(1, 80)).toBe(80);
    now += 60_000;
    expect(await budget.reserve(1, 80)).toBe(20);
    now += 3_600_000;
    expect(await budget.reserve(1, 80)).toBe(80);
  });

  it("takes back writes that were reserved but not spent", async () => {
    const budget = new WriteBudget(t.redis, t.prefix, { perMinute: 10, perHour: 100, minuteWaits: 0 }, () => now);
    expect(await budget.reserve(1, 10)).toBe(10);
    await budget.refund(1, 4);
    expect(await budget.reserve(1, 10)).toBe(4);
  });

  it("grants concurrent reservations atomically", async () => {
    const budget = new WriteBudget(t.redis, t.prefix, { perMinute: 80, perHour: 500, minuteWaits: 0 }, () => now);
    const grants = await Promise.all(Array.from({ length: 20 }, () => budget.reserve(7, 7)));
    expect(grants.reduce((s, g) => s + g, 0)).toBe(80);
  });

  it("waits for the next minute window when only the minute is spent, holding nothing meanwhile", async () => {
    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
      now += ms;
    };
    now += 45_000;
    const budget = new WriteBudget(t.redis, t.prefix, { perMinute: 10, perHour: 100 }, () => now, wait);
    const other = new WriteBudget(t.redis, t.prefix, { perMinute: 10, perHour: 100, minuteWaits: 0 }, () => now);
    expect(await budget.reserve(1, 9)).toBe(9);
    expect(await budget.reserve(1, 2)).toBe(2);
    // 15 s to the window's end, and a little more, so the clock has surely turned.
    expect(waits).toEqual([15_100]);
    // Nothing of the refused minute was kept: its last write is still there for someone else.
    now -= 15_100;
    expect(await other.reserve(1, 5)).toBe(1);
  });

  it("gives up when other workers spend the next windows too, and leaves at once what the hour refuses", async () => {
    const limits = { perMinute: 2, perHour: 5, minuteWaits: 1 };
    const other = new WriteBudget(t.redis, t.prefix, { ...limits, minuteWaits: 0 }, () => now);
    let windows = 0;
    const budget = new WriteBudget(t.redis, t.prefix, limits, () => now, async (ms) => {
      now += ms;
      windows++;
    });
    // Another worker spends the next window as soon as it opens: one wait, then given up.
    const outrun = new WriteBudget(t.redis, t.prefix, limits, () => now, async (ms) => {
      now += ms;
      await other.reserve(1, 2);
    });
    expect(await budget.reserve(1, 2)).toBe(2);
    expect(await outrun.reserve(1, 1)).toBe(0);
    // Four of the hour's five are spent; the minute is too: one wait, then the fifth.
    expect(await budget.reserve(1, 1)).toBe(1);
    expect(windows).toBe(1);
    const before = now;
    expect(await budget.reserve(1, 1)).toBe(0);
    expect([now, windows]).toEqual([before, 1]);
  });
});
