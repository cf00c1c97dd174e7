import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, getMarket, listMarkets, marketCalendar, marketToInput, validateMarket } from './index.ts';
import { changedFields, currentMarkets, mergeMarket, MarketRegistry, overridesBetween, withMarkets, yamlMarkets } from './registry.ts';
import { AppError } from '../core/errors.ts';

const de = () => yamlMarkets().get('DE')!;

describe('market merge and validation', () => {
  it('every file goes back to its shape and validates to the same market (one validator for both)', () => {
    for (const m of listMarkets()) expect(validateMarket(marketToInput(m), m.file)).toEqual(m);
  });

  it('merges edited fields over the file and keeps the rest', () => {
    const m = mergeMarket(de(), { 'consumer.withdrawal': { days: 30, from: 'delivery', source: 'Store', note: 'generous' }, 'culture.address': 'du' });
    expect(m.consumer.withdrawal).toEqual({ days: 30, from: 'delivery', businessDays: false, source: 'Store', note: 'generous' });
    expect(m.culture.address).toBe('du');
    expect(m.consumer.refund).toEqual(de().consumer.refund);
    expect(m.culture.en).toEqual(de().culture.en);
    expect(changedFields(de(), m)).toEqual(['consumer.withdrawal', 'culture.address']);
  });

  it('an override equal to the file is no override', () => {
    const same = mergeMarket(de(), { 'consumer.withdrawal': marketToInput(de()).consumer && (marketToInput(de()).consumer as Record<string, unknown>).withdrawal });
    expect(overridesBetween(de(), same)).toEqual({});
    const hours = mergeMarket(de(), { businessHours: { mon: [['08:00', '17:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] } });
    expect(Object.keys(overridesBetween(de(), hours))).toEqual(['businessHours']);
    expect(hours.businessHours['0']).toEqual([['08:00', '17:00']]);
    expect(hours.businessHours['6']).toEqual([]);
  });

  it('a bad edit fails with the field, not the file', () => {
    try {
      mergeMarket(de(), { 'consumer.legalGuarantee': { months: -1, source: 'x' } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('validation_failed');
      expect((e as AppError).details).toEqual({ field: 'consumer.legalGuarantee.months', market: 'DE' });
      expect((e as Error).message).toBe('DE: consumer.legalGuarantee.months must be at least 0');
    }
    expect(() => mergeMarket(de(), { 'consumer.refund': { days: 14, from: 'goods_returned', source: 'x', businessDays: 'yes' } })).toThrow(/consumer.refund.businessDays must be true or false/);
  });
});

describe('registry', () => {
  it('an app registry applies its overrides; outside it the files apply', () => {
    const r = new MarketRegistry();
    expect(r.apply({ code: 'DE', rules: { 'consumer.withdrawal': { days: 30, from: 'delivery', source: 'S' } }, version: 1, updatedAt: new Date(), updatedBy: null })).toBe(true);
    expect(r.get('de').consumer.withdrawal.days).toBe(30);
    expect(r.overridden('DE')).toEqual(['consumer.withdrawal']);
    expect(getMarket('DE').consumer.withdrawal.days).toBe(14);
    withMarkets(r, () => {
      expect(getMarket('DE').consumer.withdrawal.days).toBe(30);
      expect(currentMarkets()).toBe(r);
    });
    // an older state never replaces a newer one (reloads finishing out of order)
    expect(r.apply({ code: 'DE', rules: {}, version: 0, updatedAt: null, updatedBy: null })).toBe(false);
    expect(r.get('DE').consumer.withdrawal.days).toBe(30);
    expect(r.apply({ code: 'DE', rules: {}, version: 2, updatedAt: null, updatedBy: null })).toBe(true);
    expect(r.get('DE').consumer.withdrawal.days).toBe(14);
  });

  it('an edit of holidays gives a new calendar, so remembered due times are not reused', () => {
    const r = new MarketRegistry();
    const start = new Date('2026-12-23T16:00:00Z'); // Wednesday 17:00 Berlin, one hour before closing
    const [cal1, due1] = withMarkets(r, () => {
      const cal = marketCalendar('DE', [2026]);
      expect(marketCalendar('DE', [2026])).toBe(cal); // kept between calls
      return [cal, addBusinessMinutes(start, 120, cal)] as const;
    });
    // 24 Dec is a working day in the file: 1 h on the 23rd + 1 h on the 24th
    expect(due1.toISOString()).toBe('2026-12-24T09:00:00.000Z');
    r.apply({ code: 'DE', rules: { extraHolidays: [{ date: '2026-12-24', name: { en: 'Christmas Eve', zh: '平安夜' }, source: 'Team' }] }, version: 1, updatedAt: null, updatedBy: null });
    const cal2 = withMarkets(r, () => marketCalendar('DE', [2026]));
    expect(cal2).not.toBe(cal1);
    expect(cal2.holidays.has('2026-12-24')).toBe(true);
    // 24 Dec closed, 25/26 public holidays, 27 Sunday: the second hour is on Monday 28 Dec
    expect(addBusinessMinutes(start, 120, cal2).toISOString()).toBe('2026-12-28T09:00:00.000Z');
    // hours too
    r.apply({ code: 'DE', rules: { businessHours: { mon: [['08:00', '12:00']], tue: [['08:00', '12:00']], wed: [['08:00', '12:00']], thu: [['08:00', '12:00']], fri: [['08:00', '12:00']] } }, version: 2, updatedAt: null, updatedBy: null });
    const cal3 = withMarkets(r, () => marketCalendar('DE', [2026]));
    expect(cal3.weeklyHours['2']).toEqual([['08:00', '12:00']]);
    expect(addBusinessMinutes(new Date('2026-12-22T10:30:00Z'), 60, cal3).toISOString()).toBe('2026-12-23T07:30:00.000Z');
  });
});
