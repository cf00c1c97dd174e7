import { Command, CommanderError } from 'commander';
import { CliError } from './io.ts';
import { registerDrillCommands } from './drill.ts';
import { isAppError } from '../core/errors.ts';

/**
 * `crossdesk` command line. Each command's implementation is imported lazily so that a
 * quick command (triage, qa score) does not pay for the server's start-up.
 */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('crossdesk')
    .description('After-sales service and training for cross-border sellers')
    .option('--data <dir>', 'embedded database and files (DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL server instead of the embedded database (DATABASE_URL)')
    .showHelpAfterError()
    .exitOverride();

  const serverOptions = (cmd: Command) =>
    cmd
      .option('--port <port>', 'HTTP port (PORT)')
      .option('--host <host>', 'listen address')
      .option('--redis-url <url>', 'Redis for event fan-out between app nodes (REDIS_URL)')
      .option('--smtp-port <port>', 'inbound SMTP port, 0 = off (SMTP_PORT)');

  serverOptions(program.command('serve').description('run the server'))
    .option('--workers <n>', 'app processes sharing the port, PostgreSQL only (WORKERS; default 1)')
    .action(async (opts, cmd: Command) => {
      const { runServe } = await import('./serve.ts');
      await runServe({ ...cmd.optsWithGlobals(), demo: false });
    });
  serverOptions(program.command('demo').description('run the server with demo data (seeded once)')).action(
    async (opts, cmd: Command) => {
      const { runServe } = await import('./serve.ts');
      await runServe({ ...cmd.optsWithGlobals(), demo: true });
    },
  );

  const user = program.command('user').description('manage users');
  user
    .command('create')
    .description('create or update a user')
    .requiredOption('--email <email>')
    .requiredOption('--password <password>')
    .requiredOption('--role <role>', 'admin, manager, trainer or agent')
    .option('--name <name>')
    .action(async (opts, cmd: Command) => {
      const { runUserCreate } = await import('./users.ts');
      await runUserCreate(cmd.optsWithGlobals());
    });

  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('create a user if needed and print an API token for Authorization: Bearer')
    .requiredOption('--email <email>')
    .option('--role <role>', 'role for a new user', 'agent')
    .option('--name <name>', 'token name', 'cli')
    .action(async (opts, cmd: Command) => {
      const { runTokenCreate } = await import('./users.ts');
      await runTokenCreate(cmd.optsWithGlobals());
    });

  program
    .command('bench')
    .description('run the benchmark suites (figures beside a baseline measured in the same run)')
    .option('--json', 'machine-readable output')
    .option('--quick', 'shorter runs')
    .option('--only <suites>', 'comma-separated suite names (files in bench/)')
    .action(async (opts: { json?: boolean; quick?: boolean; only?: string }) => {
      const { runBench } = await import('./bench.ts');
      await runBench(opts);
    });

  program
    .command('build-web')
    .description('build the web app into web/dist when its sources changed (run by npm install)')
    .option('--force', 'build even when web/dist is up to date')
    .action(async (opts: { force?: boolean }) => {
      const { ensureWebBuilt } = await import('./web-build.ts');
      try {
        const r = await ensureWebBuilt({ force: opts.force });
        process.stdout.write(`web app: ${r === 'built' ? 'built into web/dist' : r === 'fresh' ? 'up to date' : 'no sources'}\n`);
      } catch (e) {
        // never fail an install: `crossdesk serve` builds again on start
        process.stderr.write(`crossdesk: web build failed (${e instanceof Error ? e.message : String(e)}); it will be retried on start\n`);
      }
    });

  program
    .command('warm-cache')
    .description('train the triage models once and keep them in the cache (run by npm install, so the first start is quick)')
    .action(async () => {
      const started = Date.now();
      try {
        const { getModels } = await import('../text/models.ts');
        getModels();
        process.stdout.write(`triage models: ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      } catch (e) {
        // never fail an install: the models are trained on first use instead
        process.stderr.write(`crossdesk: could not prepare the triage models (${e instanceof Error ? e.message : String(e)}); they will be trained on first use\n`);
      }
    });

  // Commands added by other modules register below this line.

  // import orders / shopify (src/commerce/import)
  const importGroup = program.command('import').description('bulk import of orders (progress bar; bad rows reported, good rows kept)');
  const importOpts = (cmd: Command) =>
    cmd
      .option('--store <id>', 'store id (or name); default: the default store')
      .option('--json', 'print the summary as one JSON object {imported, updated, unchanged, failed, errors:[{line,reason}], …}')
      .option('--encoding <name>', 'file encoding (utf-8, gb18030, windows-1252…)', 'utf-8');
  importOpts(importGroup.command('orders <file>').description('import orders from a CSV file, one row per order line (README "CSV format")')).action(
    async (file: string, _opts, cmd: Command) => {
      const { runImport } = await import('./import.ts');
      await runImport('orders', file, cmd.optsWithGlobals());
    },
  );
  importOpts(importGroup.command('shopify <file>').description('import a Shopify export: a JSON array of orders or {"orders":[…]}')).action(
    async (file: string, _opts, cmd: Command) => {
      const { runImport } = await import('./import.ts');
      await runImport('shopify', file, cmd.optsWithGlobals());
    },
  );

  const qa = program.command('qa').description('quality assurance of agent replies');
  qa.command('score')
    .description('score replies: JSON lines {"id","market","language","category","days_since_delivery"?,"customer_message","reply"} on stdin')
    .action(async () => {
      const { runQaScore } = await import('./qa.ts');
      const { scored, bad } = await runQaScore(process.stdin, process.stdout, process.stderr);
      if (bad > 0) {
        process.stderr.write(`qa score: ${scored} scored, ${bad} bad line(s)\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('triage')
    .description('triage JSON lines {"id","text","subject"?} from stdin; one result line each on stdout')
    .action(async () => {
      const { runTriage } = await import('./triage.ts');
      const { ok, bad } = await runTriage(process.stdin, process.stdout, process.stderr);
      if (bad > 0) process.stderr.write(`triage: ${ok} triaged, ${bad} bad line(s)\n`);
      // like qa score: good lines are written, and any bad line makes the exit non-zero
      if (bad > 0) process.exitCode = 1;
    });

  // drill tau2 (src/training/tau2). `drill` is shared with the drill engine: reuse it if registered.
  const drillGroup =
    program.commands.find((c) => c.name() === 'drill') ?? program.command('drill').description('training drills');
  drillGroup
    .command('tau2')
    .description('import the tau2 retail tasks and replay their gold actions (or those in FILE) through the drill tools')
    .option('--split <split>', 'train, test or all', 'all')
    .option('--replay <gold|FILE>', 'gold, or a JSON file {"<task id>":[{"name","arguments"},…]}', 'gold')
    .option('--json', 'print {"total","passed","failed","tasks":[…]} as JSON')
    .addHelpText('after', '\n--data DIR: the dataset folder (db.json, tasks.json…), default ../shared/datasets/tau2-retail')
    .action(async (_opts, cmd: Command) => {
      const { runDrillTau2 } = await import('./drill-tau2.ts');
      runDrillTau2(cmd.optsWithGlobals());
    });
  registerDrillCommands(drillGroup);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    if (e instanceof CliError) {
      process.stderr.write(`crossdesk: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    if (isAppError(e)) {
      process.stderr.write(`crossdesk: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`crossdesk: ${msg}\n`);
    if (process.env.CROSSDESK_DEBUG) console.error(e);
    process.exitCode = 1;
  }
}
