import { Command, CommanderError } from 'commander';
import { CliError } from './io.ts';
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

  serverOptions(program.command('serve').description('run the server')).action(async (opts, cmd: Command) => {
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

  // Commands added by other modules register below this line.

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
