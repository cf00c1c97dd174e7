/**
 * ASCII renderings of names and addresses for a label printed without a font for their
 * script: accents folded (Ł → L, ß → ss), Cyrillic after ICAO Doc 9303 (the passport
 * scheme), Greek after ELOT 743, Japanese kana in Hepburn, Korean hangul in the Revised
 * Romanization (syllable by syllable, without the sound-change rules), Arabic letter by
 * letter (consonants only: short vowels are not written). Chinese characters and kanji
 * have no reading without a dictionary: they become "[?]" and `complete` is false.
 */

const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p',
  р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: 'ie', ы: 'y', ь: '', э: 'e', ю: 'iu', я: 'ia',
  і: 'i', ї: 'i', є: 'ie', ґ: 'g', ў: 'u',
};

const GREEK: Record<string, string> = {
  α: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', ζ: 'z', η: 'i', θ: 'th', ι: 'i', κ: 'k', λ: 'l', μ: 'm', ν: 'n', ξ: 'x', ο: 'o', π: 'p', ρ: 'r',
  σ: 's', ς: 's', τ: 't', υ: 'y', φ: 'f', χ: 'ch', ψ: 'ps', ω: 'o',
};

const ARABIC: Record<string, string> = {
  'ا': 'a', 'أ': 'a', 'إ': 'i', 'آ': 'a', 'ٱ': 'a', 'ب': 'b', 'ت': 't', 'ث': 'th', 'ج': 'j', 'ح': 'h', 'خ': 'kh', 'د': 'd', 'ذ': 'dh',
  'ر': 'r', 'ز': 'z', 'س': 's', 'ش': 'sh', 'ص': 's', 'ض': 'd', 'ط': 't', 'ظ': 'z', 'ع': "'", 'غ': 'gh', 'ف': 'f', 'ق': 'q', 'ك': 'k',
  'ل': 'l', 'م': 'm', 'ن': 'n', 'ه': 'h', 'و': 'w', 'ي': 'y', 'ى': 'a', 'ة': 'a', 'ء': "'", 'ئ': "'", 'ؤ': "'", '،': ',', '؛': ';', '؟': '?',
  'پ': 'p', 'چ': 'ch', 'ژ': 'zh', 'گ': 'g', 'ک': 'k', 'ی': 'y',
};

// hiragana; katakana is the same table 0x60 code points higher
const KANA: Record<string, string> = {
  あ: 'a', い: 'i', う: 'u', え: 'e', お: 'o', か: 'ka', き: 'ki', く: 'ku', け: 'ke', こ: 'ko', が: 'ga', ぎ: 'gi', ぐ: 'gu', げ: 'ge', ご: 'go',
  さ: 'sa', し: 'shi', す: 'su', せ: 'se', そ: 'so', ざ: 'za', じ: 'ji', ず: 'zu', ぜ: 'ze', ぞ: 'zo', た: 'ta', ち: 'chi', つ: 'tsu', て: 'te', と: 'to',
  だ: 'da', ぢ: 'ji', づ: 'zu', で: 'de', ど: 'do', な: 'na', に: 'ni', ぬ: 'nu', ね: 'ne', の: 'no', は: 'ha', ひ: 'hi', ふ: 'fu', へ: 'he', ほ: 'ho',
  ば: 'ba', び: 'bi', ぶ: 'bu', べ: 'be', ぼ: 'bo', ぱ: 'pa', ぴ: 'pi', ぷ: 'pu', ぺ: 'pe', ぽ: 'po', ま: 'ma', み: 'mi', む: 'mu', め: 'me', も: 'mo',
  や: 'ya', ゆ: 'yu', よ: 'yo', ら: 'ra', り: 'ri', る: 'ru', れ: 're', ろ: 'ro', わ: 'wa', ゐ: 'i', ゑ: 'e', を: 'o', ん: 'n', ゔ: 'vu',
  ぁ: 'a', ぃ: 'i', ぅ: 'u', ぇ: 'e', ぉ: 'o', ゎ: 'wa',
};
const SMALL_Y: Record<string, string> = { ゃ: 'a', ゅ: 'u', ょ: 'o' };

const HANGUL_INITIAL = ['g', 'kk', 'n', 'd', 'tt', 'r', 'm', 'b', 'pp', 's', 'ss', '', 'j', 'jj', 'ch', 'k', 't', 'p', 'h'];
const HANGUL_MEDIAL = ['a', 'ae', 'ya', 'yae', 'eo', 'e', 'yeo', 'ye', 'o', 'wa', 'wae', 'oe', 'yo', 'u', 'wo', 'we', 'wi', 'yu', 'eu', 'ui', 'i'];
const HANGUL_FINAL = ['', 'k', 'k', 'k', 'n', 'n', 'n', 't', 'l', 'k', 'm', 'l', 'l', 'l', 'p', 'l', 'm', 'p', 'p', 't', 't', 'ng', 't', 't', 'k', 't', 'p', 't'];

