/**
 * The drill sandbox: a private copy of the tau2 retail database. The initial database is
 * deep-frozen and shared; a sandbox copies a record (one user, one order, one product) the
 * first time a tool writes to it, so a sandbox costs nothing until it is written to and
 * behaves exactly like a deep copy of the whole database.
 */
import { createHash } from 'node:crypto';
import type { Tau2Collection, Tau2Db, Tau2Order, Tau2Product, Tau2User } from './types.ts';
import type { Tau2ToolCall } from './tools.ts';

const COLLECTIONS: readonly Tau2Collection[] = ['products', 'users', 'orders'];

/** Process rules (policy.md) the sandbox enforces on top of the tools' own checks. */
export interface Tau2SessionOptions {
  /** Refuse user data (user, orders, writes) until the user is found by email or name + zip. Default true. */
  requireAuth?: boolean;
  /**
   * Refuse a write unless the customer's explicit yes was recorded (`confirmWrite`) since the
   * last write. Default true; replay treats every replayed write as confirmed.
   */
  requireConfirmation?: boolean;
  /** Start already authenticated as this user (tasks whose gold actions skip the lookup). */
  authenticatedUserId?: string | null;
}

export interface Tau2Session {
  requireAuth: boolean;
  requireConfirmation: boolean;
  authenticatedUserId: string | null;
  /** The customer said yes to the write about to be made (one write per yes). */
  confirmed: boolean;
  /** transfer_to_human_agents was called: the conversation is over. */
  transferred: boolean;
  /** Every call, in order, with its outcome. */
  log: Tau2ToolCall[];
  /** Process rules broken (each also refused the call that broke it). */
  violations: string[];
}

