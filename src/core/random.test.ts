import { describe, expect, it } from 'vitest';
import { mulberry32, xorshift32 } from './random.ts';

const take = (f: () => number, n: number) => Array.from({ length: n }, f);

describe('seeded generators', () => {
  it('repeat for a seed, differ between seeds, and stay in [0, 1)', () => {
    for (const g of [xorshift32, mulberry32]) {
      expect(take(g(42), 5)).toEqual(take(g(42), 5));
      expect(take(g(42), 5)).not.toEqual(take(g(43), 5));
      const xs = take(g(7), 10_000);
      expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
      // roughly uniform: each tenth of [0, 1) gets 8-12 % of the draws
      for (let d = 0; d < 10; d++) {
        const share = xs.filter((x) => x >= d / 10 && x < (d + 1) / 10).length / xs.length;
        expect(share).toBeGreaterThan(0.08);
        expect(share).toBeLessThan(0.12);
      }
    }
  });
  it('keep the sequences the triage models and simulated customers were built with', () => {
    // first draws of the published algorithms (xorshift32 13/17/5; mulberry32), fixed here so a
    // change of generator cannot silently change the noisy copies or a drill's phrasings
    expect(take(xorshift32(1), 3).map((x) => Math.round(x * 0x100000000))).toEqual([270369, 67634689, 2647435461]);
    expect(xorshift32(0)()).toBe(xorshift32(1)());
    expect(Math.round(mulberry32(0)() * 4294967296)).toBe(1144304738);
  });
});
