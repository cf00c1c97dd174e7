/**
 * The labelled triage corpus: content/triage/corpus/<lang>.jsonl, one JSON object a line:
 * {"text","category","sentiment","angry","outrage"?,"split":"train"|"valid"|"eval","by"?}. Lines that do not fit
 * are skipped (and counted), so a file being extended never breaks loading. Training reads only
 * "train"; "valid" (writers of their own, round seven) places thresholds and chooses between model
 * variants; "eval" is the held-out figure and chooses nothing.
 *
 * `angry` is the writers' reading. Since round eight, `"outrage": true` marks an angry line that
 * carries none of DESIGN.md's cues — no threat (chargeback, dispute, bad review, legal action, a
 * consumer authority), no insult, no shouting — only sarcasm, contempt or outrage said plainly.
 * Blind readers marked them (content/triage/README.md). DESIGN.md's narrower reading of angry,
 * `angry && !outrage` (narrowAngry, inDesignReading), is the one the anger model learns.
 */
import fs from 'node:fs';
import path from 'node:path';
import { contentDir } from '../core/paths.ts';

export const CATEGORIES = [
  'order_status',
  'lost_parcel',
  'damaged_item',
  'wrong_item',
  'defective_item',
  'return_request',
  'exchange_request',
  'refund',
  'cancellation',
  'payment_issue',
  'customs_duties',
  'address_change',
  'product_question',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export interface CorpusExample {
  text: string;
  category: Category;
  sentiment: Sentiment;
  angry: boolean;
  split: 'train' | 'valid' | 'eval';
  /** From the file name. */
  language: string;
  /** Who wrote the line (loadCorpus gives "a" when the line does not say): figures are reported per author too. */
  by?: string;
  /** Angry in its writer's reading, but with no threat, insult or shouting (sarcasm, contempt, plain outrage). */
  outrage?: boolean;
}

/** Angry by DESIGN.md's definition (a threat, an insult or shouting): angry and not only outrage. */
export function narrowAngry(e: Pick<CorpusExample, 'angry' | 'outrage'>): boolean {
  return e.angry && e.outrage !== true;
}

/** The example as DESIGN.md's reading labels it: an outrage-only line is not angry. */
export function inDesignReading(e: CorpusExample): CorpusExample {
  return e.outrage ? { ...e, angry: false } : e;
}

/**
 * The writers (`by`) named by a spec: one letter each ("opqrs"), or a comma-separated list once
 * writers have two letters ("ak,al,am").
 */
export function writerSet(spec: string): Set<string> {
  return new Set(spec.includes(',') ? spec.split(',') : spec.split(''));
}

export const CORPUS_DIR = path.join(contentDir, 'triage', 'corpus');

export function isCategory(x: unknown): x is Category {
  return typeof x === 'string' && (CATEGORIES as readonly string[]).includes(x);
}

function isSentiment(x: unknown): x is Sentiment {
  return typeof x === 'string' && (SENTIMENTS as readonly string[]).includes(x);
}

export interface LoadedCorpus {
  examples: CorpusExample[];
  skipped: number;
  languages: string[];
}

/** Reads every <lang>.jsonl in the corpus folder (or `dir`). Missing folder: empty corpus. */
export function loadCorpus(dir: string = CORPUS_DIR): LoadedCorpus {
  const examples: CorpusExample[] = [];
  let skipped = 0;
  const languages: string[] = [];
  let files: string[] = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    return { examples, skipped, languages };
  }
  for (const f of files) {
    const language = f.replace(/\.jsonl$/, '');
    languages.push(language);
    const raw = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const line of raw.split('\n')) {
      const t = line.trim();
      if (!t) continue;
      let rec: unknown;
      try {
        rec = JSON.parse(t);
      } catch {
        skipped++;
        continue;
      }
      if (typeof rec !== 'object' || rec === null) {
        skipped++;
        continue;
      }
      const r = rec as Record<string, unknown>;
      if (typeof r.text !== 'string' || !isCategory(r.category) || (r.split !== 'train' && r.split !== 'valid' && r.split !== 'eval')) {
        skipped++;
        continue;
      }
      examples.push({
        text: r.text,
        category: r.category,
        sentiment: isSentiment(r.sentiment) ? r.sentiment : 'neutral',
        angry: r.angry === true,
        split: r.split,
        language,
        by: typeof r.by === 'string' && r.by ? r.by : 'a',
        ...(r.outrage === true && r.angry === true ? { outrage: true } : {}),
      });
    }
  }
  return { examples, skipped, languages };
}