export interface Tau2Sandbox {
  /** The shared, frozen initial database. Never written. */
  readonly base: Readonly<Tau2Db>;
  /** Records this sandbox has written: they shadow the base. */
  readonly changed: { [C in Tau2Collection]: Map<string, Tau2Db[C][string]> };
  readonly session: Tau2Session;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * A new sandbox over `db`. A frozen database (as `loadTau2` returns) is shared; any other
 * is copied once and frozen, so later changes by the caller cannot leak in.
 */
export function createSandbox(db: Readonly<Tau2Db>, options: Tau2SessionOptions = {}): Tau2Sandbox {
  const base = Object.isFrozen(db) ? db : deepFreeze(structuredClone(db) as Tau2Db);
  return {
    base,
    changed: { products: new Map(), users: new Map(), orders: new Map() },
    session: {
      requireAuth: options.requireAuth ?? true,
      requireConfirmation: options.requireConfirmation ?? true,
      authenticatedUserId: options.authenticatedUserId ?? null,
      confirmed: false,
      transferred: false,
      log: [],
      violations: [],
    },
  };
}

/** Records the customer's explicit yes: the next write may proceed. */
export function confirmWrite(sandbox: Tau2Sandbox): void {
  sandbox.session.confirmed = true;
}

function readRecord<C extends Tau2Collection>(sb: Tau2Sandbox, c: C, id: string): Tau2Db[C][string] | undefined {
  const own = sb.changed[c].get(id);
  if (own !== undefined) return own as Tau2Db[C][string];
  return Object.hasOwn(sb.base[c], id) ? (sb.base[c][id] as Tau2Db[C][string]) : undefined;
}

/** The current record, read-only (it may be the frozen base). */
export const readUser = (sb: Tau2Sandbox, id: string): Readonly<Tau2User> | undefined => readRecord(sb, 'users', id);
export const readOrder = (sb: Tau2Sandbox, id: string): Readonly<Tau2Order> | undefined => readRecord(sb, 'orders', id);
export const readProduct = (sb: Tau2Sandbox, id: string): Readonly<Tau2Product> | undefined =>
  readRecord(sb, 'products', id);

function writableRecord<C extends Tau2Collection>(sb: Tau2Sandbox, c: C, id: string): Tau2Db[C][string] {
  const own = sb.changed[c].get(id);
  if (own !== undefined) return own as Tau2Db[C][string];
  const rec = readRecord(sb, c, id);
  if (rec === undefined) throw new Error(`${c} ${id} does not exist`);
  const copy = structuredClone(rec) as Tau2Db[C][string];
  (sb.changed[c] as Map<string, Tau2Db[C][string]>).set(id, copy);
  return copy;
}

/** The sandbox's own copy of a record, to change (call only once every check passed). */
export const writableUser = (sb: Tau2Sandbox, id: string): Tau2User => writableRecord(sb, 'users', id);
export const writableOrder = (sb: Tau2Sandbox, id: string): Tau2Order => writableRecord(sb, 'orders', id);

/** Ids of every record of a collection (base order; the tools never create records). */
export function recordIds(sb: Tau2Sandbox, c: Tau2Collection): string[] {
  const ids = Object.keys(sb.base[c]);
  for (const id of sb.changed[c].keys()) if (!Object.hasOwn(sb.base[c], id)) ids.push(id);
  return ids;
}

export function* iterateRecords<C extends Tau2Collection>(
  sb: Tau2Sandbox,
  c: C,
): Generator<Readonly<Tau2Db[C][string]>> {
  for (const id of recordIds(sb, c)) yield readRecord(sb, c, id) as Tau2Db[C][string];
}

/** The whole database as this sandbox sees it: a plain, mutable deep copy. */
export function snapshotDb(sb: Tau2Sandbox): Tau2Db {
  const db = structuredClone(sb.base) as Tau2Db;
  for (const c of COLLECTIONS) {
    for (const [id, rec] of sb.changed[c]) (db[c] as Record<string, unknown>)[id] = structuredClone(rec);
  }
  return db;
}

// ---------------------------------------------------------------------------------------
// Stable hash and differences

/** JSON with object keys sorted at every level: equal data gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const baseHashes = new WeakMap<object, Map<string, string>>();

function baseRecordHashes(base: Readonly<Tau2Db>): Map<string, string> {
  let m = baseHashes.get(base);
  if (!m) {
    m = new Map();
    for (const c of COLLECTIONS) {
      for (const id of Object.keys(base[c]).sort()) m.set(`${c}/${id}`, sha256(canonicalJson(base[c][id])));
    }
    baseHashes.set(base, m);
  }
  return m;
}

/**
 * SHA-256 of the whole database (every record, keys sorted): equal for two sandboxes exactly
 * when their databases are deep-equal. Only changed records are hashed again.
 */
export function dbHash(sb: Tau2Sandbox): string {
  const perRecord = new Map(baseRecordHashes(sb.base));
  for (const c of COLLECTIONS) {
    for (const [id, rec] of sb.changed[c]) perRecord.set(`${c}/${id}`, sha256(canonicalJson(rec)));
  }
  const h = createHash('sha256');
  for (const key of [...perRecord.keys()].sort()) h.update(`${key}:${perRecord.get(key)}\n`);
  return h.digest('hex');
}

export interface Tau2Difference {
  collection: Tau2Collection;
  id: string;
  /** Path inside the record, e.g. `items[1].item_id` ('' = the whole record). */
  path: string;
  expected: unknown;
  actual: unknown;
}

const ABSENT = Symbol('absent');

function diffValues(expected: unknown, actual: unknown, path: string, out: { path: string; e: unknown; a: unknown }[]) {
  if (out.length >= 20) return;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      diffValues(i < expected.length ? expected[i] : ABSENT, i < actual.length ? actual[i] : ABSENT, `${path}[${i}]`, out);
    }
    return;
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    // `status` first: for a missing or wrong write it says the most.
    const order = (k: string) => (k === 'status' ? `\u0000${k}` : k);
    for (const k of [...keys].sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0))) {
      const e = Object.hasOwn(expected, k) && expected[k] !== undefined ? expected[k] : ABSENT;
      const a = Object.hasOwn(actual, k) && actual[k] !== undefined ? actual[k] : ABSENT;
      diffValues(e, a, path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (expected === actual) return;
  if (typeof expected === 'object' || typeof actual === 'object') {
    if (canonicalJson(expected) === canonicalJson(actual)) return;
  }
  out.push({ path, e: expected, a: actual });
}

/** Where two sandboxes' databases differ (only records either one changed can differ). */
export function diffSandboxes(expected: Tau2Sandbox, actual: Tau2Sandbox, limit = 20): Tau2Difference[] {
  const diffs: Tau2Difference[] = [];
  // orders first: the record the agent acted on says most about what went wrong
  for (const c of ['orders', 'users', 'products'] as const) {
    const ids = new Set([...expected.changed[c].keys(), ...actual.changed[c].keys()]);
    for (const id of [...ids].sort()) {
      const e = readRecord(expected, c, id);
      const a = readRecord(actual, c, id);
      const found: { path: string; e: unknown; a: unknown }[] = [];
      diffValues(e ?? ABSENT, a ?? ABSENT, '', found);
      for (const f of found) {
        diffs.push({ collection: c, id, path: f.path, expected: f.e === ABSENT ? undefined : f.e, actual: f.a === ABSENT ? undefined : f.a });
        if (diffs.length >= limit) return diffs;
      }
    }
  }
  return diffs;
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const SINGULAR: Record<Tau2Collection, string> = { products: 'product', users: 'user', orders: 'order' };

/** One line per difference: `order #W… differs: items[1].item_id expected "…" got "…"`. */
export function describeDifference(d: Tau2Difference): string {
  const where = d.path ? `${d.path} ` : '';
  return `${SINGULAR[d.collection]} ${d.id} differs: ${where}expected ${show(d.expected)} got ${show(d.actual)}`;
}
