import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  addBusinessMinutes,
  addBusinessMinutesExact,
  alwaysOpen,
  businessMinutesBetween,
  CalendarError,
  calendarForStore,
  holidaysFor,
  isBusinessTime,
  nextBusinessTime,
  weekdaysHours,
  type BusinessCalendar,
  type WeeklyHours,
} from './calendar.ts';

const at = (iso: string, zone: string): Date => {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad test date ${iso}`);
  return dt.toJSDate();
};
const local = (d: Date, zone: string): string => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

const berlin: BusinessCalendar = { timezone: 'Europe/Berlin', weeklyHours: weekdaysHours('09:00', '18:00'), holidays: holidaysFor('DE', [2026, 2027]) };
const berlin247: BusinessCalendar = { timezone: 'Europe/Berlin', weeklyHours: alwaysOpen(), holidays: new Set() };
const ny: BusinessCalendar = { timezone: 'America/New_York', weeklyHours: weekdaysHours('09:00', '17:00'), holidays: holidaysFor('US', [2026]) };
const ny247: BusinessCalendar = { timezone: 'America/New_York', weeklyHours: alwaysOpen(), holidays: new Set() };
const shanghai: BusinessCalendar = { timezone: 'Asia/Shanghai', weeklyHours: weekdaysHours('09:00', '18:00'), holidays: holidaysFor('CN', [2026]) };

describe('addBusinessMinutes', () => {
  it('carries over a weekend, across the spring DST change in Berlin', () => {
    // Friday 27 March 2026 17:00 CET; clocks go forward on Sunday 29 March.
    const r = addBusinessMinutes(at('2026-03-27T17:00', 'Europe/Berlin'), 120, berlin);
    expect(local(r, 'Europe/Berlin')).toBe('2026-03-30T10:00');
    expect(r.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('skips public holidays (Good Friday, Easter Monday)', () => {
    const r = addBusinessMinutes(at('2026-04-02T17:00', 'Europe/Berlin'), 120, berlin);
    expect(local(r, 'Europe/Berlin')).toBe('2026-04-07T10:00');
  });

  it('starts the clock at the next opening when started outside hours', () => {
    expect(local(addBusinessMinutes(at('2026-05-16T12:00', 'Europe/Berlin'), 60, berlin), 'Europe/Berlin')).toBe('2026-05-18T10:00');
    expect(local(addBusinessMinutes(at('2026-05-18T07:00', 'Europe/Berlin'), 30, berlin), 'Europe/Berlin')).toBe('2026-05-18T09:30');
    expect(local(addBusinessMinutes(at('2026-05-18T19:00', 'Europe/Berlin'), 30, berlin), 'Europe/Berlin')).toBe('2026-05-19T09:30');
  });

  it('ends at closing time when the budget runs out exactly then', () => {
    expect(local(addBusinessMinutes(at('2026-05-18T16:00', 'Europe/Berlin'), 120, berlin), 'Europe/Berlin')).toBe('2026-05-18T18:00');
  });

  it('counts real time on a 24/7 calendar across DST (23 h and 25 h days)', () => {
    const spring = addBusinessMinutes(at('2026-03-28T12:00', 'Europe/Berlin'), 24 * 60, berlin247);
    expect(spring.toISOString()).toBe('2026-03-29T11:00:00.000Z');
    expect(local(spring, 'Europe/Berlin')).toBe('2026-03-29T13:00');
    expect(businessMinutesBetween(at('2026-03-29T00:00', 'Europe/Berlin'), at('2026-03-30T00:00', 'Europe/Berlin'), berlin247)).toBe(23 * 60);
    expect(businessMinutesBetween(at('2026-10-25T00:00', 'Europe/Berlin'), at('2026-10-26T00:00', 'Europe/Berlin'), berlin247)).toBe(25 * 60);
    expect(businessMinutesBetween(at('2026-03-08T00:00', 'America/New_York'), at('2026-03-09T00:00', 'America/New_York'), ny247)).toBe(23 * 60);
    expect(businessMinutesBetween(at('2026-11-01T00:00', 'America/New_York'), at('2026-11-02T00:00', 'America/New_York'), ny247)).toBe(25 * 60);
  });

  it('handles New York hours across the spring change and a federal holiday', () => {
    // Friday 6 March 2026 16:00 EST, DST starts Sunday 8 March.
    const r = addBusinessMinutes(at('2026-03-06T16:00', 'America/New_York'), 120, ny);
    expect(local(r, 'America/New_York')).toBe('2026-03-09T10:00');
    expect(r.toISOString()).toBe('2026-03-09T14:00:00.000Z');
    // Wednesday before Thanksgiving (26 Nov 2026) → Friday.
    expect(local(addBusinessMinutes(at('2026-11-25T16:00', 'America/New_York'), 120, ny), 'America/New_York')).toBe('2026-11-27T10:00');
  });

  it('handles overnight shifts, including one across the autumn change (9 real hours)', () => {
    const hours: WeeklyHours = { '0': [], '1': [], '2': [], '3': [], '4': [], '5': [['22:00', '06:00']], '6': [] };
    const cal: BusinessCalendar = { timezone: 'America/New_York', weeklyHours: hours, holidays: new Set() };
    // Saturday 31 Oct 2026 22:00 EDT → Sunday 1 Nov 06:00 EST (clocks fall back at 02:00).
    expect(businessMinutesBetween(at('2026-10-31T20:00', 'America/New_York'), at('2026-11-01T12:00', 'America/New_York'), cal)).toBe(9 * 60);
    expect(isBusinessTime(at('2026-11-01T05:00', 'America/New_York'), cal)).toBe(true);
    expect(isBusinessTime(at('2026-11-01T06:00', 'America/New_York'), cal)).toBe(false);
    const r = addBusinessMinutes(at('2026-11-01T05:30', 'America/New_York'), 60, cal);
    expect(local(r, 'America/New_York')).toBe('2026-11-07T22:30');
  });

  it('a holiday cancels shifts starting on it, not the tail of last night', () => {
    const hours: WeeklyHours = { '0': [['20:00', '04:00']], '1': [['20:00', '04:00']], '2': [], '3': [], '4': [], '5': [], '6': [] };
    const cal: BusinessCalendar = { timezone: 'UTC', weeklyHours: hours, holidays: new Set(['2026-06-02']) }; // a Tuesday
    expect(isBusinessTime(new Date('2026-06-02T03:00:00Z'), cal)).toBe(true);
    expect(isBusinessTime(new Date('2026-06-02T21:00:00Z'), cal)).toBe(false);
  });

  it('merges overlapping intervals and split days', () => {
    const hours: WeeklyHours = { '0': [['09:00', '12:00'], ['11:00', '13:00'], ['14:00', '18:00']], '1': [], '2': [], '3': [], '4': [], '5': [], '6': [] };
    const cal: BusinessCalendar = { timezone: 'UTC', weeklyHours: hours, holidays: new Set() };
    expect(businessMinutesBetween(new Date('2026-06-01T00:00:00Z'), new Date('2026-06-02T00:00:00Z'), cal)).toBe(8 * 60);
    expect(addBusinessMinutes(new Date('2026-06-01T12:30:00Z'), 60, cal).toISOString()).toBe('2026-06-01T14:30:00.000Z');
  });

  it('works in Asia/Shanghai with Chinese public holidays (National Day)', () => {
    // Wednesday 30 Sep 2026 17:30; 1–2 Oct are holidays, 3–4 Oct the weekend.
    const r = addBusinessMinutes(at('2026-09-30T17:30', 'Asia/Shanghai'), 60, shanghai);
    expect(local(r, 'Asia/Shanghai')).toBe('2026-10-05T09:30');
    expect(r.toISOString()).toBe('2026-10-05T01:30:00.000Z');
  });

  it('counts backwards with negative minutes', () => {
    const r = addBusinessMinutes(at('2026-03-30T10:00', 'Europe/Berlin'), -120, berlin);
    expect(local(r, 'Europe/Berlin')).toBe('2026-03-27T17:00');
  });

  it('is fast and exact for large minute counts', () => {
    const t0 = performance.now();
    const start = new Date('2026-01-01T00:00:00Z');
    const utc247: BusinessCalendar = { timezone: 'UTC', weeklyHours: alwaysOpen(), holidays: new Set() };
    expect(addBusinessMinutes(start, 1_000_000, utc247).getTime()).toBe(start.getTime() + 1_000_000 * 60_000);
    const far = addBusinessMinutes(start, 200_000, berlin);
    expect(businessMinutesBetween(start, far, berlin)).toBe(200_000);
    expect(addBusinessMinutes(far, -200_000, berlin).getTime()).toBe(nextBusinessTime(start, berlin).getTime());
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('round-trips with businessMinutesBetween for random starts', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const cal of [berlin, ny, shanghai, berlin247]) {
      for (let i = 0; i < 60; i++) {
        const start = new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 700 * 86_400_000));
        const m = Math.floor(rnd() * 5000) + 1;
        const end = addBusinessMinutes(start, m, cal);
        expect(businessMinutesBetween(start, end, cal)).toBeCloseTo(m, 6);
        expect(isBusinessTime(new Date(end.getTime() - 1), cal)).toBe(true);
      }
    }
  });

  it('throws a clear error for a calendar with no hours, instead of looping', () => {
    const none: BusinessCalendar = { timezone: 'UTC', weeklyHours: weekdaysHours('09:00', '09:00'), holidays: new Set() };
    // 09:00–09:00 is a full 24 h overnight shift, so that one is valid; a truly empty week is not:
    expect(() => addBusinessMinutes(new Date(), 1, none)).not.toThrow();
    const empty: BusinessCalendar = { timezone: 'UTC', weeklyHours: { '0': [], '1': [], '2': [], '3': [], '4': [], '5': [], '6': [] }, holidays: new Set() };
    expect(() => addBusinessMinutes(new Date(), 1, empty)).toThrow(/no opening hours/);
    expect(() => businessMinutesBetween(new Date(0), new Date(), empty)).toThrow(CalendarError);
    // hours only on Mondays, and every Monday for years a holiday
    const mondays = new Set<string>();
    for (let d = DateTime.fromISO('2026-01-05', { zone: 'UTC' }); d.year < 2030; d = d.plus({ weeks: 1 })) mondays.add(d.toISODate() ?? '');
    const allClosed: BusinessCalendar = { timezone: 'UTC', weeklyHours: { ...empty.weeklyHours, '0': [['09:00', '10:00']] }, holidays: mondays };
    expect(() => addBusinessMinutes(new Date('2026-01-01T00:00:00Z'), 1, allClosed)).toThrow(/No business hours/);
  });

  it('rejects bad times and zones', () => {
    expect(() => isBusinessTime(new Date(), { ...berlin, weeklyHours: weekdaysHours('9am', '18:00') })).toThrow(/HH:MM/);
    expect(() => isBusinessTime(new Date(), { ...berlin, weeklyHours: weekdaysHours('09:00', '25:00') })).toThrow(/valid time/);
    expect(() => isBusinessTime(new Date(), { ...berlin, timezone: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});

describe('businessMinutesBetween / isBusinessTime', () => {
  it('is negative when b is before a', () => {
    const a = at('2026-05-18T10:00', 'Europe/Berlin');
    const b = at('2026-05-18T12:30', 'Europe/Berlin');
    expect(businessMinutesBetween(a, b, berlin)).toBe(150);
    expect(businessMinutesBetween(b, a, berlin)).toBe(-150);
    expect(businessMinutesBetween(a, a, berlin)).toBe(0);
  });

  it('counts a weekend and a holiday as zero', () => {
    expect(businessMinutesBetween(at('2026-05-15T18:00', 'Europe/Berlin'), at('2026-05-18T09:00', 'Europe/Berlin'), berlin)).toBe(0);
    expect(businessMinutesBetween(at('2026-12-24T18:00', 'Europe/Berlin'), at('2026-12-28T09:00', 'Europe/Berlin'), berlin)).toBe(0);
  });

  it('knows open and closed instants', () => {
    expect(isBusinessTime(at('2026-05-18T09:00', 'Europe/Berlin'), berlin)).toBe(true);
    expect(isBusinessTime(at('2026-05-18T18:00', 'Europe/Berlin'), berlin)).toBe(false);
    expect(isBusinessTime(at('2026-05-16T12:00', 'Europe/Berlin'), berlin)).toBe(false);
    expect(isBusinessTime(at('2026-12-25T12:00', 'Europe/Berlin'), berlin)).toBe(false);
    expect(local(nextBusinessTime(at('2026-12-24T20:00', 'Europe/Berlin'), berlin), 'Europe/Berlin')).toBe('2026-12-28T09:00');
  });
});

describe('holidaysFor', () => {
  it('returns public holidays only, as local dates', () => {
    const de = holidaysFor('DE', [2026]);
    expect(de.has('2026-12-25')).toBe(true);
    expect(de.has('2026-10-03')).toBe(true);
    expect(de.has('2026-02-14')).toBe(false); // Valentine's Day: an observance
  });

  it('expands multi-day holidays and supports subdivisions and extras', () => {
    const kr = holidaysFor('KR', [2026]);
    expect(['2026-09-24', '2026-09-25', '2026-09-26'].every((d) => kr.has(d))).toBe(true); // Chuseok
    const sa = holidaysFor('SA', [2026]);
    expect(sa.has('2026-03-19') && sa.has('2026-03-22')).toBe(true); // Eid al-Fitr, 4 days
    expect(holidaysFor('DE-BY', [2026]).has('2026-01-06')).toBe(true); // Epiphany in Bavaria
    expect(holidaysFor('DE', [2026]).has('2026-01-06')).toBe(false);
    expect(holidaysFor('CN', [2026], ['2026-11-11']).has('2026-11-11')).toBe(true);
  });

  it('rejects unknown countries and bad extra dates', () => {
    expect(() => holidaysFor('XX', [2026])).toThrow(/Unknown holiday country/);
    expect(() => holidaysFor('DE-QQ', [2026])).toThrow(/subdivision/);
    expect(() => holidaysFor('DE', [2026], ['11/11/2026'])).toThrow(/YYYY-MM-DD/);
  });
});

describe('calendarForStore', () => {
  it('builds from a stored row shape; missing days are closed', () => {
    const cal = calendarForStore({ timezone: 'Europe/Paris', businessHours: { '0': [['09:00', '17:00']] }, holidayCountry: 'FR', extraHolidays: ['2026-06-01'], years: [2026] });
    expect(cal.weeklyHours['1']).toEqual([]);
    expect(cal.holidays.has('2026-07-14')).toBe(true);
    expect(cal.holidays.has('2026-06-01')).toBe(true);
    expect(isBusinessTime(at('2026-06-08T10:00', 'Europe/Paris'), cal)).toBe(true);
    expect(isBusinessTime(at('2026-06-01T10:00', 'Europe/Paris'), cal)).toBe(false);
  });

  it('works without a holiday country and validates', () => {
    const cal = calendarForStore({ timezone: 'UTC', businessHours: alwaysOpen(), holidayCountry: null });
    expect(cal.holidays.size).toBe(0);
    expect(() => calendarForStore({ timezone: 'UTC', businessHours: { mon: [['09:00', '17:00']] } })).toThrow(/unknown day "mon"/);
    expect(() => calendarForStore({ timezone: 'UTC', businessHours: {} })).toThrow(/no opening hours/);
  });
});

describe('addBusinessMinutes remembered per start minute', () => {
  // A seeded walk of start times, many inside the same minute, around DST changes, closing
  // times, overnight shifts and holidays: the remembered answer must equal the exact walk.
  const kathmandu: BusinessCalendar = { timezone: 'Asia/Kathmandu', weeklyHours: weekdaysHours('09:15', '17:45'), holidays: new Set(['2026-03-30']) };
  const overnight: BusinessCalendar = { timezone: 'Europe/London', weeklyHours: { ...weekdaysHours('22:00', '06:00'), '5': [['10:00', '14:30']], '6': [] }, holidays: holidaysFor('GB', [2026]) };
  const cases: Array<[string, BusinessCalendar]> = [['berlin', berlin], ['ny', ny], ['berlin247', berlin247], ['kathmandu', kathmandu], ['overnight', overnight]];
  let seed = 20261124;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const anchors = ['2026-03-29T00:30:00Z', '2026-03-27T16:58:10Z', '2026-10-25T00:40:00Z', '2026-11-01T05:50:00Z', '2026-12-24T16:59:00Z', '2026-03-30T03:29:00Z'];
  for (const [name, cal] of cases) {
    it(`equals the exact walk (${name})`, () => {
      let checked = 0;
      for (const anchor of anchors) {
        const base = Date.parse(anchor);
        for (let i = 0; i < 150; i++) {
          // half the starts share a minute with an earlier one, the rest spread over 3 days
          const t = i % 2 ? base + Math.floor(rand() * 3 * 86_400_000) : base + Math.floor(rand() * 60_000);
          for (const minutes of [1, 59, 120, 480, 2880]) {
            const got = addBusinessMinutes(new Date(t), minutes, cal).getTime();
            const want = addBusinessMinutesExact(new Date(t), minutes, cal).getTime();
            if (got !== want) throw new Error(`${name} ${new Date(t).toISOString()} +${minutes}: ${new Date(got).toISOString()} != ${new Date(want).toISOString()}`);
            checked++;
          }
        }
      }
      expect(checked).toBe(anchors.length * 150 * 5);
    });
  }
});
