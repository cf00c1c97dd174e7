/**
 * Reads the tau2 retail dataset (db.json, tasks.json, split_tasks.json, policy.md) from a
 * folder at run time. Nothing of it is copied into the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createSandbox, deepFreeze } from './sandbox.ts';
import { runTool } from './tools.ts';
import type { Tau2Action, Tau2Category, Tau2Dataset, Tau2Db, Tau2Task } from './types.ts';

/** The dataset is missing or malformed; the message says which file and why. */
export class Tau2DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Tau2DataError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Tau2DataError(code === 'ENOENT' ? `${file} not found` : `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Tau2DataError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Checks one action (`{"name","arguments"}`) and returns it as a Tau2Action, or a reason
 * why it is not one.
 */
export function parseAction(v: unknown): Tau2Action | string {
  if (!isObject(v)) return 'an action must be an object {"name","arguments"}';
  if (typeof v.name !== 'string' || v.name === '') return 'an action needs a "name" (string)';
  const args = v.arguments ?? {};
  if (!isObject(args)) return `action ${v.name}: "arguments" must be an object`;
  return { name: v.name, arguments: args };
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

const WRITE_CATEGORY: Record<string, Tau2Category> = {
  exchange_delivered_order_items: 'exchange_request',
  modify_pending_order_items: 'exchange_request',
  return_delivered_order_items: 'return_request',
  cancel_pending_order: 'cancellation',
  modify_pending_order_address: 'address_change',
  modify_user_address: 'address_change',
  modify_pending_order_payment: 'payment_issue',
  transfer_to_human_agents: 'other',
};

function categorise(actions: Tau2Action[]): Tau2Category {
  for (const a of actions) {
    const c = WRITE_CATEGORY[a.name];
    if (c) return c;
  }
  if (actions.some((a) => a.name === 'get_product_details' || a.name === 'get_item_details')) return 'product_question';
  if (actions.some((a) => a.name === 'get_order_details')) return 'order_status';
  return 'other';
}

/** The user the gold actions serve: found by their lookup, or owning what they touch. */
function goldUser(db: Readonly<Tau2Db>, actions: Tau2Action[]): string | null {
  const sb = createSandbox(db, { requireAuth: false, requireConfirmation: false });
  for (const a of actions) {
    if (a.name === 'find_user_id_by_email' || a.name === 'find_user_id_by_name_zip') {
      const r = runTool(sb, a.name, a.arguments);
      if (r.ok) return r.result as string;
    }
  }
  for (const a of actions) {
    const { user_id: userId, order_id: orderId } = a.arguments;
    if (typeof userId === 'string' && Object.hasOwn(db.users, userId)) return userId;
    if (typeof orderId === 'string' && Object.hasOwn(db.orders, orderId)) return db.orders[orderId].user_id;
  }
  return null;
}

function parseTask(raw: unknown, index: number, db: Readonly<Tau2Db>, splitOf: Map<string, 'train' | 'test'>): Tau2Task {
  const where = `tasks.json: task #${index + 1}`;
  if (!isObject(raw)) throw new Tau2DataError(`${where} is not an object`);
  if (typeof raw.id !== 'string' && typeof raw.id !== 'number') throw new Tau2DataError(`${where} has no id`);
  const id = String(raw.id);
  const criteria = isObject(raw.evaluation_criteria) ? raw.evaluation_criteria : {};
  const rawActions = criteria.actions ?? [];
  if (!Array.isArray(rawActions)) throw new Tau2DataError(`tasks.json: task ${id}: evaluation_criteria.actions is not a list`);
  const goldActions = rawActions.map((a, i) => {
    const parsed = parseAction(a);
    if (typeof parsed === 'string') throw new Tau2DataError(`tasks.json: task ${id}: action ${i + 1}: ${parsed}`);
    return parsed;
  });
  const scenario = isObject(raw.user_scenario) ? raw.user_scenario : {};
  const instr = scenario.instructions;
  const ins = isObject(instr) ? instr : {};
  const strings = (v: unknown) => (Array.isArray(v) ? v.map((x) => String(x)) : []);
  return {
    id,
    split: splitOf.get(id) ?? null,
    category: categorise(goldActions),
    reasonForCall: isObject(instr) ? text(ins.reason_for_call) : text(instr),
    knownInfo: text(ins.known_info),
    unknownInfo: text(ins.unknown_info),
    taskInstructions: text(ins.task_instructions),
    persona: typeof scenario.persona === 'string' ? scenario.persona : null,
    userId: goldUser(db, goldActions),
    goldActions,
    goldAuthenticates: goldActions.some((a) => a.name === 'find_user_id_by_email' || a.name === 'find_user_id_by_name_zip'),
    communicateInfo: strings(criteria.communicate_info),
    nlAssertions: strings(criteria.nl_assertions),
  };
}

