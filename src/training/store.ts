/**
 * Drill persistence: sessions and their turns, assignments, scenarios created from tickets.
 * A session's engine is deterministic, so any node rebuilds it from the stored turns; a small
 * per-process cache keeps the common case (the same node, the next turn) fast.
 */
import type { Kysely } from 'kysely';
import YAML from 'yaml';
import type { Clock } from '../core/clock.ts';
import { AppError, forbidden, notFound, validationError } from '../core/errors.ts';
import { isUuid, uuidv7 } from '../core/ids.ts';
import type { DB, Role } from '../db/types.ts';
import { DrillEngine, type Hint, type TranscriptEntry, type TurnInput, type TurnOutcome, type PublicState } from './drill.ts';
import { scoreDrill, type DrillResult } from './report.ts';
import { TOOL_DESCRIPTIONS, type SandboxState, type ToolCall } from './sandbox.ts';
import { scenarioLibrary, validateScenario, variantIds, ScenarioError, type Scenario } from './scenario.ts';
import { Tau2DrillEngine, type Tau2DrillResult, type Tau2TranscriptEntry } from './tau2/drill.ts';
import type { Tau2Voice } from './tau2/llm-customer.ts';
import { isTau2ScenarioId, tau2Dataset, tau2PublicScenario, tau2Summary, tau2Task } from './tau2/source.ts';
import type { Tau2Dataset, Tau2Task } from './tau2/types.ts';

export interface DrillDeps {
  db: Kysely<DB>;
  clock: Clock;
  /** Optional: rephrases customer lines in persona (llm-voice.ts). */
  voice?: (scenario: Scenario, line: { text: string; gloss_zh: string }, transcript: TranscriptEntry[]) => Promise<string>;
  /** Optional: the tau2 customer played by an LLM (tau2/llm-customer.ts). */
  tau2Voice?: Tau2Voice;
  /** The tau2 retail dataset folder (default ../shared/datasets/tau2-retail; absent = no tau2 source). */
  tau2Dir?: string;
}

/** A drill of either kind: a library/ticket scenario, or a tau2 retail task. */
type AnyEngine = DrillEngine | Tau2DrillEngine;
export type AnyDrillResult = DrillResult | Tau2DrillResult;

/** The tau2 task of a `tau2:<id>` scenario id; 404 when the dataset or the task is absent. */
export function tau2TaskFor(deps: Pick<DrillDeps, 'tau2Dir'>, id: string): { dataset: Tau2Dataset; task: Tau2Task } {
  const dataset = tau2Dataset(deps.tau2Dir);
  const task = dataset ? tau2Task(dataset, id) : null;
  if (!dataset || !task) throw notFound('Scenario', id);
  return { dataset, task };
}

export interface DrillActor {
  id: string;
  role: Role;
}

const TRAINERS: ReadonlySet<Role> = new Set(['admin', 'manager', 'trainer']);
export const isTrainer = (a: DrillActor) => TRAINERS.has(a.role);

// ---------------------------------------------------------------------------------------
// Scenarios: the library (content/scenarios) plus those created from tickets (database).

