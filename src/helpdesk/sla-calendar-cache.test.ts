import { describe, expect, it } from 'vitest';
import { storeCalendar } from './sla.ts';
import { MarketRegistry, withMarkets } from '../markets/registry.ts';

/**
 * A store's business calendar is built once and kept while its settings stay the same (the
 * store is read afresh by every ticket write, so the objects differ); a change of zone,
 * hours, holiday country or extra closing days builds a new one.
 */
describe('storeCalendar', () => {
  const hours = { '0': [['09:00', '18:00']], '1': [['09:00', '18:00']] } as Record<string, Array<[string, string]>>;
  const store = (o: Partial<{ timezone: string; holiday_country: string | null; extra_holidays: string[] }> = {}) => ({
    id: '01930000-0000-7000-8000-0000000000aa',
    timezone: o.timezone ?? 'Europe/Berlin',
    // a fresh copy each time, as a row read from the database
    business_hours: structuredClone(hours),
    holiday_country: o.holiday_country === undefined ? 'DE' : o.holiday_country,
    extra_holidays: o.extra_holidays ?? [],
  });

  it('is kept across reads of the same settings and rebuilt when they change', () => {
    const first = storeCalendar(store());
    expect(storeCalendar(store())).toBe(first);
    expect(first.holidays.has(`${new Date().getUTCFullYear()}-12-25`)).toBe(true);
    const extra = storeCalendar(store({ extra_holidays: ['2026-12-24'] }));
    expect(extra).not.toBe(first);
    expect(extra.holidays.has('2026-12-24')).toBe(true);
    expect(storeCalendar(store({ extra_holidays: ['2026-12-24'] }))).toBe(extra);
    const tokyo = storeCalendar(store({ timezone: 'Asia/Tokyo', holiday_country: 'JP' }));
    expect(tokyo.timezone).toBe('Asia/Tokyo');
    expect(tokyo.holidays.has(`${new Date().getUTCFullYear()}-12-25`)).toBe(false);
    const same = store();
    expect(storeCalendar(same)).not.toBe(first); // back to the first settings: built again (one entry per store)
    expect(storeCalendar(same)).toBe(storeCalendar(store()));
  });
});

/**
 * The market's extra holidays (beside the country's public ones) close the store too,
 * merged with the store's own closing days, as the market is in force for the app: an edit
 * of the market gives a new calendar.
 */
describe('storeCalendar with the market\'s holidays', () => {
  const hours = { '0': [['09:00', '18:00']], '1': [['09:00', '18:00']], '2': [['09:00', '18:00']] } as Record<string, Array<[string, string]>>;
  let n = 0;
  const store = (o: Partial<{ market: string; holiday_country: string | null; extra_holidays: string[] }> = {}) => ({
    id: `01930000-0000-7000-8000-0000000001${String(++n).padStart(2, '0')}`,
    market: o.market ?? 'DE',
    timezone: 'Europe/Berlin',
    business_hours: structuredClone(hours),
    holiday_country: o.holiday_country === undefined ? 'DE' : o.holiday_country,
    extra_holidays: o.extra_holidays ?? [],
  });
  const christmasEve = (version: number, dates = ['2026-12-24']) => ({
    code: 'DE',
    rules: { extraHolidays: dates.map((date) => ({ date, name: { en: 'Team day', zh: '团队日' }, source: 'Team' })) },
    version,
    updatedAt: null,
    updatedBy: null,
  });

  it('counts the market\'s extra holidays, merged with the store\'s own', () => {
    // KR lists Seollal eve beside date-holidays' days; this store has no public holidays of its own
    const kr = storeCalendar({ ...store({ market: 'KR', holiday_country: null, extra_holidays: ['2026-03-03'] }), timezone: 'Asia/Seoul' });
    expect(kr.holidays.has('2026-02-16')).toBe(true);
    expect(kr.holidays.has('2026-03-03')).toBe(true);
    expect(kr.holidays.has('2026-03-04')).toBe(false);
    // a market code without a market file: the store's own days only
    const unknown = storeCalendar(store({ market: 'ZZ', holiday_country: null, extra_holidays: ['2026-03-03'] }));
    expect([...unknown.holidays]).toEqual(['2026-03-03']);
  });

  it('follows an edit of the market in the registry in force, and only there', () => {
    const registry = new MarketRegistry();
    const s = store({ extra_holidays: ['2026-12-28'] });
    const before = withMarkets(registry, () => storeCalendar(s));
    expect(before.holidays.has('2026-12-24')).toBe(false);
    expect(withMarkets(registry, () => storeCalendar(s))).toBe(before);

    registry.apply(christmasEve(1));
    const edited = withMarkets(registry, () => storeCalendar(s)); // the same store object: the market is checked too
    expect(edited).not.toBe(before);
    expect(edited.holidays.has('2026-12-24')).toBe(true);
    expect(edited.holidays.has('2026-12-28')).toBe(true);
    expect(withMarkets(registry, () => storeCalendar({ ...s }))).toBe(edited);
    // outside the app (the files alone) DE has no extra holidays
    expect(storeCalendar(s).holidays.has('2026-12-24')).toBe(false);

    registry.apply(christmasEve(2, ['2026-12-31']));
    const again = withMarkets(registry, () => storeCalendar(s));
    expect(again.holidays.has('2026-12-24')).toBe(false);
    expect(again.holidays.has('2026-12-31')).toBe(true);
    // an edit of a field outside the calendar keeps the calendar
    registry.apply({ ...christmasEve(3, ['2026-12-31']), rules: { ...christmasEve(3, ['2026-12-31']).rules, peaks: [] } });
    expect(withMarkets(registry, () => storeCalendar({ ...s }))).toBe(again);
  });
});
