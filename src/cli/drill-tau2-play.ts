/**
 * tau2 retail tasks as drills in the terminal: `drill list --tau2`, `drill run --tau2 ID --script
 * FILE [--json]` (a scripted trainee) and `drill play --tau2 ID` (interactive: the trainee types
 * replies and `/tool NAME {json}` calls). `--data DIR` is the dataset folder, as for `drill tau2`.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { CliError } from './io.ts';
import { isAppError } from '../core/errors.ts';
import { parseScript } from '../training/run.ts';
import { Tau2DrillEngine, type Tau2DrillResult } from '../training/tau2/drill.ts';
import { tau2VoiceFromEnv, type Tau2Voice } from '../training/tau2/llm-customer.ts';
import { Tau2DataError } from '../training/tau2/load.ts';
import { runTau2Script } from '../training/tau2/run.ts';
import { TAU2_TOOL_INFOS, tau2Dataset, tau2Summary, tau2Task } from '../training/tau2/source.ts';
import { requestSentences } from '../training/tau2/text.ts';
import { tau2ToolSpec } from '../training/tau2/tools.ts';
import type { Tau2Dataset, Tau2Task } from '../training/tau2/types.ts';

function dataset(dir: string | undefined): Tau2Dataset {
  try {
    const ds = tau2Dataset(dir);
    if (!ds) throw new CliError(dir ? `dataset folder ${dir} not found` : 'no tau2 retail dataset: pass --data DIR (a folder with db.json and tasks.json)');
    return ds;
  } catch (e) {
    if (e instanceof Tau2DataError) throw new CliError(e.message);
    throw e;
  }
}

function taskOf(ds: Tau2Dataset, id: string): Tau2Task {
  const task = tau2Task(ds, id);
  if (!task) throw new CliError(`unknown tau2 task ${id} (see: crossdesk drill list --tau2)`);
  return task;
}

function seedOf(seed: string | undefined): number | undefined {
  if (seed === undefined) return undefined;
  if (!/^\d+$/.test(seed)) throw new CliError('--seed must be a whole number');
  return Number(seed);
}

export interface Tau2ListOptions {
  data?: string;
  json?: boolean;
  category?: string;
  difficulty?: string;
}

/** `drill list --tau2`: the tasks with their category, difficulty and split. */
export function listTau2(opts: Tau2ListOptions, out: NodeJS.WritableStream = process.stdout): void {
  const ds = dataset(opts.data);
  const rows = ds.tasks
    .map((t) => ({ task: t, s: tau2Summary(t) }))
    .filter(({ s }) => (!opts.category || s.category === opts.category) && (!opts.difficulty || s.difficulty === opts.difficulty));
  if (opts.json) {
    const list = rows.map(({ task, s }) => ({ id: s.id, task: task.id, category: s.category, difficulty: s.difficulty, split: task.split, title: s.title, request: requestSentences(task.reasonForCall)[0] ?? '' }));
    out.write(JSON.stringify(list, null, 2) + '\n');
    return;
  }
  for (const { task, s } of rows) {
    const first = requestSentences(task.reasonForCall)[0] ?? '';
    out.write(`${s.id.padEnd(9)} ${s.category.padEnd(17)} ${s.difficulty.padEnd(7)} ${(task.split ?? '-').padEnd(5)} ${first.length > 70 ? `${first.slice(0, 67)}...` : first}\n`);
  }
  out.write(`${rows.length} tau2 task(s)\n`);
}

export interface Tau2RunOptions {
  data?: string;
  task: string;
  script: string;
  json?: boolean;
  seed?: string;
}

