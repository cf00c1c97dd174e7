/**
 * Trainers' edits of market rules, stored (migration 0015) and applied to the app's
 * registry. The database is the truth: an edit is checked against the stored version
 * (optimistic concurrency), merged with the file and validated by the files' validator in
 * one transaction, written with its history row, then put into this node's registry and
 * announced on the event bus (`market.changed`) so every other node reloads the market
 * from the database. A node that hears about a market reloads it from its own database,
 * so an event from another deployment (or another test's database on the same channel)
 * only costs a read.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import type { EventBus } from '../core/events.ts';
import type { Clock } from '../core/clock.ts';
import { AppError, validationError } from '../core/errors.ts';
import { uuidv7 } from '../core/ids.ts';
import { changedFields, EDITABLE_FIELDS, fieldValue, mergeMarket, MarketRegistry, needsEntering, openAppRegistry, overridesBetween, withMarkets, type EditableField, type OverrideRules, type OverrideState } from './registry.ts';
import type { Market } from './model.ts';

export interface Editor {
  id: string | null;
  name: string | null;
}

export interface MarketChange {
  /** Fields whose effective value changed (empty: nothing to do, nothing written). */
  changed: EditableField[];
  state: OverrideState;
}

type Row = Selectable<DB['market_overrides']>;

function toState(row: Row): OverrideState {
  const rules: OverrideRules = {};
  for (const f of EDITABLE_FIELDS) if (row.rules[f] !== undefined) rules[f] = row.rules[f];
  return { code: row.code, rules, version: row.version, updatedAt: new Date(row.updated_at), updatedBy: row.updated_by || row.updated_by_name ? { id: row.updated_by, name: row.updated_by_name } : null };
}

const COLUMNS = ['code', 'rules', 'version', 'updated_by', 'updated_by_name', 'updated_at'] as const;

/** Every stored override. */
export async function loadOverrides(db: Kysely<DB>): Promise<OverrideState[]> {
  const rows = await db.selectFrom('market_overrides').select(COLUMNS).orderBy('code').execute();
  return rows.map((r) => toState(r));
}

/** One market's stored override, or null when it was never edited. */
export async function loadOverride(db: Kysely<DB> | Transaction<DB>, code: string, forUpdate = false): Promise<OverrideState | null> {
  let q = db.selectFrom('market_overrides').select(COLUMNS).where('code', '=', code.toUpperCase());
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toState(row) : null;
}

function pick(m: Market, fields: readonly EditableField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, fieldValue(m, f)]));
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || (e instanceof Error && /duplicate key value|unique constraint/i.test(e.message));
}

function conflict(code: string, current: OverrideState | null, sent: number): AppError {
  const who = current?.updatedBy?.name ? ` by ${current.updatedBy.name}` : '';
  return new AppError('version_conflict', `Market ${code} was changed${who} since version ${sent} (now version ${current?.version ?? 0}); reload it and apply your change again`, {
    field: 'version',
    currentVersion: current?.version ?? 0,
    updatedAt: current?.updatedAt?.toISOString() ?? null,
    updatedBy: current?.updatedBy ?? null,
  });
}

/** The effective market for a stored state (the file when the state no longer merges). */
function effectiveOf(file: Market, state: OverrideState | null): Market {
  if (!state || Object.keys(state.rules).length === 0) return file;
  try {
    return mergeMarket(file, state.rules);
  } catch {
    return file;
  }
}

export interface OverrideDeps {
  db: Kysely<DB>;
  clock: Clock;
  markets: MarketService;
}

/**
 * Edit a market: `fields` replace those fields (each whole, in the file's shape) on top of
 * the current edits. `version` must be the one the editor read (0 for a market never
 * edited), else 409 `version_conflict`. A field set back to the file's value stops being an
 * override. Returns what changed; nothing is written when nothing changes.
 */
