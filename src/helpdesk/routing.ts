import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { AgentLanguage, CertificationLevel, DB, PresenceState, Priority, TicketStatus, User } from '../db/types.ts';
import type { DatabaseKind } from '../db/index.ts';
import type { Clock } from '../core/clock.ts';
import type { DomainEvent } from '../core/events.ts';
import { enqueueJob, type JobHandler } from '../core/jobs.ts';
import { notFound, validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { CERTIFICATION_LEVELS } from '../people/users.ts';
import { updateTicket, type IntakeFacts, type IntakeResult, type TicketDeps } from './tickets.ts';
import { systemActor, type Actor } from './visibility.ts';

/**
 * Skills-based routing. A new or reopened ticket goes to an agent who is on shift, reads
 * the ticket's language, knows its category and is certified for high-risk tickets,
 * least loaded first and round-robin among equals. When nobody fits, the ticket waits
 * unassigned in the team queue and `assignWaiting` hands it out the moment someone fits.
 * Every decision is written to the ticket's event trail as a `routed` event with the rule
 * and every candidate considered (and why each was or was not eligible).
 */

export interface RoutingDeps extends TicketDeps {
  /** On PostgreSQL, routing decisions of several app nodes serialise on an advisory lock. */
  dbKind?: DatabaseKind;
}

// ---------------------------------------------------------------------------------------
// Rules

export const PROFICIENCIES: readonly AgentLanguage['proficiency'][] = ['basic', 'working', 'fluent', 'native'];

export interface RoutingSettings {
  /** Assign automatically at all (off: tickets wait for a manual assignment). */
  enabled: boolean;
  /** Only agents who read the ticket's language (when it is known). */
  requireLanguage: boolean;
  minProficiency: AgentLanguage['proficiency'];
  /** Only agents with the ticket's category among their skills… */
  requireSkill: boolean;
  /** …unless none of them is available: then any agent who matches the language. */
  skillFallback: boolean;
  /** High-risk tickets (urgent and/or angry) only to agents of this level or above. */
  highRiskMinLevel: CertificationLevel;
  highRiskUrgent: boolean;
  highRiskAngry: boolean;
  /** Never give an agent more open tickets than their max load. */
  respectMaxLoad: boolean;
  /** The team that serves these tickets (its agents only; the ticket waits in its queue). */
  teamId: string | null;
}

export const DEFAULT_SETTINGS: RoutingSettings = {
  enabled: true,
  requireLanguage: true,
  minProficiency: 'working',
  requireSkill: true,
  skillFallback: true,
  highRiskMinLevel: 'L2',
  highRiskUrgent: true,
  highRiskAngry: true,
  respectMaxLoad: true,
  teamId: null,
};

export interface RoutingRuleJson {
  scope: string;
  storeId: string | null;
  storeName: string | null;
  settings: RoutingSettings;
  updatedAt: string;
  updatedBy: string | null;
}

const BOOL_KEYS = ['enabled', 'requireLanguage', 'requireSkill', 'skillFallback', 'highRiskUrgent', 'highRiskAngry', 'respectMaxLoad'] as const;

/** Stored settings merged over the defaults; unknown or ill-typed keys are ignored. */
export function normaliseSettings(raw: unknown, base: RoutingSettings = DEFAULT_SETTINGS): RoutingSettings {
  const out: RoutingSettings = { ...base };
  if (typeof raw !== 'object' || raw === null) return out;
  const r = raw as Record<string, unknown>;
  for (const k of BOOL_KEYS) if (typeof r[k] === 'boolean') out[k] = r[k];
  if (typeof r.minProficiency === 'string' && (PROFICIENCIES as readonly string[]).includes(r.minProficiency)) out.minProficiency = r.minProficiency as RoutingSettings['minProficiency'];
  if (typeof r.highRiskMinLevel === 'string' && (CERTIFICATION_LEVELS as readonly string[]).includes(r.highRiskMinLevel)) out.highRiskMinLevel = r.highRiskMinLevel as CertificationLevel;
  if (r.teamId === null || (typeof r.teamId === 'string' && isUuid(r.teamId))) out.teamId = r.teamId;
  return out;
}

/** Checks a settings patch from the API strictly (the schema already checked its shape). */
function checkSettingsPatch(patch: Partial<RoutingSettings>): void {
  if (patch.minProficiency !== undefined && !PROFICIENCIES.includes(patch.minProficiency)) {
    throw validationError(`minProficiency must be one of ${PROFICIENCIES.join(', ')}`, { field: 'settings.minProficiency' });
  }
  if (patch.highRiskMinLevel !== undefined && !CERTIFICATION_LEVELS.includes(patch.highRiskMinLevel)) {
    throw validationError(`highRiskMinLevel must be one of ${CERTIFICATION_LEVELS.join(', ')}`, { field: 'settings.highRiskMinLevel' });
  }
  if (patch.teamId !== undefined && patch.teamId !== null && !isUuid(patch.teamId)) throw validationError('teamId must be a team id or null', { field: 'settings.teamId' });
}

export async function listRules(db: Kysely<DB>): Promise<RoutingRuleJson[]> {
  const rows = await db
    .selectFrom('routing_rules')
    .leftJoin('stores', 'stores.id', 'routing_rules.store_id')
    .select(['routing_rules.scope', 'routing_rules.store_id', 'routing_rules.settings', 'routing_rules.updated_at', 'routing_rules.updated_by', 'stores.name as store_name'])
    .orderBy(sql`routing_rules.store_id IS NOT NULL`)
    .orderBy('stores.name')
    .execute();
  const out = rows.map((r) => ({
    scope: r.scope,
    storeId: r.store_id,
    storeName: r.store_name,
    settings: normaliseSettings(r.settings),
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by,
  }));
  if (!out.some((r) => r.scope === 'global')) {
    out.unshift({ scope: 'global', storeId: null, storeName: null, settings: { ...DEFAULT_SETTINGS }, updatedAt: new Date(0).toISOString(), updatedBy: null });
  }
  return out;
}

/** The rule that applies to a store's tickets: its own, or the global one. */
export async function ruleFor(db: Kysely<DB>, storeId: string): Promise<{ scope: string; settings: RoutingSettings }> {
  const rows = await db.selectFrom('routing_rules').select(['scope', 'settings']).where('scope', 'in', ['global', storeId]).execute();
  return ruleOf(storeId, rows.find((r) => r.scope === storeId)?.settings, rows.find((r) => r.scope === 'global')?.settings);
}

/** The rule in force: the store's own settings, else the global ones, else the defaults. */
function ruleOf(storeId: string, own: unknown, global: unknown): { scope: string; settings: RoutingSettings } {
  if (own !== null && own !== undefined) return { scope: storeId, settings: normaliseSettings(own) };
  if (global !== null && global !== undefined) return { scope: 'global', settings: normaliseSettings(global) };
  return { scope: 'global', settings: { ...DEFAULT_SETTINGS } };
}

/**
 * Writes the global rule (storeId null) or a store's own rule. A store's first rule starts
 * from the global settings; fields not given keep their current value.
 */
export async function putRule(db: Kysely<DB>, input: { storeId: string | null; settings: Partial<RoutingSettings> }, actor: Actor, now: Date): Promise<RoutingRuleJson> {
  checkSettingsPatch(input.settings);
  if (input.storeId !== null) {
    if (!isUuid(input.storeId)) throw validationError('storeId must be a store id or null', { field: 'storeId' });
    const store = await db.selectFrom('stores').select('id').where('id', '=', input.storeId).executeTakeFirst();
    if (!store) throw notFound('Store', input.storeId);
  }
  if (input.settings.teamId) {
    const team = await db.selectFrom('teams').select('id').where('id', '=', input.settings.teamId).executeTakeFirst();
    if (!team) throw validationError(`team ${input.settings.teamId} does not exist`, { field: 'settings.teamId' });
  }
  const scope = input.storeId ?? 'global';
  const current = input.storeId ? await ruleFor(db, input.storeId) : await ruleFor(db, 'global');
  const settings = normaliseSettings(input.settings, current.settings);
  await db
    .insertInto('routing_rules')
    .values({ scope, store_id: input.storeId, settings: JSON.stringify(settings), updated_by: actor.id, updated_at: now })
    .onConflict((oc) => oc.column('scope').doUpdateSet({ settings: JSON.stringify(settings), updated_by: actor.id, updated_at: now }))
    .execute();
  const rule = (await listRules(db)).find((r) => r.scope === scope);
  if (!rule) throw notFound('Routing rule', scope);
  return rule;
}

/** Removes a store's own rule: its tickets follow the global rule again. */
export async function deleteStoreRule(db: Kysely<DB>, storeId: string): Promise<void> {
  if (!isUuid(storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
  const res = await db.deleteFrom('routing_rules').where('scope', '=', storeId).executeTakeFirst();
  if (!res.numDeletedRows) throw notFound('Routing rule for store', storeId);
}

// ---------------------------------------------------------------------------------------
// Shifts and presence

export interface Shift {
  weekday: number;
  start: string;
  end: string;
}

export interface Presence {
  state: PresenceState;
  updatedAt: Date | null;
}

const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const minutesOf = (hhmm: string) => (hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));

/**
 * Whether the agent works now: an explicit presence 'on'/'off' wins; otherwise ('auto')
 * the weekly shifts, read as wall-clock times in the agent's time zone. A shift whose end
 * is at or before its start runs past midnight into the next day. No shifts: off shift.
 */
export function isOnShift(user: Pick<User, 'timezone'>, shifts: readonly Shift[], presence: Pick<Presence, 'state'> | null | undefined, now: Date): boolean {
  if (presence?.state === 'on') return true;
  if (presence?.state === 'off') return false;
  const local = DateTime.fromJSDate(now, { zone: user.timezone || 'UTC' });
  const t = local.isValid ? local : DateTime.fromJSDate(now, { zone: 'UTC' });
  const day = t.weekday - 1; // luxon: 1 = Monday
  const minute = t.hour * 60 + t.minute;
  for (const s of shifts) {
    const start = minutesOf(s.start);
    const end = minutesOf(s.end);
    if (end > start) {
      if (s.weekday === day && minute >= start && minute < end) return true;
    } else {
      if (s.weekday === day && minute >= start) return true;
      if ((s.weekday + 1) % 7 === day && minute < end) return true;
    }
  }
  return false;
}

/** Validates a week of shifts: times, weekdays, and no two shifts overlapping. */
export function checkShifts(shifts: readonly Shift[]): Shift[] {
  if (shifts.length > 28) throw validationError('at most 28 shifts a week', { field: 'shifts' });
  const spans: Array<[number, number, number]> = [];
  shifts.forEach((s, i) => {
    if (!Number.isInteger(s.weekday) || s.weekday < 0 || s.weekday > 6) throw validationError(`shifts[${i}].weekday must be 0 (Monday) … 6 (Sunday)`, { field: `shifts.${i}.weekday` });
    if (!HHMM.test(s.start)) throw validationError(`shifts[${i}].start must be HH:MM (00:00 … 23:59)`, { field: `shifts.${i}.start` });
    if (!HHMM.test(s.end) && s.end !== '24:00') throw validationError(`shifts[${i}].end must be HH:MM (00:00 … 24:00)`, { field: `shifts.${i}.end` });
    const start = s.weekday * 1440 + minutesOf(s.start);
    let end = s.weekday * 1440 + minutesOf(s.end);
    if (end === start) throw validationError(`shifts[${i}] starts and ends at the same time`, { field: `shifts.${i}` });
    if (end < start) end += 1440;
    // the week wraps: a Sunday night shift runs into Monday morning
    spans.push([start, end, i]);
    if (end > 7 * 1440) spans.push([0, end - 7 * 1440, i]);
  });
  spans.sort((a, b) => a[0] - b[0]);
  let reach = -1;
  let reachBy = -1;
  for (const [start, end, i] of spans) {
    if (start < reach && i !== reachBy) throw validationError(`shifts[${Math.min(i, reachBy)}] and shifts[${Math.max(i, reachBy)}] overlap`, { field: 'shifts' });
    if (end > reach) {
      reach = end;
      reachBy = i;
    }
  }
  return [...shifts].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start)).map((s) => ({ weekday: s.weekday, start: s.start, end: s.end }));
}