export async function getScenario(db: Kysely<DB>, id: string): Promise<{ scenario: Scenario; source: 'library' | 'ticket' | 'user' }> {
  const lib = scenarioLibrary().get(id);
  if (lib) return { scenario: lib, source: 'library' };
  const row = await db.selectFrom('training_scenarios').select(['yaml', 'source']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Scenario', id);
  const { scenario, issues } = validateScenario(YAML.parse(row.yaml), `db:${id}`);
  if (!scenario) throw new ScenarioError(issues);
  return { scenario, source: row.source };
}

export interface ScenarioFilter {
  category?: string;
  market?: string;
  difficulty?: string;
  language?: string;
  q?: string;
  source?: 'library' | 'ticket' | 'tau2';
  limit?: number;
  /** The tau2 dataset folder (source=tau2). */
  tau2Dir?: string;
  offset?: number;
}

export interface ScenarioSummary {
  id: string;
  title: { en: string; zh: string };
  market: string;
  language: string;
  category: string;
  difficulty: string;
  tags: string[];
  source: 'library' | 'ticket' | 'user' | 'tau2';
  variants: string[];
}

const summaryOf = (s: Scenario, source: ScenarioSummary['source']): ScenarioSummary => ({
  id: s.id,
  title: s.title,
  market: s.market,
  language: s.language,
  category: s.category,
  difficulty: s.difficulty,
  tags: s.tags,
  source,
  variants: variantIds(s),
});

export async function listScenarios(db: Kysely<DB>, f: ScenarioFilter): Promise<{ items: ScenarioSummary[]; total: number; limit: number; offset: number }> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const offset = Math.max(f.offset ?? 0, 0);
  const all: ScenarioSummary[] = [];
  // tau2 retail tasks only when asked for (source=tau2); an absent dataset is an empty source.
  if (f.source === 'tau2') for (const t of tau2Dataset(f.tau2Dir)?.tasks ?? []) all.push(tau2Summary(t));
  if (f.source === undefined || f.source === 'library') for (const s of scenarioLibrary().values()) all.push(summaryOf(s, 'library'));
  if (f.source === undefined || f.source === 'ticket') {
    const rows = await db.selectFrom('training_scenarios').select(['yaml', 'source', 'id']).orderBy('created_at', 'desc').limit(1000).execute();
    for (const r of rows) {
      const { scenario } = validateScenario(YAML.parse(r.yaml), `db:${r.id}`);
      if (scenario) all.push(summaryOf(scenario, r.source));
    }
  }
  const q = f.q?.toLowerCase();
  const items = all.filter(
    (s) =>
      (!f.category || s.category === f.category) &&
      (!f.market || s.market === f.market.toUpperCase()) &&
      (!f.difficulty || s.difficulty === f.difficulty) &&
      (!f.language || s.language === f.language) &&
      (!q || s.id.includes(q) || s.title.en.toLowerCase().includes(q) || s.title.zh.includes(q)),
  );
  const order = { easy: 0, medium: 1, hard: 2 } as Record<string, number>;
  items.sort((a, b) => a.category.localeCompare(b.category) || order[a.difficulty] - order[b.difficulty] || (a.source === 'tau2' && b.source === 'tau2' ? a.id.localeCompare(b.id, 'en', { numeric: true }) : a.id.localeCompare(b.id)));
  return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
}

/** What a trainee may see before playing (no goal, outcomes or expected end state). */
export function publicScenario(s: Scenario, source: ScenarioSummary['source']) {
  return {
    ...summaryOf(s, source),
    persona: { name: s.persona.name, culture: s.persona.culture, writes: s.persona.writes, formality: s.persona.formality ?? null },
    opening: s.opening[0],
    marketRules: s.market_rules_in_play,
    cultureHints: s.culture_hints,
    tools: Object.entries(TOOL_DESCRIPTIONS).map(([name, d]) => ({ name, ...d })),
  };
}

// ---------------------------------------------------------------------------------------
// Sessions

interface CacheEntry {
  engine: AnyEngine;
  turns: number;
}
const cache = new Map<string, CacheEntry>();
const CACHE_MAX = 500;

function remember(id: string, e: CacheEntry): void {
  cache.delete(id);
  cache.set(id, e);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
}

export interface SessionView {
  id: string;
  userId: string;
  scenario: ReturnType<typeof publicScenario> | ReturnType<typeof tau2PublicScenario>;
  variant: string;
  seed: number;
  hints: boolean;
  assignmentId: string | null;
  status: 'active' | 'ended';
  state: PublicState;
  startedAt: string;
  endedAt: string | null;
  transcript: TranscriptEntry[] | Tau2TranscriptEntry[];
  startHints: Hint[];
  sandbox:
    | Pick<SandboxState, 'customer' | 'order' | 'shipments' | 'returns' | 'refunds' | 'claims' | 'transferred'>
    | { customer: Record<string, unknown> | null; order: null; shipments: never[]; returns: never[]; refunds: never[]; claims: never[]; transferred: boolean; tau2: ReturnType<Tau2DrillEngine['sandboxView']> };
  score: number | null;
  passed: boolean | null;
}

