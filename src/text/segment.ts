/**
 * Language-free text primitives: normalising, word segmentation (Intl.Segmenter, which
 * segments Chinese and Japanese by dictionary), and the token string the full-text index uses.
 */

export interface NormaliseOptions {
  /** Remove combining accents from Latin/Cyrillic/Greek letters ("Café" -> "cafe"). Default false. */
  stripAccents?: boolean;
}

const COMBINING_LATIN = /[\u0300-\u036f]/g;

/** NFKC, lower case (locale-independent), optionally without accents. Never throws. */
export function normalise(text: string, options: NormaliseOptions = {}): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  let s = text.normalize('NFKC').toLowerCase();
  if (options.stripAccents) {
    // Decompose, drop the combining diacritics of alphabetic scripts, recompose (so Hangul
    // syllables and kana with dakuten come back whole).
    s = s.normalize('NFD').replace(COMBINING_LATIN, '').normalize('NFC');
    s = s.replace(/ß/g, 'ss').replace(/ø/g, 'o').replace(/ł/g, 'l').replace(/ı/g, 'i').replace(/æ/g, 'ae').replace(/œ/g, 'oe');
  }
  return s;
}

const segmenters = new Map<string, Intl.Segmenter>();
function segmenterFor(locale: string | undefined): Intl.Segmenter {
  const key = locale ?? '';
  let seg = segmenters.get(key);
  if (!seg) {
    try {
      seg = new Intl.Segmenter(locale, { granularity: 'word' });
    } catch {
      seg = new Intl.Segmenter(undefined, { granularity: 'word' });
    }
    segmenters.set(key, seg);
  }
  return seg;
}

/**
 * Words of a text in reading order (punctuation and spaces dropped, case kept). Uses the
 * ICU word segmenter, which splits Chinese and Japanese without spaces by dictionary and
 * Thai/Khmer likewise. `locale` is a hint only (e.g. 'ja' vs 'zh' for Han text).
 */
export function segmentWords(text: string, locale?: string): string[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const out: string[] = [];
  for (const s of segmenterFor(locale).segment(text)) {
    if (s.isWordLike) out.push(s.segment);
  }
  return out;
}

/** Han, kana or Hangul: scripts written without spaces between words (Hangul: with particles attached). */
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Characters kept inside an index token; everything else separates tokens. */
const NON_TOKEN = /[^\p{L}\p{N}\p{M}]+/gu;

/** ASCII and the precomposed Latin-1 / Latin Extended-A letters (no × ÷, no combining marks). */
const SIMPLE_LATIN = /^[\u0000-\u007f\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017f]*$/;
const ASCII = /^[\u0000-\u007f]*$/;

/** Maximum length of the text that tokensForIndex reads (longer text is cut, never rejected). */
export const INDEX_MAX_CHARS = 200_000;

/**
 * A string of space-separated tokens for PostgreSQL `to_tsvector('simple', …)`, so that
 * Chinese, Japanese and Korean become searchable without extensions.
 *
 * - Text is normalised (NFKC, lower case); accented Latin letters are kept AND a folded form
 *   is added when different ("café" -> "café cafe"), so a query without accents matches.
 * - Words come from Intl.Segmenter. A CJK word is emitted whole, and every run of 2+ CJK
 *   characters also as overlapping character bigrams (and single Han/kana characters as
 *   unigrams), so a query word matches whatever the segmenter chose for the document, and
 *   Korean stems match their forms with particles ("환불" finds "환불을").
 * - No tsquery operators survive: only letters, digits and marks appear in tokens.
 *
 * Apply the same function to the search query and AND its tokens.
 */
export function tokensForIndex(text: string): string {
  return indexTokens(text, true);
}

/** tokensForIndex always through the segmenter: the reference its fast path is tested against. */
export function tokensForIndexBySegmenter(text: string): string {
  return indexTokens(text, false);
}

function indexTokens(text: string, fast: boolean): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  const src = text.length > INDEX_MAX_CHARS ? text.slice(0, INDEX_MAX_CHARS) : text;
  const norm = normalise(src);
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (t: string) => {
    if (t.length === 0 || t.length > 100 || seen.has(t)) return;
    seen.add(t);
    out.push(t);
  };
  // Text of Latin letters without combining marks or CJK (most tickets): its tokens are its
  // runs of letters and digits, as the segmenter's words would give once split below (the
  // segmenter never breaks inside such a run), at a twentieth of the cost.
  const words = fast && SIMPLE_LATIN.test(norm) ? [norm] : segmentWords(norm);
  for (const word of words) {
    for (const piece of word.split(NON_TOKEN)) {
      if (!piece) continue;
      if (!HAS_CJK.test(piece)) {
        push(piece);
        if (fast && ASCII.test(piece)) continue; // nothing to fold
        const folded = normalise(piece, { stripAccents: true });
        if (folded !== piece) push(folded);
        continue;
      }
      push(piece);
      emitCjkGrams(piece, push);
    }
  }
  return out.join(' ');
}

function emitCjkGrams(word: string, push: (t: string) => void): void {
  const chars = Array.from(word);
  let run: string[] = [];
  let other = '';
  const flush = () => {
    if (other) push(other);
    other = '';
    if (run.length >= 2) {
      for (let i = 0; i + 1 < run.length; i++) push(run[i] + run[i + 1]);
    }
    if (run.length >= 1) {
      // Single characters of Han (and kana) carry meaning alone (退, 款); Hangul syllables
      // alone rarely do, so they are only emitted when the whole run is one syllable.
      for (const c of run) if (!/\p{Script=Hangul}/u.test(c) || run.length === 1) push(c);
    }
    run = [];
  };
  for (const c of chars) {
    if (CJK_CHAR.test(c)) {
      if (other) push(other);
      other = '';
      run.push(c);
    } else {
      const o = other;
      flush();
      other = o + c;
    }
  }
  flush();
}