export interface ShiftsJson {
  userId: string;
  timezone: string;
  shifts: Shift[];
  presence: { state: PresenceState; updatedAt: string | null };
  onShift: boolean;
}

async function loadUser(db: Kysely<DB>, userId: string): Promise<User> {
  if (!isUuid(userId)) throw notFound('User', userId);
  const u = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!u) throw notFound('User', userId);
  return u;
}

async function shiftsOf(db: Kysely<DB>, userId: string): Promise<{ shifts: Shift[]; presence: Presence }> {
  const [shifts, p] = await Promise.all([
    db.selectFrom('agent_shifts').select(['weekday', 'start', 'end']).where('user_id', '=', userId).orderBy('weekday').orderBy('start').execute(),
    db.selectFrom('agent_presence').select(['state', 'updated_at']).where('user_id', '=', userId).executeTakeFirst(),
  ]);
  return { shifts, presence: { state: p?.state ?? 'auto', updatedAt: p?.updated_at ?? null } };
}

export async function getShifts(db: Kysely<DB>, userId: string, now: Date): Promise<ShiftsJson> {
  const user = await loadUser(db, userId);
  const { shifts, presence } = await shiftsOf(db, userId);
  return {
    userId,
    timezone: user.timezone,
    shifts,
    presence: { state: presence.state, updatedAt: presence.updatedAt?.toISOString() ?? null },
    onShift: user.active && isOnShift(user, shifts, presence, now),
  };
}

// ---------------------------------------------------------------------------------------
// Candidates

const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];
const WAITING_STATUSES: readonly TicketStatus[] = ['new', 'open'];