type SessionRowView = { id: string; user_id: string; variant: string; seed: number; hints: boolean; assignment_id: string | null; status: 'active' | 'ended'; started_at: Date; ended_at: Date | null; score: string | null; passed: boolean | null };

/** A session as the API shows it: the row, and what the engine (either kind) shows of the drill. */
function sessionView(row: SessionRowView, engine: AnyEngine, scenario: SessionView['scenario'], sandbox: SessionView['sandbox']): SessionView {
  return {
    id: row.id,
    userId: row.user_id,
    scenario,
    variant: row.variant,
    seed: row.seed,
    hints: row.hints,
    assignmentId: row.assignment_id,
    status: row.status,
    state: engine.publicState(),
    startedAt: row.started_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
    transcript: engine.transcript,
    startHints: engine.startHints(),
    sandbox,
    score: row.score === null ? null : Number(row.score),
    passed: row.passed,
  };
}

function tau2ViewOf(row: SessionRowView, engine: Tau2DrillEngine): SessionView {
  const sb = engine.sandboxView();
  const u = sb.user;
  return sessionView(row, engine, engine.publicScenario(), {
    customer: u ? { name: `${u.name.first_name} ${u.name.last_name}`, email: u.email, country: u.address.country, userId: u.user_id } : null,
    order: null,
    shipments: [],
    returns: [],
    refunds: [],
    claims: [],
    transferred: sb.transferred,
    tau2: sb,
  });
}

function viewOf(row: SessionRowView, engine: AnyEngine, source: ScenarioSummary['source']): SessionView {
  if (engine instanceof Tau2DrillEngine) return tau2ViewOf(row, engine);
  const sb = engine.sandbox.state;
  const sandbox = { customer: sb.customer, order: sb.order, shipments: sb.shipments, returns: sb.returns, refunds: sb.refunds, claims: sb.claims, transferred: sb.transferred };
  return sessionView(row, engine, publicScenario(engine.scenario, source), sandbox);
}

export interface StartInput {
  scenarioId: string;
  variant?: string;
  seed?: number;
  hints?: boolean;
  assignmentId?: string;
}

/** A tau2 task as a drill session (same table, turns and cache as other drills). */
async function startTau2Session(deps: DrillDeps, input: StartInput, actor: DrillActor): Promise<SessionView> {
  const { dataset, task } = tau2TaskFor(deps, input.scenarioId);
  const scenarioId = `tau2:${task.id}`;
  const variant = input.variant ?? 'base';
  if (variant !== 'base') throw validationError(`Unknown variant ${variant} (has: base)`, { field: 'variant' });
  if (input.assignmentId !== undefined) await startAssignment(deps, input.assignmentId, scenarioId, actor);
  const now = deps.clock.now();
  const seed = input.seed ?? Math.floor((now.getTime() % 2_000_000_000) + 1);
  const id = uuidv7(now.getTime());
  const row = { id, user_id: actor.id, scenario_id: scenarioId, variant, seed, hints: input.hints ?? true, assignment_id: input.assignmentId ?? null, status: 'active' as const, started_at: now, ended_at: null, score: null, passed: null };
  await deps.db.insertInto('drill_sessions').values(row).execute();
  const engine = new Tau2DrillEngine({ task, db: dataset.db, seed, hints: row.hints, startedAt: now });
  if (deps.tau2Voice) {
    // The LLM opens in persona; kept as turn 0 so any node shows the same words after a rebuild.
    const text = await engine.speak(deps.tau2Voice, 0);
    await deps.db.insertInto('drill_turns').values({ session_id: id, seq: 0, text: '', tools: '[]', customer_text: text, customer_gloss: engine.transcript[0].gloss_zh ?? null, outcome: '{}', created_at: now }).execute();
  }
  remember(id, { engine, turns: 0 });
  return viewOf(row, engine, 'tau2');
}