export async function editMarket(deps: OverrideDeps, code: string, input: { version: number; fields: OverrideRules }, editor: Editor): Promise<MarketChange> {
  const file = deps.markets.registry.fileMarket(code);
  const c = file.code;
  const unknown = Object.keys(input.fields).filter((f) => !(EDITABLE_FIELDS as readonly string[]).includes(f));
  if (unknown.length) throw validationError(`${unknown.join(', ')} cannot be edited`, { field: unknown[0] });
  if (!Object.values(input.fields).some((v) => v !== undefined)) {
    throw validationError(`Nothing to change: send at least one of consumer, businessHours, extraHolidays, culture, peaks`, { field: 'body' });
  }
  let result: MarketChange;
  try {
    result = await deps.db.transaction().execute(async (tx) => {
      const current = await loadOverride(tx, c, true);
      if ((current?.version ?? 0) !== input.version) throw conflict(c, current, input.version);
      const before = effectiveOf(file, current);
      const after = mergeMarket(file, { ...(current?.rules ?? {}), ...input.fields });
      const changed = changedFields(before, after);
      if (!changed.length) return { changed, state: current ?? { code: c, rules: {}, version: 0, updatedAt: null, updatedBy: null } };
      const rules = overridesBetween(file, after);
      const version = input.version + 1;
      const now = deps.clock.now();
      if (current) {
        const res = await tx
          .updateTable('market_overrides')
          .set({ rules: JSON.stringify(rules), version, updated_by: editor.id, updated_by_name: editor.name, updated_at: now })
          .where('code', '=', c)
          .where('version', '=', input.version)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw conflict(c, await loadOverride(tx, c), input.version);
      } else {
        await tx.insertInto('market_overrides').values({ code: c, rules: JSON.stringify(rules), version, updated_by: editor.id, updated_by_name: editor.name, updated_at: now }).execute();
      }
      await tx
        .insertInto('market_override_history')
        .values({ id: uuidv7(), code: c, version, action: 'edit', changed, before: JSON.stringify(pick(before, changed)), after: JSON.stringify(pick(after, changed)), actor_id: editor.id, actor_name: editor.name, created_at: now })
        .execute();
      return { changed, state: { code: c, rules, version, updatedAt: now, updatedBy: editor } };
    });
  } catch (e) {
    // two first edits at once: the second insert hits the primary key
    if (isUniqueViolation(e)) throw conflict(c, await loadOverride(deps.db, c), input.version);
    throw e;
  }
  if (result.changed.length) await deps.markets.changed(result.state);
  return result;
}

/**
 * Back to the file: every edit of the market is dropped (one history row, `revert`). With
 * `version`, 409 when someone saved since. Nothing happens when the market has no edits.
 */
export async function revertMarket(deps: OverrideDeps, code: string, input: { version?: number }, editor: Editor): Promise<MarketChange> {
  const file = deps.markets.registry.fileMarket(code);
  const c = file.code;
  let wrote = false;
  const result = await deps.db.transaction().execute(async (tx): Promise<MarketChange> => {
    const current = await loadOverride(tx, c, true);
    if (input.version !== undefined && (current?.version ?? 0) !== input.version) throw conflict(c, current, input.version);
    if (!current || Object.keys(current.rules).length === 0) return { changed: [], state: current ?? { code: c, rules: {}, version: 0, updatedAt: null, updatedBy: null } };
    const before = effectiveOf(file, current);
    const changed = changedFields(before, file);
    const version = current.version + 1;
    const now = deps.clock.now();
    await tx.updateTable('market_overrides').set({ rules: '{}', version, updated_by: editor.id, updated_by_name: editor.name, updated_at: now }).where('code', '=', c).execute();
    await tx
      .insertInto('market_override_history')
      .values({ id: uuidv7(), code: c, version, action: 'revert', changed, before: JSON.stringify(pick(before, changed)), after: JSON.stringify(pick(file, changed)), actor_id: editor.id, actor_name: editor.name, created_at: now })
      .execute();
    wrote = true;
    return { changed, state: { code: c, rules: {}, version, updatedAt: now, updatedBy: editor } };
  });
  if (wrote) await deps.markets.changed(result.state);
  return result;
}

