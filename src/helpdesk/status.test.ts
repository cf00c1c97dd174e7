import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/db.ts';
import type { Database } from '../db/index.ts';
import type { TicketStatus } from '../db/types.ts';
import { isAppError } from '../core/errors.ts';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus } from '../core/events.ts';
import { upsertUser } from '../people/users.ts';
import { ACTIVE_STATUSES, allowedTransitions, assertTransition, isStatus, STATUSES } from './status.ts';
import { addAgentMessage, addCustomerMessage, createTicket, getTicket, updateTicket, type TicketDeps } from './tickets.ts';
import type { Actor } from './visibility.ts';

/** The lifecycle new → open → pending / on_hold → solved → closed, written out independently. */
const EXPECTED: Record<TicketStatus, TicketStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

function refusal(from: TicketStatus, to: TicketStatus): unknown {
  try {
    assertTransition(from, to);
    return null;
  } catch (e) {
    return e;
  }
}

describe('ticket status transitions', () => {
  it('knows exactly the six statuses', () => {
    expect([...STATUSES].sort()).toEqual(['closed', 'new', 'on_hold', 'open', 'pending', 'solved']);
    expect(isStatus('on_hold')).toBe(true);
    expect(isStatus('deleted')).toBe(false);
    expect(isStatus('')).toBe(false);
    expect([...ACTIVE_STATUSES].sort()).toEqual(['new', 'on_hold', 'open', 'pending']);
  });

  const pairs = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from).map((to) => [from, to] as const));
  it.each(pairs)('%s → %s is allowed exactly when the lifecycle says so', (from, to) => {
    const e = refusal(from, to);
    if (EXPECTED[from].includes(to)) {
      expect(e).toBeNull();
      expect(allowedTransitions(from)).toContain(to);
    } else {
      expect(isAppError(e)).toBe(true);
      expect(e).toMatchObject({ code: 'invalid_transition', status: 409, details: { from, to } });
      expect(allowedTransitions(from)).not.toContain(to);
    }
  });

  it('staying in the same status is not a transition', () => {
    for (const s of STATUSES) expect(refusal(s, s)).toBeNull();
  });

  it('closed is final and says so', () => {
    expect(allowedTransitions('closed')).toEqual([]);
    for (const to of STATUSES.filter((s) => s !== 'closed')) {
      const e = refusal('closed', to) as Error;
      expect(e.message).toMatch(/final/);
    }
    // nothing reaches closed but a solved ticket
    for (const from of STATUSES.filter((s) => s !== 'solved' && s !== 'closed')) expect(refusal(from, 'closed')).not.toBeNull();
    // and nothing goes back to new
    for (const from of STATUSES.filter((s) => s !== 'new')) expect(refusal(from, 'new')).not.toBeNull();
  });
});

describe('status changes on real tickets', () => {
  let d: Database;
  let deps: TicketDeps;
  let agent: Actor;
  const clock = new ManualClock('2026-11-24T08:00:00Z');
  let n = 0;

  beforeAll(async () => {
    d = await createTestDatabase();
    deps = { db: d.db, bus: new MemoryEventBus(), clock };
    const { user } = await upsertUser(d.db, { email: 'status-agent@example.com', role: 'agent' });
    agent = { type: 'user', id: user.id, role: 'agent', teamId: null, name: user.name };
  });
  afterAll(async () => {
    await deps.bus.close();
    await d.close();
  });

  async function ticketIn(status: TicketStatus) {
    clock.advance(60_000);
    const t = await createTicket(deps, { subject: `Status ${++n}`, body: 'My order is late', customer: { email: `s${n}@example.com` } }, agent);
    const path: Record<TicketStatus, TicketStatus[]> = { new: [], open: ['open'], pending: ['pending'], on_hold: ['on_hold'], solved: ['solved'], closed: ['solved', 'closed'] };
    for (const s of path[status]) {
      clock.advance(60_000);
      await updateTicket(deps, t.id, { status: s }, agent);
    }
    return t.id;
  }
  const statusOf = async (id: string) => (await getTicket(deps, id, agent)).status;

  it('applies every allowed move and refuses a sample of forbidden ones, changing nothing', async () => {
    for (const from of STATUSES) {
      for (const to of EXPECTED[from]) {
        const id = await ticketIn(from);
        const after = await updateTicket(deps, id, { status: to }, agent);
        expect(after.status, `${from} → ${to}`).toBe(to);
      }
    }
    const forbidden: Array<[TicketStatus, TicketStatus]> = [['new', 'closed'], ['open', 'closed'], ['pending', 'closed'], ['closed', 'open'], ['closed', 'solved'], ['open', 'new'], ['solved', 'pending']];
    for (const [from, to] of forbidden) {
      const id = await ticketIn(from);
      const before = await getTicket(deps, id, agent);
      await expect(updateTicket(deps, id, { status: to, priority: 'urgent' }, agent), `${from} → ${to}`).rejects.toMatchObject({ code: 'invalid_transition' });
      const after = await getTicket(deps, id, agent);
      // the whole patch was refused: neither status nor priority changed, no event recorded
      expect(after.status).toBe(from);
      expect(after.priority).toBe(before.priority);
      expect(after.events).toHaveLength(before.events.length);
    }
  });

  it('solving stamps solvedAt; reopening clears it; closing stamps closedAt', async () => {
    const id = await ticketIn('open');
    const solved = await updateTicket(deps, id, { status: 'solved' }, agent);
    expect(solved.solvedAt).toBe(clock.now().toISOString());
    const reopened = await updateTicket(deps, id, { status: 'open' }, agent);
    expect(reopened.solvedAt).toBeNull();
    await updateTicket(deps, id, { status: 'solved' }, agent);
    clock.advance(3_600_000);
    const closed = await updateTicket(deps, id, { status: 'closed' }, agent);
    expect(closed.closedAt).toBe(clock.now().toISOString());
  });

  it('a customer message reopens a solved ticket (and a pending one)', async () => {
    const id = await ticketIn('open');
    await addAgentMessage(deps, id, { body: 'Refund issued.' }, agent);
    await updateTicket(deps, id, { status: 'solved' }, agent);
    clock.advance(60_000);
    await addCustomerMessage(deps, id, { body: 'The refund has not arrived.' });
    const t = await getTicket(deps, id, agent);
    expect(t.status).toBe('open');
    expect(t.solvedAt).toBeNull();
    const reopen = t.events.find((e) => e.field === 'status' && e.before === 'solved');
    expect(reopen).toMatchObject({ after: 'open', actorType: 'customer' });
    expect(t.messages.at(-1)).toMatchObject({ authorType: 'customer', body: 'The refund has not arrived.' });

    const pending = await ticketIn('pending');
    await addCustomerMessage(deps, pending, { body: 'Here is the photo.' });
    expect(await statusOf(pending)).toBe('open');
    // on hold waits on a third party, not the customer: stays on hold
    const held = await ticketIn('on_hold');
    await addCustomerMessage(deps, held, { body: 'Any news?' });
    expect(await statusOf(held)).toBe('on_hold');
  });

  it('a closed ticket stays closed: a customer message is refused, not attached', async () => {
    const id = await ticketIn('closed');
    const before = await getTicket(deps, id, agent);
    await expect(addCustomerMessage(deps, id, { body: 'Hello again' })).rejects.toMatchObject({ code: 'invalid_transition' });
    await expect(addAgentMessage(deps, id, { body: 'public reply' }, agent)).rejects.toMatchObject({ code: 'invalid_transition' });
    const after = await getTicket(deps, id, agent);
    expect(after.status).toBe('closed');
    expect(after.messages).toHaveLength(before.messages.length);
  });
});