const FOLD: Record<string, string> = {
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-', '\u2018': "'", '\u2019': "'", '\u201a': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u00ab': '"', '\u00bb': '"', '\u2026': '...', '\u2116': 'No.', '\u00b7': '.', '\u00a0': ' ',
  ß: 'ss', æ: 'ae', Æ: 'AE', ø: 'o', Ø: 'O', œ: 'oe', Œ: 'OE', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', þ: 'th', Þ: 'Th', ı: 'i', ð: 'd', Ð: 'D' };

const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
const capital = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

function kanaRomaji(ch: string): string | undefined {
  const cp = ch.codePointAt(0) ?? 0;
  const hira = cp >= 0x30a1 && cp <= 0x30f6 ? String.fromCodePoint(cp - 0x60) : ch;
  return KANA[hira];
}
const kanaSmallY = (ch: string): string | undefined => {
  const cp = ch.codePointAt(0) ?? 0;
  return SMALL_Y[cp >= 0x30a1 && cp <= 0x30f6 ? String.fromCodePoint(cp - 0x60) : ch];
};
const isSmallTsu = (ch: string) => ch === 'っ' || ch === 'ッ';
const isKana = (ch: string) => kanaRomaji(ch) !== undefined || kanaSmallY(ch) !== undefined || isSmallTsu(ch) || ch === 'ー';

export interface Transliteration {
  text: string;
  /** False when some characters had no rendering (they show as "[?]"). */
  complete: boolean;
}

/** An ASCII rendering of `input` (see the module comment); printable ASCII is kept as it is. */
export function transliterate(input: string): Transliteration {
  const chars = [...input.normalize('NFC')];
  let out = '';
  let complete = true;
  let unknown = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    const cp = ch.codePointAt(0) ?? 0;
    let piece: string | undefined;
    if (cp >= 0x20 && cp < 0x7f) piece = ch;
    else if (/\s/u.test(ch)) piece = ' ';
    else if (FOLD[ch] !== undefined) piece = FOLD[ch];
    else if (CYRILLIC[ch.toLowerCase()] !== undefined) {
      const t = CYRILLIC[ch.toLowerCase()];
      piece = isUpper(ch) ? (chars[i + 1] && isUpper(chars[i + 1]) ? t.toUpperCase() : capital(t)) : t;
    } else if (GREEK[ch.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')] !== undefined) {
      const t = GREEK[ch.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')];
      piece = isUpper(ch) ? capital(t) : t;
    } else if (cp >= 0xac00 && cp <= 0xd7a3) {
      const n = cp - 0xac00;
      const syl = HANGUL_INITIAL[Math.floor(n / 588)] + HANGUL_MEDIAL[Math.floor((n % 588) / 28)] + HANGUL_FINAL[n % 28];
      const start = i === 0 || !(chars[i - 1].codePointAt(0)! >= 0xac00 && chars[i - 1].codePointAt(0)! <= 0xd7a3);
      piece = start ? capital(syl) : syl;
    } else if (isSmallTsu(ch)) {
      const next = chars[i + 1] ? kanaRomaji(chars[i + 1]) : undefined;
      piece = next ? (next.startsWith('ch') ? 't' : next[0]) : '';
    } else if (kanaSmallY(ch) !== undefined) {
      // きゃ → kya, しゃ → sha, じゃ → ja
      const v = kanaSmallY(ch)!;
      if (/(sh|ch|j)i$/i.test(out)) out = out.slice(0, -1) + v;
      else if (/i$/.test(out)) out = `${out.slice(0, -1)}y${v}`;
      else out += `y${v}`;
      piece = '';
    } else if (ch === 'ー') {
      piece = /[aeiou]$/i.test(out) ? out.slice(-1) : '';
    } else if (kanaRomaji(ch) !== undefined) {
      const r = kanaRomaji(ch)!;
      piece = i > 0 && isKana(chars[i - 1]) ? r : capital(r); // capitalised at the start of a word
    } else if (ARABIC[ch] !== undefined) piece = ARABIC[ch];
    else if (cp >= 0x0660 && cp <= 0x0669) piece = String(cp - 0x0660);
    else if (cp >= 0x06f0 && cp <= 0x06f9) piece = String(cp - 0x06f0);
    else if (cp >= 0xff01 && cp <= 0xff5e) piece = String.fromCodePoint(cp - 0xfee0); // full-width ASCII
    else if (cp === 0x3000) piece = ' ';
    else if (cp === 0x3001 || cp === 0xff64) piece = ',';
    else if (cp === 0x3002) piece = '.';
    else if (cp === 0x30fb) piece = ' ';
    else if (/\p{M}/u.test(ch) || cp === 0x200c || cp === 0x200d || cp === 0x200e || cp === 0x200f) piece = '';
    else {
      const folded = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      if (folded && [...folded].every((c) => (c.codePointAt(0) ?? 0) >= 0x20 && (c.codePointAt(0) ?? 0) < 0x7f)) piece = folded;
    }
    if (piece === undefined) {
      complete = false;
      if (!unknown) out += '[?]';
      unknown = true;
      continue;
    }
    unknown = false;
    out += piece;
  }
  return { text: out.replace(/ {2,}/g, ' ').trim(), complete };
}
