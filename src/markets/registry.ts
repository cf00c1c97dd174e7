/**
 * The effective market rules: the YAML files merged with trainers' edits (overrides kept in
 * the database, see overrides.ts), held in memory so `getMarket(code)` stays synchronous.
 *
 * One registry per app. Several apps can live in one process (tests start many, each on its
 * own database), so the registry in force is carried by an AsyncLocalStorage: the app enters
 * its registry for each request (an onRequest and a preHandler hook) and runtime.ts runs the
 * job runner and the e-mail channel inside it; code outside any app (CLI, unit tests) sees
 * the YAML files alone. An edit on one app never shows in another app's requests. A process
 * with a single app (a server) skips the entering: its registry is the one in force
 * (`openAppRegistry`), and the AsyncLocalStorage stays off.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { calendarForStore, forgetCalendar, type BusinessCalendar } from './calendar.ts';
import { loadMarkets, marketToInput, MarketFileError, validateMarket, type Market, type MarketInput } from './model.ts';
import { notFound, validationError } from '../core/errors.ts';

// ---------------------------------------------------------------------------------------
// Editable fields

/** What a trainer may edit, each a dotted path in the file's shape. */
export const EDITABLE_FIELDS = [
  'consumer.withdrawal',
  'consumer.legalGuarantee',
  'consumer.returnShipping',
  'consumer.refund',
  'consumer.restockingFee',
  'businessHours',
  'extraHolidays',
  'culture.address',
  'culture.en',
  'culture.zh',
  'peaks',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** Overridden fields and their values (in the file's shape), as stored. */
export type OverrideRules = Partial<Record<EditableField, unknown>>;

/** Fields whose change moves business time (calendars must be rebuilt). */
const CALENDAR_FIELDS: readonly EditableField[] = ['businessHours', 'extraHolidays'];

function getPath(o: MarketInput, field: string): unknown {
  let cur: unknown = o;
  for (const k of field.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function setPath(o: MarketInput, field: string, value: unknown): void {
  const keys = field.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as MarketInput;
  }
  cur[keys[keys.length - 1]] = value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A field's value in a market, in the file's shape. */
export function fieldValue(m: Market, field: EditableField): unknown {
  return getPath(marketToInput(m), field);
}

/**
 * `base` with `rules` merged in, validated by the same validator as the files. A mistake is
 * a 400 naming the field (`consumer.withdrawal.days`), not the file.
 */
export function mergeMarket(base: Market, rules: OverrideRules): Market {
  const input = marketToInput(base);
  for (const f of EDITABLE_FIELDS) if (rules[f] !== undefined) setPath(input, f, structuredClone(rules[f]));
  try {
    return validateMarket(input, base.file);
  } catch (e) {
    if (e instanceof MarketFileError) throw validationError(`${base.code}: ${e.field ? `${e.field} ` : ''}${e.problem}`, { field: e.field, market: base.code });
    throw e;
  }
}

/**
 * The overrides that make `effective` out of `base`: only fields that differ, each in the
 * validated (canonical) form, so an edit back to the file's value is no override at all.
 */
export function overridesBetween(base: Market, effective: Market): OverrideRules {
  const a = marketToInput(base);
  const b = marketToInput(effective);
  const out: OverrideRules = {};
  for (const f of EDITABLE_FIELDS) if (!same(getPath(a, f), getPath(b, f))) out[f] = getPath(b, f);
  return out;
}

/** The fields whose values differ between two markets. */
export function changedFields(a: Market, b: Market): EditableField[] {
  return Object.keys(overridesBetween(a, b)) as EditableField[];
}

// ---------------------------------------------------------------------------------------
// The YAML files (shared by every registry: they are the same files)

let yamlCache: Map<string, Market> | null = null;

/** The markets as the files say (loaded once; `reloadYamlMarkets` after a file changed). */
export function yamlMarkets(): Map<string, Market> {
  yamlCache ??= loadMarkets();
  return yamlCache;
}

export function reloadYamlMarkets(): void {
  yamlCache = null;
}

// ---------------------------------------------------------------------------------------
// Registry

export interface OverrideState {
  code: string;
  rules: OverrideRules;
  version: number;
  updatedAt: Date | null;
  updatedBy: { id: string | null; name: string | null } | null;
}

export class MarketRegistry {
  private overrides = new Map<string, OverrideState>();
  private effective = new Map<string, Market>();
  /** Which YAML load `effective` was built from (a reload of the files rebuilds it). */
  private builtFrom: Map<string, Market> | null = null;
  /** Overrides that no longer merge (the file changed under them): the file applies. */
  readonly problems = new Map<string, string>();
  private calendars = new WeakMap<Market, Map<string, BusinessCalendar>>();

  private base(): Map<string, Market> {
    const y = yamlMarkets();
    if (y !== this.builtFrom) {
      this.builtFrom = y;
      this.effective.clear();
      this.problems.clear();
    }
    return y;
  }

  /** The YAML market (no edits), or not_found. */
  fileMarket(code: string): Market {
    const m = this.base().get(code.trim().toUpperCase());
    if (!m) throw notFound('Market', code);
    return m;
  }

  /** The effective market (file + edits); not_found when there is no file for the code. */
  get(code: string): Market {
    const c = code.trim().toUpperCase();
    const base = this.base();
    const hit = this.effective.get(c);
    if (hit) return hit;
    const file = base.get(c);
    if (!file) throw notFound('Market', code);
    const o = this.overrides.get(c);
    let m = file;
    if (o && Object.keys(o.rules).length) {
      try {
        m = mergeMarket(file, o.rules);
      } catch (e) {
        this.problems.set(c, (e as Error).message);
      }
    }
    this.effective.set(c, m);
    return m;
  }

  list(): Market[] {
    return [...this.base().keys()].map((c) => this.get(c));
  }

  /** Version, edited fields and who edited last (version 0: never edited). */
  state(code: string): OverrideState {
    const c = code.trim().toUpperCase();
    return this.overrides.get(c) ?? { code: c, rules: {}, version: 0, updatedAt: null, updatedBy: null };
  }

  /** Fields of the effective market that differ from the file. */
  overridden(code: string): EditableField[] {
    const c = code.trim().toUpperCase();
    return changedFields(this.fileMarket(c), this.get(c));
  }

  /**
   * Take a stored override (or its absence). Ignores a state older than the one held, so
   * reloads that finish out of order never go back in time. Returns whether it applied.
   */
  apply(state: OverrideState): boolean {
    const c = state.code.toUpperCase();
    const held = this.overrides.get(c);
    if (held && held.version > state.version) return false;
    if (held && held.version === state.version && same(held.rules, state.rules)) return false;
    const before = this.effective.get(c);
    this.overrides.set(c, { ...state, code: c });
    this.effective.delete(c);
    this.problems.delete(c);
    if (before) {
      const after = this.get(c);
      if (CALENDAR_FIELDS.some((f) => !same(fieldValue(before, f), fieldValue(after, f)))) this.dropCalendars(before);
    }
    return true;
  }

  /**
   * The market's business calendar, built once per effective market and years: SLA-style
   * memos (compiled hours, due times per start minute) live on the calendar object, so an
   * edit of hours or holidays, which makes a new effective market, also drops them.
   */
  calendar(code: string, years?: number[]): BusinessCalendar {
    const m = this.get(code);
    let byYears = this.calendars.get(m);
    if (!byYears) this.calendars.set(m, (byYears = new Map()));
    const key = years ? years.join(',') : `now:${new Date().getUTCFullYear()}`;
    let cal = byYears.get(key);
    if (!cal) {
      cal = buildCalendar(m, years);
      byYears.set(key, cal);
    }
    return cal;
  }

  private dropCalendars(m: Market): void {
    const byYears = this.calendars.get(m);
    if (!byYears) return;
    for (const cal of byYears.values()) forgetCalendar(cal);
    this.calendars.delete(m);
  }
}

export function buildCalendar(m: Market, years?: number[]): BusinessCalendar {
  return calendarForStore({
    timezone: m.timezone,
    businessHours: m.businessHours,
    holidayCountry: m.holidayCountry,
    extraHolidays: m.extraHolidays.map((h) => h.date),
    years,
  });
}

// ---------------------------------------------------------------------------------------
// Which registry is in force

const context = new AsyncLocalStorage<MarketRegistry>();
const filesOnly = new MarketRegistry();
/** The registries of the apps open in this process (openMarketService adds and removes them). */
const appRegistries = new Set<MarketRegistry>();

/**
 * An app opened its registry in this process. While it is the only one (a server process:
 * `crossdesk serve`, each worker of `serve --workers`), it is in force everywhere in the
 * process without entering it, so the AsyncLocalStorage is never switched on: once it is,
 * Node runs its hooks for every promise the process creates, which cost ~0.1 ms of CPU per
 * request on the ticket intake path. With two or more apps (tests start many in one
 * process) each enters its registry (`needsEntering`), and code outside any app sees the
 * files alone. Returns the release (when the app closes).
 */
export function openAppRegistry(registry: MarketRegistry): () => void {
  appRegistries.add(registry);
  return () => void appRegistries.delete(registry);
}

/** Whether an app's requests and jobs must enter its registry: another app is open in this process. */
export function needsEntering(registry: MarketRegistry): boolean {
  return !(appRegistries.size === 1 && appRegistries.has(registry));
}

/**
 * The registry of the app handling this request or job; the only app's outside them
 * (a process with one app); the files alone outside any app when several are open (or none).
 */
export function currentMarkets(): MarketRegistry {
  const entered = context.getStore();
  if (entered) return entered;
  if (appRegistries.size === 1) for (const only of appRegistries) return only;
  return filesOnly;
}

/** Run `fn` (and everything it starts) with `registry` in force. */
export function withMarkets<T>(registry: MarketRegistry, fn: () => T): T {
  return context.run(registry, fn);
}
