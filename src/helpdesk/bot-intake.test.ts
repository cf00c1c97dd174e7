import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus, type DomainEvent } from '../core/events.ts';
import type { Database } from '../db/index.ts';
import { syncKnowledge } from '../knowledge/sync.ts';
import { createTestDatabase } from '../../test/helpers/db.ts';
import { botAfterIntake, runBot } from './bot.ts';
import { createStore } from './stores.ts';
import { createTicket, type TicketDeps, type TriageFn } from './tickets.ts';
import { triageForTickets } from './triage-adapter.ts';
import { systemActor } from './visibility.ts';

/**
 * The bot after a creation on this node: it decides on what the creation wrote and its
 * triage (nothing read back, no second triage), hands off in one statement, and the
 * creation answers without reading the ticket again when nothing but the note changed.
 */
describe('the bot after intake', () => {
  let d: Database;
  let storeId: string;
  const clock = new ManualClock('2026-11-24T09:00:00Z');
  beforeEach(async () => {
    d = await createTestDatabase();
    await syncKnowledge(d.db);
    storeId = (await createStore(d.db, { name: 'Lumen Home', market: 'DE', timezone: 'Europe/Berlin' })).id;
  });
  afterEach(async () => d.close());

  it('uses the creation\'s triage: an unsure category is handed off for low confidence', async () => {
    // the real triage is sure of this FAQ question; this one says it is not
    const unsure: TriageFn = (input) => ({ ...triageForTickets(input), category: 'product_question', confidence: 0.1, orderNumbers: [] });
    const bus = new MemoryEventBus();
    const events: DomainEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const errors: unknown[] = [];
    const deps: TicketDeps = { db: d.db, bus, clock, triage: unsure, afterIntake: botAfterIntake({ db: d.db, bus, clock }, (e) => errors.push(e)) };
    const t = await createTicket(deps, { subject: 'Thermobecher', body: 'Guten Tag, ist der Thermobecher spülmaschinenfest?', customer: { email: 'anna@example.de', name: 'Anna' }, storeId }, systemActor);
    expect(errors).toEqual([]);
    const decision = await d.db.selectFrom('bot_decisions').selectAll().where('ticket_id', '=', t.id).executeTakeFirstOrThrow();
    expect(decision.outcome).toBe('handed_off');
    expect(decision.reasons).toContain('low_confidence');
    // (the real triage of this message is sure enough: the same question is answered from the FAQ in bot-ledger.test.ts)
    // the note, its event and the decision's link to it, written together
    const note = await d.db.selectFrom('messages').selectAll().where('ticket_id', '=', t.id).where('author_type', '=', 'bot').executeTakeFirstOrThrow();
    expect(note.internal).toBe(true);
    expect(note.body).toContain('Bot hand-off');
    expect(decision.note_message_id).toBe(note.id);
    const noteEvents = await d.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', t.id).where('type', '=', 'note_added').execute();
    expect(noteEvents.map((e) => e.after)).toEqual([{ messageId: note.id, authorType: 'bot' }]);
    // the answer is the ticket as stored (not read again: only updated_at moved)
    const stored = await d.db.selectFrom('tickets').select(['updated_at', 'status']).where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(t.updatedAt).toBe(stored.updated_at.toISOString());
    expect(t.status).toBe(stored.status);
    expect(events.map((e) => e.type)).toEqual(['ticket.created', 'message.created', 'ticket.updated']);
    expect(events[1]).toMatchObject({ messageId: note.id, internal: true });
    // the same message is decided once: a later run (a job, another node) does nothing
    expect(await runBot({ db: d.db, bus, clock }, t.id)).toBeNull();
    expect(await d.db.selectFrom('messages').select('id').where('ticket_id', '=', t.id).where('author_type', '=', 'bot').execute()).toHaveLength(1);
  });

  it('a hand-off found already decided writes nothing', async () => {
    const bus = new MemoryEventBus();
    const plain: TicketDeps = { db: d.db, bus, clock, triage: triageForTickets };
    const t = await createTicket(plain, { subject: 'Kaputt', body: 'Die Lampe ist kaputt angekommen.', customer: { email: 'ben@example.de' }, storeId }, systemActor);
    const first = await runBot({ db: d.db, bus, clock }, t.id);
    expect(first?.outcome).toBe('handed_off');
    const events: DomainEvent[] = [];
    bus.subscribe((e) => events.push(e));
    expect(await runBot({ db: d.db, bus, clock }, t.id)).toBeNull();
    expect(events).toEqual([]);
    expect(await d.db.selectFrom('bot_decisions').select('id').where('ticket_id', '=', t.id).execute()).toHaveLength(1);
  });
});
