/**
 * Phrase lexicons of the rubric: for each language, each speech act (greeting, apology,
 * offers a refund, asks for a CVV…) as a list of patterns, written natively per language in
 * content/quality/lexicon/<lang>.yaml. Patterns are regular expressions over normalised text
 * (NFKC, lower case, accents removed) with three shorthands:
 *   `~`   letters continuing a stem      ("entschuldig~" matches entschuldigen, entschuldigung)
 *   `…`   a short gap inside one sentence ("cancel… dispute")
 *   `<N>` a number, in digits or in the language's number words
 * In languages written with spaces, a pattern must start and end on a word boundary.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { contentDir } from '../core/paths.ts';

export const ACTS = [
  'greeting',
  'apology',
  'empathy',
  'thanks',
  'closing',
  // solutions and next steps
  'refund',
  'replacement',
  'reship',
  'return_label',
  'exchange',
  'discount',
  'investigate',
  'tracking_update',
  'cancel_order',
  'address_update',
  'time',
  // policy
  'refusal',
  'customer_pays',
  'carrier_yourself',
  'return_term',
  // tone
  'blame',
  'sarcasm',
  'rude',
  // sensitive data
  'sensitive_term',
  'last_digits',
  'ask',
  'warn',
  // integrity
  'review_change',
  'review_positive',
  'incentive',
  'dispute_drop',
  'condition_first',
  // the customer decides ("whether you close the case is up to you"): no demand
  'customer_choice',
  // a resolution only talked about ("we'll look at a refund"): not offered
  'deliberate',
  // comprehension
  'order_number_term',
  'photo_term',
  'address_term',
  // cultural fit
  'informal_address',
  'formal_address',
] as const;
export type Act = (typeof ACTS)[number];
const ACT_SET: ReadonlySet<string> = new Set(ACTS);

/** Languages the rubric has a lexicon for (DESIGN.md vocabulary, plus what we add). */
export const LEXICON_LANGUAGES = ['en', 'zh', 'de', 'fr', 'es', 'it', 'ja', 'ko', 'pt', 'ar', 'nl', 'pl', 'sv', 'tr', 'ru'] as const;

