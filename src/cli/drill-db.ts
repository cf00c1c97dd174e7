/**
 * The drill commands' access to the database: scenarios drafted from tickets (stored in
 * `training_scenarios`) for `drill run`/`drill play`, and `drill passk`. For run/play the database
 * is opened only when the command points at it (--data / --database-url), so the library alone
 * never needs one (nor touches a DATABASE_URL left in the environment).
 */
import { loadConfig } from '../core/config.ts';
import { isAppError } from '../core/errors.ts';
import { systemClock } from '../core/clock.ts';
import type { Scenario } from '../training/scenario.ts';
import { CliError } from './io.ts';

export interface DbFlags {
  data?: string;
  databaseUrl?: string;
}

/** True when the command was pointed at a database. */
export function wantsDatabase(flags: DbFlags): boolean {
  return !!(flags.data || flags.databaseUrl);
}

async function withDatabase<T>(flags: DbFlags, fn: (db: Awaited<ReturnType<typeof import('../db/index.ts').openDatabase>>['db']) => Promise<T>): Promise<T> {
  const { openDatabase } = await import('../db/index.ts');
  const { migrateToLatest } = await import('../db/migrator.ts');
  const config = loadConfig(process.env, { data: flags.data, databaseUrl: flags.databaseUrl });
  const d = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch((e: unknown) => {
    throw new CliError(`cannot open the database: ${e instanceof Error ? e.message : String(e)}`);
  });
  try {
    await migrateToLatest(d.db);
    return await fn(d.db);
  } catch (e) {
    if (isAppError(e)) throw new CliError(e.message);
    throw e;
  } finally {
    await d.close();
  }
}

/** A scenario of the library, or (with a database) one drafted from a ticket. */
export async function findScenario(id: string, flags: DbFlags): Promise<Scenario> {
  const { scenarioLibrary } = await import('../training/scenario.ts');
  const lib = scenarioLibrary().get(id);
  if (lib) return lib;
  if (!wantsDatabase(flags)) throw new CliError(`unknown scenario ${id} (see: crossdesk drill list; scenarios drafted from tickets need --data or --database-url)`);
  const { getScenario } = await import('../training/store.ts');
  return withDatabase(flags, async (db) => (await getScenario(db, id)).scenario).catch((e: unknown) => {
    if (e instanceof CliError && /not found/i.test(e.message)) throw new CliError(`unknown scenario ${id}: neither in the library nor in the database`);
    throw e;
  });
}

export interface PassKOptions extends DbFlags {
  scenario: string;
  user: string;
  k?: string;
  json?: boolean;
}

/** `crossdesk drill passk SCENARIO --user EMAIL [--k N] [--json]`: the agent's pass^k on a scenario. */
export async function runPassK(opts: PassKOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (opts.k !== undefined && !/^[1-9]\d*$/.test(opts.k)) throw new CliError('--k must be a whole number ≥ 1');
  await withDatabase(opts, async (db) => {
    const { findUserByEmail } = await import('../people/users.ts');
    const { passK, getScenario } = await import('../training/store.ts');
    const user = await findUserByEmail(db, opts.user);
    if (!user) throw new CliError(`no user with e-mail ${opts.user}`);
    await getScenario(db, opts.scenario);
    const r = await passK({ db, clock: systemClock }, { scenarioId: opts.scenario, userId: user.id, ...(opts.k ? { k: Number(opts.k) } : {}) }, { id: user.id, role: user.role });
    if (opts.json) {
      out.write(JSON.stringify(r, null, 2) + '\n');
      return;
    }
    out.write(`${opts.user} on ${opts.scenario}: pass^${r.k} = ${r.passK} (estimate ${r.estimate}; ${r.passes}/${r.attempts} attempts passed)\n`);
    for (const v of r.variants) out.write(`  ${v.variant.padEnd(16)} ${v.passed ? 'passed' : 'failed'}  ${v.score}  ${v.sessionId}\n`);
  });
}