export type ReasonCode =
  | 'on_shift'
  | 'off_shift'
  | 'team_mismatch'
  | 'language_ok'
  | 'language_unknown'
  | 'language_missing'
  | 'language_too_weak'
  | 'skill_ok'
  | 'skill_missing'
  | 'skill_fallback'
  | 'level_ok'
  | 'level_too_low'
  | 'capacity_ok'
  | 'at_capacity'
  | 'excluded';

export interface Candidate {
  userId: string;
  name: string;
  eligible: boolean;
  level: CertificationLevel;
  load: number;
  maxLoad: number;
  lastAssignedAt: string | null;
  /** Every check, in order; the failing ones say why the agent was not eligible. */
  reasons: ReasonCode[];
}

/** What routing reads of an agent's user row (and nothing more: it is read for every new ticket). */
export type AgentUser = Pick<User, 'id' | 'name' | 'team_id' | 'languages' | 'skills' | 'timezone' | 'certification_level' | 'max_load' | 'active'>;
const AGENT_USER_COLUMNS = ['id', 'name', 'team_id', 'languages', 'skills', 'timezone', 'certification_level', 'max_load', 'active'] as const satisfies ReadonlyArray<keyof AgentUser>;

export interface AgentState {
  user: AgentUser;
  shifts: Shift[];
  presence: Presence;
  onShift: boolean;
  onShiftSeen: boolean;
  load: number;
  lastAssignedAt: Date | null;
}

export interface TicketFacts {
  id: string;
  store_id: string;
  status: TicketStatus;
  priority: Priority;
  angry: boolean;
  language: string | null;
  category: string;
  team_id: string | null;
  assignee_id: string | null;
  created_at: Date;
}

const levelRank = (l: CertificationLevel) => CERTIFICATION_LEVELS.indexOf(l);
const proficiencyRank = (p: AgentLanguage['proficiency']) => PROFICIENCIES.indexOf(p);

/** An agent's weekly shifts and open load, for a query with the agent as `u`. */
const SHIFTS_OF_U = sql<Shift[] | null>`(SELECT json_agg(json_build_object('weekday', s.weekday, 'start', s.start, 'end', s."end") ORDER BY s.weekday, s.start) FROM agent_shifts s WHERE s.user_id = u.id)`;
const LOAD_OF_U = sql<number | null>`(SELECT count(*)::int FROM tickets lt WHERE lt.assignee_id = u.id AND lt.status IN (${sql.join([...OPEN_STATUSES])}))`;

/** Each agent's presence, weekly shifts (JSON) and open tickets, beside their users row. */
const AGENT_EXTRAS = [
  'p.state as p_state',
  'p.updated_at as p_updated_at',
  'p.on_shift_seen as p_on_shift_seen',
  'p.last_assigned_at as p_last_assigned_at',
  SHIFTS_OF_U.as('p_shifts'),
  LOAD_OF_U.as('p_load'),
] as const;

interface AgentExtras {
  p_state: PresenceState | null;
  p_updated_at: Date | null;
  p_on_shift_seen: boolean | null;
  p_last_assigned_at: Date | null;
  p_shifts: Shift[] | null;
  p_load: number | null;
}

function agentState(user: AgentUser, x: AgentExtras, now: Date): AgentState {
  const own = (x.p_shifts ?? []).map(({ weekday, start, end }) => ({ weekday: Number(weekday), start, end }));
  const pres: Presence = { state: x.p_state ?? 'auto', updatedAt: x.p_updated_at ?? null };
  return {
    user,
    shifts: own,
    presence: pres,
    onShift: isOnShift(user, own, pres, now),
    onShiftSeen: x.p_on_shift_seen ?? false,
    load: x.p_load ?? 0,
    lastAssignedAt: x.p_last_assigned_at ?? null,
  };
}

/**
 * All active agents with their shifts, presence, current load and last assignment, in one
 * statement (routing runs after every new ticket: each round trip counts).
 */
async function loadAgents(db: Kysely<DB>, now: Date): Promise<AgentState[]> {
  const rows = await db
    .selectFrom('users as u')
    .leftJoin('agent_presence as p', 'p.user_id', 'u.id')
    .select(AGENT_USER_COLUMNS.map((c) => `u.${c}` as const))
    .select([...AGENT_EXTRAS])
    .where('u.role', '=', 'agent')
    .where('u.active', '=', true)
    .orderBy('u.id')
    .execute();
  return rows.map(({ p_state, p_updated_at, p_on_shift_seen, p_last_assigned_at, p_shifts, p_load, ...user }) =>
    agentState(user, { p_state, p_updated_at, p_on_shift_seen, p_last_assigned_at, p_shifts, p_load }, now),
  );
}

/**
 * How many agents who serve the store are on shift now (presence or weekly shifts):
 * active agents, of the store's routing team when its rule names one. The chat widget's
 * "an agent is online" comes from here.
 */
export async function agentsOnShiftFor(db: Kysely<DB>, storeId: string, now: Date): Promise<number> {
  const [agents, rule] = await Promise.all([loadAgents(db, now), ruleFor(db, storeId)]);
  const team = rule.settings.teamId;
  return agents.filter((a) => a.onShift && (!team || a.user.team_id === team)).length;
}

export function isHighRisk(t: Pick<TicketFacts, 'priority' | 'angry'>, s: RoutingSettings): boolean {
  return (s.highRiskUrgent && t.priority === 'urgent') || (s.highRiskAngry && t.angry);
}

export interface Evaluation {
  candidates: Candidate[];
  chosen: AgentState | null;
  highRisk: boolean;
  skillFallback: boolean;
  team: string | null;
}

/**
 * Weighs every agent for a ticket. Eligible: in the ticket's team (if any), on shift,
 * reads the language, has the skill (or the fallback applies), certified for a high-risk
 * ticket, under max load. Picks the least loaded, then the one assigned longest ago.
 */
