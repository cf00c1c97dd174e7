/**
 * Runs once per `vitest run`: migrates one embedded database and saves its data
 * directory, so each test can start from a clone instead of initialising
 * PostgreSQL-in-WASM and migrating again (~4 s). On a server (DATABASE_URL), each test
 * migrates its own schema instead (fast there), so nothing is prepared here.
 */
import fs from 'node:fs';
import { openDatabase } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { newTemplatePath } from './helpers/template-path.ts';
import { randomToken } from '../src/core/ids.ts';
import pg from 'pg';

export default async function setup(): Promise<() => Promise<void> | void> {
  if (process.env.DATABASE_URL) {
    const run = randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x');
    process.env.CROSSDESK_TEST_RUN = run;
    return async () => {
      // drop this run's schemas (other runs on the same server keep theirs)
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
      try {
        const { rows } = await pool.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`t\\_${run}\\_%`]);
        for (const r of rows) await pool.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
      } finally {
        await pool.end();
      }
    };
  }
  const file = newTemplatePath();
  const d = await openDatabase({});
  try {
    await migrateToLatest(d.db);
    const dump = await d.pglite!.dumpDataDir('none');
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await d.close();
  }
  process.env.CROSSDESK_TEST_TEMPLATE = file;
  return () => fs.rmSync(file, { force: true });
}