export interface HistoryEntry {
  version: number;
  action: 'edit' | 'revert';
  changed: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  actor: { id: string | null; name: string | null } | null;
  at: string;
}

/** A market's changes, newest first. */
export async function marketHistory(db: Kysely<DB>, code: string, opts: { limit?: number; beforeVersion?: number } = {}): Promise<HistoryEntry[]> {
  let q = db
    .selectFrom('market_override_history')
    .select(['version', 'action', 'changed', 'before', 'after', 'actor_id', 'actor_name', 'created_at'])
    .where('code', '=', code.toUpperCase())
    .orderBy('version', 'desc')
    .limit(Math.min(Math.max(opts.limit ?? 50, 1), 200));
  if (opts.beforeVersion !== undefined) q = q.where('version', '<', opts.beforeVersion);
  const rows = await q.execute();
  return rows.map((r) => ({
    version: r.version,
    action: r.action,
    changed: r.changed,
    before: r.before,
    after: r.after,
    actor: r.actor_id || r.actor_name ? { id: r.actor_id, name: r.actor_name } : null,
    at: new Date(r.created_at).toISOString(),
  }));
}

// ---------------------------------------------------------------------------------------
// The app's market service: its registry, loaded at start and kept fresh by the bus

export interface MarketService {
  readonly registry: MarketRegistry;
  /** This node changed a market: take it and tell the other nodes. */
  changed(state: OverrideState): Promise<void>;
  /** Read one market's override from the database again (on an event from another node). */
  reload(code: string): Promise<void>;
  /** Reloads still running (tests wait for them). */
  settled(): Promise<void>;
  /**
   * Fastify hook (onRequest / preHandler): runs the rest of the request with this registry
   * (entered only when other apps are open in the process, see registry.ts openAppRegistry).
   */
  hook(req: unknown, reply: unknown, done: () => void): void;
  /**
   * Run `fn` and what it starts (jobs, SMTP sessions) with this registry. Alone in its
   * process the registry is in force anyway and `fn` just runs; what it started would see
   * the files alone if another app opened in the process later (never that app's edits).
   */
  run<T>(fn: () => T): T;
  close(): void;
}

export async function openMarketService(deps: { db: Kysely<DB>; bus: EventBus }): Promise<MarketService> {
  const registry = new MarketRegistry();
  for (const state of await loadOverrides(deps.db)) {
    try {
      registry.fileMarket(state.code);
    } catch {
      continue; // an edit of a market whose file is gone
    }
    registry.apply(state);
  }
  const release = openAppRegistry(registry);
  const pending = new Set<Promise<void>>();
  const reload = async (code: string): Promise<void> => {
    const state = await loadOverride(deps.db, code);
    if (state) registry.apply(state);
  };
  const unsubscribe = deps.bus.subscribe((e) => {
    if (e.type !== 'market.changed' || typeof e.market !== 'string' || !/^[A-Z]{2}$/.test(e.market)) return;
    const held = registry.state(e.market).version;
    if (typeof e.version === 'number' && e.version <= held) return; // our own edit, or older news
    const p = reload(e.market)
      .catch(() => undefined)
      .finally(() => pending.delete(p));
    pending.add(p);
  });
  return {
    registry,
    async changed(state) {
      registry.apply(state);
      try {
        await deps.bus.publish({ type: 'market.changed', ticketId: '', market: state.code, version: state.version, at: new Date().toISOString() });
      } catch {
        // a failed publish never fails a write: other nodes catch up at their next start
      }
    },
    reload,
    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
    hook(_req, _reply, done) {
      // the only app of the process: its registry is in force without entering it
      if (needsEntering(registry)) withMarkets(registry, done);
      else done();
    },
    run: (fn) => (needsEntering(registry) ? withMarkets(registry, fn) : fn()),
    close() {
      unsubscribe();
      release();
    },
  };
}