function checkDb(v: unknown, file: string): Tau2Db {
  if (!isObject(v)) throw new Tau2DataError(`${file}: expected an object with products, users and orders`);
  for (const key of ['products', 'users', 'orders'] as const) {
    if (!isObject(v[key])) throw new Tau2DataError(`${file}: "${key}" is missing or not an object`);
  }
  return v as unknown as Tau2Db;
}

/**
 * Loads the dataset from `dir`. Throws Tau2DataError with a clear message when the folder or
 * a file is missing or malformed. split_tasks.json and policy.md are optional.
 */
export function loadTau2(dir: string): Tau2Dataset {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Tau2DataError(`dataset folder ${dir} not found`);
  const dbFile = path.join(dir, 'db.json');
  const db = deepFreeze(checkDb(readJson(dbFile), dbFile));

  const splitFile = path.join(dir, 'split_tasks.json');
  const splits = { train: [] as string[], test: [] as string[] };
  if (fs.existsSync(splitFile)) {
    const raw = readJson(splitFile);
    if (!isObject(raw)) throw new Tau2DataError(`${splitFile}: expected an object of task id lists`);
    for (const key of ['train', 'test'] as const) {
      const ids = raw[key];
      if (ids !== undefined && !Array.isArray(ids)) throw new Tau2DataError(`${splitFile}: "${key}" is not a list`);
      splits[key] = (ids ?? []).map((x) => String(x));
    }
  }
  const splitOf = new Map<string, 'train' | 'test'>();
  for (const id of splits.train) splitOf.set(id, 'train');
  for (const id of splits.test) splitOf.set(id, 'test');

  const tasksFile = path.join(dir, 'tasks.json');
  const rawTasks = readJson(tasksFile);
  if (!Array.isArray(rawTasks)) throw new Tau2DataError(`${tasksFile}: expected a list of tasks`);
  const tasks = rawTasks.map((t, i) => parseTask(t, i, db, splitOf));
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.id)) throw new Tau2DataError(`${tasksFile}: task id ${t.id} appears twice`);
    seen.add(t.id);
  }

  const policyFile = path.join(dir, 'policy.md');
  const policy = fs.existsSync(policyFile) ? fs.readFileSync(policyFile, 'utf8') : '';
  const dataset: Tau2Dataset = { dir, db, tasks, splits, policy };
  for (const t of tasks) taskDataset.set(t, dataset);
  return dataset;
}

/** The dataset each loaded task belongs to (so `replayTask(task, actions)` finds its database). */
export const taskDataset = new WeakMap<Tau2Task, Tau2Dataset>();

/** The tasks of a split (`all` = every task, in file order). */
export function tasksOfSplit(dataset: Tau2Dataset, split: 'train' | 'test' | 'all'): Tau2Task[] {
  if (split === 'all') return dataset.tasks;
  const ids = new Set(dataset.splits[split]);
  return dataset.tasks.filter((t) => ids.has(t.id));
}
