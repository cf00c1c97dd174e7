import { describe, expect, it } from 'vitest';
import { botLanguagePacks, faqReply, orderNumberCandidates, trackingFacts, trackingReply } from './bot.ts';
import { asksNps, surveyEmail, surveyTexts, textsFor } from './surveys.ts';
import { answeredPage, closedPage, formPage } from './survey-page.ts';
import { faqPairsOf, scoreFaq, type FaqPair } from '../knowledge/faq.ts';

const DAY = 86_400_000;
const now = new Date('2026-11-20T10:00:00Z');
const ago = (d: number) => new Date(now.getTime() - d * DAY).toISOString();

function order(shipment: Partial<NonNullable<Parameters<typeof trackingFacts>[0]['shipment']>> | null) {
  return {
    number: 'CD-1',
    shipment: shipment
      ? {
          id: 's', kind: 'outbound' as const, carrier: 'DHL Paket', trackingNumber: '0034', status: 'in_transit' as const, shippedAt: ago(2), deliveredAt: null,
          events: [{ at: ago(1), status: 'in_transit', location: 'Berlin, DE', description: 'x' }, { at: ago(2), status: 'in_transit', location: 'Leipzig, DE', description: 'y' }],
          ...shipment,
        }
      : null,
  };
}

describe('bot content', () => {
  it('has reply texts for the ten core customer languages, each complete', () => {
    const packs = botLanguagePacks();
    for (const l of ['en', 'de', 'fr', 'es', 'it', 'ja', 'ko', 'ar', 'pt', 'zh']) expect(packs.has(l), l).toBe(true);
    // written per language, not copies: no two languages share an intro or outro
    const intros = new Set([...packs.values()].map((p) => p.text.tracking_intro));
    const outros = new Set([...packs.values()].map((p) => p.text.outro));
    expect(intros.size).toBe(packs.size);
    expect(outros.size).toBe(packs.size);
    for (const p of packs.values()) expect(p.text.tracking_intro).toContain('{order}');
  });
});

describe('tracking facts', () => {
  it('answers from a parcel on its way, with the latest scan and an expected window', () => {
    const r = trackingFacts(order({}), now);
    expect('facts' in r).toBe(true);
    if (!('facts' in r)) return;
    expect(r.facts.lastEvent.location).toBe('Berlin, DE');
    // DHL Paket: 2–5 days from hand-over (2 days ago): from now until 3 days ahead
    expect(r.facts.expected?.to.toISOString()).toBe(new Date(now.getTime() + 3 * DAY).toISOString());
    expect(r.facts.expected?.from.toISOString()).toBe(now.toISOString());
  });

  it('refuses what needs a person: not shipped, no scans, delivered, problems, stale, late', () => {
    expect(trackingFacts(order(null), now)).toEqual({ reason: 'not_shipped' });
    expect(trackingFacts(order({ events: [] }), now)).toEqual({ reason: 'no_tracking_events' });
    expect(trackingFacts(order({ status: 'delivered' }), now)).toEqual({ reason: 'shown_delivered' });
    expect(trackingFacts(order({ status: 'exception' }), now)).toEqual({ reason: 'shipment_problem' });
    expect(trackingFacts(order({ events: [{ at: ago(6), status: 'in_transit', location: null, description: '' }] }), now)).toEqual({ reason: 'no_recent_scan' });
    expect(trackingFacts(order({ shippedAt: ago(9), events: [{ at: ago(1), status: 'in_transit', location: null, description: '' }] }), now)).toEqual({ reason: 'late' });
  });

  it("links the parcel: the shop platform's tracking page first, else the carrier's, none without a number", () => {
    const stored = trackingFacts(order({ trackingUrl: 'https://shop.example/track/0034' }), now);
    const carrier = trackingFacts(order({}), now);
    const none = trackingFacts(order({ trackingNumber: null }), now);
    if (!('facts' in stored) || !('facts' in carrier) || !('facts' in none)) throw new Error('expected facts');
    expect(stored.facts.url).toBe('https://shop.example/track/0034');
    expect(carrier.facts.url).toContain('dhl.de');
    expect(carrier.facts.url).toContain('0034');
    expect(none.facts.url).toBeNull();
    const ctx = { language: 'de', market: 'DE', timezone: 'Europe/Berlin', customerName: 'Jonas Becker', store: 'Shop' };
    const de = botLanguagePacks().get('de')!;
    expect(trackingReply(de, ctx, stored.facts)).toContain('• Sendungsverfolgung: https://shop.example/track/0034');
    expect(trackingReply(de, ctx, none.facts)).not.toContain('Sendungsverfolgung');
    // every language has the line, with its place for the link
    for (const [l, p] of botLanguagePacks()) expect(p.text.tracking_link, l).toContain('{url}');
  });

  it('says "today" when the parcel is out for delivery', () => {
    const r = trackingFacts(order({ status: 'out_for_delivery', events: [{ at: ago(0.1), status: 'out_for_delivery', location: 'Berlin, DE', description: '' }] }), now);
    if (!('facts' in r)) throw new Error('expected facts');
    expect(r.facts.expected).toBeNull();
    const text = trackingReply(botLanguagePacks().get('de')!, { language: 'de', market: 'DE', timezone: 'Europe/Berlin', customerName: 'Jonas Becker', store: 'Shop' }, r.facts);
    expect(text).toContain('Voraussichtliche Zustellung: heute');
    expect(text).toContain('Guten Tag Jonas Becker,');
  });

  it('writes Japanese with the family name and 様, and dates in the Japanese format', () => {
    const r = trackingFacts(order({}), now);
    if (!('facts' in r)) throw new Error('expected facts');
    const text = trackingReply(botLanguagePacks().get('ja')!, { language: 'ja', market: 'JP', timezone: 'Asia/Tokyo', customerName: '田中 花子', store: 'Shop' }, r.facts);
    expect(text.startsWith('田中様')).toBe(true);
    expect(text).toContain('2026年11月19日');
    expect(text).toContain('輸送中');
  });
});

