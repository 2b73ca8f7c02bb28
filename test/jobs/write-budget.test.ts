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
    const a = new WriteBudget(t.redis, t.prefix, { perMinute: 80, perHour: 500 }, () => now);
    const b = new WriteBudget(t.redis, t.prefix, { perMinute: 80, perHour: 500 }, () => now);
    expect(await a.reserve(1, 50)).toBe(50);
    expect(await b.reserve(1, 50)).toBe(30);
    expect(await a.reserve(1, 1)).toBe(0);
    expect(await a.reserve(2, 10)).toBe(10);
  });

  it("opens a new minute window but keeps the hourly cap", async () => {
    const budget = new WriteBudget(t.redis, t.prefix, { perMinute: 80, perHour: 100 }, () => now);
    expect(await budget.reserve(1, 80)).toBe(80);
    now += 60_000;
    expect(await budget.reserve(1, 80)).toBe(20);
    now += 3_600_000;
    expect(await budget.reserve(1, 80)).toBe(80);
  });

  it("takes back writes that were reserved but not spent", async () => {
    const budget = new WriteBudget(t.redis, t.prefix, { perMinute: 10, perHour: 100 }, () => now);
    expect(await budget.reserve(1, 10)).toBe(10);
    await budget.refund(1, 4);
    expect(await budget.reserve(1, 10)).toBe(4);
  });

  it("grants concurrent reservations atomically", async () => {
    const budget = new WriteBudget(t.redis, t.prefix, { perMinute: 80, perHour: 500 }, () => now);
    const grants = await Promise.all(Array.from({ length: 20 }, () => budget.reserve(7, 7)));
    expect(grants.reduce((s, g) => s + g, 0)).toBe(80);
  });
});