async function startAssignment(deps: DrillDeps, assignmentId: string, scenarioId: string, actor: DrillActor) {
  if (!isUuid(assignmentId)) throw validationError('assignmentId must be an assignment id', { field: 'assignmentId' });
  const a = await deps.db.selectFrom('drill_assignments').selectAll().where('id', '=', assignmentId).executeTakeFirst();
  if (!a || a.user_id !== actor.id) throw notFound('Assignment', assignmentId);
  if (a.scenario_id !== scenarioId) throw validationError('The assignment is for another scenario', { field: 'assignmentId' });
  if (a.status === 'assigned') await deps.db.updateTable('drill_assignments').set({ status: 'started' }).where('id', '=', a.id).execute();
  return a;
}

export async function startSession(deps: DrillDeps, input: StartInput, actor: DrillActor): Promise<SessionView> {
  if (isTau2ScenarioId(input.scenarioId)) return startTau2Session(deps, input, actor);
  const { scenario, source } = await getScenario(deps.db, input.scenarioId);
  let variant = input.variant ?? 'base';
  if (input.assignmentId !== undefined) {
    if (!isUuid(input.assignmentId)) throw validationError('assignmentId must be an assignment id', { field: 'assignmentId' });
    const a = await deps.db.selectFrom('drill_assignments').selectAll().where('id', '=', input.assignmentId).executeTakeFirst();
    if (!a || a.user_id !== actor.id) throw notFound('Assignment', input.assignmentId);
    if (a.scenario_id !== scenario.id) throw validationError('The assignment is for another scenario', { field: 'assignmentId' });
    variant = input.variant ?? a.variant;
    if (a.status === 'assigned') await deps.db.updateTable('drill_assignments').set({ status: 'started' }).where('id', '=', a.id).execute();
  }
  if (!variantIds(scenario).includes(variant)) throw validationError(`Unknown variant ${variant} (has: ${variantIds(scenario).join(', ')})`, { field: 'variant' });
  const now = deps.clock.now();
  const seed = input.seed ?? Math.floor((now.getTime() % 2_000_000_000) + 1);
  const id = uuidv7(now.getTime());
  const row = {
    id,
    user_id: actor.id,
    scenario_id: scenario.id,
    variant,
    seed,
    hints: input.hints ?? true,
    assignment_id: input.assignmentId ?? null,
    status: 'active' as const,
    started_at: now,
    ended_at: null,
    score: null,
    passed: null,
  };
  await deps.db.insertInto('drill_sessions').values(row).execute();
  const engine = new DrillEngine({ scenario, variant, seed, hints: row.hints, startedAt: now });
  remember(id, { engine, turns: 0 });
  return viewOf(row, engine, source);
}

async function loadRow(db: Kysely<DB>, id: string) {
  if (!isUuid(id)) throw notFound('Drill session', id);
  const row = await db.selectFrom('drill_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Drill session', id);
  return row;
}

function canSee(row: { user_id: string }, actor: DrillActor): boolean {
  return row.user_id === actor.id || isTrainer(actor);
}

