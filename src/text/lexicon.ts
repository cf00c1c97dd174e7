/**
 * Word and phrase lexicons (content/triage/lexicons/<lang>.yaml) and a fast matcher.
 *
 * Matching is case- and accent-insensitive. For alphabetic scripts an entry matches on word
 * boundaries; a trailing `*` matches any ending ("refund*" -> "refunded"); an entry of several
 * words matches that sequence of words. For Chinese, Japanese and Korean an entry matches as a
 * substring (no spaces between words, particles attached); so does Arabic (clitics).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { contentDir } from '../core/paths.ts';
import { normalise } from './segment.ts';

/**
 * `unmeant`: words that, just before a threat (just after it in Japanese, Korean and Turkish, where
 * the verb comes last), say it is not being made: "I'd rather not open a PayPal dispute",
 * "レビューに書くようなことはしたくない". See threatUnmeant in models.ts.
 */
export const LEXICON_KINDS = ['cues', 'threats', 'insults', 'negative', 'positive', 'calm', 'unmeant'] as const;
export type LexiconKind = (typeof LEXICON_KINDS)[number];

export type LexiconFile = { language: string; categories: Record<string, string[]> } & Record<LexiconKind, string[]>;

/** The fold of one character or surrogate pair (see foldForMatch), by the whole-text rules. */
function foldSlow(text: string): string {
  return normalise(text, { stripAccents: true })
    .replace(/[\u064B-\u065F\u0670\u0640]/g, '') // Arabic harakat and tatweel
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .replace(/[’`´]/g, "'");
}

/** Folded form of each non-ASCII character met so far (a few thousand at most). */
const foldChar = new Map<number, string>();

/**
 * Fold text for lexicon matching: NFKC, lower case, no accents, Arabic letter variants unified.
 * Character by character after NFKC, with each character's fold cached: the same result as
 * folding the whole string, several times faster on non-ASCII text.
 */
export function foldForMatch(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase().replace(/`/g, "'");
  const s = text.normalize('NFKC');
  let out = '';
  let from = 0; // start of the pending ASCII run
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (from < i) out += s.slice(from, i);
    let key = c;
    let ch: string;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      key = s.codePointAt(i) ?? c;
      ch = s.slice(i, i + 2);
      i++;
    } else ch = s[i];
    let f = foldChar.get(key);
    if (f === undefined) {
      f = foldSlow(ch);
      if (foldChar.size < 20_000) foldChar.set(key, f);
    }
    out += f;
    from = i + 1;
  }
  if (from < s.length) out += s.slice(from);
  return out.toLowerCase().replace(/`/g, "'");
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}']$/u;
/** Per UTF-16 code unit: 0 not classified yet, 1 part of a word, 2 separator (filled lazily). */
const unitClass = new Uint8Array(0x10000);
for (let c = 0; c < 0x80; c++) unitClass[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;

/** Whether the character at i (a code unit, or a surrogate pair) is a letter, digit, mark or apostrophe. */
function isWordAt(s: string, i: number, c: number): boolean {
  let k = unitClass[c];
  if (k === 0) {
    if (c >= 0xd800 && c <= 0xdfff) return WORD_CHAR.test(String.fromCodePoint(s.codePointAt(i) ?? c)); // astral: rare, not cached
    k = unitClass[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
  }
  return k === 1;
}

/**
 * Words of folded text (apostrophes kept inside words: j'ai, don't): runs of letters, digits,
 * marks and apostrophes. A table of code units instead of a Unicode regex split (several times faster).
 */
export function matchWords(folded: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < folded.length; i++) {
    const c = folded.charCodeAt(i);
    let word: boolean;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < folded.length) {
      word = isWordAt(folded, i, c);
      if (word && start < 0) start = i;
      if (!word && start >= 0) {
        out.push(folded.slice(start, i));
        start = -1;
      }
      i++; // the low surrogate goes with its pair
      continue;
    }
    word = isWordAt(folded, i, c);
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(folded.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) out.push(folded.slice(start));
  return out;
}

/**
 * Scripts matched as substrings: no spaces between words (Han, kana), or words that take
 * particles and clitics attached (Hangul; Arabic و ل ب ال).
 */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Arabic}]/u;

/** An entry found by a matcher, with the tag it was compiled with (e.g. its lexicon kind). */
export interface PhraseHit {
  tag: string;
  entry: string;
}

interface Compiled {
  tag: string;
  entry: string;
}

/**
 * A compiled set of entries (each with a tag). Word entries are a hash lookup, stems are
 * looked up by their first 3 letters, phrases by their first word, so matching costs about
 * one lookup per word of the text whatever the size of the lexicon.
 */
export class PhraseMatcher {
  private readonly words = new Map<string, Compiled[]>();
  private readonly prefixes = new Map<string, { prefix: string; c: Compiled }[]>();
  private readonly shortPrefixes: { prefix: string; c: Compiled }[] = [];
  private readonly phrases = new Map<string, { words: string[]; prefixLast: boolean; c: Compiled }[]>();
  private readonly substrings: { text: string; c: Compiled }[] = [];
  /** substring entries by their first code unit (built on first use) */
  private substringIndex: Map<number, { text: string; c: Compiled }[]> | null = null;
  /**
   * Substring entries of several words ("حماية المستهلك", "별점 테러"), spaces removed: they are
   * matched on the text with its spaces removed too, so spacing (often loose in Korean) does not matter.
   */
  private readonly spacedSubstrings: { text: string; c: Compiled }[] = [];
  private spacedIndex: Map<number, { text: string; c: Compiled }[]> | null = null;

  constructor(entries: readonly string[] | readonly { tag: string; entry: string }[]) {
    for (const item of entries) {
      const { tag, entry: raw } = typeof item === 'string' ? { tag: '', entry: item } : item;
      const entry = String(raw).trim();
      if (!entry) continue;
      const c: Compiled = { tag, entry };
      const folded = foldForMatch(entry);
      const star = folded.endsWith('*');
      const body = star ? folded.slice(0, -1) : folded;
      if (CJK.test(body)) {
        const compact = body.replace(/\s+/g, '');
        if (compact !== body.trim()) this.spacedSubstrings.push({ text: compact, c });
        else this.substrings.push({ text: compact, c });
        continue;
      }
      const ws = matchWords(body);
      if (ws.length === 0) continue;
      if (ws.length === 1) {
        if (star) {
          const p = ws[0];
          if (p.length < 3) this.shortPrefixes.push({ prefix: p, c });
          else push(this.prefixes, p.slice(0, 3), { prefix: p, c });
        } else push(this.words, ws[0], c);
      } else push(this.phrases, ws[0], { words: ws, prefixLast: star, c });
    }
  }

  /** Entries found in text already folded (foldForMatch) and split (matchWords); each once. */
  matchTagged(folded: string, words: readonly string[]): PhraseHit[] {
    const found = new Map<string, PhraseHit>();
    const add = (c: Compiled) => {
      const key = c.tag + '\u0000' + c.entry;
      if (!found.has(key)) found.set(key, { tag: c.tag, entry: c.entry });
    };
    this.matchWordList(words, add);
    // A word with an apostrophe is also read without its elided article or preposition (French and
    // Italian "l'avocat", "dall'avvocato") and without the case ending of a name (Turkish
    // "Şikayetvar'a", "CİMER'e"): the part of 4 letters or fewer on one side is dropped.
    let elided: string[] | null = null;
    let suffixed: string[] | null = null;
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      const q = w.indexOf("'");
      if (q < 0) continue;
      if (q <= 4 && w.length - q - 1 >= 2) (elided ??= words.slice())[i] = w.slice(q + 1);
      if (w.length - q - 1 <= 4 && q >= 2) (suffixed ??= words.slice())[i] = w.slice(0, q);
    }
    if (elided) this.matchWordList(elided, add);
    if (suffixed) this.matchWordList(suffixed, add);
    if (this.substrings.length && CJK.test(folded)) {
      // One map lookup per character instead of one search per entry.
      let index = this.substringIndex;
      if (!index) {
        index = new Map();
        for (const s of this.substrings) if (s.text) push(index, s.text.charCodeAt(0), s);
        this.substringIndex = index;
      }
      for (let i = 0; i < folded.length; i++) {
        const list = index.get(folded.charCodeAt(i));
        if (list) for (const s of list) if (folded.startsWith(s.text, i)) add(s.c);
      }
    }
    if (this.spacedSubstrings.length && CJK.test(folded)) {
      let index = this.spacedIndex;
      if (!index) {
        index = new Map();
        for (const s of this.spacedSubstrings) if (s.text) push(index, s.text.charCodeAt(0), s);
        this.spacedIndex = index;
      }
      const compact = folded.replace(/\s+/g, '');
      for (let i = 0; i < compact.length; i++) {
        const list = index.get(compact.charCodeAt(i));
        if (list) for (const s of list) if (compact.startsWith(s.text, i)) add(s.c);
      }
    }
    return [...found.values()];
  }

  /** Word, stem and phrase entries found in a list of words (folded), each passed to add. */
  private matchWordList(words: readonly string[], add: (c: Compiled) => void): void {
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      const exact = this.words.get(w);
      if (exact) for (const c of exact) add(c);
      if (w.length >= 3) {
        const ps = this.prefixes.get(w.slice(0, 3));
        if (ps) for (const p of ps) if (w.startsWith(p.prefix)) add(p.c);
      }
      for (const p of this.shortPrefixes) if (w.startsWith(p.prefix)) add(p.c);
      const phs = this.phrases.get(w);
      if (phs) {
        for (const ph of phs) {
          const n = ph.words.length;
          if (i + n > words.length) continue;
          let ok = true;
          for (let j = 1; j < n; j++) {
            const x = words[i + j];
            const want = ph.words[j];
            if (j === n - 1 && ph.prefixLast ? !x.startsWith(want) : x !== want) {
              ok = false;
              break;
            }
          }
          if (ok) add(ph.c);
        }
      }
    }
  }

  /** Entries found in prepared text (see matchTagged), without tags. */
  matchPrepared(folded: string, words: readonly string[]): string[] {
    return [...new Set(this.matchTagged(folded, words).map((h) => h.entry))];
  }

  match(text: string): string[] {
    const folded = foldForMatch(text);
    return this.matchPrepared(folded, matchWords(folded));
  }
}

function push<K, T>(map: Map<K, T[]>, key: K, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export const LEXICON_DIR = path.join(contentDir, 'triage', 'lexicons');

/**
 * YAML parsing of the lexicons takes ~1 s on a cold process; the parsed form is kept as JSON in
 * the cache folder (CROSSDESK_CACHE_DIR, default <tmp>/crossdesk-cache), keyed by a hash of the
 * YAML text, and read back in milliseconds.
 */
function parseYamlCached(text: string): unknown {
  const useCache = process.env.CROSSDESK_TRIAGE_CACHE !== '0';
  if (!useCache) return parse(text);
  const key = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const file = path.join(process.env.CROSSDESK_CACHE_DIR ?? path.join(os.tmpdir(), 'crossdesk-cache'), `yaml-${key}.json`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    // not cached yet
  }
  const doc: unknown = parse(text);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(doc));
    fs.renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs time.
  }
  return doc;
}

let cache: Map<string, LexiconFile> | null = null;

/** All lexicon files, keyed by language (read once). Missing files or kinds are empty lists. */
export function loadLexicons(dir: string = LEXICON_DIR): Map<string, LexiconFile> {
  if (dir === LEXICON_DIR && cache) return cache;
  const out = new Map<string, LexiconFile>();
  let files: string[] = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));
  } catch {
    files = [];
  }
  for (const f of files.sort()) {
    const doc = parseYamlCached(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (typeof doc !== 'object' || doc === null) continue;
    const rec = doc as Record<string, unknown>;
    const language = typeof rec.language === 'string' ? rec.language : path.basename(f).replace(/\.ya?ml$/, '');
    const categories: Record<string, string[]> = {};
    if (typeof rec.categories === 'object' && rec.categories !== null) {
      for (const [k, v] of Object.entries(rec.categories as Record<string, unknown>)) {
        if (Array.isArray(v)) categories[k] = v.map((x) => String(x));
      }
    }
    const lex: LexiconFile = { language, categories, cues: [], threats: [], insults: [], negative: [], positive: [], calm: [], unmeant: [] };
    for (const kind of LEXICON_KINDS) {
      const v = rec[kind];
      lex[kind] = Array.isArray(v) ? v.map((x) => String(x)) : [];
    }
    out.set(language, lex);
  }
  if (dir === LEXICON_DIR) cache = out;
  return out;
}
