/**
 * Measurements of triage accuracy on public data and on our held-out split, shared by the
 * benchmark (bench/triage.ts) and the tests. Public datasets are read from
 * ../shared/datasets (sharedDataset), never copied into the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sharedDataset } from '../core/paths.ts';
import type { Category } from './corpus.ts';

export const LINGUA_KINDS = ['sentences', 'word-pairs', 'single-words'] as const;
export type LinguaKind = (typeof LINGUA_KINDS)[number];

/** lingua-langid test texts of one kind for our 15 languages, or null when the dataset is absent. */
export function loadLingua(kind: LinguaKind, languages: readonly string[], limitPerLanguage = Infinity): { text: string; language: string }[] | null {
  const dir = sharedDataset('lingua-langid');
  if (!dir) return null;
  const out: { text: string; language: string }[] = [];
  for (const l of languages) {
    const f = path.join(dir, kind, `${l}.txt`);
    if (!fs.existsSync(f)) continue;
    const lines = fs.readFileSync(f, 'utf8').split('\n').map((x) => x.trim()).filter(Boolean);
    for (const text of lines.slice(0, limitPerLanguage)) out.push({ text, language: l });
  }
  return out;
}

/** The mapping of Bitext intents onto our categories (from the dataset's README). */
export const BITEXT_MAP: Readonly<Record<string, Category>> = {
  track_order: 'order_status',
  delivery_period: 'order_status',
  cancel_order: 'cancellation',
  change_shipping_address: 'address_change',
  set_up_shipping_address: 'address_change',
  get_refund: 'refund',
  track_refund: 'refund',
  check_refund_policy: 'refund',
  payment_issue: 'payment_issue',
  check_invoice: 'payment_issue',
  get_invoice: 'payment_issue',
  delivery_options: 'product_question',
  check_payment_methods: 'product_question',
};

/** Parses one CSV line with quoted fields ("a, b",c). */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Bitext customer-support requests with our category, or null when the dataset is absent. */
export function loadBitext(): { text: string; intent: string; category: Category }[] | null {
  const dir = sharedDataset('bitext-customer-support');
  if (!dir) return null;
  const f = path.join(dir, 'bitext_intents_en.csv');
  if (!fs.existsSync(f)) return null;
  const lines = fs.readFileSync(f, 'utf8').split(/\r?\n/);
  const header = parseCsvLine(lines[0] ?? '');
  const ti = header.indexOf('text');
  const ii = header.indexOf('intent');
  if (ti < 0 || ii < 0) return null;
  const out: { text: string; intent: string; category: Category }[] = [];
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const cols = parseCsvLine(line);
    const text = cols[ti];
    const intent = cols[ii];
    if (!text || !intent) continue;
    out.push({ text, intent, category: BITEXT_MAP[intent] ?? 'other' });
  }
  return out;
}

/**
 * Short, messy variants of corpus messages, like customers type them: the first 2, 3 and 4
 * words, lower case, accents removed, kept when under 25 characters. Used to measure language
 * identification on short text (from the eval split only, for the figures).
 */
export function shortVariants(examples: readonly { text: string; language: string }[], fold: (s: string) => string): { text: string; language: string }[] {
  const out: { text: string; language: string }[] = [];
  for (const e of examples) {
    if (e.text.length < 25) out.push({ text: e.text, language: e.language });
    const words = e.text.split(/\s+/).filter(Boolean);
    for (const n of [2, 3, 4]) {
      if (words.length <= n) continue;
      const t = fold(words.slice(0, n).join(' '));
      if (t.length < 25) out.push({ text: t, language: e.language });
    }
  }
  return out;
}
