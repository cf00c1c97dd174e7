/**
 * Business calendars: opening hours per weekday in one IANA time zone, minus public
 * holidays. SLA clocks count in them ("first response within 2 business hours").
 *
 * Conventions
 * - Weekdays are '0' = Monday … '6' = Sunday (as in `stores.business_hours`).
 * - Each day holds `[from, to]` pairs in local "HH:MM". `to` may be "24:00" (end of day).
 *   A pair whose `to` is not after `from` runs overnight into the next day ("22:00"-"06:00";
 *   "00:00"-"00:00" is the whole day). A shift belongs to the day it starts on: a holiday
 *   cancels the shifts that start on it, not the tail of last night's shift.
 * - Time is counted as real elapsed time: a 00:00–24:00 day is 23 hours long on the day
 *   clocks spring forward and 25 hours long when they fall back. A local opening time that
 *   does not exist on a DST day (02:30 in Berlin on the last Sunday of March) moves forward
 *   with the clock, as luxon does.
 * - Overlapping intervals are merged, so nothing is counted twice.
 *
 * All functions are pure: no clock reads, no I/O (holidays come from date-holidays' bundled
 * data; `calendarForStore` only reads the current year when no years are given).
 */
import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { AppError } from '../core/errors.ts';

export type Weekday = '0' | '1' | '2' | '3' | '4' | '5' | '6';
export const WEEKDAYS: readonly Weekday[] = ['0', '1', '2', '3', '4', '5', '6'];

export type WeeklyHours = Record<Weekday, Array<[string, string]>>;

export interface BusinessCalendar {
  /** IANA zone, e.g. "Europe/Berlin". */
  timezone: string;
  /** 0 = Monday … 6 = Sunday → list of [from, to] "HH:MM" in `timezone`. */
  weeklyHours: WeeklyHours;
  /** Closed days, 'YYYY-MM-DD' in `timezone`. */
  holidays: Set<string>;
}

/** A calendar that cannot be used (bad time, unknown zone or country, no hours at all). */
export class CalendarError extends AppError {
  constructor(message: string) {
    super('validation_failed', message);
    this.name = 'CalendarError';
  }
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A calendar with hours but this many closed days in a row is treated as broken. */
const MAX_CLOSED_DAYS = 800;

/** Every day 00:00–24:00. */
export function alwaysOpen(): WeeklyHours {
  const h = {} as WeeklyHours;
  for (const d of WEEKDAYS) h[d] = [['00:00', '24:00']];
  return h;
}

/** Monday–Friday `from`–`to` (default 09:00–18:00), weekend closed. */
export function weekdaysHours(from = '09:00', to = '18:00'): WeeklyHours {
  const h = {} as WeeklyHours;
  for (const d of WEEKDAYS) h[d] = Number(d) < 5 ? [[from, to]] : [];
  return h;
}

// ---------------------------------------------------------------------------------------
// Parsing and validation

function parseHHMM(s: string, isEnd: boolean, where: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m) throw new CalendarError(`${where}: "${s}" is not a time "HH:MM"`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0 && isEnd) return 1440;
  if (h > 23 || min > 59) throw new CalendarError(`${where}: "${s}" is not a valid time (00:00–23:59${isEnd ? ' or 24:00' : ''})`);
  return h * 60 + min;
}

/**
 * UTC offsets of one zone, remembered per quarter hour. luxon asks Intl for every offset,
 * which costs tens of microseconds; SLA due times ask for the same few days again and again.
 * Offsets change only at transitions, and (for any date this product handles) transitions
 * fall on quarter hours; a quarter hour is remembered only when its first and last
 * millisecond agree, so a bucket holding a transition is always asked afresh.
 */
interface ZoneOffsets {
  offset(ts: number): number;
}

const QUARTER_MS = 15 * 60_000;
const OFFSET_MEMO_MAX = 50_000;
const zoneOffsetCache = new Map<string, ZoneOffsets>();

