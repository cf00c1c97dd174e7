import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DB } from './types.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /** PostgreSQL schema holding our tables (a fresh one per test on a server). */
  schema: string;
  /** The embedded instance, when there is one (tests dump and clone it). */
  pglite?: PGlite;
  close(): Promise<void>;
}

// timestamptz and numeric come back as strings from node-postgres by default; we want
// Date for timestamps (as PGlite gives) and keep numeric as string (money stays exact).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Statements whose text starts with a `prepared:NAME` marker comment (the ticket insert in
 * helpdesk/tickets.ts) run as named prepared statements: PostgreSQL parses and plans them
 * once per connection instead of on every call (that insert costs more to plan than to
 * run). Only a few fixed statements carry the marker. A pooler in transaction mode must
 * support named statements (PgBouncer 1.21 or newer with `max_prepared_statements` set).
 */
const preparedNames = new Map<string, string>();
class PreparingClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-postgres' overloads
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && config.startsWith('/* prepared:')) {
      let name = preparedNames.get(config);
      if (!name) {
        // the same marker on two different texts must not share a name
        name = `${/^\/\* prepared:(\w+)/.exec(config)?.[1] ?? 'q'}_${createHash('sha1').update(config).digest('hex').slice(0, 12)}`;
        preparedNames.set(config, name);
      }
      return super.query({ name, text: config, values: values as unknown[] }, callback);
    }
    return super.query(config, values, callback);
  }
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** An already-open PGlite (tests clone a migrated template into one). */
  pglite?: PGlite;
  /** Schema on a PostgreSQL server; created when missing. Default `public`. */
  schema?: string;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const schema = opts.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    const pool = new pg.Pool({
      Client: PreparingClient,
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      options: schema === 'public' ? undefined : `-c search_path=${schema}`,
    });
    pool.on('error', () => undefined);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    if (schema !== 'public') await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
    return { db, kind: 'postgres', schema, close: () => db.destroy() };
  }
  let pglite = opts.pglite;
  let owned = false;
  if (!pglite) {
    if (opts.dataDir) fs.mkdirSync(path.join(opts.dataDir), { recursive: true });
    pglite = await PGlite.create(opts.dataDir ? path.join(opts.dataDir, 'pgdata') : undefined);
    owned = true;
  }
  const instance = pglite;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(instance) });
  return {
    db,
    kind: 'pglite',
    schema: 'public',
    pglite: instance,
    close: async () => {
      await db.destroy();
      if (owned && !instance.closed) await instance.close();
    },
  };
}
