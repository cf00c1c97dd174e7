/**
 * Which language a reply is written in, for the rubric's language-match check. The shared
 * detector (src/text/language.ts) decides; a fast path of frequent function words answers first
 * when they leave no doubt (most replies), because the rubric must score thousands of replies a
 * second and the shared detector costs ~150 µs a text against ~10 µs.
 */
import { detectLanguage as sharedDetect } from '../text/language.ts';

export interface DetectedLanguage {
  language: string;
  /** 0..1; below 0.9 the caller should weigh other evidence (lexicon hits). */
  confidence: number;
}

/** Short, frequent words that tell Latin-script languages apart (written by us, lower case, unaccented). */
const FUNCTION_WORDS: Record<string, string> = {
  en: 'the and you your we our is are for with this that have will be to of it please thank not can order today tomorrow',
  de: 'der die das und ist sie ihre ihr ihnen wir uns nicht mit für ein eine einen zu auf bitte den dem es ich heute morgen bestellung',
  fr: 'le les et est vous votre vos nous notre pas pour avec une des du que je sur dans ce sont aujourd demain commande',
  es: 'el los las y es usted ustedes su sus nosotros nuestro para con una por que del lo le les muy gracias hoy mañana pedido hemos está',
  it: 'il lo gli le e la che di un una per con non sono suo sua lei noi nostro del della dei grazie oggi domani ordine siamo',
  pt: 'o os as e que de um uma para com não seu sua você nós nosso do da dos das obrigado obrigada pelo pela hoje amanhã pedido foi são',
  nl: 'de het een en is u uw wij we ons niet met voor van dat je zijn naar bij op jouw jullie bestelling vandaag morgen',
  pl: 'i w na nie z się jest to do pan pani proszę za że jak czy przez o dla dzień dobry jutro zamówienie',
  sv: 'och att det som en ett är vi du din ditt inte med för på av till har kan idag imorgon beställning',
  tr: 've bir bu için ile de da siz sizin biz size çok ama gibi daha olarak merhaba bugün yarın sipariş',
};
const WORD_LANG = new Map<string, string[]>();
for (const [lang, words] of Object.entries(FUNCTION_WORDS)) {
  for (const w of words.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/ı/g, 'i').split(' ')) {
    const list = WORD_LANG.get(w);
    if (list) list.push(lang);
    else WORD_LANG.set(w, [lang]);
  }
}

const COMBINING = /[\u0300-\u036f]/g;

function byFunctionWords(text: string): { language: string; top: number; second: number } {
  const words = text.toLowerCase().normalize('NFD').replace(COMBINING, '').replace(/ł/g, 'l').replace(/ı/g, 'i').split(/[^a-z]+/);
  const score = new Map<string, number>();
  for (const w of words) {
    const langs = w ? WORD_LANG.get(w) : undefined;
    if (!langs) continue;
    for (const l of langs) score.set(l, (score.get(l) ?? 0) + 1 / langs.length);
  }
  let language = '';
  let top = 0;
  let second = 0;
  for (const [l, s] of score) {
    if (s > top) {
      second = top;
      top = s;
      language = l;
    } else if (s > second) second = s;
  }
  return { language, top, second };
}

const NON_LATIN = /[\u0370-\u1fff\u3000-\uffff]/u;

/**
 * The language of a reply. `expected` (the customer's language) lets clear function words of
 * that language, or its own writing system, answer without the full detector; anything else
 * (another language's words, mixed or short text) goes to the shared detector.
 */
export function detectLanguage(text: string, expected?: string): DetectedLanguage {
  const sample = text.length > 600 ? text.slice(0, 600) : text;
  if (!NON_LATIN.test(sample)) {
    const fw = byFunctionWords(sample);
    if (fw.top >= 4 && fw.top >= 2.5 * fw.second) return { language: fw.language, confidence: 0.9 };
    if (expected && fw.language === expected && fw.top >= 2 && fw.top >= 2 * fw.second) return { language: fw.language, confidence: 0.85 };
  } else if (expected && OWN_SCRIPT[expected]) {
    const own = OWN_SCRIPT[expected];
    let mine = 0;
    let letters = 0;
    for (const ch of sample) {
      if (/\p{L}/u.test(ch)) {
        letters++;
        if (own.test(ch)) mine++;
      }
    }
    const kana = /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(sample);
    const scriptSaysIt = expected === 'zh' ? !kana : expected === 'ja' ? kana : true;
    if (scriptSaysIt && letters > 0 && mine / letters > 0.6) return { language: expected, confidence: 0.95 };
  }
  const g = sharedDetect(sample);
  return { language: g.language ?? '', confidence: g.confidence };
}

/** The writing system of a language (zh: Han without kana; ja: kana present). */
const OWN_SCRIPT: Record<string, RegExp> = {
  zh: /\p{Script=Han}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  ko: /\p{Script=Hangul}/u,
  ar: /\p{Script=Arabic}/u,
  ru: /\p{Script=Cyrillic}/u,
};
