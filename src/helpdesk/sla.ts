import type { Kysely } from 'kysely';
import type { DB, Priority, Store, Ticket, TicketStatus } from '../db/types.ts';
import { addBusinessMinutes, businessMinutesBetween, calendarForStore, type BusinessCalendar } from '../markets/calendar.ts';
import type { Market } from '../markets/model.ts';
import { currentMarkets, yamlMarkets } from '../markets/registry.ts';
import { slaPolicies, type SlaPolicy } from './stores.ts';

/**
 * SLA clocks. Targets are business minutes in the store's calendar (time zone, weekly
 * hours, public holidays). First response runs from creation until the first public agent
 * reply; next response from a customer message that follows an agent reply; resolution
 * from creation until solved, paused while the ticket is pending on the customer.
 */

const calendars = new Map<string, { key: string; cal: BusinessCalendar }>();

type StoreCalendarFields = Pick<Store, 'id' | 'timezone' | 'business_hours' | 'holiday_country' | 'extra_holidays'> & Partial<Pick<Store, 'market'>>;

/** The store's calendar, rebuilt when its settings or its market's holidays change (cheap to keep: derived data). */
const calendarOf = new WeakMap<object, { timezone: string; business_hours: unknown; holiday_country: string | null; extra_holidays: unknown; market: Market | null; cal: BusinessCalendar }>();

/**
 * The store's market as in force for this app (the files with trainers' edits, see
 * markets/registry.ts), or null when the store's market code has no market file.
 */
function marketOf(code: string | undefined): Market | null {
  if (!code) return null;
  const c = code.trim().toUpperCase();
  if (!yamlMarkets().has(c)) return null;
  return currentMarkets().get(c);
}

/**
 * A store's business calendar: its own zone, weekly hours, public holidays (its holiday
 * country) and extra closing days, plus its market's extra holidays (the closing days the
 * market lists beside the country's public holidays, editable by trainers). The market is
 * the effective one of the app in force, so an edit of the market (on this node, or on
 * another one through `market.changed`, which makes the registry hold a new market object)
 * gives a new calendar at the next call.
 */
export function storeCalendar(store: StoreCalendarFields): BusinessCalendar {
  const market = marketOf(store.market);
  // the same store object again (the store cache hands out one for a few seconds): no key to build
  const seen = calendarOf.get(store);
  if (
    seen &&
    seen.market === market &&
    seen.timezone === store.timezone &&
    seen.business_hours === store.business_hours &&
    seen.holiday_country === store.holiday_country &&
    seen.extra_holidays === store.extra_holidays &&
    calendars.get(store.id)?.cal === seen.cal
  ) {
    return seen.cal;
  }
  const marketDays = market ? market.extraHolidays.map((h) => h.date) : [];
  const key = JSON.stringify([store.timezone, store.business_hours, store.holiday_country, store.extra_holidays, marketDays]);
  const remember = (cal: BusinessCalendar) =>
    calendarOf.set(store, { timezone: store.timezone, business_hours: store.business_hours, holiday_country: store.holiday_country, extra_holidays: store.extra_holidays, market, cal });
  const hit = calendars.get(store.id);
  if (hit && hit.key === key) {
    remember(hit.cal);
    return hit.cal;
  }
  const cal = calendarForStore({
    timezone: store.timezone,
    businessHours: store.business_hours,
    holidayCountry: store.holiday_country,
    extraHolidays: [...(store.extra_holidays ?? []), ...marketDays],
  });
  calendars.set(store.id, { key, cal });
  remember(cal);
  return cal;
}

const policyCache = new Map<string, { at: number; policies: Record<Priority, SlaPolicy> }>();
const POLICY_TTL_MS = 5_000;

export async function policiesFor(db: Kysely<DB>, storeId: string): Promise<Record<Priority, SlaPolicy>> {
  const hit = policyCache.get(storeId);
  if (hit && Date.now() - hit.at < POLICY_TTL_MS) return hit.policies;
  const policies = await slaPolicies(db, storeId);
  policyCache.set(storeId, { at: Date.now(), policies });
  return policies;
}

export function forgetPolicies(storeId?: string): void {
  if (storeId) policyCache.delete(storeId);
  else policyCache.clear();
}

export type SlaFields = Pick<
  Ticket,
  | 'first_response_due_at'
  | 'next_response_due_at'
  | 'resolution_due_at'
  | 'resolution_remaining_minutes'
  | 'sla_due_at'
  | 'first_responded_at'
  | 'status'
  | 'created_at'
  | 'priority'
>;

