import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test/helpers/db.ts';
import type { Database } from './index.ts';

describe('database', () => {
  let d: Database | undefined;
  afterEach(async () => {
    await d?.close();
    d = undefined;
  });

  it('opens a migrated database with the core tables', async () => {
    d = await createTestDatabase();
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tickets`.execute(d.db);
    expect(rows.rows[0].n).toBe(0);
  });

  it('rolls back a failed transaction and keeps the connection usable', async () => {
    d = await createTestDatabase();
    const db = d.db;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('teams').values({ id: '018f0000-0000-7000-8000-000000000001', name: 'A' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const teams = await db.selectFrom('teams').select('id').execute();
    expect(teams).toHaveLength(0);
    // on PGlite, concurrent queries while a transaction runs are serialised, not interleaved
    const tx = db.transaction().execute(async (trx) => {
      await trx.insertInto('teams').values({ id: '018f0000-0000-7000-8000-000000000002', name: 'B' }).execute();
      return trx.selectFrom('teams').select('name').execute();
    });
    const outside = db.selectFrom('teams').select('name').execute();
    expect(await tx).toEqual([{ name: 'B' }]);
    // PGlite has one connection: the outside query waits for the commit. A server gives it
    // its own connection, which under READ COMMITTED may or may not see the row yet.
    if (d.kind === 'pglite') expect(await outside).toEqual([{ name: 'B' }]);
    else expect((await outside).length).toBeLessThanOrEqual(1);
  });
});
