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

export const LEXICON_KINDS = ['cues', 'threats', 'insults', 'negative', 'positive'] as const;
export type LexiconKind = (typeof LEXICON_KINDS)[number];

export type LexiconFile = { language: string; categories: Record<string, string[]> } & Record<LexiconKind, string[]>;

/** Fold text for lexicon matching: NFKC, lower case, no accents, Arabic letter variants unified. */
export function foldForMatch(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase().replace(/`/g, "'");
  return normalise(text, { stripAccents: true })
    .replace(/[\u064B-\u065F\u0670\u0640]/g, '') // Arabic harakat and tatweel
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .replace(/[’`´]/g, "'");
}

const WORD_SPLIT = /[^\p{L}\p{N}\p{M}']+/u;

/** Words of folded text (apostrophes kept inside words: j'ai, don't). */
export function matchWords(folded: string): string[] {
  return folded.split(WORD_SPLIT).filter((w) => w.length > 0);
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
        this.substrings.push({ text: body.replace(/\s+/g, ''), c });
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
    if (this.substrings.length && CJK.test(folded)) {
      for (const s of this.substrings) if (folded.includes(s.text)) add(s.c);
    }
    return [...found.values()];
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

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
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
    const lex: LexiconFile = { language, categories, cues: [], threats: [], insults: [], negative: [], positive: [] };
    for (const kind of LEXICON_KINDS) {
      const v = rec[kind];
      lex[kind] = Array.isArray(v) ? v.map((x) => String(x)) : [];
    }
    out.set(language, lex);
  }
  if (dir === LEXICON_DIR) cache = out;
  return out;
}
