/** Helpers shared by the benchmark suites. */
import { openDatabase, type Database } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { randomToken } from '../src/core/ids.ts';

/** The p-th percentile of a list of measurements. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** A migrated database of the bench's own: a new PGlite, or a new schema on DATABASE_URL. */
export async function freshDatabase(kind: 'pglite' | 'postgres', poolSize = 10): Promise<Database & { drop(): Promise<void> }> {
  if (kind === 'postgres') {
    const schema = `bench_${randomToken(5).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    const d = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema, poolSize });
    await migrateToLatest(d.db, schema);
    return {
      ...d,
      drop: async () => {
        await d.db.schema.dropSchema(schema).cascade().execute();
        await d.close();
      },
    };
  }
  const d = await openDatabase({});
  await migrateToLatest(d.db);
  return { ...d, drop: () => d.close() };
}
