/**
 * Deterministic randomness for fault injection. A seeded share of requests must fail the same way on
 * every run, so a flaky-looking failure can be replayed; and it must not depend on how concurrent
 * workers interleave their requests. So each decision is drawn from its own mulberry32 stream seeded
 * by (seed, request key, how many times that key was seen): the n-th `GET /x` always meets the same
 * fate, whatever else ran in between.
 */

/** mulberry32: a tiny 32-bit PRNG, good enough to spread faults, returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