/** The earliest clock still running: what the inbox sorts by. */
export function nextDue(t: Pick<SlaFields, 'first_response_due_at' | 'next_response_due_at' | 'resolution_due_at' | 'first_responded_at' | 'status'>): Date | null {
  if (t.status === 'solved' || t.status === 'closed') return null;
  const candidates: Date[] = [];
  if (!t.first_responded_at && t.first_response_due_at) candidates.push(t.first_response_due_at);
  if (t.next_response_due_at) candidates.push(t.next_response_due_at);
  if (t.status !== 'pending' && t.resolution_due_at) candidates.push(t.resolution_due_at);
  if (!candidates.length) return null;
  return new Date(Math.min(...candidates.map((d) => d.getTime())));
}

/** Due times for a new ticket. */
export function initialDueTimes(createdAt: Date, policy: SlaPolicy, cal: BusinessCalendar) {
  const first = addBusinessMinutes(createdAt, policy.firstResponseMinutes, cal);
  const resolution = addBusinessMinutes(createdAt, policy.resolutionMinutes, cal);
  return { first_response_due_at: first, resolution_due_at: resolution };
}

/**
 * The SLA columns to write when a ticket's status changes: entering `pending` stores the
 * remaining business minutes of the resolution clock and stops it; leaving `pending`
 * restarts it from now with what remained.
 */
export function onStatusChange(t: SlaFields, to: TicketStatus, now: Date, cal: BusinessCalendar): Partial<Ticket> {
  const from = t.status;
  const out: Partial<Ticket> = {};
  if (to === 'pending' && from !== 'pending') {
    if (t.resolution_due_at) out.resolution_remaining_minutes = Math.round(businessMinutesBetween(now, t.resolution_due_at, cal));
    // waiting on the customer: no reply is owed
    out.next_response_due_at = null;
  } else if (from === 'pending' && to !== 'pending') {
    if (t.resolution_remaining_minutes !== null) {
      out.resolution_due_at = addBusinessMinutes(now, Math.max(0, t.resolution_remaining_minutes), cal);
      out.resolution_remaining_minutes = null;
    }
  }
  if (to === 'solved' || to === 'closed') {
    out.next_response_due_at = null;
  }
  return out;
}

/**
 * Due times after a priority change. First response (never paused) is re-evaluated from
 * the ticket's creation; the resolution clock moves by the difference between the old and
 * the new target, so business time spent pending stays credited.
 */
export function onPriorityChange(t: SlaFields, from: SlaPolicy, to: SlaPolicy, cal: BusinessCalendar): Partial<Ticket> {
  const out: Partial<Ticket> = {};
  if (!t.first_responded_at) out.first_response_due_at = addBusinessMinutes(t.created_at, to.firstResponseMinutes, cal);
  const diff = to.resolutionMinutes - from.resolutionMinutes;
  out.resolution_due_at = t.resolution_due_at ? addBusinessMinutes(t.resolution_due_at, diff, cal) : addBusinessMinutes(t.created_at, to.resolutionMinutes, cal);
  if (t.status === 'pending' && t.resolution_remaining_minutes !== null) {
    // the clock stays stopped; what remains grows or shrinks with the target
    out.resolution_remaining_minutes = t.resolution_remaining_minutes + diff;
  }
  return out;
}

export interface SlaView {
  firstResponseDueAt: string | null;
  nextResponseDueAt: string | null;
  resolutionDueAt: string | null;
  dueAt: string | null;
  paused: boolean;
  warning: boolean;
  breached: boolean;
  breaches: Array<'first_response' | 'next_response' | 'resolution'>;
}

export const WARN_BEFORE_MS = 30 * 60_000;

export function slaView(
  t: SlaFields & Pick<Ticket, 'first_response_breached' | 'next_response_breached' | 'resolution_breached'>,
  now: Date,
): SlaView {
  const breaches: SlaView['breaches'] = [];
  const done = t.status === 'solved' || t.status === 'closed';
  if (t.first_response_breached || (!t.first_responded_at && !done && t.first_response_due_at && t.first_response_due_at <= now)) {
    breaches.push('first_response');
  }
  if (t.next_response_breached || (!done && t.next_response_due_at && t.next_response_due_at <= now)) breaches.push('next_response');
  if (t.resolution_breached || (!done && t.status !== 'pending' && t.resolution_due_at && t.resolution_due_at <= now)) {
    breaches.push('resolution');
  }
  const due = nextDue(t);
  const active = due !== null && due > now;
  return {
    firstResponseDueAt: t.first_responded_at ? null : (t.first_response_due_at?.toISOString() ?? null),
    nextResponseDueAt: t.next_response_due_at?.toISOString() ?? null,
    resolutionDueAt: t.resolution_due_at?.toISOString() ?? null,
    dueAt: due?.toISOString() ?? null,
    paused: t.status === 'pending',
    warning: active && due.getTime() - now.getTime() <= WARN_BEFORE_MS,
    breached: breaches.length > 0,
    breaches,
  };
}
