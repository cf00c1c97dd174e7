import { describe, expect, it } from 'vitest';
import { ACTS, LEXICON_LANGUAGES, compileLexicon, lexicons, prepareText, splitSentences, ActIndex } from './lexicon.ts';
import type { Act } from './lexicon.ts';

/** Acts every language must have: the rubric's labels and critical failures rest on them. */
const CORE: Act[] = [
  'greeting', 'apology', 'empathy', 'closing', 'refund', 'replacement', 'reship', 'return_label', 'discount',
  'time', 'refusal', 'customer_pays', 'carrier_yourself', 'blame', 'sarcasm', 'rude', 'sensitive_term', 'ask',
  'warn', 'review_change', 'review_positive', 'incentive', 'dispute_drop', 'condition_first', 'order_number_term', 'photo_term',
];

describe('phrase lexicons', () => {
  it('every language of the vocabulary has every core act', () => {
    const all = lexicons();
    for (const lang of LEXICON_LANGUAGES) {
      const lex = all.get(lang);
      expect(lex, lang).toBeDefined();
      for (const act of CORE) expect(lex?.acts.has(act), `${lang}.${act}`).toBe(true);
    }
  });

  it('rejects unknown acts and bad patterns with the file and act named', () => {
    expect(() => compileLexicon('en', { acts: { greting: ['hi'] } }, 'en.yaml')).toThrow(/unknown act "greting"/);
    expect(() => compileLexicon('en', { acts: { greeting: ['(hi'] } }, 'en.yaml')).toThrow(/en\.yaml: act "greeting": bad pattern/);
    expect(ACTS).toContain('greeting');
  });

  it('matches whole words, stems, accents folded', () => {
    const t = prepareText('Wir entschuldigen uns. Die Rückerstattung erfolgt.');
    const idx = new ActIndex(t, ['de']);
    expect(idx.sentencesOf('apology')).toEqual(new Set([0]));
    expect(idx.sentencesOf('refund')).toEqual(new Set([1]));
    // "du" must not match inside "durch".
    expect(new ActIndex(prepareText('durch'), ['de']).has('informal_address')).toBe(false);
  });

  it('splits sentences in Latin and CJK text, keeping abbreviations', () => {
    expect(splitSentences('Dear Mr. Smith, thanks. We ship today!')).toEqual(['Dear Mr. Smith, thanks.', 'We ship today!']);
    expect(splitSentences('您好。我们今天发货！谢谢')).toEqual(['您好。', '我们今天发货！', '谢谢']);
  });
});