export function evaluate(ticket: TicketFacts, settings: RoutingSettings, agents: readonly AgentState[], exclude: ReadonlySet<string> = new Set()): Evaluation {
  const highRisk = isHighRisk(ticket, settings);
  const team = ticket.team_id ?? settings.teamId;
  const check = (a: AgentState, allowFallback: boolean): Candidate => {
    const reasons: ReasonCode[] = [];
    let ok = true;
    const fail = (r: ReasonCode) => {
      reasons.push(r);
      ok = false;
    };
    if (exclude.has(a.user.id)) fail('excluded');
    if (team && a.user.team_id !== team) fail('team_mismatch');
    if (a.onShift) reasons.push('on_shift');
    else fail('off_shift');
    let languageOk = true;
    if (settings.requireLanguage) {
      if (!ticket.language) reasons.push('language_unknown');
      else {
        const lang = a.user.languages.find((l) => l.code === ticket.language);
        if (!lang) {
          fail('language_missing');
          languageOk = false;
        } else if (proficiencyRank(lang.proficiency) < proficiencyRank(settings.minProficiency)) {
          fail('language_too_weak');
          languageOk = false;
        } else reasons.push('language_ok');
      }
    }
    if (settings.requireSkill) {
      if (a.user.skills.includes(ticket.category)) reasons.push('skill_ok');
      else if (allowFallback && languageOk) reasons.push('skill_fallback');
      else fail('skill_missing');
    }
    if (highRisk) {
      if (levelRank(a.user.certification_level) >= levelRank(settings.highRiskMinLevel)) reasons.push('level_ok');
      else fail('level_too_low');
    }
    if (settings.respectMaxLoad) {
      if (a.load < a.user.max_load) reasons.push('capacity_ok');
      else fail('at_capacity');
    }
    return {
      userId: a.user.id,
      name: a.user.name,
      eligible: ok,
      level: a.user.certification_level,
      load: a.load,
      maxLoad: a.user.max_load,
      lastAssignedAt: a.lastAssignedAt?.toISOString() ?? null,
      reasons,
    };
  };
  let candidates = agents.map((a) => check(a, false));
  let skillFallback = false;
  if (settings.requireSkill && settings.skillFallback && !candidates.some((c) => c.eligible)) {
    const second = agents.map((a) => check(a, true));
    if (second.some((c) => c.eligible)) {
      candidates = second;
      skillFallback = true;
    }
  }
  const eligible = agents.filter((_a, i) => candidates[i].eligible);
  eligible.sort(
    (x, y) =>
      x.load - y.load ||
      (x.lastAssignedAt?.getTime() ?? -Infinity) - (y.lastAssignedAt?.getTime() ?? -Infinity) ||
      x.user.id.localeCompare(y.user.id),
  );
  return { candidates, chosen: eligible[0] ?? null, highRisk, skillFallback, team };
}

/** Why nobody fits, as counts of the failing checks over all candidates. */
export function whyWaiting(candidates: readonly Candidate[]): Array<{ code: ReasonCode | 'no_agents'; count: number }> {
  if (!candidates.length) return [{ code: 'no_agents', count: 0 }];
  const fails: ReasonCode[] = ['team_mismatch', 'off_shift', 'language_missing', 'language_too_weak', 'skill_missing', 'level_too_low', 'at_capacity', 'excluded'];
  const counts = new Map<ReasonCode, number>();
  for (const c of candidates) for (const r of c.reasons) if (fails.includes(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count);
}

// ---------------------------------------------------------------------------------------
// Serialising routing decisions

const localChains = new WeakMap<object, Promise<unknown>>();
/**
 * The advisory lock is keyed (class, hashtext(current_schema())): advisory locks are per
 * database but not per schema, so apps (or tests) in other schemas of one database must not
 * share it. The two-int4 key space does not overlap the single-bigint one.
 */
const ADVISORY_CLASS = 730_120_261; // "routing" for this app

/**
 * Runs `fn` while no other routing decision runs: an in-process queue, and on a
 * PostgreSQL server also a session advisory lock shared by every app node. (Exported for
 * tests.)
 */
export async function withRoutingLock<T>(deps: RoutingDeps, fn: () => Promise<T>): Promise<T> {
  const prev = localChains.get(deps.db) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const chain = prev.then(() => mine);
  localChains.set(deps.db, chain);
  await prev.catch(() => undefined);
  try {
    if (deps.dbKind !== 'postgres') return await fn();
    return await deps.db.connection().execute(async (conn) => {
      await sql`SELECT pg_advisory_lock(${ADVISORY_CLASS}::int4, hashtext(current_schema()))`.execute(conn);
      try {
        return await fn();
      } finally {
        await sql`SELECT pg_advisory_unlock(${ADVISORY_CLASS}::int4, hashtext(current_schema()))`.execute(conn);
      }
    });
  } finally {
    release();
    if (localChains.get(deps.db) === chain) localChains.delete(deps.db);
  }
}

// ---------------------------------------------------------------------------------------
// Routing one ticket

export type RoutingTrigger = 'created' | 'reopened' | 'waiting' | 'handback' | 'manual';

export interface RouteResult {
  ticketId: string;
  outcome: 'assigned' | 'queued' | 'skipped';
  assigneeId: string | null;
  /** Why skipped (already assigned, solved, routing off) or why queued. */
  reason?: string;
  candidates: Candidate[];
  /** false: the decision left the ticket's fields alone (only a `routed` event, if any); unset: it may have changed them. */
  changedTicket?: false;
}

const routingActor: Actor = { ...systemActor, name: 'routing' };

interface TicketWithRule {
  ticket: TicketFacts;
  rule: { scope: string; settings: RoutingSettings };
  /** Whether the ticket's assignee is an active user (null: no assignee, or no such user). */
  assigneeActive: boolean | null;
  agents: AgentState[];
}

/**
 * What a routing decision reads, in one statement: the ticket's routing facts, the rule for
 * its store, whether its assignee is active, and every active agent (as loadAgents), one
 * row per agent (one row with no agent when there is none).
 */
async function ticketForRouting(db: Kysely<DB>, id: string, now: Date): Promise<TicketWithRule | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await db
    .selectFrom('tickets as t')
    .leftJoin('users as u', (j) => j.on('u.role', '=', 'agent').on('u.active', '=', true))
    .leftJoin('agent_presence as p', 'p.user_id', 'u.id')
    .select(AGENT_USER_COLUMNS.map((c) => `u.${c}` as const))
    .select([...AGENT_EXTRAS])
    .select([
      't.id as t_id', 't.store_id as t_store_id', 't.status as t_status', 't.priority as t_priority', 't.angry as t_angry', 't.language as t_language',
      't.category as t_category', 't.team_id as t_team_id', 't.assignee_id as t_assignee_id', 't.created_at as t_created_at',
      sql<unknown>`(SELECT r.settings FROM routing_rules r WHERE r.scope = t.store_id::text)`.as('t_own_rule'),
      sql<unknown>`(SELECT r.settings FROM routing_rules r WHERE r.scope = 'global')`.as('t_global_rule'),
      sql<boolean | null>`(SELECT a.active FROM users a WHERE a.id = t.assignee_id)`.as('t_assignee_active'),
    ])
    .where('t.id', '=', id)
    .orderBy('u.id')
    .execute();
  const first = rows[0];
  if (!first) return undefined;
  const ticket: TicketFacts = {
    id: first.t_id,
    store_id: first.t_store_id,
    status: first.t_status,
    priority: first.t_priority,
    angry: first.t_angry,
    language: first.t_language,
    category: first.t_category,
    team_id: first.t_team_id,
    assignee_id: first.t_assignee_id,
    created_at: first.t_created_at,
  };
  const rule = ruleOf(ticket.store_id, first.t_own_rule, first.t_global_rule);
  const agents: AgentState[] = [];
  for (const r of rows) {
    const {
      t_id: _id, t_store_id: _s, t_status: _st, t_priority: _pr, t_angry: _an, t_language: _l, t_category: _c, t_team_id: _tm, t_assignee_id: _as, t_created_at: _cr,
      t_own_rule: _o, t_global_rule: _g, t_assignee_active: _aa,
      p_state, p_updated_at, p_on_shift_seen, p_last_assigned_at, p_shifts, p_load, ...user
    } = r;
    if (user.id === null) continue; // no agent at all
    agents.push(agentState(user as AgentUser, { p_state, p_updated_at, p_on_shift_seen, p_last_assigned_at, p_shifts, p_load }, now));
  }
  return { ticket, rule, assigneeActive: first.t_assignee_active, agents };
}

