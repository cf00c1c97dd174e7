/**
 * The Markets edit form's draft of peaks (web/src/markets/api.ts): read back unchanged it
 * sends nothing; an edited or added peak is sent as the whole `peaks` field in the API's
 * shape (no empty dates or note); a repeated ID is found before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { changedBody, draftOf, duplicatePeak, emptyPeak, type MarketView } from '../web/src/markets/api.ts';

const rule = { source: 'Act', businessDays: false };
const market = {
  code: 'JP',
  name: { en: 'Japan', zh: '日本' },
  role: 'buyer',
  currency: 'JPY',
  languages: ['ja'],
  timezone: 'Asia/Tokyo',
  timezones: ['Asia/Tokyo'],
  version: 2,
  overridden: [],
  holidayCountry: 'JP',
  businessHours: { mon: [['09:00', '18:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  extraHolidays: [],
  consumer: {
    withdrawal: { ...rule, days: 8, from: 'delivery' },
    legalGuarantee: { source: 'Civil Code', months: null },
    returnShipping: { source: 'Act', faulty: 'seller', damaged: 'seller', wrong_item: 'seller', change_of_mind: 'buyer' },
    refund: { ...rule, days: null, from: 'store_policy' },
    restockingFee: { source: 'Act', allowed: 'store_policy' },
  },
  culture: { address: '様', en: { directness: 'd', formality: 'f', apology: 'a', greeting: 'g', signOff: 's', tips: [] }, zh: { directness: 'd', formality: 'f', apology: 'a', greeting: 'g', signOff: 's', tips: [] } },
  peaks: [
    { id: 'golden-week', en: 'Golden Week', zh: '黄金周' },
    { id: 'obon', en: 'Obon', zh: '盂兰盆节', from: '2026-08-13', to: '2026-08-16', note: 'about' },
  ],
  updatedAt: null,
  updatedBy: null,
  defaults: {},
} as unknown as MarketView;

describe('the peaks of the market edit form', () => {
  it('sends nothing for peaks read back unchanged, dates and notes included', () => {
    const d = draftOf(market);
    expect(d.peaks[1]).toEqual({ id: 'obon', from: '2026-08-13', to: '2026-08-16', en: 'Obon', zh: '盂兰盆节', note: 'about' });
    expect(changedBody(market, d).fields).toEqual([]);
  });

  it('sends the whole list in the API shape when a peak is added or edited, without empty dates or note', () => {
    const d = draftOf(market);
    d.peaks.push({ ...emptyPeak(), id: ' silver-week-2026 ', from: '2026-09-19', to: ' 2026-09-23', en: 'Silver Week', zh: '银色周' });
    d.peaks[0].note = '  ';
    const { body, fields } = changedBody(market, d);
    expect(fields).toEqual(['peaks']);
    expect(body).toEqual({
      version: 2,
      peaks: [
        { id: 'golden-week', en: 'Golden Week', zh: '黄金周' },
        { id: 'obon', en: 'Obon', zh: '盂兰盆节', from: '2026-08-13', to: '2026-08-16', note: 'about' },
        { id: 'silver-week-2026', en: 'Silver Week', zh: '银色周', from: '2026-09-19', to: '2026-09-23' },
      ],
    });
    // a removed date is no date at all
    const e = draftOf(market);
    e.peaks[1].from = '';
    e.peaks[1].to = '';
    expect(changedBody(market, e).body.peaks).toContainEqual({ id: 'obon', en: 'Obon', zh: '盂兰盆节', note: 'about' });
  });

  it('finds the first peak whose ID an earlier one has (ignoring spaces), and none otherwise', () => {
    const d = draftOf(market);
    expect(duplicatePeak(d)).toBe(-1);
    d.peaks.push({ ...emptyPeak(), id: 'x' }, { ...emptyPeak(), id: ' obon' });
    expect(duplicatePeak(d)).toBe(3);
  });
});