/** A tau2 session's engine: from the cache, or rebuilt by replaying the stored turns (turn 0: the LLM's opening). */
async function tau2EngineOf(deps: DrillDeps, row: Awaited<ReturnType<typeof loadRow>>): Promise<{ engine: AnyEngine; source: ScenarioSummary['source'] }> {
  const hit = cache.get(row.id);
  if (hit && hit.turns === row.turns) return { engine: hit.engine, source: 'tau2' };
  const { dataset, task } = tau2TaskFor(deps, row.scenario_id);
  const turns = await deps.db.selectFrom('drill_turns').select(['seq', 'text', 'tools', 'customer_text', 'created_at']).where('session_id', '=', row.id).orderBy('seq').execute();
  const engine = new Tau2DrillEngine({ task, db: dataset.db, seed: row.seed, hints: row.hints, startedAt: row.started_at });
  for (const t of turns) {
    if (t.seq === 0) {
      if (t.customer_text) engine.transcript[0].text = t.customer_text;
      continue;
    }
    const before = engine.transcript.length;
    engine.turn({ text: t.text, tools: t.tools as ToolCall[] }, t.created_at);
    const last = engine.transcript[engine.transcript.length - 1];
    if (engine.transcript.length > before + 1 && last.role === 'customer' && t.customer_text) last.text = t.customer_text;
  }
  if (row.status === 'ended' && row.ended_at) engine.end(row.ended_at);
  remember(row.id, { engine, turns: turns.filter((t) => t.seq > 0).length });
  return { engine, source: 'tau2' };
}

/** The engine of a session: from the cache, or rebuilt by replaying the stored turns. */
async function engineOf(deps: DrillDeps, row: Awaited<ReturnType<typeof loadRow>>): Promise<{ engine: AnyEngine; source: ScenarioSummary['source'] }> {
  if (isTau2ScenarioId(row.scenario_id)) return tau2EngineOf(deps, row);
  const { scenario, source } = await getScenario(deps.db, row.scenario_id);
  const hit = cache.get(row.id);
  if (hit && hit.turns === row.turns) return { engine: hit.engine, source };
  const turns = await deps.db.selectFrom('drill_turns').select(['seq', 'text', 'tools', 'customer_text', 'customer_gloss', 'created_at']).where('session_id', '=', row.id).orderBy('seq').execute();
  const engine = new DrillEngine({ scenario, variant: row.variant, seed: row.seed, hints: row.hints, startedAt: row.started_at });
  for (const t of turns) {
    engine.turn({ text: t.text, tools: t.tools as ToolCall[] }, t.created_at);
    // The customer's words as they were shown (an LLM may have rephrased them).
    const last = engine.transcript[engine.transcript.length - 1];
    if (last.role === 'customer' && t.customer_text) last.text = t.customer_text;
  }
  if (row.status === 'ended' && row.ended_at) engine.end(row.ended_at);
  remember(row.id, { engine, turns: turns.length });
  return { engine, source };
}

export async function getSession(deps: DrillDeps, id: string, actor: DrillActor): Promise<SessionView> {
  const row = await loadRow(deps.db, id);
  if (!canSee(row, actor)) throw notFound('Drill session', id);
  const { engine, source } = await engineOf(deps, row);
  return viewOf(row, engine, source);
}

export interface TurnResult extends Omit<TurnOutcome, 'tools'> {
  tools: TurnOutcome['tools'] | ReturnType<Tau2DrillEngine['turn']>['tools'];
  sessionId: string;
  report: AnyDrillResult | null;
}

