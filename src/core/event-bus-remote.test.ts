import { afterEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { parseEvents, type DomainEvent } from './events.ts';
import { PostgresEventBus } from './event-bus-remote.ts';
import { randomToken } from './ids.ts';

/**
 * The PostgreSQL bus coalesces what it publishes within a tick (and while a NOTIFY is on
 * its way) into one NOTIFY carrying an array: every event still reaches every node, in
 * the order published; a batch is cut below NOTIFY's payload limit.
 */

const ev = (i: number, extra: Record<string, unknown> = {}): DomainEvent => ({ type: 'ticket.updated', ticketId: `t${i}`, changes: ['messages'], at: new Date(0).toISOString(), ...extra });

describe('parseEvents', () => {
  it('reads one event or an array of events, dropping what is not an event', () => {
    expect(parseEvents(JSON.stringify(ev(1)))).toEqual([ev(1)]);
    expect(parseEvents(JSON.stringify([ev(1), { nope: true }, ev(2)]))).toEqual([ev(1), ev(2)]);
    expect(parseEvents('not json')).toEqual([]);
    expect(parseEvents('42')).toEqual([]);
  });
});

const DATABASE_URL = process.env.DATABASE_URL;

describe.skipIf(!DATABASE_URL)('PostgresEventBus on a server', () => {
  const open: PostgresEventBus[] = [];
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    vi.restoreAllMocks();
  });

  it('sends the events of one tick in one NOTIFY, in order, to every node', async () => {
    const channel = `t_bus_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    const a = await PostgresEventBus.connect(DATABASE_URL as string, channel);
    const b = await PostgresEventBus.connect(DATABASE_URL as string, channel);
    open.push(a, b);
    const seenA: string[] = [];
    const seenB: string[] = [];
    a.subscribe((e) => seenA.push(e.ticketId));
    b.subscribe((e) => seenB.push(e.ticketId));
    const sent = vi.spyOn(pg.Pool.prototype, 'query');
    await Promise.all(Array.from({ length: 20 }, (_, i) => a.publish(ev(i))));
    const want = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await vi.waitFor(() => expect(seenB).toEqual(want), { timeout: 5000 });
    await vi.waitFor(() => expect(seenA).toEqual(want), { timeout: 5000 });
    expect(sent.mock.calls.filter((c) => String(c[0]).includes('pg_notify')).length).toBe(1);
  });

  it('cuts a batch below the payload limit and still delivers everything in order', async () => {
    const channel = `t_bus_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    const a = await PostgresEventBus.connect(DATABASE_URL as string, channel);
    const b = await PostgresEventBus.connect(DATABASE_URL as string, channel);
    open.push(a, b);
    const seen: string[] = [];
    b.subscribe((e) => seen.push(e.ticketId));
    const sent = vi.spyOn(pg.Pool.prototype, 'query');
    // 30 events of ~1 kB: more than one NOTIFY's worth
    await Promise.all(Array.from({ length: 30 }, (_, i) => a.publish(ev(i, { pad: 'x'.repeat(1000) }))));
    await vi.waitFor(() => expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `t${i}`)), { timeout: 5000 });
    const notifies = sent.mock.calls.filter((c) => String(c[0]).includes('pg_notify'));
    expect(notifies.length).toBeGreaterThan(1);
    expect(notifies.length).toBeLessThan(30);
    for (const c of notifies) expect(String((c[1] as unknown[])[1]).length).toBeLessThan(8000);
  });
});