/**
 * What routing reads for a new ticket besides the ticket itself (the store's rule, the global
 * rule, every active agent with presence, shifts and open load), as one JSON value: the
 * creation embeds it in its own statement (TicketDeps.afterIntake.prefetch, under the key
 * `routing`), so routing a new ticket needs no read of its own. It sees the database as the
 * creation's statement did.
 */
export function routingPrefetchSql(storeId: string) {
  return sql<unknown>`(SELECT json_build_object(
    'own', (SELECT r.settings FROM routing_rules r WHERE r.scope = ${storeId}::text),
    'global', (SELECT r.settings FROM routing_rules r WHERE r.scope = 'global'),
    'agents', coalesce((
      SELECT json_agg(json_build_object(
        'u', json_build_object(${sql.join(AGENT_USER_COLUMNS.map((c) => sql`${sql.lit(c)}::text, u.${sql.ref(c)}`))}),
        'p_state', p.state, 'p_updated_at', p.updated_at, 'p_on_shift_seen', p.on_shift_seen, 'p_last_assigned_at', p.last_assigned_at,
        'p_shifts', ${SHIFTS_OF_U},
        'p_load', ${LOAD_OF_U}
      ) ORDER BY u.id)
      FROM users u LEFT JOIN agent_presence p ON p.user_id = u.id
      WHERE u.role = 'agent' AND u.active), '[]'::json)))`;
}

interface PrefetchedAgent {
  u: AgentUser;
  p_state: PresenceState | null;
  p_updated_at: string | null;
  p_on_shift_seen: boolean | null;
  p_last_assigned_at: string | null;
  p_shifts: Shift[] | null;
  p_load: number | null;
}

/** routingPrefetchSql's value (JSON: times as text), read as ticketForRouting reads its rows. */
function prefetchedForRouting(intake: IntakeFacts, now: Date): TicketWithRule | undefined {
  const p = (intake.prefetched as { routing?: { own: unknown; global: unknown; agents: PrefetchedAgent[] } } | null | undefined)?.routing;
  if (!p || typeof p !== 'object' || !Array.isArray(p.agents)) return undefined;
  const t = intake.ticket;
  const ticket: TicketFacts = { id: t.id, store_id: t.store_id, status: t.status, priority: t.priority, angry: t.angry, language: t.language, category: t.category, team_id: t.team_id, assignee_id: t.assignee_id, created_at: t.created_at };
  const rule = ruleOf(ticket.store_id, p.own, p.global);
  const time = (v: string | null) => (v === null ? null : new Date(v));
  const agents = p.agents.map((a) =>
    agentState(a.u, { p_state: a.p_state, p_updated_at: time(a.p_updated_at), p_on_shift_seen: a.p_on_shift_seen, p_last_assigned_at: time(a.p_last_assigned_at), p_shifts: a.p_shifts, p_load: a.p_load }, now),
  );
  return { ticket, rule, assigneeActive: null, agents };
}

const routedEvent = (ticketId: string, at: Date, after: Record<string, unknown>) =>
  ({ ticket_id: ticketId, actor_type: 'system', actor_id: null, type: 'routed', field: null, before: null, after: JSON.stringify(after), created_at: at }) as const;

async function recordRouted(db: Kysely<DB>, ticketId: string, at: Date, after: Record<string, unknown>): Promise<void> {
  await db.insertInto('ticket_events').values(routedEvent(ticketId, at, after)).execute();
}

interface RouteContext {
  agents: AgentState[];
  rules: Map<string, { scope: string; settings: RoutingSettings }>;
}

async function contextFor(db: Kysely<DB>, now: Date): Promise<RouteContext> {
  return { agents: await loadAgents(db, now), rules: new Map() };
}

async function cachedRule(db: Kysely<DB>, ctx: RouteContext, storeId: string) {
  let r = ctx.rules.get(storeId);
  if (!r) {
    r = await ruleFor(db, storeId);
    ctx.rules.set(storeId, r);
  }
  return r;
}

/** What a `routed` event records of any decision: the trigger, the rule and the evaluation. */
function decisionRecord(trigger: RoutingTrigger, rule: { scope: string; settings: RoutingSettings }, ev: Evaluation) {
  return { trigger, rule: { scope: rule.scope, settings: rule.settings }, highRisk: ev.highRisk, skillFallback: ev.skillFallback, team: ev.team, candidates: ev.candidates };
}

/** The `routed` event of a ticket left waiting: nobody fits, and why. */
const queuedRecord = (base: ReturnType<typeof decisionRecord>, ev: Evaluation) => ({ ...base, outcome: 'queued', assigneeId: null, why: whyWaiting(ev.candidates) });