export async function postTurn(deps: DrillDeps, id: string, input: TurnInput, actor: DrillActor): Promise<TurnResult> {
  const row = await loadRow(deps.db, id);
  if (row.user_id !== actor.id) throw row && canSee(row, actor) ? forbidden('Only the trainee plays their drill') : notFound('Drill session', id);
  if (row.status === 'ended') throw new AppError('conflict', 'This drill has ended', { reason: 'drill_ended' });
  const { engine } = await engineOf(deps, row);
  const now = deps.clock.now();
  const out = engine.turn(input, now);
  if (engine instanceof Tau2DrillEngine) {
    const said = engine.transcript[engine.transcript.length - 1];
    if (out.customer?.text && deps.tau2Voice && said.role === 'customer') out.customer.text = await engine.speak(deps.tau2Voice, engine.transcript.length - 1);
  } else if (out.customer?.text && deps.voice) {
    const said = engine.transcript[engine.transcript.length - 1];
    try {
      const text = await deps.voice(engine.scenario, { text: out.customer.text, gloss_zh: out.customer.gloss_zh }, engine.transcript.slice(0, -1));
      if (text) {
        out.customer.text = text;
        said.text = text;
      }
    } catch {
      // the scripted line stays: an LLM outage never breaks a drill
    }
  }
  const seq = row.turns + 1;
  try {
    await deps.db
      .insertInto('drill_turns')
      .values({ session_id: id, seq, text: input.text ?? '', tools: JSON.stringify(input.tools ?? []), customer_text: out.customer?.text || null, customer_gloss: out.customer?.gloss_zh || null, outcome: JSON.stringify(out), created_at: now })
      .execute();
  } catch (e) {
    cache.delete(id);
    if (/duplicate key|unique/i.test((e as Error).message)) throw new AppError('conflict', 'Another turn of this drill was posted at the same time; reload the session', { reason: 'concurrent_turn' });
    throw e;
  }
  let report: AnyDrillResult | null = null;
  const upd = await deps.db
    .updateTable('drill_sessions')
    .set({ turns: seq, customer_status: engine.customer.state.status, updated_at: now })
    .where('id', '=', id)
    .where('turns', '=', row.turns)
    .executeTakeFirst();
  if (Number(upd.numUpdatedRows) !== 1) {
    cache.delete(id);
    throw new AppError('conflict', 'Another turn of this drill was posted at the same time; reload the session', { reason: 'concurrent_turn' });
  }
  remember(id, { engine, turns: seq });
  if (engine.ended) report = await finish(deps, { ...row, turns: seq }, engine, now);
  return { ...out, sessionId: id, report };
}

async function finish(deps: DrillDeps, row: Awaited<ReturnType<typeof loadRow>>, engine: AnyEngine, now: Date): Promise<AnyDrillResult> {
  engine.end(now);
  const report = engine instanceof Tau2DrillEngine ? engine.score() : scoreDrill(engine);
  await deps.db
    .updateTable('drill_sessions')
    .set({ status: 'ended', ended_at: now, score: report.score, passed: report.passed, report: JSON.stringify(report), customer_status: engine.customer.state.status, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  if (row.assignment_id) {
    const a = await deps.db.selectFrom('drill_assignments').select(['status', 'best_score']).where('id', '=', row.assignment_id).executeTakeFirst();
    if (a) {
      const best = Math.max(report.score, a.best_score === null ? -1 : Number(a.best_score));
      const status = a.status === 'passed' || report.passed ? 'passed' : 'failed';
      await deps.db
        .updateTable('drill_assignments')
        .set({ status, best_score: best, completed_at: status === 'passed' && a.status !== 'passed' ? now : undefined })
        .where('id', '=', row.assignment_id)
        .execute();
    }
  }
  return report;
}

export async function endSession(deps: DrillDeps, id: string, actor: DrillActor): Promise<AnyDrillResult> {
  const row = await loadRow(deps.db, id);
  if (!canSee(row, actor)) throw notFound('Drill session', id);
  if (row.status === 'ended') return row.report as AnyDrillResult;
  if (row.user_id !== actor.id) throw forbidden('Only the trainee ends their drill');
  const { engine } = await engineOf(deps, row);
  return finish(deps, row, engine, deps.clock.now());
}

export async function getReport(deps: DrillDeps, id: string, actor: DrillActor): Promise<AnyDrillResult> {
  const row = await loadRow(deps.db, id);
  if (!canSee(row, actor)) throw notFound('Drill session', id);
  if (row.status !== 'ended' || !row.report) throw new AppError('conflict', 'The drill has not ended yet: end it first (POST …/end)', { reason: 'drill_active' });
  return row.report as AnyDrillResult;
}

export interface SessionSummary {
  id: string;
  userId: string;
  scenarioId: string;
  variant: string;
  status: 'active' | 'ended';
  customerStatus: string;
  turns: number;
  score: number | null;
  passed: boolean | null;
  startedAt: string;
  endedAt: string | null;
}

export async function listSessions(deps: DrillDeps, f: { userId?: string; scenarioId?: string; limit?: number; offset?: number }, actor: DrillActor): Promise<{ items: SessionSummary[]; limit: number; offset: number }> {
  const userId = f.userId ?? actor.id;
  if (userId !== actor.id && !isTrainer(actor)) throw forbidden('Only trainers, managers and admins see other agents’ drills');
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const offset = Math.max(f.offset ?? 0, 0);
  let q = deps.db.selectFrom('drill_sessions').select(['id', 'user_id', 'scenario_id', 'variant', 'status', 'customer_status', 'turns', 'score', 'passed', 'started_at', 'ended_at']).where('user_id', '=', userId);
  if (f.scenarioId) q = q.where('scenario_id', '=', f.scenarioId);
  const rows = await q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      scenarioId: r.scenario_id,
      variant: r.variant,
      status: r.status,
      customerStatus: r.customer_status,
      turns: r.turns,
      score: r.score === null ? null : Number(r.score),
      passed: r.passed,
      startedAt: r.started_at.toISOString(),
      endedAt: r.ended_at?.toISOString() ?? null,
    })),
    limit,
    offset,
  };
}