/** Scripts written without spaces: no word boundaries around patterns. */
const NO_BOUNDARY = new Set(['zh', 'ja', 'ko', 'ar']);
/** Languages whose letters are all ASCII after normaliseForMatch (accents folded). */
const ASCII_AFTER_FOLDING = new Set(['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'sv', 'tr']);

export interface CompiledLexicon {
  language: string;
  acts: Map<Act, RegExp>;
}

/** Latin combining accents, and Arabic harakat, hamza marks and tatweel (so أ إ آ fold to ا). */
const COMBINING = /[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g;

/** Normalised form the patterns are matched against: NFKC, lower case, no Latin accents, plain quotes. */
const NEEDS_FOLDING = /[^\x00-\x7f]/;

export function normaliseForMatch(text: string): string {
  if (!NEEDS_FOLDING.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING, '')
    .normalize('NFC')
    .replace(/ß/g, 'ss')
    .replace(/ł/g, 'l')
    .replace(/ı/g, 'i')
    .replace(/[’‘`´]/g, "'")
    .replace(/[“”„«»]/g, '"');
}

function stripPatternAccents(p: string): string {
  return p.normalize('NFD').replace(COMBINING, '').normalize('NFC').replace(/ß/g, 'ss').replace(/ł/g, 'l').replace(/ı/g, 'i').replace(/[’‘`´]/g, "'");
}

/** `(` → `(?:` outside character classes: capture groups cost an allocation on every match. */
function nonCapturing(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      out += c + (p[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') inClass = true;
    out += c === '(' && p[i + 1] !== '?' ? '(?:' : c;
  }
  return out;
}

export function compilePattern(source: string, numbers: string[]): string {
  const num = `(?:\\d+(?:[.,]\\d+)?${numbers.length ? '|' + numbers.map(stripPatternAccents).join('|') : ''})`;
  return nonCapturing(stripPatternAccents(source))
    .replace(/<N>/g, num)
    .replace(/…/g, '[^\\n]{0,48}?')
    .replace(/~/g, '\\p{L}*');
}

interface LexiconFile {
  language?: unknown;
  numbers?: unknown;
  acts?: unknown;
}

export function compileLexicon(language: string, raw: LexiconFile, source = language): CompiledLexicon {
  const numbers = Array.isArray(raw.numbers) ? raw.numbers.map(String) : [];
  const acts = new Map<Act, RegExp>();
  if (typeof raw.acts !== 'object' || raw.acts === null) throw new Error(`${source}: no acts`);
  for (const [name, list] of Object.entries(raw.acts as Record<string, unknown>)) {
    if (!ACT_SET.has(name)) throw new Error(`${source}: unknown act "${name}"`);
    if (!Array.isArray(list) || list.length === 0) continue;
    const parts = list.map((p) => compilePattern(String(p), numbers));
    const body = `(?:${parts.join('|')})`;
    // Latin-script text is ASCII once accents are folded, so `\\b` (fast) marks word edges;
    // other scripts written with spaces (Cyrillic) need Unicode-aware look-arounds.
    const full = NO_BOUNDARY.has(language)
      ? body
      : ASCII_AFTER_FOLDING.has(language)
        ? `\\b${body}\\b`
        : `(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`;
    try {
      acts.set(name as Act, new RegExp(full, 'gu'));
    } catch (e) {
      // Find the culprit so the trainer who edited the file sees which line is wrong.
      for (const p of list) {
        try {
          new RegExp(compilePattern(String(p), numbers), 'u');
        } catch {
          throw new Error(`${source}: act "${name}": bad pattern ${JSON.stringify(p)}`);
        }
      }
      throw new Error(`${source}: act "${name}": ${(e as Error).message}`);
    }
  }
  return { language, acts };
}

export const lexiconDir = path.join(contentDir, 'quality', 'lexicon');

let cache: Map<string, CompiledLexicon> | null = null;

/** All lexicons, compiled once per process. */
export function lexicons(): Map<string, CompiledLexicon> {
  if (cache) return cache;
  const out = new Map<string, CompiledLexicon>();
  for (const file of fs.readdirSync(lexiconDir).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const lang = file.replace(/\.yaml$/, '');
    const raw = YAML.parse(fs.readFileSync(path.join(lexiconDir, file), 'utf8')) as LexiconFile;
    out.set(lang, compileLexicon(lang, raw, file));
  }
  cache = out;
  return out;
}

/** One recognised act: which sentence, which language's lexicon, the matched text. */
export interface ActHit {
  act: Act;
  sentence: number;
  language: string;
  match: string;
  /** Offset of the match in the prepared text's `norm`. */
  index: number;
}

/** A text cut into sentences, with its normalised form for matching. */
export interface PreparedText {
  original: string;
  sentences: string[];
  /** Normalised sentences joined by "\n". */
  norm: string;
  /** Start offset of each sentence in `norm`. */
  starts: number[];
}

const ABBREV = /(?:\b(?:mr|mrs|ms|dr|st|no|nr|z\.b|u\.a|bzw|ca|etc|e\.g|i\.e|vs|sr|sra|m|mme|mlle|hr|fr|jr|inc|ltd|co)\.)$/i;

/** Cuts a text into sentences: at line breaks, after . ! ? followed by a space, after 。！？. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let buf = '';
  const push = () => {
    const s = buf.trim();
    if (s) out.push(s);
    buf = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') {
      push();
      continue;
    }
    buf += c;
    if (c === '。' || c === '！' || c === '？' || c === '؟') {
      while (i + 1 < text.length && /[。！？!?」』)）]/.test(text[i + 1])) buf += text[++i];
      push();
    } else if (c === '.' || c === '!' || c === '?') {
      while (i + 1 < text.length && /[.!?)"'»”]/.test(text[i + 1])) buf += text[++i];
      const next = text[i + 1];
      if (next === undefined || /\s/.test(next)) {
        if (c === '.' && ABBREV.test(buf)) continue;
        push();
      }
    }
  }
  push();
  return out;
}

export function prepareText(text: string): PreparedText {
  const sentences = splitSentences(text);
  // One normalisation pass over the whole text; sentences never contain "\n".
  const norm = normaliseForMatch(sentences.join('\n'));
  const starts: number[] = [];
  let at = 0;
  for (const piece of norm.split('\n')) {
    starts.push(at);
    at += piece.length + 1;
  }
  return { original: text, sentences, norm, starts };
}

function sentenceAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Acts found in a prepared text with the lexicons of the given languages. Lazy: an act's
 * patterns run the first time the act is asked for, so a scorer pays only for what it reads.
 */
export class ActIndex {
  private readonly hits = new Map<Act, ActHit[]>();
  private readonly sentenceSets = new Map<Act, Set<number>>();
  private readonly lexs: CompiledLexicon[];
  private counts: Map<string, number> | null = null;

  constructor(
    readonly text: PreparedText,
    languages: Iterable<string>,
  ) {
    const all = lexicons();
    this.lexs = [];
    for (const lang of new Set(languages)) {
      const lex = all.get(lang);
      if (lex) this.lexs.push(lex);
    }
  }

  private scan(act: Act): ActHit[] {
    const out: ActHit[] = [];
    const norm = this.text.norm;
    for (const lex of this.lexs) {
      const re = lex.acts.get(act);
      if (!re) continue;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(norm)) !== null) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        out.push({ act, sentence: sentenceAt(this.text.starts, m.index), language: lex.language, match: m[0], index: m.index });
      }
    }
    this.hits.set(act, out);
    return out;
  }

  /** Number of hits per lexicon language over all acts (a hint of the text's language). */
  get perLanguage(): Map<string, number> {
    if (this.counts) return this.counts;
    const counts = new Map<string, number>();
    for (const act of ACTS) for (const h of this.get(act)) counts.set(h.language, (counts.get(h.language) ?? 0) + 1);
    this.counts = counts;
    return counts;
  }

  has(act: Act): boolean {
    return this.get(act).length > 0;
  }

  get(act: Act): ActHit[] {
    return this.hits.get(act) ?? this.scan(act);
  }

  /** Sentences (indices) where an act occurs. */
  sentencesOf(act: Act): Set<number> {
    let set = this.sentenceSets.get(act);
    if (!set) {
      set = new Set(this.get(act).map((h) => h.sentence));
      this.sentenceSets.set(act, set);
    }
    return set;
  }

  inSentence(act: Act, sentence: number): boolean {
    return this.get(act).some((h) => h.sentence === sentence);
  }

  quote(sentence: number): string {
    return this.text.sentences[sentence] ?? '';
  }
}
