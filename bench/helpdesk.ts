/**
 * Helpdesk core figures (issue 2):
 * - ticket creation over HTTP on PGlite and (with DATABASE_URL) PostgreSQL, beside a raw
 *   insert of the same rows through the same driver;
 * - the inbox page (50 rows, status + assignee filter, sorted by SLA due) at 100k tickets
 *   on PostgreSQL, beside a primary-key read;
 * - `crossdesk demo` on an empty data folder to a healthy /api/health, beside a bare PGlite start.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/types.ts';
import { MemoryEventBus } from '../src/core/events.ts';
import { systemClock } from '../src/core/clock.ts';
import { uuidv7 } from '../src/core/ids.ts';
import { buildApp } from '../src/server/app.ts';
import { createApiToken, upsertUser } from '../src/people/users.ts';
import { getDefaultStore } from '../src/helpdesk/stores.ts';
import { listTickets } from '../src/helpdesk/tickets.ts';
import { triageForTickets } from '../src/helpdesk/triage-adapter.ts';
import { repoRoot } from '../src/core/paths.ts';
import type { BenchContext, BenchSuite } from './types.ts';
import { freshDatabase, pct } from './util.ts';


async function ticketCreation(ctx: BenchContext, kind: 'pglite' | 'postgres'): Promise<void> {
  const n = ctx.quick ? 300 : 2000;
  const concurrency = 16;
  const d = await freshDatabase(kind);
  try {
    const app = await buildApp({ db: d.db, dbKind: d.kind, bus: new MemoryEventBus(), clock: systemClock, triage: triageForTickets });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const { user } = await upsertUser(d.db, { email: 'bench@example.com', role: 'agent' });
    const token = await createApiToken(d.db, user.id, 'bench');
    const bodies = ['Where is my order #1001? Tracking has not moved for a week.', 'Das Paket kam beschädigt an, bitte um Ersatz.', '注文した商品がまだ届きません。', '我要退款，东西坏了。', 'Quiero cambiar la talla de mis zapatillas.'];
    // warm up
    for (let i = 0; i < 20; i++) {
      await fetch(`${url}/api/v1/tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'warm', body: bodies[i % 5], customer: { email: `w${i}@example.com` } }) });
    }
    // The load comes from autocannon in its own process (as a real client would), so the
    // server's event loop is not shared with the client's. [<id>] makes each body unique.
    const body = JSON.stringify({ subject: 'Order question [<id>]', body: `${bodies[0]} [<id>]`, customer: { email: 'c[<id>]@example.com', name: 'Customer [<id>]' } });
    const stdout = await new Promise<string>((resolve, reject) => {
      // asynchronous: the server under test runs in this process's event loop
      const child = spawn(
        process.execPath,
        [path.join(repoRoot, 'node_modules', 'autocannon', 'autocannon.js'), '-j', '-I', '-c', String(concurrency), '-a', String(n), '-m', 'POST',
          '-H', `authorization=Bearer ${token}`, '-H', 'content-type=application/json', '-b', body, `${url}/api/v1/tickets`],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`autocannon exited with ${code}`))));
    });
    const result = JSON.parse(stdout) as { duration: number; '2xx': number; non2xx: number; errors: number; requests: { total: number } };
    const failed = result.non2xx + result.errors;
    const httpRate = result['2xx'] / result.duration;
    await app.close();
    if (failed) throw new Error(`${failed} ticket creations failed`);

    // baseline: the same rows (customer upsert, ticket, message, event) inserted directly
    const store = await getDefaultStore(d.db);
    const t1 = performance.now();
    let nextRaw = 0;
    await Promise.all(
      Array.from({ length: kind === 'postgres' ? concurrency : 1 }, async () => {
        while (nextRaw < n) {
          const i = nextRaw++;
          await rawInsert(d.db, store.id, i, bodies[i % bodies.length]);
        }
      }),
    );
    const rawRate = n / ((performance.now() - t1) / 1000);
    const goal = kind === 'postgres' ? 1000 : 300;
    ctx.report({ group: 'helpdesk', name: `ticket creation over HTTP (${kind})`, value: httpRate, unit: 'tickets/s', baseline: { name: 'raw insert of the same rows', value: rawRate, unit: 'tickets/s' }, target: `>= ${goal}/s and >= 25% of raw`, ok: httpRate >= goal && httpRate >= 0.25 * rawRate });
    ctx.report({ group: 'helpdesk', name: `HTTP / raw ratio (${kind})`, value: (100 * httpRate) / rawRate, unit: '%' });
  } finally {
    await d.drop();
  }
}

async function rawInsert(db: Kysely<DB>, storeId: string, i: number, body: string): Promise<void> {
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    const c = await trx
      .insertInto('customers')
      .values({ id: uuidv7(), store_id: storeId, email: `raw${i % 500}@example.com`, name: `Customer ${i}`, language: null, country: null, timezone: null })
      .onConflict((oc) => oc.columns(['store_id', 'email']).doUpdateSet({ name: `Customer ${i}` }))
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = uuidv7();
    await trx
      .insertInto('tickets')
      .values({ id, store_id: storeId, subject: `Order question ${i}`, status: 'new', priority: 'normal', customer_id: c.id, order_id: null, assignee_id: null, team_id: null, language: 'en', sentiment: null, first_response_due_at: now, next_response_due_at: null, resolution_due_at: now, resolution_remaining_minutes: null, sla_due_at: now, sla_warned_at: null, first_responded_at: null, last_customer_message_at: now, last_agent_message_at: null, solved_at: null, closed_at: null, search: sql`to_tsvector('simple', ${body})`, created_at: now, updated_at: now })
      .execute();
    await trx.insertInto('messages').values({ id: uuidv7(), ticket_id: id, author_type: 'customer', author_id: c.id, body, language: 'en', external_id: null, created_at: now }).execute();
    await trx.insertInto('ticket_events').values({ ticket_id: id, actor_type: 'user', actor_id: null, type: 'created', field: null, created_at: now }).execute();
  });
}

async function inboxAt100k(ctx: BenchContext): Promise<void> {
  const total = ctx.quick ? 20_000 : 100_000;
  const d = await freshDatabase('postgres');
  try {
    const db = d.db;
    const store = await getDefaultStore(db);
    const agents = [];
    for (let i = 0; i < 20; i++) agents.push((await upsertUser(db, { email: `a${i}@bench.example`, role: 'agent' })).user.id);
    await sql`INSERT INTO customers (id, store_id, email) SELECT gen_random_uuid(), ${store.id}, 'c' || g || '@bench.example' FROM generate_series(1, 5000) g`.execute(db);
    await sql`
      INSERT INTO tickets (id, store_id, subject, status, priority, customer_id, assignee_id, sla_due_at, first_response_due_at, resolution_due_at, created_at, updated_at, search)
      SELECT gen_random_uuid(), ${store.id}, 'Ticket ' || g,
        (ARRAY['new','open','pending','on_hold','solved','closed'])[1 + g % 6],
        (ARRAY['urgent','high','normal','low'])[1 + g % 4],
        (SELECT id FROM customers ORDER BY id OFFSET (g % 5000) LIMIT 1),
        (${sql.raw(`ARRAY[${agents.map((a) => `'${a}'::uuid`).join(',')}]`)})[1 + g % 20],
        now() + (g % 5000) * interval '1 minute', now() + interval '1 hour', now() + interval '3 days',
        now() - (g % 86400) * interval '1 minute', now() - (g % 86400) * interval '1 minute',
        to_tsvector('simple', 'ticket ' || g)
      FROM generate_series(1, ${total}) g`.execute(db);
    await sql`ANALYZE tickets`.execute(db);
    const actor = { type: 'user' as const, id: agents[0], role: 'manager' as const, teamId: null };
    const times: number[] = [];
    const pk: number[] = [];
    const ids = (await db.selectFrom('tickets').select('id').limit(200).execute()).map((r) => r.id);
    for (let i = 0; i < 220; i++) {
      const t0 = performance.now();
      await listTickets({ db, clock: systemClock }, { limit: 50, status: ['open'], assignee: agents[i % 20], sort: 'sla_due' }, actor);
      if (i >= 20) times.push(performance.now() - t0);
      const t1 = performance.now();
      await db.selectFrom('tickets').selectAll().where('id', '=', ids[i % ids.length]).executeTakeFirst();
      if (i >= 20) pk.push(performance.now() - t1);
    }
    const p95 = pct(times, 95);
    ctx.report({ group: 'helpdesk', name: `inbox page p95 at ${total / 1000}k tickets (postgres)`, value: p95, unit: 'ms', baseline: { name: 'primary-key read p95', value: pct(pk, 95), unit: 'ms' }, target: '<= 20 ms', ok: p95 <= 20 });
  } finally {
    await d.drop();
  }
}

async function startToHealthy(ctx: BenchContext): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-start-'));
  const t0 = performance.now();
  const bare = await PGlite.create();
  await bare.close();
  const baseline = performance.now() - t0;
  const port = 31000 + Math.floor(Math.random() * 2000);
  const started = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dir, SMTP_PORT: '0' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'crossdesk.js'), 'demo'], { env, stdio: 'ignore' });
  let ms = Number.NaN;
  try {
    for (let i = 0; i < 1200; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (r.ok) {
          ms = performance.now() - started;
          break;
        }
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  ctx.report({ group: 'helpdesk', name: 'crossdesk demo on an empty data folder to healthy', value: ms / 1000, unit: 's', baseline: { name: 'bare PGlite start', value: baseline / 1000, unit: 's' }, target: '<= 20 s', ok: ms <= 20_000 });
}

const suite: BenchSuite = async (ctx) => {
  await ticketCreation(ctx, 'pglite');
  if (process.env.DATABASE_URL) {
    await ticketCreation(ctx, 'postgres');
    await inboxAt100k(ctx);
  } else {
    process.stdout.write('(set DATABASE_URL for the PostgreSQL figures)\n');
  }
  await startToHealthy(ctx);
};

export default suite;