describe('order numbers', () => {
  it('adds store-style numbers that triage does not extract', () => {
    expect(orderNumberCandidates('Bestellnummer CD-20001 bitte', [])).toEqual(['CD-20001']);
    expect(orderNumberCandidates('order #1001', ['#1001'])).toEqual(['1001']);
  });
});

describe('FAQ matching', () => {
  const body = '**How long does the battery last?** About 8 hours.\n\n**Is the mug dishwasher safe?** The lid is; wash the body by hand.\n\n**Not a question** text';
  const pairs: FaqPair[] = faqPairsOf(body, { title: 'T', summary: 's' }).map((p) => ({ ...p, articleId: 'a', articleKey: 'k', title: 'Products', categories: ['product_question'] }));

  it('splits bold questions into pairs (statements are not questions)', () => {
    expect(pairs.map((p) => p.question)).toEqual(['How long does the battery last?', 'Is the mug dishwasher safe?']);
  });

  it('scores the matching question highest, a reworded one lower, an unrelated one near zero', () => {
    const exact = scoreFaq('Hi! Is the mug dishwasher safe?', pairs)[0];
    expect(exact.question).toBe('Is the mug dishwasher safe?');
    expect(exact.confidence).toBeGreaterThan(0.8);
    const loose = scoreFaq('can my mug go in a dishwasher or do I wash it myself, and what about the shipping time to Canada?', pairs)[0];
    expect(loose.question).toBe('Is the mug dishwasher safe?');
    expect(loose.confidence).toBeLessThan(exact.confidence);
    const none = scoreFaq('Do you ship to Canada?', pairs)[0];
    expect(none.confidence).toBeLessThan(0.3);
  });

  it('writes the answer with the question and the article title', () => {
    const text = faqReply(botLanguagePacks().get('en')!, { language: 'en', market: 'US', timezone: 'UTC', customerName: 'Emily Carter', store: 'Shop' }, pairs[1]);
    expect(text).toContain('Hi Emily,');
    expect(text).toContain('Is the mug dishwasher safe?\nThe lid is');
    expect(text).toContain('"Products"');
  });
});

describe('survey texts and page', () => {
  it('has texts for the 15 customer languages, all different', () => {
    const all = surveyTexts();
    for (const l of ['en', 'de', 'fr', 'es', 'it', 'ja', 'ko', 'ar', 'pt', 'zh', 'nl', 'pl', 'sv', 'tr', 'ru']) expect(all.has(l), l).toBe(true);
    expect(new Set([...all.values()].map((t) => t.csat_question)).size).toBe(all.size);
    expect(textsFor('xx').language).toBe('en');
  });

  it('asks NPS on every Nth survey, never with N = 0', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => asksNps(n, 3))).toEqual([false, false, true, false, false, true]);
    expect(asksNps(10, 0)).toBe(false);
  });

  it('writes the e-mail in the language, escapes the subject in HTML, right to left for Arabic', () => {
    const m = surveyEmail({ language: 'ar', kind: 'csat', name: 'ليلى', store: 'Shop', number: 7, subject: '<b>x</b>', url: 'http://h/survey/tok' });
    expect(m.dir).toBe('rtl');
    expect(m.html).toContain('dir="rtl"');
    expect(m.html).not.toContain('<b>x</b>');
    expect(m.html).toContain('http://h/survey/tok?score=5');
    expect(m.subject).toContain('7');
  });

  it('renders a page without scripts, escaping what the customer wrote', () => {
    const form = formPage({ token: 'abc', language: 'ja', kind: 'csat_nps', store: '<Shop>', score: 4 });
    expect(form).toContain('lang="ja"');
    expect(form).not.toMatch(/<script/i);
    expect(form).toContain('&lt;Shop&gt;');
    expect(form).toContain('value="4" checked');
    expect(form).toContain('name="nps" value="10"');
    const done = answeredPage({ language: 'en', store: 'S', csatScore: 5, npsScore: null, comment: '<script>alert(1)</script>', already: false });
    expect(done).not.toContain('<script>alert');
    expect(done).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(closedPage('ar', 'expired')).toContain('dir="rtl"');
  });
});
