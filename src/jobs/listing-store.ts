/**
 * The last audit's listing of an installation's repositories, kept in Redis under the queue prefix
 * so the next audit asks GitHub for each page conditionally (src/github/installations.ts). One key
 * per installation, the pages as JSON (about 200 bytes a repository), expiring after 8 days: a
 * nightly or weekly audit finds it, an installation gone for longer leaves nothing behind. A
 * missing or unreadable value only means the next listing is read afresh.
 */
import type { Redis } from "ioredis";
import type { ListedPage, ListingStore } from "../github/installations.js";

const TTL_SECONDS = 8 * 24 * 3600;

export function listingStore(redis: Redis, prefix: string, installationId: number): ListingStore {
  const key = `${prefix}:state:installation:${installationId}:listing`;
  return {
    async get() {
      const raw = await redis.get(key);
      if (!raw) return undefined;
      try {
        const pages = JSON.parse(raw) as ListedPage[];
        return Array.isArray(pages) && pages.length > 0 ? pages : undefined;
      } catch {
        return undefined;
      }
    },
    async put(pages) {
      if (pages.length === 0) await redis.del(key);
      else await redis.set(key, JSON.stringify(pages), "EX", TTL_SECONDS);
    },
  };
}
