/**
 * The rubric's own labelled corpus (content/quality/labelled-replies.jsonl): customer message,
 * reply and the expected labels, split into `dev` (for tuning the lexicons) and `holdout`
 * (only measured, never tuned on). Used by the tests and by `npm run bench`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { contentDir } from '../core/paths.ts';
import { scoreReply } from './rubric.ts';
import { LABELS } from './types.ts';
import type { LabelName, Labels } from './types.ts';

export const labelledPath = path.join(contentDir, 'quality', 'labelled-replies.jsonl');

export interface LabelledReply {
  id: string;
  split: 'dev' | 'holdout';
  market: string;
  language: string;
  category: string;
  days_since_delivery?: number;
  customer_message: string;
  reply: string;
  expected: Labels;
}

export function loadLabelled(file = labelledPath): LabelledReply[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledReply);
}

export interface Agreement {
  n: number;
  perLabel: Record<LabelName, { agree: number; rate: number; falsePositive: string[]; falseNegative: string[] }>;
}

export function agreement(cases: LabelledReply[]): Agreement {
  const perLabel = {} as Agreement['perLabel'];
  for (const l of LABELS) perLabel[l] = { agree: 0, rate: 0, falsePositive: [], falseNegative: [] };
  for (const c of cases) {
    const r = scoreReply({
      market: c.market,
      language: c.language,
      category: c.category,
      customerMessage: c.customer_message,
      reply: c.reply,
      ...(c.days_since_delivery !== undefined ? { daysSinceDelivery: c.days_since_delivery } : {}),
    });
    for (const l of LABELS) {
      const got = r.labels[l];
      const want = c.expected[l];
      if (got === want) perLabel[l].agree++;
      else if (got) perLabel[l].falsePositive.push(c.id);
      else perLabel[l].falseNegative.push(c.id);
    }
  }
  for (const l of LABELS) perLabel[l].rate = cases.length ? perLabel[l].agree / cases.length : 0;
  return { n: cases.length, perLabel };
}