/** The decision for one unassigned ticket, applied; `ctx` is updated (load, last assignment). */
async function routeOne(
  deps: RoutingDeps,
  ctx: RouteContext,
  ticket: TicketFacts,
  now: Date,
  trigger: RoutingTrigger,
  opts: { exclude?: ReadonlySet<string>; recordQueued?: boolean } = {},
): Promise<RouteResult> {
  const rule = await cachedRule(deps.db, ctx, ticket.store_id);
  if (!rule.settings.enabled) return { ticketId: ticket.id, outcome: 'skipped', assigneeId: null, reason: 'routing_disabled', candidates: [] };
  const ev = evaluate(ticket, rule.settings, ctx.agents, opts.exclude);
  const base = decisionRecord(trigger, rule, ev);
  if (!ev.chosen) {
    if (ev.team && !ticket.team_id) {
      // waits in its team's queue, where the team can see it
      await updateTicket(deps, ticket.id, { teamId: ev.team }, routingActor).catch(() => undefined);
    }
    if (opts.recordQueued !== false) {
      await recordRouted(deps.db, ticket.id, now, queuedRecord(base, ev));
    }
    return { ticketId: ticket.id, outcome: 'queued', assigneeId: null, reason: 'no_eligible_agent', candidates: ev.candidates };
  }
  const chosen = ev.chosen;
  const waitedMinutes = trigger === 'waiting' ? Math.max(0, Math.round((now.getTime() - ticket.created_at.getTime()) / 60_000)) : undefined;
  const routed = { ...base, outcome: 'assigned', assigneeId: chosen.user.id, assigneeName: chosen.user.name, ...(waitedMinutes !== undefined ? { waitedMinutes } : {}) };
  // One statement under the lock (it was updateTicket's transaction of five, then this):
  // the assignment as updateTicket makes it (a ticket without a team joins its assignee's
  // team; `team` and `assignee` events with before/after; due times do not depend on the
  // assignee), the agent's last assignment (round-robin) and the decision on the ticket.
  // It assigns only a ticket still unassigned, to an agent still active: else nothing.
  const res = await sql<{ store_id: string; team_id: string | null; team_joined: boolean }>`
    WITH before AS (
      SELECT team_id FROM tickets WHERE id = ${ticket.id} AND assignee_id IS NULL
    ), u AS (
      SELECT id, team_id FROM users WHERE id = ${chosen.user.id} AND active AND role <> 'trainer'
    ), tk AS (
      UPDATE tickets SET assignee_id = u.id, team_id = coalesce(tickets.team_id, u.team_id), updated_at = ${now}::timestamptz
      FROM u, before WHERE tickets.id = ${ticket.id} AND tickets.assignee_id IS NULL
      RETURNING tickets.store_id, tickets.team_id, (before.team_id IS NULL AND tickets.team_id IS NOT NULL) AS team_joined
    ), ev AS (
      INSERT INTO ticket_events (ticket_id, actor_type, actor_id, type, field, before, after, created_at)
      SELECT ${ticket.id}, 'system', NULL, x.type, x.field, x.before, x.after, ${now}::timestamptz
      FROM tk CROSS JOIN LATERAL (VALUES
        (1, 'updated', 'team', 'null'::jsonb, to_jsonb(tk.team_id::text), tk.team_joined),
        (2, 'updated', 'assignee', 'null'::jsonb, to_jsonb(${chosen.user.id}::text), true),
        (3, 'routed', NULL, NULL, ${JSON.stringify(routed)}::jsonb, true)
      ) AS x(n, type, field, before, after, keep)
      WHERE x.keep
      ORDER BY x.n
    ), presence AS (
      INSERT INTO agent_presence (user_id, last_assigned_at) SELECT ${chosen.user.id}, ${now}::timestamptz FROM tk
      ON CONFLICT (user_id) DO UPDATE SET last_assigned_at = excluded.last_assigned_at
    )
    SELECT store_id, team_id, team_joined FROM tk`.execute(deps.db);
  const done = res.rows[0];
  if (!done) {
    // an agent assigned it by hand meanwhile (that takes no routing lock), or the agent was
    // just deactivated: nothing was written; the ticket is left as it is
    return { ticketId: ticket.id, outcome: 'skipped', assigneeId: null, reason: 'changed_meanwhile', candidates: ev.candidates };
  }
  // published without holding up the lock on the NOTIFY
  void deps.bus
    .publish({ type: 'ticket.updated', ticketId: ticket.id, storeId: done.store_id, assigneeId: chosen.user.id, teamId: done.team_id, changes: done.team_joined ? ['team', 'assignee'] : ['assignee'], at: now.toISOString() })
    .catch(() => undefined);
  chosen.load += 1;
  chosen.lastAssignedAt = now;
  return { ticketId: ticket.id, outcome: 'assigned', assigneeId: chosen.user.id, candidates: ev.candidates };
}

/**
 * Routes one ticket now: assigns it to the best eligible agent, or leaves it waiting in
 * the queue with the reasons recorded. A ticket already assigned, or no longer open, is
 * left alone.
 *
 * Decisions that give a ticket to someone are serialised (withRoutingLock: loads and
 * round-robin must be read after the previous assignment). Most decisions give nothing:
 * the ticket is not waiting, already has an active assignee, routing is off, or nobody
 * fits now. Those are taken from a first look without the lock (one statement), so ticket
 * intake does not queue behind other nodes' routing; whenever someone fits, the lock is
 * taken and everything is read and decided again under it.
 */
export async function routeTicket(deps: RoutingDeps, ticketId: string, now: Date, trigger: RoutingTrigger = 'manual', prefetched?: TicketWithRule): Promise<RouteResult> {
  // a new ticket: what its creation's statement read for routing (the decision that gives
  // nobody anything is taken on it; an assignment reads again under the lock)
  const first = prefetched ?? (await ticketForRouting(deps.db, ticketId, now));
  if (!first) throw notFound('Ticket', ticketId);
  const quick = await withoutLock(deps, first, now, trigger);
  if (quick) return quick;
  return withRoutingLock(deps, async () => {
    const again = await ticketForRouting(deps.db, ticketId, now);
    if (!again) throw notFound('Ticket', ticketId);
    const { ticket } = again;
    const skipped = notWaiting(again);
    if (skipped) return skipped;
    if (ticket.assignee_id) {
      // the assignee left: the ticket needs someone else
      await updateTicket(deps, ticketId, { assigneeId: null }, routingActor);
      ticket.assignee_id = null;
    }
    return routeOne(deps, { agents: again.agents, rules: new Map([[ticket.store_id, again.rule]]) }, ticket, now, trigger);
  });
}

/** A ticket routing leaves alone: not waiting, or with an active assignee. */
function notWaiting({ ticket, assigneeActive }: TicketWithRule): RouteResult | null {
  if (!WAITING_STATUSES.includes(ticket.status)) return { ticketId: ticket.id, outcome: 'skipped', assigneeId: ticket.assignee_id, reason: `status_${ticket.status}`, candidates: [], changedTicket: false };
  if (ticket.assignee_id && assigneeActive) return { ticketId: ticket.id, outcome: 'skipped', assigneeId: ticket.assignee_id, reason: 'already_assigned', candidates: [], changedTicket: false };
  return null;
}

/** A decision taken without the lock, and the `routed` event to record with it (if any). */
interface QuickDecision {
  result: RouteResult;
  /** the `after` of the ticket's `routed` event; absent when nothing is recorded */
  routed?: Record<string, unknown>;
}

/**
 * The decision when it gives nobody anything (see routeTicket), not applied yet; null when
 * the ticket may go to someone (or must change) and the decision needs the lock.
 */
function decideWithoutLock(first: TicketWithRule, trigger: RoutingTrigger): QuickDecision | null {
  const skipped = notWaiting(first);
  if (skipped) return { result: skipped };
  const { ticket, rule, agents } = first;
  if (ticket.assignee_id) return null; // an inactive assignee is replaced under the lock
  if (!rule.settings.enabled) return { result: { ticketId: ticket.id, outcome: 'skipped', assigneeId: null, reason: 'routing_disabled', candidates: [], changedTicket: false } };
  const ev = evaluate(ticket, rule.settings, agents);
  if (ev.chosen || (ev.team && !ticket.team_id)) return null;
  return {
    result: { ticketId: ticket.id, outcome: 'queued', assigneeId: null, reason: 'no_eligible_agent', candidates: ev.candidates, changedTicket: false },
    routed: queuedRecord(decisionRecord(trigger, rule, ev), ev),
  };
}

/** decideWithoutLock, applied (its `routed` event written). */
async function withoutLock(deps: RoutingDeps, first: TicketWithRule, now: Date, trigger: RoutingTrigger): Promise<RouteResult | null> {
  const d = decideWithoutLock(first, trigger);
  if (!d) return null;
  if (d.routed) await recordRouted(deps.db, first.ticket.id, now, d.routed);
  return d.result;
}

