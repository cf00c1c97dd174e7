import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { randomToken } from '../../src/core/ids.ts';
import { templatePath } from './template-path.ts';

/**
 * A database of its own for one test: a clone of the migrated embedded template, or,
 * when DATABASE_URL is set, a fresh schema on that server. `close()` drops it.
 */
export async function createTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) {
    // Schemas are dropped together when the run ends (test/global-setup.ts), not one by one:
    // Kysely's migrator introspects every schema, and a schema dropped by a neighbouring test
    // in the middle of that scan makes it fail with "schema … does not exist".
    const run = process.env.CROSSDESK_TEST_RUN ?? 'x';
    const schema = `t_${run}_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    const d = await openDatabase({ databaseUrl: url, schema, poolSize: 4 });
    await migrateToLatest(d.db, schema);
    return { ...d, close: () => d.close() };
  }
  const blob = new Blob([fs.readFileSync(templatePath())]);
  const pglite = await PGlite.create({ loadDataDir: blob });
  const d = await openDatabase({ pglite });
  return {
    ...d,
    close: async () => {
      await d.close();
      await pglite.close();
    },
  };
}

export const usingPostgres = () => Boolean(process.env.DATABASE_URL);
