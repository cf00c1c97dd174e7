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
 * Named prepared statements (see statementName): PostgreSQL parses and plans each once per
 * connection instead of on every call. Statements whose text starts with a `prepared:NAME`
 * marker comment (the ticket insert in helpdesk/tickets.ts, which costs more to plan than
 * to run) are named from their first use. A pooler in transaction mode must support named
 * statements (PgBouncer 1.21 or newer with `max_prepared_statements` set).
 */
const preparedNames = new Map<string, string>();

/**
 * node-postgres writes each protocol message of a query (Parse, Bind, Describe, Execute,
 * Sync) with its own socket write: five system calls, and on loopback five trips through
 * the TCP stack, per statement. Corking the socket at the first message of a tick and
 * uncorking on the next tick sends them as one write (the profile of `crossdesk serve`
 * under load had a quarter of its CPU in socket writes). Messages still leave in order,
 * in the same tick they were written.
 */
function corkPerTick(client: pg.Client): void {
  const connection = (client as unknown as { connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void }; _send(b: Buffer): boolean } }).connection;
  const send = connection._send.bind(connection);
  let corked: (NodeJS.WritableStream & { uncork(): void }) | null = null;
  connection._send = (buffer: Buffer) => {
    if (!corked) {
      const stream = (corked = connection.stream);
      stream.cork();
      process.nextTick(() => {
        corked = null;
        stream.uncork();
      });
    }
    return send(buffer);
  };
}
class PreparingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    corkPerTick(this);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-postgres' overloads
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string') {
      const name = statementName(config, Array.isArray(values) && values.length > 0);
      if (name) return super.query({ name, text: config, values: values as unknown[] }, callback);
    }
    return super.query(config, values, callback);
  }
}

/** Uses of a statement text before it is prepared; how many texts get a name at most. */
const PREPARE_AFTER = 3;
const MAX_PREPARED = 400;
const textUses = new Map<string, number>();

/**
 * The prepared statement's name for a text, or undefined to send it unnamed. Marked texts
 * (`prepared:NAME`) are prepared at once; other parameterised texts once they have been
 * used PREPARE_AFTER times (as pgjdbc's prepareThreshold does), so a statement a server
 * runs per request (the bot's hand-off, routing's candidates, the order lookup) is parsed
 * and planned once per connection instead of on every call: under load, planning them cost
 * PostgreSQL more than running them. One-off texts (an IN list of a new length, a
 * migration) stay unnamed; past MAX_PREPARED names nothing new is prepared.
 */
function statementName(text: string, parameterised: boolean): string | undefined {
  let name = preparedNames.get(text);
  if (name) return name;
  const marked = text.startsWith('/* prepared:');
  if (!marked) {
    if (!parameterised || preparedNames.size >= MAX_PREPARED) return undefined;
    const uses = (textUses.get(text) ?? 0) + 1;
    if (uses < PREPARE_AFTER) {
      if (textUses.size >= 10_000) textUses.clear();
      textUses.set(text, uses);
      return undefined;
    }
    textUses.delete(text);
  }
  // the same marker on two different texts must not share a name
  name = `${(marked && /^\/\* prepared:(\w+)/.exec(text)?.[1]) || 's'}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
  preparedNames.set(text, name);
  return name;
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