/** Priority order of the queue: urgent first, then oldest first. */
const PRIORITY_ORDER = sql<number>`CASE tickets.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END`;

function waitingQuery(db: Kysely<DB>) {
  return db
    .selectFrom('tickets')
    .where('tickets.assignee_id', 'is', null)
    .where('tickets.status', 'in', WAITING_STATUSES)
    .orderBy(PRIORITY_ORDER)
    .orderBy('tickets.created_at')
    .orderBy('tickets.id');
}

/**
 * Hands waiting tickets out, urgent and oldest first, to whoever fits now. Runs every
 * minute and whenever an agent comes on shift or frees capacity. Holds the routing lock
 * one batch at a time, so new tickets are not held up behind a long queue.
 */
export async function assignWaiting(deps: RoutingDeps, now: Date, opts: { batch?: number; max?: number } = {}): Promise<{ assigned: number; waiting: number }> {
  const batch = opts.batch ?? 50;
  const max = opts.max ?? 2000;
  let assigned = 0;
  let after: { p: number; created: Date; id: string } | null = null;
  let waiting = 0;
  for (let scanned = 0; scanned < max; ) {
    const done = await withRoutingLock(deps, async () => {
      const ctx = await contextFor(deps.db, now);
      if (!ctx.agents.some((a) => a.onShift)) return { rows: 0, last: null, stop: true };
      let q = waitingQuery(deps.db).select(['id', 'store_id', 'status', 'priority', 'angry', 'language', 'category', 'team_id', 'assignee_id', 'created_at', PRIORITY_ORDER.as('p')]);
      if (after) {
        const a = after;
        q = q.where((eb) =>
          eb.or([
            eb(PRIORITY_ORDER, '>', a.p),
            eb.and([eb(PRIORITY_ORDER, '=', a.p), eb.or([eb('tickets.created_at', '>', a.created), eb.and([eb('tickets.created_at', '=', a.created), eb('tickets.id', '>', a.id)])])]),
          ]),
        );
      }
      const rows = await q.limit(batch).execute();
      for (const t of rows) {
        const r = await routeOne(deps, ctx, t, now, 'waiting', { recordQueued: false });
        if (r.outcome === 'assigned') assigned++;
        else waiting++;
      }
      const last = rows.at(-1);
      return { rows: rows.length, last: last ? { p: last.p, created: last.created_at, id: last.id } : null, stop: rows.length < batch };
    });
    scanned += done.rows;
    if (done.last) after = done.last;
    if (done.stop) break;
  }
  return { assigned, waiting };
}

/**
 * The agent went off shift: their open urgent tickets go back to the queue and are routed
 * again (to someone else), each step recorded on the ticket.
 */
export async function handBackUrgent(deps: RoutingDeps, userId: string, now: Date = deps.clock.now()): Promise<{ handedBack: number; reassigned: number }> {
  return withRoutingLock(deps, async () => {
    const tickets = await deps.db
      .selectFrom('tickets')
      .select(['id', 'store_id', 'status', 'priority', 'angry', 'language', 'category', 'team_id', 'assignee_id', 'created_at'])
      .where('assignee_id', '=', userId)
      .where('priority', '=', 'urgent')
      .where('status', 'in', WAITING_STATUSES)
      .orderBy('created_at')
      .execute();
    if (!tickets.length) return { handedBack: 0, reassigned: 0 };
    const exclude = new Set([userId]);
    let reassigned = 0;
    for (const t of tickets) {
      await updateTicket(deps, t.id, { assigneeId: null }, routingActor);
      await recordRouted(deps.db, t.id, now, { trigger: 'handback', outcome: 'handed_back', previousAssigneeId: userId, reason: 'assignee_off_shift' });
    }
    const ctx = await contextFor(deps.db, now);
    for (const t of tickets) {
      const r = await routeOne(deps, ctx, { ...t, assignee_id: null }, now, 'handback', { exclude });
      if (r.outcome === 'assigned') reassigned++;
    }
    return { handedBack: tickets.length, reassigned };
  });
}

// ---------------------------------------------------------------------------------------
// Shift changes

async function markSeen(db: Kysely<DB>, userId: string, onShift: boolean): Promise<void> {
  await db
    .insertInto('agent_presence')
    .values({ user_id: userId, on_shift_seen: onShift })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ on_shift_seen: onShift }))
    .execute();
}

/** After an agent's shift state may have changed: hand back or hand out as needed. */
async function afterShiftChange(deps: RoutingDeps, userId: string, before: boolean, after: boolean, now: Date) {
  await markSeen(deps.db, userId, after);
  let handedBack = 0;
  let assigned = 0;
  if (before && !after) handedBack = (await handBackUrgent(deps, userId, now)).handedBack;
  if (!before && after) assigned = (await assignWaiting(deps, now)).assigned;
  return { handedBack, assigned };
}

async function onShiftNow(db: Kysely<DB>, user: User, now: Date): Promise<boolean> {
  if (!user.active) return false;
  const { shifts, presence } = await shiftsOf(db, user.id);
  return isOnShift(user, shifts, presence, now);
}

/** An agent goes on or off shift (or back to their schedule). */
export async function setPresence(deps: RoutingDeps, userId: string, state: PresenceState, now: Date) {
  const user = await loadUser(deps.db, userId);
  const before = await onShiftNow(deps.db, user, now);
  await deps.db
    .insertInto('agent_presence')
    .values({ user_id: userId, state, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ state, updated_at: now }))
    .execute();
  const after = await onShiftNow(deps.db, user, now);
  const r = await afterShiftChange(deps, userId, before, after, now);
  return { state, onShift: after, ...r };
}

/** Replaces an agent's weekly shifts. */
export async function putShifts(deps: RoutingDeps, userId: string, input: readonly Shift[], now: Date): Promise<ShiftsJson> {
  const user = await loadUser(deps.db, userId);
  const shifts = checkShifts(input);
  const before = await onShiftNow(deps.db, user, now);
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('agent_shifts').where('user_id', '=', userId).execute();
    if (shifts.length) await trx.insertInto('agent_shifts').values(shifts.map((s) => ({ user_id: userId, ...s }))).execute();
  });
  const after = await onShiftNow(deps.db, user, now);
  await afterShiftChange(deps, userId, before, after, now);
  return getShifts(deps.db, userId, now);
}

/**
 * The minute's work: notices agents whose shift started or ended on the schedule (hands
 * back the urgent tickets of those who left), then hands out waiting tickets.
 */
export async function routingTick(deps: RoutingDeps, now: Date): Promise<{ cameOn: number; wentOff: number; assigned: number }> {
  const agents = await loadAgents(deps.db, now);
  let cameOn = 0;
  let wentOff = 0;
  for (const a of agents) {
    if (a.onShift === a.onShiftSeen) continue;
    await markSeen(deps.db, a.user.id, a.onShift);
    if (a.onShift) cameOn++;
    else {
      wentOff++;
      await handBackUrgent(deps, a.user.id, now);
    }
  }
  const { assigned } = await assignWaiting(deps, now);
  return { cameOn, wentOff, assigned };
}

