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

export default async function setup(): Promise<() => void> {
  if (process.env.DATABASE_URL) return () => undefined;
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
