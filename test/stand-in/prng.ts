/**
 * Deterministic randomness for fault injection. A seeded share of requests must fail the same way on
 * every run, so a flaky-looking failure can be replayed; and it must not depend on how concurrent
 * workers interleave their requests. So each decision is drawn from its own mulberry32 stream seeded
 * by (seed, request key, how many times that key was seen): the n-th `GET /x` always meets the same
 * fate, whatever else ran in between.
 */

import { mulberry32 } from "../../bench/prng.js";

export { mulberry32 };

/** FNV-1a over a string, to turn a request key into a 32-bit seed. */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A random stream for the `occurrence`-th sighting of `key` under `seed`. */
export function streamFor(seed: number, key: string, occurrence: number): () => number {
  return mulberry32(fnv1a(`${key}#${occurrence}`, (0x811c9dc5 ^ seed) >>> 0));
}