// ---------------------------------------------------------------------------------------
// The queue

export interface QueueItemJson {
  ticketId: string;
  number: number;
  subject: string;
  storeId: string;
  teamId: string | null;
  priority: Priority;
  angry: boolean;
  language: string | null;
  category: string;
  createdAt: string;
  waitingMinutes: number;
  highRisk: boolean;
  routingEnabled: boolean;
  why: Array<{ code: string; count: number }>;
}

/** Waiting tickets (urgent and oldest first) with why nobody fits them now. */
export async function waitingQueue(db: Kysely<DB>, now: Date, opts: { limit?: number; offset?: number } = {}): Promise<{ items: QueueItemJson[]; total: number }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const offset = Math.max(opts.offset ?? 0, 0);
  const [rows, total, agents] = await Promise.all([
    waitingQuery(db)
      .select(['id', 'number', 'subject', 'store_id', 'status', 'priority', 'angry', 'language', 'category', 'team_id', 'assignee_id', 'created_at'])
      .limit(limit)
      .offset(offset)
      .execute(),
    db
      .selectFrom('tickets')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('assignee_id', 'is', null)
      .where('status', 'in', WAITING_STATUSES)
      .executeTakeFirstOrThrow(),
    loadAgents(db, now),
  ]);
  const ctx: RouteContext = { agents, rules: new Map() };
  const items: QueueItemJson[] = [];
  for (const t of rows) {
    const rule = await cachedRule(db, ctx, t.store_id);
    const ev = evaluate(t, rule.settings, agents);
    const why = !rule.settings.enabled ? [{ code: 'routing_disabled', count: 0 }] : ev.chosen ? [{ code: 'assignable_now', count: ev.candidates.filter((c) => c.eligible).length }] : whyWaiting(ev.candidates);
    items.push({
      ticketId: t.id,
      number: t.number,
      subject: t.subject,
      storeId: t.store_id,
      teamId: t.team_id,
      priority: t.priority,
      angry: t.angry,
      language: t.language,
      category: t.category,
      createdAt: t.created_at.toISOString(),
      waitingMinutes: Math.max(0, Math.floor((now.getTime() - t.created_at.getTime()) / 60_000)),
      highRisk: ev.highRisk,
      routingEnabled: rule.settings.enabled,
      why,
    });
  }
  return { items, total: total.n };
}

// ---------------------------------------------------------------------------------------
// Wiring

export const ROUTING_JOBS = { tick: 'routing.tick', assignWaiting: 'routing.assign_waiting' } as const;

/** Queues the minute's routing tick (once per minute across all nodes). */
export async function scheduleRoutingTick(db: Kysely<DB>, clock: Clock): Promise<void> {
  const minute = Math.floor(clock.now().getTime() / 60_000);
  await enqueueJob(db, ROUTING_JOBS.tick, {}, { uniqueKey: `${ROUTING_JOBS.tick}:${minute}`, maxAttempts: 2, runAt: clock.now() });
}

/** Queues a hand-out of waiting tickets soon (at most one per 5 seconds across all nodes). */
export async function kickAssignWaiting(db: Kysely<DB>, clock: Clock): Promise<void> {
  const slot = Math.floor(clock.now().getTime() / 5_000);
  await enqueueJob(db, ROUTING_JOBS.assignWaiting, {}, { uniqueKey: `${ROUTING_JOBS.assignWaiting}:${slot}`, maxAttempts: 2, runAt: clock.now() });
}

/**
 * Whether a ticket change may have freed an agent's capacity: a status change (solved,
 * closed) or an unassignment. (Routing's own assignments do not count; a reassignment
 * from one agent to another is picked up by the minute tick.)
 */
export function freesCapacity(e: DomainEvent): boolean {
  if (e.type !== 'ticket.updated' || !Array.isArray(e.changes)) return false;
  return e.changes.includes('status') || (e.changes.includes('assignee') && e.assigneeId === null);
}

export interface RoutingHooks {
  /**
   * For TicketDeps.afterIntake: routes a new or reopened ticket; tells whether the ticket's
   * fields changed. `intake`: a creation's facts, with what routingPrefetchSql read in its
   * statement; only when nothing changed the ticket since (the bot handed it off or let it be).
   */
  afterIntake: (ticketId: string, reason: 'created' | 'reopened', intake?: IntakeFacts) => Promise<IntakeResult>;
  /**
   * Routing's decision on a creation's prefetched facts when it gives nobody anything and
   * changes nothing (the ticket waits): the `routed` event to write, for another statement
   * to carry (the bot's hand-off), and the result. Null when routing must run afterIntake
   * (someone fits, a team to join, no prefetch). Valid only while the ticket is as the
   * creation wrote it.
   */
  planIntake: (intake: IntakeFacts, reason: 'created' | 'reopened') => { routed: Record<string, unknown>; result: IntakeResult } | null;
  /** Job handlers to add to the JobRunner. */
  jobs: Record<string, JobHandler>;
  /** Call every minute (and at start): queues the routing tick. */
  schedule: (db: Kysely<DB>, clock: Clock) => Promise<void>;
  /** Subscribes to ticket events: when a ticket is solved or unassigned, waiting tickets are handed out. Returns unsubscribe. */
  watch: () => () => void;
}

export function routingHooks(deps: RoutingDeps): RoutingHooks {
  return {
    afterIntake: async (ticketId, reason, intake) => {
      const now = deps.clock.now();
      const r = await routeTicket(deps, ticketId, now, reason, intake ? prefetchedForRouting(intake, now) : undefined);
      return { ticketChanged: r.changedTicket !== false };
    },
    planIntake: (intake, reason) => {
      const first = prefetchedForRouting(intake, deps.clock.now());
      const d = first ? decideWithoutLock(first, reason) : null;
      return d?.routed ? { routed: d.routed, result: { ticketChanged: d.result.changedTicket !== false } } : null;
    },
    jobs: {
      [ROUTING_JOBS.tick]: async () => {
        await routingTick(deps, deps.clock.now());
      },
      [ROUTING_JOBS.assignWaiting]: async () => {
        await assignWaiting(deps, deps.clock.now());
      },
    },
    schedule: scheduleRoutingTick,
    watch: () => {
      // one hand-out per 5-second slot across all nodes (the job's unique key): this node
      // asks for each slot once, not once per ticket solved in it
      let askedSlot = -1;
      return deps.bus.subscribe((e) => {
        if (!freesCapacity(e)) return;
        const slot = Math.floor(deps.clock.now().getTime() / 5_000);
        if (slot === askedSlot) return;
        askedSlot = slot;
        void kickAssignWaiting(deps.db, deps.clock).catch(() => {
          if (askedSlot === slot) askedSlot = -1;
        });
      });
    },
  };
}
