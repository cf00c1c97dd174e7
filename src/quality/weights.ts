/**
 * Weights of the rubric's dimensions. Defaults here; a scenario and a team may override any
 * of them (later layers win). Weights are relative: they need not add up to 100.
 */
import { DIMENSIONS } from './types.ts';
import type { Dimension, Weights } from './types.ts';

export const DEFAULT_WEIGHTS: Readonly<Weights> = Object.freeze({
  greeting: 5,
  empathy: 12,
  comprehension: 10,
  solution: 20,
  policy: 15,
  tone: 10,
  language: 8,
  sensitive_data: 6,
  closing: 5,
  readability: 4,
  cultural_fit: 5,
});

/** Score ceiling when a critical failure occurred (policy, sensitive data, review manipulation, dispute demand). */
export const CRITICAL_CAP = 20;
/** Score ceiling when the reply is not in the customer's language. */
export const LANGUAGE_CAP = 40;
/** Score ceiling when the reply blames or insults the customer. */
export const TONE_CAP = 50;

/** Merges weight layers (default, scenario, team…); rejects unknown dimensions and negative weights. */
export function resolveWeights(...layers: Array<Partial<Weights> | undefined>): Weights {
  const out: Weights = { ...DEFAULT_WEIGHTS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (!(DIMENSIONS as readonly string[]).includes(k)) throw new Error(`unknown rubric dimension "${k}"`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`weight of "${k}" must be a number >= 0`);
      out[k as Dimension] = v;
    }
  }
  if (Object.values(out).every((v) => v === 0)) throw new Error('at least one weight must be > 0');
  return out;
}