/** `drill run --tau2 ID --script FILE [--json]`: plays the scripted trainee and prints the result. */
export function runTau2(opts: Tau2RunOptions, out: NodeJS.WritableStream = process.stdout): Tau2DrillResult {
  const ds = dataset(opts.data);
  const task = taskOf(ds, opts.task);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(opts.script, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read script ${opts.script}: ${(e as Error).message}`);
  }
  let result: Tau2DrillResult;
  try {
    result = runTau2Script(task, ds.db, parseScript(raw, opts.script), { seed: seedOf(opts.seed) });
  } catch (e) {
    if (isAppError(e)) throw new CliError(e.message);
    throw e;
  }
  if (opts.json) out.write(JSON.stringify(result, null, 2) + '\n');
  else {
    out.write(`${result.scenarioId}: score ${result.score} — ${result.passed ? 'PASSED' : `FAILED (${result.failReasons.join(', ')})`}\n`);
    out.write(`  database ${result.tau2.dbMatches ? 'matches the gold outcome' : `differs: ${result.tau2.reason ?? ''}`}\n`);
    for (const v of result.tau2.violations) out.write(`  process rule broken: ${v}\n`);
    for (const c of result.tau2.communicateInfo) out.write(`  ${c.told ? 'told' : 'NOT told'}: ${c.fact}\n`);
    for (const d of Object.values(result.dimensions)) out.write(`  ${d.name.en.padEnd(28)} ${d.score.toFixed(2)} ${d.verdict}\n`);
  }
  return result;
}

export interface Tau2PlayOptions {
  data?: string;
  task: string;
  seed: number;
  ui: 'en' | 'zh';
  hints: boolean;
  /** The LLM customer (default: from LLM_BASE_URL; null = scripted words). */
  voice?: Tau2Voice | null;
}

/** `drill play --tau2 ID`: an interactive tau2 drill (readline). */
export async function playTau2(opts: Tau2PlayOptions, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<Tau2DrillResult> {
  const ds = dataset(opts.data);
  const task = taskOf(ds, opts.task);
  const voice = opts.voice === undefined ? tau2VoiceFromEnv() : opts.voice ?? undefined;
  const engine = new Tau2DrillEngine({ task, db: ds.db, seed: opts.seed, hints: opts.hints, startedAt: new Date() });
  const en = opts.ui === 'en';
  const w = (s: string) => output.write(s + '\n');
  const hint = (h: { en: string; zh: string }[]) => h.forEach((x) => w(`  💡 ${en ? x.en : x.zh}`));
  const s = tau2Summary(task);
  w(`== ${en ? s.title.en : s.title.zh} [${s.category}, ${s.difficulty}${voice ? ', LLM customer' : ''}]`);
  w(`   tools: ${TAU2_TOOL_INFOS.map((t) => t.name).join(' ')}`);
  w(en ? '   /tool NAME {json} runs a tool; /tools lists their arguments; /end scores the drill' : '   /tool 工具名 {json} 调用工具；/tools 查看参数；/end 结束并评分');
  w('');
  if (voice) await engine.speak(voice, 0);
  w(`Customer: ${engine.transcript[0].text}`);
  const start = engine.startHints();
  engine.hintsShown.push(...start);
  hint(start);
  const rl = readline.createInterface({ input, terminal: false });
  output.write('> ');
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) {
      output.write('> ');
      continue;
    }
    if (line === '/end' || line === '/quit') break;
    if (line === '/help' || line === '/tools') {
      for (const t of TAU2_TOOL_INFOS) w(`  ${t.name} {${t.args.map((a) => (a.endsWith('[]') ? `"${a.slice(0, -2)}":[…]` : `"${a}":…`)).join(', ')}} — ${en ? (tau2ToolSpec(t.name)?.description ?? t.name) : t.zh}`);
      w(en ? '  Type your reply to the customer; a write needs the customer\'s explicit yes first.' : '  直接输入回复；执行修改前必须先取得客户明确的 yes。');
      output.write('> ');
      continue;
    }
    let turn: { text?: string; tools?: { name: string; arguments: Record<string, unknown> }[] };
    if (line.startsWith('/tool')) {
      const m = /^\/tool\s+(\w+)\s*(.*)$/.exec(line);
      if (!m) {
        w('  ✗ /tool NAME {json}, e.g. /tool get_order_details {"order_id":"#W2378156"}');
        output.write('> ');
        continue;
      }
      let args: unknown = {};
      try {
        args = m[2] ? JSON.parse(m[2]) : {};
      } catch {
        w('  ✗ arguments must be JSON, e.g. {"order_id":"#W2378156"}');
        output.write('> ');
        continue;
      }
      if (typeof args !== 'object' || args === null || Array.isArray(args)) {
        w('  ✗ arguments must be a JSON object');
        output.write('> ');
        continue;
      }
      turn = { tools: [{ name: m[1], arguments: args as Record<string, unknown> }] };
    } else turn = { text: line };
    const out = engine.turn(turn, new Date());
    for (const t of out.tools) w(t.ok ? `  ✓ ${t.name} ${JSON.stringify(t.result)}` : `  ✗ ${t.name}: ${t.error?.message ?? ''}`);
    if (out.customer?.text) {
      const shown = voice ? await engine.speak(voice, engine.transcript.length - 1) : out.customer.text;
      w(`Customer: ${shown}`);
    }
    hint(out.hints);
    if (out.ended) break;
    output.write('> ');
  }
  rl.close();
  engine.end(new Date());
  const r = engine.score();
  const L = (x: { en: string; zh: string }) => (en ? x.en : x.zh);
  w('');
  w(`== ${en ? 'Score' : '得分'}: ${r.score} — ${r.passed ? (en ? 'PASSED' : '通过') : `${en ? 'FAILED' : '未通过'} (${r.failReasons.join(', ')})`}`);
  w(`   ${en ? 'database' : '数据库'}: ${r.tau2.dbMatches ? (en ? 'matches the gold outcome' : '与标准结果一致') : `${en ? 'differs' : '不一致'} — ${r.tau2.reason ?? ''}`}`);
  for (const v of r.tau2.violations) w(`   ${en ? 'process rule broken' : '违反流程规则'}: ${v}`);
  for (const c of r.tau2.communicateInfo) w(`   ${c.told ? '✓' : '✗'} ${en ? 'tell' : '告知'}: ${c.fact}`);
  for (const d of Object.values(r.dimensions)) {
    w(`  ${L(d.name).padEnd(20)} ${d.score.toFixed(2)} ${d.verdict}`);
    for (const e of d.evidence.filter((x) => x.effect !== 'earned').slice(0, 2)) w(`      - ${L(e)}${e.quote ? ` «${e.quote.slice(0, 80)}»` : ''}`);
  }
  if (r.strongReply) w(`${en ? 'A strong agent' : '优秀客服'}: ${en ? r.strongReply.text : r.strongReply.gloss_zh}`);
  return r;
}
