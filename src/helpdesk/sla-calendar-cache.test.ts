import { describe, expect, it } from 'vitest';
import { storeCalendar } from './sla.ts';

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
