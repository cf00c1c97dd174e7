/**
 * The customer's language for a reply comes from one narrow statement (ticket, customer,
 * latest customer message), not from loading the whole ticket: the order of the fallbacks,
 * visibility for agents, and what the preview and the send actually read.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { systemClock } from '../core/clock.ts';
import { MemoryEventBus } from '../core/events.ts';
import { createTranslator } from './index.ts';
import { customerLanguageOf, previewReply, sendTranslatedReply } from './tickets.ts';

/** Records every statement a Kysely instance runs (as its operation tree). */
class Recorder implements KyselyPlugin {
  readonly nodes: RootOperationNode[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.push(args.node);
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
  /** Tables the recorded statements read or write (FROM, JOIN, INTO, UPDATE). */
  tables(): Set<string> {
    const out = new Set<string>();
    const walk = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(walk);
      const o = n as Record<string, unknown>;
      // a column reference names the table (or its alias) it reads from: not a table read
      if (o.kind === 'ReferenceNode') return;
      if (o.kind === 'TableNode') {
        const t = o.table as { identifier?: { name?: string } } | undefined;
        if (t?.identifier?.name) out.add(t.identifier.name);
      }
      Object.values(o).forEach(walk);
    };
    walk(this.nodes);
    return out;
  }
}

describe('the customer language of a reply', () => {
  let s: TestServer;
  let agent: { token: string; userId: string };
  let admin: string;
  let ticketId: string;
  let customerId: string;

  beforeAll(async () => {
    s = await startTestServer();
    agent = await s.tokenFor('agent');
    admin = (await s.tokenFor('admin')).token;
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(admin),
      payload: { subject: 'Colis', body: 'Mon colis n’est toujours pas arrivé.', customer: { email: 'camille@example.fr', language: 'fr' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    ticketId = res.json<{ id: string }>().id;
    customerId = (await s.db.db.selectFrom('tickets').select('customer_id').where('id', '=', ticketId).executeTakeFirstOrThrow()).customer_id;
  });
  afterAll(async () => {
    await s.close();
  });

  const setLanguages = async (ticket: string | null, customer: string | null, message: string | null) => {
    await s.db.db.updateTable('tickets').set({ language: ticket }).where('id', '=', ticketId).execute();
    await s.db.db.updateTable('customers').set({ language: customer }).where('id', '=', customerId).execute();
    await s.db.db.updateTable('messages').set({ language: message }).where('ticket_id', '=', ticketId).where('author_type', '=', 'customer').execute();
  };
  const actor = () => ({ type: 'user' as const, id: agent.userId, role: 'agent' as const, teamId: null });

  it('ticket language first, then the customer’s, then that of their latest message', async () => {
    await setLanguages('de', 'fr', 'ja');
    expect((await customerLanguageOf(s.db.db, ticketId, actor())).customerLanguage).toBe('de');
    await setLanguages(null, 'fr', 'ja');
    expect((await customerLanguageOf(s.db.db, ticketId, actor())).customerLanguage).toBe('fr');
    await setLanguages(null, null, 'ja');
    expect((await customerLanguageOf(s.db.db, ticketId, actor())).customerLanguage).toBe('ja');
    // the latest customer message counts, an agent's or an internal one does not
    const later = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/messages`, headers: bearer(admin), payload: { body: 'Note', internal: true } });
    expect(later.statusCode, later.body).toBe(201);
    await s.db.db.updateTable('messages').set({ language: 'ko' }).where('id', '=', later.json<{ id: string }>().id).execute();
    expect((await customerLanguageOf(s.db.db, ticketId, actor())).customerLanguage).toBe('ja');
    await setLanguages(null, null, null);
    const r = await customerLanguageOf(s.db.db, ticketId, actor());
    expect(r).toMatchObject({ ticketId, customerLanguage: null });
    expect(r.storeId).toBeTypeOf('string');
    // the preview says so instead of guessing
    const pv = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/reply-preview`, headers: bearer(agent.token), payload: { text: 'We ship today.', from: 'en' } });
    expect(pv.json()).toMatchObject({ ok: false, customerLanguage: null, error: { code: 'bad_request' } });
    await setLanguages('fr', 'fr', 'fr');
  });

  it('a ticket the agent may not see is not found, as before (preview and send)', async () => {
    const other = await s.tokenFor('agent');
    await s.db.db.updateTable('tickets').set({ assignee_id: other.userId }).where('id', '=', ticketId).execute();
    try {
      await expect(customerLanguageOf(s.db.db, ticketId, actor())).rejects.toMatchObject({ code: 'not_found' });
      const pv = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/reply-preview`, headers: bearer(agent.token), payload: { text: 'x', from: 'en' } });
      expect(pv.statusCode).toBe(404);
      const sent = await s.app.inject({
        method: 'POST',
        url: `/api/v1/tickets/${ticketId}/translated-replies`,
        headers: bearer(agent.token),
        payload: { text: 'Bonjour', original: { text: 'Hello', language: 'en' }, provider: 'none' },
      });
      expect(sent.statusCode).toBe(404);
      // the one it is assigned to sees it
      expect((await customerLanguageOf(s.db.db, ticketId, { ...actor(), id: other.userId })).customerLanguage).toBe('fr');
    } finally {
      await s.db.db.updateTable('tickets').set({ assignee_id: null }).where('id', '=', ticketId).execute();
    }
    await expect(customerLanguageOf(s.db.db, 'not-a-uuid', actor())).rejects.toMatchObject({ code: 'not_found' });
    await expect(customerLanguageOf(s.db.db, '00000000-0000-7000-8000-000000000000', actor())).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the preview reads one row, not the conversation and its event trail', async () => {
    const rec = new Recorder();
    const deps = { db: s.db.db.withPlugin(rec), clock: systemClock, bus: new MemoryEventBus(), translator: createTranslator({ translateProvider: 'none' }) };
    const pv = await previewReply(deps, { ticketId, text: 'We ship today.', from: 'en' }, actor());
    expect(pv).toMatchObject({ ok: false, customerLanguage: 'fr', error: { code: 'no_provider' } });
    expect(rec.nodes).toHaveLength(1);
    expect(rec.tables().has('ticket_events')).toBe(false);

    // the send: the language lookup, then the reply itself (which records its own event)
    const send = new Recorder();
    const sendDeps = { ...deps, db: s.db.db.withPlugin(send) };
    const before = send.nodes.length;
    const m = await sendTranslatedReply(sendDeps, { ticketId, text: 'Nous l’expédions aujourd’hui.', original: { text: 'We ship today.', language: 'en' }, provider: 'none' }, actor());
    expect(m).toMatchObject({ language: 'fr', body: 'Nous l’expédions aujourd’hui.', original: { language: 'en' } });
    const first = send.nodes[before];
    expect(first?.kind).toBe('SelectQueryNode');
    const firstTables = new Recorder();
    firstTables.nodes.push(first!);
    expect([...firstTables.tables()].sort()).toEqual(['customers', 'messages', 'tickets']);
  });
});
