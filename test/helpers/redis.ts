/**
 * Real Redis for tests: each test gets its own key prefix (a hash tag, as in production) and
 * everything under it is deleted afterwards.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.KEYWARDEN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestRedis {
  redis: Redis;
  prefix: string;
  cleanup(): Promise<void>;
}

export async function openTestRedis(): Promise<TestRedis> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `{kw-test-${randomUUID()}}`;
  return {
    redis,
    prefix,
    async cleanup() {
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

/** Delete every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  // The braces in the prefix are glob syntax to SCAN: escape them.
  const pattern = `${prefix.replace(/[{}[\]*?\\]/g, (c) => `\\${c}`)}*`;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}
