/**
 * Outcome check by replay: a task passes when the database after the given actions equals
 * the database after the task's gold actions (both from the same initial copy), and no
 * process rule was broken. Replay cannot check what the agent told the user
 * (`communicateInfo`, `nlAssertions`): that lives in the conversation and is scored by the
 * drill's rubric; the result lists it as unchecked.
 */
import { taskDataset } from './load.ts';
import { createSandbox, dbHash, describeDifference, diffSandboxes, type Tau2Sandbox } from './sandbox.ts';
import { runTool } from './tools.ts';
import type { Tau2Action, Tau2Db, Tau2Task } from './types.ts';

export interface Tau2ReplayResult {
  id: string;
  passed: boolean;
  /** Why it failed: the first database difference, or the first broken process rule. */
  reason?: string;
  dbMatches: boolean;
  expectedHash: string;
  actualHash: string;
  /** Every database difference found (up to 20), one line each. */
  differences: string[];
  /** Process rules broken by the replayed actions (each call was refused). */
  violations: string[];
  /** Calls that failed (tool checks or rules), with their error. */
  failedCalls: { index: number; name: string; error: string }[];
  /** What the agent had to tell the user: not checked by replay. */
  unchecked: string[];
}

export interface Tau2ReplayOptions {
  /** The initial database; defaults to the one the task was loaded with (loadTau2). */
  db?: Readonly<Tau2Db>;
}

/**
 * The session a replay starts with: every write counts as confirmed by the user (a replay
 * has no conversation), authentication is required, except for tasks whose gold actions
 * start without a lookup (the dataset lists only their writes): those start authenticated
 * as the task's user, still limited to that one user.
 */
export function replaySandbox(task: Tau2Task, db: Readonly<Tau2Db>): Tau2Sandbox {
  return createSandbox(db, {
    requireAuth: true,
    requireConfirmation: false,
    authenticatedUserId: task.goldAuthenticates ? null : task.userId,
  });
}

function play(task: Tau2Task, db: Readonly<Tau2Db>, actions: readonly Tau2Action[]): Tau2Sandbox {
  const sb = replaySandbox(task, db);
  for (const a of actions) runTool(sb, a.name, a.arguments);
  return sb;
}

const goldCache = new WeakMap<Tau2Task, { db: Readonly<Tau2Db>; sandbox: Tau2Sandbox; hash: string }>();

/** The sandbox after the task's gold actions, and its hash (computed once per task and database). */
export function goldOutcome(task: Tau2Task, db: Readonly<Tau2Db>): { sandbox: Tau2Sandbox; hash: string } {
  const hit = goldCache.get(task);
  if (hit && hit.db === db) return hit;
  const sandbox = play(task, db, task.goldActions);
  const entry = { db, sandbox, hash: dbHash(sandbox) };
  goldCache.set(task, entry);
  return entry;
}

function dbOf(task: Tau2Task, options: Tau2ReplayOptions): Readonly<Tau2Db> {
  const db = options.db ?? taskDataset.get(task)?.db;
  if (!db) throw new Error(`task ${task.id}: no database (load it with loadTau2, or pass options.db)`);
  return db;
}

/**
 * Compares a sandbox (after a replay, or after a trainee's drill) with the task's gold outcome:
 * the whole database must equal the database after the gold actions, and no process rule may
 * have been broken.
 */
export function checkAgainstGold(task: Tau2Task, db: Readonly<Tau2Db>, sb: Tau2Sandbox): Tau2ReplayResult {
  const gold = goldOutcome(task, db);
  const actualHash = dbHash(sb);
  const dbMatches = actualHash === gold.hash;
  const differences = dbMatches ? [] : diffSandboxes(gold.sandbox, sb).map(describeDifference);
  const failedCalls = sb.session.log.flatMap((c, index) =>
    c.outcome.ok ? [] : [{ index, name: c.name, error: c.outcome.error }],
  );
  const violations = [...sb.session.violations];
  const unchecked = [
    ...task.communicateInfo.map((x) => `tell the user: ${x}`),
    ...task.nlAssertions,
  ];
  const result: Tau2ReplayResult = {
    id: task.id,
    passed: dbMatches && violations.length === 0,
    dbMatches,
    expectedHash: gold.hash,
    actualHash,
    differences,
    violations,
    failedCalls,
    unchecked,
  };
  if (!dbMatches) {
    const first = differences[0] ?? 'the database differs';
    const more = differences.length > 1 ? ` (+${differences.length - 1} more)` : '';
    const refusedWrite = sb.session.log.find((c) => c.kind === 'write' && !c.outcome.ok);
    const refused =
      refusedWrite && !refusedWrite.outcome.ok ? `; ${refusedWrite.name} was refused: ${refusedWrite.outcome.error}` : '';
    result.reason = `${first}${more}${refused}`;
  } else if (violations.length > 0) {
    result.reason = `process rule broken: ${violations[0]}`;
  }
  return result;
}

/** Replays `actions` for `task` and compares the result with the gold outcome. */
export function replayTask(task: Tau2Task, actions: readonly Tau2Action[], options: Tau2ReplayOptions = {}): Tau2ReplayResult {
  const db = dbOf(task, options);
  return checkAgainstGold(task, db, play(task, db, actions));
}

export interface Tau2ReplaySummary {
  total: number;
  passed: number;
  failed: number;
  tasks: Tau2ReplayResult[];
}

/** Replays many tasks: their gold actions, or the actions given per task id. */
export function replayTasks(
  tasks: readonly Tau2Task[],
  actionsFor: (task: Tau2Task) => readonly Tau2Action[],
  options: Tau2ReplayOptions = {},
): Tau2ReplaySummary {
  const results = tasks.map((t) => replayTask(t, actionsFor(t), options));
  const passed = results.filter((r) => r.passed).length;
  return { total: results.length, passed, failed: results.length - passed, tasks: results };
}
