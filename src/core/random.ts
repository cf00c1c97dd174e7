/**
 * Small seeded pseudo-random generators, for what must come out the same on every run (the
 * triage models' noisy copies, a simulated customer's phrasings, the demo data, benchmark texts). Not for
 * secrets: ids and tokens use the CSPRNG (ids.ts).
 */

/** xorshift32: numbers in [0, 1). A seed of 0 (which would stay 0) counts as 1. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/** mulberry32: numbers in [0, 1); every 32-bit seed (0 included) gives its own sequence. */
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