function zoneOffsets(name: string): ZoneOffsets {
  let z = zoneOffsetCache.get(name);
  if (z) return z;
  const zone = IANAZone.create(name);
  const memo = new Map<number, number>();
  z = {
    offset(ts: number): number {
      const bucket = Math.floor(ts / QUARTER_MS);
      const hit = memo.get(bucket);
      if (hit !== undefined) return hit;
      const start = bucket * QUARTER_MS;
      const o = zone.offset(start);
      if (zone.offset(start + QUARTER_MS - 1) !== o) return zone.offset(ts);
      if (memo.size >= OFFSET_MEMO_MAX) memo.clear();
      memo.set(bucket, o);
      return o;
    },
  };
  zoneOffsetCache.set(name, z);
  return z;
}

/** Per weekday, [fromMinute, toMinute] with toMinute possibly > 1440 (overnight). */
type CompiledWeek = Array<Array<[number, number]>>;

interface Compiled {
  zone: string;
  hours: WeeklyHours;
  tz: ZoneOffsets;
  week: CompiledWeek;
  holidays: Set<string>;
}

const compiledCache = new WeakMap<BusinessCalendar, Compiled>();

function compile(cal: BusinessCalendar): Compiled {
  const cached = compiledCache.get(cal);
  if (cached && cached.holidays === cal.holidays && cached.hours === cal.weeklyHours && cached.zone === cal.timezone) return cached;
  if (typeof cal.timezone !== 'string' || !IANAZone.isValidZone(cal.timezone)) {
    throw new CalendarError(`Unknown time zone "${String(cal.timezone)}"`);
  }
  const week: CompiledWeek = [];
  let any = false;
  for (const d of WEEKDAYS) {
    const pairs = cal.weeklyHours[d] ?? [];
    const out: Array<[number, number]> = [];
    for (const pair of pairs) {
      const where = `weeklyHours["${d}"]`;
      if (!Array.isArray(pair) || pair.length !== 2) throw new CalendarError(`${where}: each entry must be ["HH:MM","HH:MM"]`);
      const from = parseHHMM(pair[0], false, where);
      let to = parseHHMM(pair[1], true, where);
      if (to <= from) to += 1440; // overnight shift
      out.push([from, to]);
      any = true;
    }
    out.sort((a, b) => a[0] - b[0]);
    week.push(out);
  }
  if (!any) {
    throw new CalendarError('The business calendar has no opening hours on any weekday, so no business time can be counted');
  }
  const c: Compiled = { zone: cal.timezone, hours: cal.weeklyHours, tz: zoneOffsets(cal.timezone), week, holidays: cal.holidays };
  compiledCache.set(cal, c);
  return c;
}

/**
 * Forget what was remembered for `cal` (its compiled week and its due-time memo). A
 * calendar object is never changed in place; when a market's hours or holidays are edited a
 * new calendar replaces it, and the old one's memos go with this call (or when it is
 * collected). Zone offsets are remembered per zone name, which edits cannot change.
 */
export function forgetCalendar(cal: BusinessCalendar): void {
  compiledCache.delete(cal);
  dueMemo.delete(cal);
}

/** Check a calendar; throws CalendarError with a clear message when it is unusable. */
export function validateCalendar(cal: BusinessCalendar): void {
  compile(cal);
}

// ---------------------------------------------------------------------------------------
// Days and intervals
//
// Days are walked as integer "epoch days" of the local calendar (0 = 1970-01-01), and
// local wall times are turned into instants with the zone's UTC offset (the same fix-up
// luxon uses), which is much cheaper than building a DateTime per day.

interface Day {
  /** local calendar day number: days since 1970-01-01 */
  n: number;
  key: string;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
  startMs: number;
  nextStartMs: number;
}

/** The instant of a local wall time given as "ms since epoch as if the zone were UTC". */
function localToMs(zone: ZoneOffsets, localTs: number): number {
  const o = zone.offset(localTs);
  let guess = localTs - o * MINUTE_MS;
  const o2 = zone.offset(guess);
  if (o === o2) return guess;
  guess -= (o2 - o) * MINUTE_MS;
  const o3 = zone.offset(guess);
  if (o2 === o3) return guess;
  // a wall time inside a DST gap: move forward with the clock
  return localTs - Math.min(o2, o3) * MINUTE_MS;
}

