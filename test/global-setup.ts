/**
 * Runs once per `vitest run`: migrates one embedded database and saves its data
 * directory, so each test can start from a clone (~0.6 s) instead of initialising
 * PostgreSQL-in-WASM and migrating again (~4 s). On a server (DATABASE_URL), each test
 * migrates its own schema instead (fast there), so nothing is prepared here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { TEMPLATE_PATH } from './helpers/template-path.ts';

export default async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const d = await openDatabase({});
  try {
    await migrateToLatest(d.db);
    const dump = await d.pglite!.dumpDataDir('none');
    fs.mkdirSync(path.dirname(TEMPLATE_PATH), { recursive: true });
    fs.writeFileSync(TEMPLATE_PATH, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await d.close();
  }
}
