import type { Command } from 'commander';
import { CliError } from './io.ts';

/**
 * `crossdesk drill list|validate|run|play` (src/training). Registered on the shared `drill`
 * group; each action imports the engine lazily.
 */
export function registerDrillCommands(drill: Command): void {
  drill
    .command('list')
    .description('list the drill scenarios (content/scenarios); fails naming the file and field of any invalid one')
    .option('--json', 'print JSON')
    .option('--category <category>', 'only this category')
    .option('--market <market>', 'only this market')
    .option('--difficulty <difficulty>', 'easy, medium or hard')
    .option('--language <language>', 'only this customer language')
    .option('--dir <dir>', 'scenario folder (default content/scenarios)')
    .option('--tau2', 'list the tau2 retail tasks instead (--data DIR: the dataset folder)')
    .action(async (opts: { json?: boolean; category?: string; market?: string; difficulty?: string; language?: string; dir?: string; tau2?: boolean }, cmd: Command) => {
      if (opts.tau2) {
        const { listTau2 } = await import('./drill-tau2-play.ts');
        listTau2({ data: cmd.optsWithGlobals<{ data?: string }>().data, json: opts.json, category: opts.category, difficulty: opts.difficulty });
        return;
      }
      const { loadScenarioDir } = await import('../training/scenario.ts');
      const { scenarios, issues } = loadScenarioDir(opts.dir);
      if (issues.length) throw new CliError(`invalid scenario file(s):\n${issues.map((i) => `  ${i.file}: ${i.field}: ${i.message}`).join('\n')}`);
      const list = scenarios.filter(
        (s) =>
          (!opts.category || s.category === opts.category) &&
          (!opts.market || s.market === opts.market.toUpperCase()) &&
          (!opts.difficulty || s.difficulty === opts.difficulty) &&
          (!opts.language || s.language === opts.language),
      );
      if (opts.json) {
        const out = list.map((s) => ({ id: s.id, title: s.title, market: s.market, language: s.language, category: s.category, difficulty: s.difficulty, tags: s.tags }));
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      for (const s of list) process.stdout.write(`${s.id.padEnd(40)} ${s.market} ${s.language.padEnd(3)} ${s.category.padEnd(17)} ${s.difficulty.padEnd(7)} ${s.title.en}\n`);
      process.stdout.write(`${list.length} scenario(s)\n`);
    });

  drill
    .command('validate')
    .description('validate every scenario file; print each problem with its file and field')
    .option('--dir <dir>', 'scenario folder (default content/scenarios)')
    .action(async (opts: { dir?: string }) => {
      const { loadScenarioDir } = await import('../training/scenario.ts');
      const { scenarios, issues } = loadScenarioDir(opts.dir);
      if (issues.length) throw new CliError(`${issues.length} problem(s):\n${issues.map((i) => `  ${i.file}: ${i.field}: ${i.message}`).join('\n')}`);
      process.stdout.write(`${scenarios.length} scenarios OK\n`);
    });

  drill
    .command('run')
    .description('play a scripted trainee (turns and tool calls from a JSON file) and print the scored result')
    .argument('[scenario]', 'scenario id (or --tau2 ID)')
    .option('--tau2 <id>', 'a tau2 retail task instead of a scenario (--data DIR: the dataset folder)')
    .requiredOption('--script <file>', 'JSON {"turns":[{"text","tools":[{"name","arguments"}]}…],"seed"?,"variant"?}')
    .option('--json', 'print the result as JSON')
    .option('--variant <variant>', 'base, a declared variant, calm or furious')
    .option('--seed <n>', 'seed of the simulated customer')
    .action(async (id: string | undefined, opts: { script: string; json?: boolean; variant?: string; seed?: string; tau2?: string }, cmd: Command) => {
      if (opts.tau2 !== undefined) {
        if (id !== undefined) throw new CliError('give either a scenario id or --tau2 ID, not both');
        const { runTau2 } = await import('./drill-tau2-play.ts');
        runTau2({ data: cmd.optsWithGlobals<{ data?: string }>().data, task: opts.tau2, script: opts.script, json: opts.json, seed: opts.seed });
        return;
      }
      if (id === undefined) throw new CliError('missing scenario id (or --tau2 ID)');
      const fs = await import('node:fs');
      const { findScenario } = await import('./drill-db.ts');
      const { parseScript, runScript } = await import('../training/run.ts');
      const scenario = await findScenario(id, cmd.optsWithGlobals());
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(opts.script, 'utf8'));
      } catch (e) {
        throw new CliError(`cannot read script ${opts.script}: ${(e as Error).message}`);
      }
      const script = parseScript(raw, opts.script);
      if (opts.seed !== undefined && !/^\d+$/.test(opts.seed)) throw new CliError('--seed must be a whole number');
      const result = runScript(scenario, script, { seed: opts.seed ? Number(opts.seed) : undefined, variant: opts.variant });
      if (opts.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      process.stdout.write(`${result.scenarioId} (${result.variant}): score ${result.score} — ${result.passed ? 'PASSED' : `FAILED (${result.failReasons.join(', ')})`}\n`);
      for (const d of Object.values(result.dimensions)) process.stdout.write(`  ${d.name.en.padEnd(28)} ${d.score.toFixed(2)} ${d.verdict}\n`);
    });

  drill
    .command('play')
    .description('play a scenario in the terminal: type your reply; /tool NAME {json} for a sandbox tool; /end to finish')
    .argument('[scenario]', 'scenario id (or --tau2 ID)')
    .option('--tau2 <id>', 'play a tau2 retail task (--data DIR: the dataset folder; LLM_BASE_URL: the LLM plays the customer)')
    .option('--variant <variant>', 'base, a declared variant, calm or furious')
    .option('--seed <n>', 'seed of the simulated customer', '1')
    .option('--lang <lang>', 'language of hints and the report: zh or en', 'zh')
    .option('--no-hints', 'no live coaching hints')
    .action(async (id: string | undefined, opts: { variant?: string; seed: string; lang: string; hints: boolean; tau2?: string }, cmd: Command) => {
      if (opts.tau2 !== undefined) {
        if (id !== undefined) throw new CliError('give either a scenario id or --tau2 ID, not both');
        if (!/^\d+$/.test(opts.seed)) throw new CliError('--seed must be a whole number');
        const { playTau2 } = await import('./drill-tau2-play.ts');
        await playTau2({ data: cmd.optsWithGlobals<{ data?: string }>().data, task: opts.tau2, seed: Number(opts.seed) || 1, ui: opts.lang === 'en' ? 'en' : 'zh', hints: opts.hints }, process.stdin, process.stdout);
        return;
      }
      if (id === undefined) throw new CliError('missing scenario id (or --tau2 ID)');
      const { playInTerminal } = await import('./drill-play.ts');
      const { findScenario } = await import('./drill-db.ts');
      const scenario = await findScenario(id, cmd.optsWithGlobals());
      await playInTerminal({ scenarioId: id, scenario, variant: opts.variant, seed: Number(opts.seed) || 1, ui: opts.lang === 'en' ? 'en' : 'zh', hints: opts.hints }, process.stdin, process.stdout);
    });

  drill
    .command('passk')
    .description("an agent's pass^k on a scenario: the latest attempt of each of k variants passed (and the unbiased estimate over all attempts)")
    .argument('<scenario>', 'scenario id')
    .requiredOption('--user <email>', "the agent's e-mail")
    .option('--k <n>', 'number of variants (default: all variants played)')
    .option('--json', 'print JSON (as GET /api/v1/drills/pass-k)')
    .action(async (id: string, opts: { user: string; k?: string; json?: boolean }, cmd: Command) => {
      const { runPassK } = await import('./drill-db.ts');
      await runPassK({ ...cmd.optsWithGlobals<{ data?: string; databaseUrl?: string }>(), scenario: id, user: opts.user, k: opts.k, json: opts.json });
    });
}