function dayAt(c: Compiled, n: number, startMs?: number): Day {
  return {
    n,
    key: new Date(n * DAY_MS).toISOString().slice(0, 10),
    weekday: (((n + 3) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    startMs: startMs ?? localToMs(c.tz, n * DAY_MS),
    nextStartMs: localToMs(c.tz, (n + 1) * DAY_MS),
  };
}

function dayContaining(c: Compiled, ms: number): Day {
  const n = Math.floor((ms + c.tz.offset(ms) * MINUTE_MS) / DAY_MS);
  return dayAt(c, n);
}

function nextDay(c: Compiled, d: Day): Day {
  return dayAt(c, d.n + 1, d.nextStartMs);
}

/** The instant of `minute` minutes after local midnight of `day` (may be past 24:00). */
function instant(c: Compiled, day: Day, minute: number): number {
  if (minute === 0) return day.startMs;
  if (minute === 1440) return day.nextStartMs;
  if (minute < 1440 && day.nextStartMs - day.startMs === DAY_MS) return day.startMs + minute * MINUTE_MS;
  return localToMs(c.tz, day.n * DAY_MS + minute * MINUTE_MS);
}

/** Intervals of shifts starting on `day` (none on a holiday), as [startMs, endMs). */
function shiftsOf(c: Compiled, day: Day): Array<[number, number]> {
  if (c.holidays.has(day.key)) return [];
  const out: Array<[number, number]> = [];
  for (const [from, to] of c.week[day.weekday]) {
    const s = instant(c, day, from);
    const e = instant(c, day, to);
    if (e > s) out.push([s, e]);
  }
  return out;
}

/**
 * Merged business intervals, in order, from the one containing (or first after) `fromMs`.
 * Starts one day early so last night's overnight shift is seen. Throws when no interval
 * shows up for MAX_CLOSED_DAYS days (e.g. every day a holiday).
 */
function* intervals(c: Compiled, fromMs: number): Generator<[number, number]> {
  const first = dayContaining(c, fromMs);
  let day = dayAt(c, first.n - 1);
  let pending: [number, number] | null = null;
  let closedDays = 0;
  for (;;) {
    const shifts = shiftsOf(c, day);
    if (shifts.length === 0) {
      closedDays += 1;
      if (closedDays > MAX_CLOSED_DAYS) {
        throw new CalendarError(`No business hours in ${MAX_CLOSED_DAYS} consecutive days from ${new Date(fromMs).toISOString()}: check holidays and hours`);
      }
    } else {
      closedDays = 0;
    }
    for (const iv of shifts) {
      if (pending && iv[0] < pending[1]) {
        if (iv[1] > pending[1]) pending[1] = iv[1];
        continue;
      }
      if (pending && pending[1] > fromMs) yield pending;
      pending = [iv[0], iv[1]];
    }
    // Every later shift starts at or after the next local midnight, so what lies before it
    // is final: yield it (touching pieces may be yielded separately, never overlapping ones).
    const cut = day.nextStartMs;
    if (pending && pending[0] < cut) {
      if (pending[1] <= cut) {
        if (pending[1] > fromMs) yield pending;
        pending = null;
      } else {
        const head: [number, number] = [pending[0], cut];
        if (head[1] > fromMs) yield head;
        pending = [cut, pending[1]];
      }
    }
    day = nextDay(c, day);
  }
}

// ---------------------------------------------------------------------------------------
// Public functions

/** Is `at` inside business hours (and not on a holiday)? */
export function isBusinessTime(at: Date, cal: BusinessCalendar): boolean {
  const c = compile(cal);
  const t = at.getTime();
  for (const [s, e] of intervals(c, t)) {
    return s <= t && t < e;
  }
  return false;
}

/** The first business instant at or after `at` (`at` itself when open). */
export function nextBusinessTime(at: Date, cal: BusinessCalendar): Date {
  const c = compile(cal);
  const t = at.getTime();
  for (const [s] of intervals(c, t)) return new Date(Math.max(s, t));
  throw new CalendarError('unreachable');
}

/**
 * The instant `minutes` business minutes after `start`. A clock started outside hours
 * begins at the next opening; one that runs out exactly at closing ends at closing.
 * Negative minutes count backwards. Fractional minutes are allowed.
 */
/**
 * `addBusinessMinutes` for whole positive minutes, remembered per calendar, minutes and
 * start minute. Opening hours, holidays and offset changes all fall on whole minutes, so
 * across one minute [m, m + 60 s) the due time either moves with the start (open all
 * minute: due(m + 60 s) − due(m) = 60 s) or stands still (closed all minute: the
 * difference is 0). Any other difference means a boundary was crossed and the exact walk
 * runs for every start in that minute.
 */
const dueMemo = new WeakMap<BusinessCalendar, Map<string, { base: number; slope: 0 | 1 } | null>>();
const DUE_MEMO_MAX = 20_000;

export function addBusinessMinutes(start: Date, minutes: number, cal: BusinessCalendar): Date {
  const t = start.getTime();
  if (!Number.isInteger(minutes) || minutes <= 0 || Number.isNaN(t)) return addBusinessMinutesExact(start, minutes, cal);
  const floor = Math.floor(t / MINUTE_MS) * MINUTE_MS;
  let memo = dueMemo.get(cal);
  if (!memo) dueMemo.set(cal, (memo = new Map()));
  const key = `${minutes}:${floor}`;
  let hit = memo.get(key);
  if (hit === undefined) {
    const a = addBusinessMinutesExact(new Date(floor), minutes, cal).getTime();
    const b = addBusinessMinutesExact(new Date(floor + MINUTE_MS), minutes, cal).getTime();
    hit = b - a === MINUTE_MS ? { base: a, slope: 1 } : b === a ? { base: a, slope: 0 } : null;
    if (memo.size >= DUE_MEMO_MAX) memo.clear();
    memo.set(key, hit);
  }
  if (!hit) return addBusinessMinutesExact(start, minutes, cal);
  return new Date(hit.base + hit.slope * (t - floor));
}

export function addBusinessMinutesExact(start: Date, minutes: number, cal: BusinessCalendar): Date {
  if (!Number.isFinite(minutes)) throw new CalendarError(`minutes must be a finite number, got ${minutes}`);
  const c = compile(cal);
  const t = start.getTime();
  if (Number.isNaN(t)) throw new CalendarError('start is not a valid date');
  if (minutes === 0) return new Date(t);
  let remaining = Math.round(Math.abs(minutes) * MINUTE_MS);
  if (minutes > 0) {
    for (const [s, e] of intervals(c, t)) {
      const from = Math.max(s, t);
      const len = e - from;
      if (remaining <= len) return new Date(from + remaining);
      remaining -= len;
    }
  } else {
    // Backwards in week-long windows, each counted with the forward walk.
    let end = t;
    for (let emptyWindows = 0; ; ) {
      const windowStart = end - 7 * DAY_MS;
      const inWindow: Array<[number, number]> = [];
      let total = 0;
      for (const [s, e] of intervals(c, windowStart)) {
        if (s >= end) break;
        const iv: [number, number] = [Math.max(s, windowStart), Math.min(e, end)];
        inWindow.push(iv);
        total += iv[1] - iv[0];
        if (e >= end) break;
      }
      if (remaining <= total) {
        for (let i = inWindow.length - 1; i >= 0; i--) {
          const [s, e] = inWindow[i];
          if (remaining <= e - s) return new Date(e - remaining);
          remaining -= e - s;
        }
      }
      remaining -= total;
      emptyWindows = total === 0 ? emptyWindows + 1 : 0;
      if (emptyWindows * 7 > MAX_CLOSED_DAYS) {
        throw new CalendarError(`No business hours in ${MAX_CLOSED_DAYS} days before ${start.toISOString()}: check holidays and hours`);
      }
      end = windowStart;
    }
  }
  throw new CalendarError('unreachable');
}

/** Business minutes from `a` to `b` (negative when b is before a); may be fractional. */
export function businessMinutesBetween(a: Date, b: Date, cal: BusinessCalendar): number {
  const ta = a.getTime();
  const tb = b.getTime();
  if (Number.isNaN(ta) || Number.isNaN(tb)) throw new CalendarError('a and b must be valid dates');
  if (tb < ta) return -businessMinutesBetween(b, a, cal);
  const c = compile(cal);
  let ms = 0;
  for (const [s, e] of intervals(c, ta)) {
    if (s >= tb) break;
    ms += Math.min(e, tb) - Math.max(s, ta);
    if (e >= tb) break;
  }
  return ms / MINUTE_MS;
}

// ---------------------------------------------------------------------------------------
// Holidays

const holidayCache = new Map<string, string[]>();

function splitCountry(country: string): [string, string | undefined, string | undefined] {
  const parts = country.trim().toUpperCase().split(/[-_]/);
  return [parts[0], parts[1], parts[2]];
}

/**
 * Public holidays of `country` (ISO 3166 alpha-2, optionally with a subdivision: "DE-BY",
 * "US-CA", "AU-NSW") for `years`, as 'YYYY-MM-DD' local dates, from date-holidays. Only
 * type "public" (substitute days included; bank, school, optional and observance days are
 * not). Holidays lasting several days (Eid al-Fitr in SA, Seollal in KR) give every day.
 * `extra` adds closing days date-holidays lacks ('YYYY-MM-DD').
 */
export function holidaysFor(country: string, years: number[], extra: string[] = []): Set<string> {
  const [cc, state, region] = splitCountry(country);
  const out = new Set<string>();
  for (const year of years) {
    const key = `${cc}/${state ?? ''}/${region ?? ''}/${year}`;
    let days = holidayCache.get(key);
    if (!days) {
      const hd = new Holidays();
      if (!hd.getCountries()[cc]) {
        throw new CalendarError(`Unknown holiday country "${country}" (date-holidays has no data for it)`);
      }
      if (state && !hd.getStates(cc)?.[state]) {
        throw new CalendarError(`Unknown subdivision "${state}" of holiday country ${cc} (date-holidays has no data for it)`);
      }
      if (state) hd.init(cc, state, region ?? '');
      else hd.init(cc);
      days = [];
      for (const h of hd.getHolidays(year)) {
        if (h.type !== 'public') continue;
        const first = h.date.slice(0, 10);
        const n = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
        const d0 = DateTime.fromISO(first, { zone: 'utc' });
        for (let i = 0; i < n; i++) days.push(d0.plus({ days: i }).toISODate() ?? first);
      }
      holidayCache.set(key, days);
    }
    for (const d of days) out.add(d);
  }
  return addExtra(out, extra);
}

function addExtra(out: Set<string>, extra: string[]): Set<string> {
  for (const d of extra) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || !DateTime.fromISO(d).isValid) {
      throw new CalendarError(`Extra holiday "${d}" is not a date YYYY-MM-DD`);
    }
    out.add(d);
  }
  return out;
}

