/** `crossdesk drill play`: an interactive drill in the terminal (readline). */
import readline from 'node:readline';
import { CliError } from './io.ts';
import { DrillEngine, type Hint } from '../training/drill.ts';
import { scoreDrill } from '../training/report.ts';
import type { ToolCall } from '../training/sandbox.ts';
import { scenarioLibrary, type Scenario } from '../training/scenario.ts';

export interface PlayOptions {
  scenarioId: string;
  /** The scenario itself (e.g. drafted from a ticket, from the database); else looked up in the library. */
  scenario?: Scenario;
  variant?: string;
  seed: number;
  ui: 'en' | 'zh';
  hints: boolean;
}

export async function playInTerminal(opts: PlayOptions, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  const scenario = opts.scenario ?? scenarioLibrary().get(opts.scenarioId);
  if (!scenario) throw new CliError(`unknown scenario ${opts.scenarioId} (see: crossdesk drill list)`);
  const engine = new DrillEngine({ scenario, variant: opts.variant, seed: opts.seed, hints: opts.hints, startedAt: new Date() });
  const w = (s: string) => output.write(s + '\n');
  const hint = (h: Hint[]) => h.forEach((x) => w(`  💡 ${opts.ui === 'en' ? x.en : x.zh}`));
  const sc = engine.scenario;
  w(`== ${opts.ui === 'en' ? sc.title.en : sc.title.zh} [${sc.market} ${sc.language} ${sc.difficulty}, variant ${engine.variant}]`);
  w(`   order ${sc.facts.order.number}: ${sc.facts.order.items.map((i) => `${i.qty}× ${i.name} (${i.sku})`).join(', ')} — ${sc.facts.order.total} ${sc.facts.order.currency}, ${sc.facts.order.status}`);
  w(`   tools: lookup_customer lookup_order create_return exchange refund reship cancel change_address open_claim transfer — /tool NAME {json}; /end to finish`);
  w('');
  const opening = engine.transcript[0];
  w(`${sc.persona.name}: ${opening.text}`);
  w(`   （${opening.gloss_zh ?? ''}）`);
  const start = engine.startHints();
  engine.hintsShown.push(...start);
  hint(start);
  const rl = readline.createInterface({ input, terminal: false });
  let pendingTools: ToolCall[] = [];
  output.write('> ');
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) {
      output.write('> ');
      continue;
    }
    if (line === '/end' || line === '/quit') break;
    if (line === '/help') {
      w('type your reply to the customer; /tool NAME {json} runs a tool before your next reply (e.g. /tool refund {"order":"#1047","amount":10}); /end scores the drill');
      output.write('> ');
      continue;
    }
    if (line.startsWith('/tool ')) {
      const m = /^\/tool\s+(\w+)\s*(.*)$/.exec(line);
      let args: Record<string, unknown> = {};
      try {
        args = m?.[2] ? (JSON.parse(m[2]) as Record<string, unknown>) : {};
      } catch {
        w('  ✗ arguments must be JSON, e.g. {"order":"#1047"}');
        output.write('> ');
        continue;
      }
      pendingTools = [{ name: m?.[1] ?? '', arguments: args }];
      const out = engine.turn({ tools: pendingTools }, new Date());
      pendingTools = [];
      for (const t of out.tools) w(t.ok ? `  ✓ ${t.name} ${JSON.stringify(t.result ?? {})}` : `  ✗ ${t.name}: ${t.error?.message ?? ''}`);
      hint(out.hints);
      if (out.ended) break;
      output.write('> ');
      continue;
    }
    const out = engine.turn({ text: line }, new Date());
    if (out.customer?.text) {
      w(`${sc.persona.name}: ${out.customer.text}`);
      w(`   （${out.customer.gloss_zh}）`);
    }
    w(`   [mood ${out.state.mood.toFixed(2)} · patience ${out.state.patience} · ${out.state.status}]`);
    hint(out.hints);
    if (out.ended) break;
    output.write('> ');
  }
  rl.close();
  engine.end(new Date());
  const r = scoreDrill(engine);
  const L = (x: { en: string; zh: string }) => (opts.ui === 'en' ? x.en : x.zh);
  w('');
  w(`== ${opts.ui === 'en' ? 'Score' : '得分'}: ${r.score} — ${r.passed ? (opts.ui === 'en' ? 'PASSED' : '通过') : `${opts.ui === 'en' ? 'FAILED' : '未通过'} (${r.failReasons.join(', ')})`}`);
  for (const d of Object.values(r.dimensions)) {
    w(`  ${L(d.name).padEnd(20)} ${d.score.toFixed(2)} ${d.verdict}`);
    for (const e of d.evidence.filter((x) => x.effect !== 'earned').slice(0, 2)) w(`      - ${L(e)}${e.quote ? ` «${e.quote.slice(0, 80)}»` : ''}`);
  }
  if (r.strongReply) {
    w(opts.ui === 'en' ? 'A strong agent would have written:' : '优秀客服会这样写：');
    w(`  ${r.strongReply.text}`);
    w(`  （${r.strongReply.gloss_zh}）`);
  }
}
