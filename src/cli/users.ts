import { openDatabase } from '../db/index.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { loadConfig } from '../core/config.ts';
import { isAppError } from '../core/errors.ts';
import { createApiToken, findUserByEmail, isRole, ROLES, upsertUser } from '../people/users.ts';
import { CliError } from './io.ts';

interface CommonOpts {
  data?: string;
  databaseUrl?: string;
}

async function withDatabase<T>(opts: CommonOpts, fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { data: opts.data, databaseUrl: opts.databaseUrl });
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

export async function runUserCreate(opts: CommonOpts & { email: string; password: string; role: string; name?: string }): Promise<void> {
  if (!isRole(opts.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
  const role = opts.role;
  await withDatabase(opts, async (db) => {
    const { user, created } = await upsertUser(db, { email: opts.email, password: opts.password, role, name: opts.name });
    process.stdout.write(`${created ? 'created' : 'updated'} ${user.role} ${user.email} (${user.id})\n`);
  });
}

export async function runTokenCreate(opts: CommonOpts & { email: string; role: string; name: string }): Promise<void> {
  if (!isRole(opts.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
  const role = opts.role;
  await withDatabase(opts, async (db) => {
    const existing = await findUserByEmail(db, opts.email);
    const user = existing ?? (await upsertUser(db, { email: opts.email, role })).user;
    const token = await createApiToken(db, user.id, opts.name);
    process.stdout.write(`${token}\n`);
  });
}