export interface StoreCalendarInput {
  timezone: string;
  /** As stored in `stores.business_hours`: '0' (Monday) … '6' (Sunday); missing days are closed. */
  businessHours: Partial<Record<string, Array<[string, string]>>>;
  /** null/undefined: no public holidays. */
  holidayCountry?: string | null;
  extraHolidays?: string[] | null;
  /** Years whose holidays to load; default the current year −1 … +2. */
  years?: number[];
}

/** Build (and validate) the business calendar of a store. */
export function calendarForStore(input: StoreCalendarInput): BusinessCalendar {
  const weeklyHours = {} as WeeklyHours;
  for (const key of Object.keys(input.businessHours)) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) {
      throw new CalendarError(`businessHours: unknown day "${key}" (use "0" = Monday … "6" = Sunday)`);
    }
  }
  for (const d of WEEKDAYS) weeklyHours[d] = input.businessHours[d] ?? [];
  const y = new Date().getUTCFullYear();
  const years = input.years ?? [y - 1, y, y + 1, y + 2];
  const extra = input.extraHolidays ?? [];
  const holidays = input.holidayCountry ? holidaysFor(input.holidayCountry, years, extra) : addExtra(new Set(), extra);
  const cal: BusinessCalendar = { timezone: input.timezone, weeklyHours, holidays };
  validateCalendar(cal);
  return cal;
}