// ---------------------------------------------------------------------------------------
// pass^k: reliability of an agent over k variants of a scenario

export interface PassK {
  userId: string;
  scenarioId: string;
  k: number;
  /** 1 when the latest attempt of each of the k variants passed, else 0. */
  passK: number;
  /** Unbiased estimate over all attempts: C(c,k)/C(n,k) with c passes in n attempts. */
  estimate: number;
  attempts: number;
  passes: number;
  variants: { variant: string; passed: boolean; score: number; sessionId: string }[];
}

function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** pass^k from results (pure): `results` in time order. */
export function passKOf(results: { variant: string; passed: boolean; score: number; sessionId: string }[], k?: number): Omit<PassK, 'userId' | 'scenarioId'> {
  const latest = new Map<string, { variant: string; passed: boolean; score: number; sessionId: string }>();
  for (const r of results) latest.set(r.variant, r);
  const variants = [...latest.values()];
  const kk = k ?? variants.length;
  const passes = results.filter((r) => r.passed).length;
  return {
    k: kk,
    passK: variants.length >= kk && kk > 0 && variants.slice(0, kk).every((v) => v.passed) ? 1 : 0,
    estimate: Math.round((results.length >= kk && kk > 0 ? choose(passes, kk) / choose(results.length, kk) : 0) * 1000) / 1000,
    attempts: results.length,
    passes,
    variants,
  };
}

export async function passK(deps: DrillDeps, f: { userId?: string; scenarioId: string; k?: number }, actor: DrillActor): Promise<PassK> {
  const userId = f.userId ?? actor.id;
  if (userId !== actor.id && !isTrainer(actor)) throw forbidden('Only trainers, managers and admins see other agents’ results');
  const rows = await deps.db
    .selectFrom('drill_sessions')
    .select(['id', 'variant', 'passed', 'score'])
    .where('user_id', '=', userId)
    .where('scenario_id', '=', f.scenarioId)
    .where('status', '=', 'ended')
    .orderBy('ended_at')
    .execute();
  const out = passKOf(rows.map((r) => ({ variant: r.variant, passed: r.passed === true, score: Number(r.score ?? 0), sessionId: r.id })), f.k);
  return { userId, scenarioId: f.scenarioId, ...out };
}

// ---------------------------------------------------------------------------------------
// Assignments

export interface AssignmentView {
  id: string;
  scenarioId: string;
  scenarioTitle: { en: string; zh: string } | null;
  variant: string;
  userId: string;
  assignedBy: string;
  note: string | null;
  dueAt: string | null;
  status: 'assigned' | 'started' | 'passed' | 'failed';
  bestScore: number | null;
  createdAt: string;
  completedAt: string | null;
}

