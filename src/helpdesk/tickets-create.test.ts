import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/db.ts';
import type { Database } from '../db/index.ts';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus } from '../core/events.ts';
import { createTicket, getTicket, type TicketDeps, type TriageFn } from './tickets.ts';
import type { Actor } from './visibility.ts';

/**
 * Ticket creation is one statement: triage runs on the customer facts this node last saw
 * (or "new customer") and the insert checks them. These tests change the customer behind
 * the node's back and expect triage to have seen the truth anyway.
 */
describe('createTicket and what triage knows of the customer', () => {
  let d: Database;
  let deps: TicketDeps;
  let seen: Array<{ previousLanguages?: string[]; vip?: boolean }>;
  const system: Actor = { type: 'system', id: null };
  const admin: Actor = { type: 'user', id: null, role: 'admin', teamId: null };

  // the priority tells what triage was given: urgent for a VIP, high when a previous
  // language was known, else normal
  const triage: TriageFn = (i) => {
    seen.push({ previousLanguages: i.previousLanguages, vip: i.vip });
    return {
      language: i.previousLanguages?.[0] ?? 'en',
      category: 'other',
      sentiment: 'neutral',
      angry: false,
      priority: i.vip ? 'urgent' : i.previousLanguages ? 'high' : 'normal',
      reasons: i.vip ? [{ code: 'vip', en: 'VIP customer', zh: 'VIP 客户' }] : [],
    };
  };

  beforeEach(async () => {
    d = await createTestDatabase();
    seen = [];
    deps = { db: d.db, bus: new MemoryEventBus(), clock: new ManualClock(new Date('2026-11-23T09:00:00Z')), triage };
  });
  afterEach(async () => d.close());

  const create = (email: string, body = 'Where is my parcel?') => createTicket(deps, { subject: 'Parcel', body, customer: { email } }, system);

  it('tells triage nothing about a new customer and remembers them after the first ticket', async () => {
    const t1 = await create('new@example.com');
    expect(seen).toEqual([{ previousLanguages: undefined, vip: undefined }]);
    expect(t1.priority).toBe('normal');
    const t2 = await create('NEW@example.com');
    // the second ticket: the customer exists, with the language stored by the first
    expect(seen.at(-1)).toEqual({ previousLanguages: ['en'], vip: false });
    expect(t2.priority).toBe('high');
    expect(t2.customer.id).toBe(t1.customer.id);
    expect(seen).toHaveLength(2); // each time one triage: the remembered facts held
  });

  it('triages again when the customer became VIP behind this node, and stores only the second result', async () => {
    const t1 = await create('vip@example.com');
    await d.db.updateTable('customers').set({ vip: true }).where('id', '=', t1.customer.id).execute();
    const t2 = await create('vip@example.com');
    expect(seen).toHaveLength(3); // guessed "not VIP", was told otherwise, triaged again
    expect(seen.at(-1)).toEqual({ previousLanguages: ['en'], vip: true });
    expect(t2.priority).toBe('urgent');
    const full = await getTicket(deps, t2.id, admin);
    expect(full.priority).toBe('urgent');
    expect(full.priorityReasons.map((r) => r.code)).toEqual(['vip']);
    expect(full.messages).toHaveLength(1);
    expect(full.events.map((e) => e.type)).toEqual(['created', 'triaged']);
    const count = await d.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('finds a customer another node created (this node guessed "new")', async () => {
    // another node's customer: in the table, never seen here
    const store = await d.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow();
    await d.db.insertInto('customers').values({ id: '0190a5e0-0000-7000-8000-000000000001', store_id: store.id, email: 'elsewhere@example.com', language: 'de', vip: true }).execute();
    const t = await create('elsewhere@example.com');
    expect(seen).toEqual([{ previousLanguages: undefined, vip: undefined }, { previousLanguages: ['de'], vip: true }]);
    expect(t.priority).toBe('urgent');
    expect(t.language).toBe('de');
    expect(t.customer.id).toBe('0190a5e0-0000-7000-8000-000000000001');
  });

  it('forgets a language only where the database forgot it too', async () => {
    const t1 = await create('lang@example.com');
    await d.db.updateTable('customers').set({ language: null }).where('id', '=', t1.customer.id).execute();
    const t2 = await create('lang@example.com');
    expect(seen.at(-1)).toEqual({ previousLanguages: undefined, vip: false });
    expect(t2.priority).toBe('normal');
  });
});
