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
