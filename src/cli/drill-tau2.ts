/**
 * `crossdesk drill tau2 --data DIR [--split train|test|all] --replay gold|FILE [--json]`:
 * imports the tau2 retail tasks and replays, through the drill sandbox and its tools, each
 * task's gold actions or the actions a file gives per task id; prints which tasks pass.
 */
import fs from 'node:fs';
import { CliError } from './io.ts';
import { sharedDataset } from '../core/paths.ts';
import { loadTau2, parseAction, Tau2DataError, tasksOfSplit } from '../training/tau2/load.ts';
import { replayTask, type Tau2ReplayResult } from '../training/tau2/replay.ts';
import type { Tau2Action, Tau2Dataset, Tau2Task } from '../training/tau2/types.ts';

export interface DrillTau2Options {
  data?: string;
  split?: string;
  replay?: string;
  json?: boolean;
}

interface TaskLine {
  id: string;
  passed: boolean;
  reason?: string;
}

const SPLITS = ['train', 'test', 'all'] as const;
type SplitName = (typeof SPLITS)[number];

/** A replay file, parsed: actions per task id, or why a task's entry is malformed. */
type ReplayFile = Map<string, Tau2Action[] | { malformed: string }>;

function readReplayFile(file: string): ReplayFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `replay file ${file} not found` : `cannot read replay file ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliError(`replay file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`replay file ${file} must be a JSON object {"<task id>": [{"name","arguments"}, …]}`);
  }
  const out: ReplayFile = new Map();
  for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(value)) {
      out.set(id, { malformed: 'expected a list of actions' });
      continue;
    }
    const actions: Tau2Action[] = [];
    let malformed: string | null = null;
    value.forEach((v, i) => {
      const a = parseAction(v);
      if (typeof a === 'string') malformed ??= `action ${i + 1}: ${a}`;
      else actions.push(a);
    });
    out.set(id, malformed ? { malformed } : actions);
  }
  return out;
}

function loadDataset(dir: string | undefined): Tau2Dataset {
  const resolved = dir ?? sharedDataset('tau2-retail');
  if (!resolved) {
    throw new CliError('no tau2 retail dataset: pass --data DIR (a folder with db.json and tasks.json)');
  }
  try {
    return loadTau2(resolved);
  } catch (e) {
    if (e instanceof Tau2DataError) throw new CliError(e.message);
    throw e;
  }
}

export interface DrillTau2Report {
  total: number;
  passed: number;
  failed: number;
  tasks: TaskLine[];
  split: SplitName;
  replay: string;
  /** Task ids in the replay file that are not in the dataset (or not in the split). */
  skipped?: string[];
  /** Tasks whose result also depends on what the agent tells the user, which replay cannot check. */
  unchecked_communication: number;
}

/** Runs the replay and returns the report (the command prints it). */
export function drillTau2(opts: DrillTau2Options): DrillTau2Report {
  const split = (opts.split ?? 'all') as SplitName;
  if (!SPLITS.includes(split)) throw new CliError(`--split must be one of ${SPLITS.join(', ')} (got "${opts.split}")`);
  const replay = opts.replay ?? 'gold';
  if (replay === '') throw new CliError('--replay needs "gold" or a file');
  const file = replay === 'gold' ? null : readReplayFile(replay);
  const dataset = loadDataset(opts.data);
  const inSplit = tasksOfSplit(dataset, split);

  let selected: Tau2Task[];
  let skipped: string[] = [];
  if (file) {
    const known = new Set(inSplit.map((t) => t.id));
    selected = inSplit.filter((t) => file.has(t.id));
    skipped = [...file.keys()].filter((id) => !known.has(id));
  } else selected = inSplit;

  const results: Tau2ReplayResult[] = [];
  const lines: TaskLine[] = selected.map((task) => {
    const entry = file ? file.get(task.id) : task.goldActions;
    if (entry && !Array.isArray(entry)) return { id: task.id, passed: false, reason: `malformed actions in ${replay}: ${entry.malformed}` };
    const r = replayTask(task, entry ?? []);
    results.push(r);
    return r.passed ? { id: r.id, passed: true } : { id: r.id, passed: false, reason: r.reason };
  });
  const passed = lines.filter((l) => l.passed).length;
  const report: DrillTau2Report = {
    total: lines.length,
    passed,
    failed: lines.length - passed,
    tasks: lines,
    split,
    replay: file ? replay : 'gold',
    unchecked_communication: selected.filter((t) => t.communicateInfo.length > 0 || t.nlAssertions.length > 0).length,
  };
  if (skipped.length > 0) report.skipped = skipped;
  return report;
}

function summary(r: DrillTau2Report): string {
  const out = [`tau2 retail, split ${r.split}, replay ${r.replay}: ${r.passed}/${r.total} tasks passed, ${r.failed} failed`];
  for (const t of r.tasks) if (!t.passed) out.push(`  FAIL task ${t.id}: ${t.reason ?? ''}`);
  if (r.skipped?.length) out.push(`  skipped (not in the dataset or the split): ${r.skipped.join(', ')}`);
  if (r.unchecked_communication > 0) {
    out.push(
      `  note: ${r.unchecked_communication} of these tasks also expect facts told to the user; replay checks only the database`,
    );
  }
  return `${out.join('\n')}\n`;
}

export function runDrillTau2(opts: DrillTau2Options): void {
  const report = drillTau2(opts);
  if (report.skipped?.length && opts.json) {
    process.stderr.write(`crossdesk: skipped task ids not in the dataset or split: ${report.skipped.join(', ')}\n`);
  }
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : summary(report));
}