type AssignmentRow = {
  id: string;
  scenario_id: string;
  variant: string;
  user_id: string;
  assigned_by: string;
  note: string | null;
  due_at: Date | null;
  status: AssignmentView['status'];
  best_score: string | null;
  created_at: Date;
  completed_at: Date | null;
};

async function assignmentView(db: Kysely<DB>, r: AssignmentRow): Promise<AssignmentView> {
  let title: AssignmentView['scenarioTitle'] = null;
  try {
    title = isTau2ScenarioId(r.scenario_id) ? tau2Summary(tau2TaskFor({}, r.scenario_id).task).title : (await getScenario(db, r.scenario_id)).scenario.title;
  } catch {
    title = null;
  }
  return {
    id: r.id,
    scenarioId: r.scenario_id,
    scenarioTitle: title,
    variant: r.variant,
    userId: r.user_id,
    assignedBy: r.assigned_by,
    note: r.note,
    dueAt: r.due_at?.toISOString() ?? null,
    status: r.status,
    bestScore: r.best_score === null ? null : Number(r.best_score),
    createdAt: r.created_at.toISOString(),
    completedAt: r.completed_at?.toISOString() ?? null,
  };
}

export async function assignScenario(deps: DrillDeps, input: { scenarioId: string; userId: string; variant?: string; note?: string; dueAt?: string }, actor: DrillActor): Promise<AssignmentView> {
  if (!isTrainer(actor)) throw forbidden('Only trainers, managers and admins assign drills');
  if (!isUuid(input.userId)) throw validationError('userId must be a user id', { field: 'userId' });
  const user = await deps.db.selectFrom('users').select(['id']).where('id', '=', input.userId).executeTakeFirst();
  if (!user) throw notFound('User', input.userId);
  let scenarioId: string;
  const variant = input.variant ?? 'base';
  if (isTau2ScenarioId(input.scenarioId)) {
    scenarioId = `tau2:${tau2TaskFor(deps, input.scenarioId).task.id}`;
    if (variant !== 'base') throw validationError(`Unknown variant ${variant} (has: base)`, { field: 'variant' });
  } else {
    const { scenario } = await getScenario(deps.db, input.scenarioId);
    scenarioId = scenario.id;
    if (!variantIds(scenario).includes(variant)) throw validationError(`Unknown variant ${variant} (has: ${variantIds(scenario).join(', ')})`, { field: 'variant' });
  }
  let due: Date | null = null;
  if (input.dueAt !== undefined) {
    due = new Date(input.dueAt);
    if (Number.isNaN(due.getTime())) throw validationError('dueAt must be an ISO date-time', { field: 'dueAt' });
  }
  const now = deps.clock.now();
  const row: AssignmentRow = { id: uuidv7(now.getTime()), scenario_id: scenarioId, variant, user_id: input.userId, assigned_by: actor.id, note: input.note ?? null, due_at: due, status: 'assigned', best_score: null, created_at: now, completed_at: null };
  await deps.db.insertInto('drill_assignments').values(row).execute();
  return assignmentView(deps.db, row);
}

export async function listAssignments(deps: DrillDeps, f: { userId?: string; status?: AssignmentView['status'] }, actor: DrillActor): Promise<{ items: AssignmentView[] }> {
  const userId = f.userId ?? actor.id;
  if (userId !== actor.id && !isTrainer(actor)) throw forbidden('Only trainers, managers and admins see other agents’ assignments');
  let q = deps.db.selectFrom('drill_assignments').selectAll().where('user_id', '=', userId);
  if (f.status) q = q.where('status', '=', f.status);
  const rows = await q.orderBy('created_at', 'desc').limit(200).execute();
  return { items: await Promise.all(rows.map((r) => assignmentView(deps.db, r))) };
}

/** For tests: forget cached engines (simulates another node). */
export function clearDrillCache(): void {
  cache.clear();
}
