/**
 * Suggested replies filled with the order's commerce facts (issue 4): tracking page, the
 * customer's signed label link, the latest refund in the reply's locale; and the public
 * label link itself (no sign-in; a tampered or expired token never gets the PDF).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { ManualClock } from '../core/clock.ts';
import { uuidv7 } from '../core/ids.ts';
import { getDefaultStore } from '../helpdesk/stores.ts';
import type { Actor } from '../helpdesk/visibility.ts';
import { loadKnowledgeLibrary } from '../knowledge/content.ts';
import { syncKnowledge } from '../knowledge/sync.ts';
import { createReturn, refund, setReturnStatus, type LabelRenderer } from './actions.ts';
import { createOrder, getOrderDetail } from './orders.ts';
import { LABEL_LINK_LIMIT } from './public-label.ts';
import { seedDemoCommerce, type DemoCommerce } from './seed.ts';

const NOW = new Date('2026-11-24T10:00:00Z');
const PUBLIC = 'https://help.nordlicht.example';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A stand-in label (the real renderer is exercised by the on-demand case below). */
const FAKE_PDF = new TextEncoder().encode('%PDF-1.4 test label\n%%EOF\n');
const fakeRender: LabelRenderer = async () => FAKE_PDF;

interface SuggestionItem { key: string; language: string; body: string; title: string; missing: string[] }

describe('commerce values in suggested replies', () => {
  let s: TestServer;
  let agent: string;
  let demo: DemoCommerce;
  const clock = new ManualClock(NOW);
  const actor: Actor = { type: 'user', id: uuidv7(), role: 'agent', name: 'Lena Wang' };
  let n = 0;
  const key = () => `ctx-${++n}-${uuidv7()}`;
  /** Returns: the first (lamp, stays), the second (mug, cancelled later: not the latest any more). */
  let lampReturn: { returnId: string; rma: string };

  beforeAll(async () => {
    s = await startTestServer({ clock, deps: { publicUrl: `${PUBLIC}/`, linkSecret: 'suggestion-context-test-secret-0123456789' } });
    ({ token: agent } = await s.tokenFor('agent', 'lena@test.example', { name: 'Lena Wang' }));
    await syncKnowledge(s.db.db, { library: loadKnowledgeLibrary() });
    const store = await getDefaultStore(s.db.db);
    demo = await seedDemoCommerce(s.db.db, store.id, { now: NOW });

    // the German damaged-lamp order (DHL Paket, delivered): a return of the lamp, then a
    // later one of a mug that is cancelled; two refunds, the later one 12.50
    const de = await getOrderDetail(s.db.db, demo.orders.deDamaged.id, NOW);
    const lamp = de.items.find((i) => i.sku === 'LAMP-AUR-WHT-EU')!;
    const mug = de.items.find((i) => i.sku === 'MUG-THM-GRY-EU')!;
    clock.set(new Date(NOW.getTime() - 5 * HOUR));
    lampReturn = (await createReturn(s.db.db, { orderId: de.id, actor, clock, idempotencyKey: key(), reason: 'damaged', items: [{ orderItemId: lamp.id, quantity: 1 }], renderLabel: fakeRender })).result;
    clock.set(new Date(NOW.getTime() - 4 * HOUR));
    const mugReturn = (await createReturn(s.db.db, { orderId: de.id, actor, clock, idempotencyKey: key(), reason: 'damaged', items: [{ orderItemId: mug.id, quantity: 1 }], renderLabel: fakeRender })).result;
    await setReturnStatus(s.db.db, { returnId: mugReturn.returnId, status: 'cancelled', actor, clock, idempotencyKey: key() });
    clock.set(new Date(NOW.getTime() - 3 * HOUR));
    await refund(s.db.db, { orderId: de.id, amount: '5.00', reason: 'goodwill for the wait', actor, clock, idempotencyKey: key() });
    clock.set(new Date(NOW.getTime() - 2 * HOUR));
    await refund(s.db.db, { orderId: de.id, amount: '12.50', reason: 'shipping refunded', actor, clock, idempotencyKey: key() });
    clock.set(NOW);
  });
  afterAll(async () => s?.close());

  const get = (url: string) => s.app.inject({ url, headers: bearer(agent) });

  /** A ticket by the customer of `orderId` (or a stranger without an order), linked to the order. */
  async function ticket(category: string, orderId: string | null, language = 'de') {
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(agent),
      payload: {
        subject: language === 'de' ? 'Lampe kaputt angekommen' : 'Lamp arrived broken',
        body: language === 'de' ? 'Guten Tag, die Lampe aus meiner Bestellung kam mit zerbrochenem Schirm an.' : 'Hello, the lamp from my order arrived with a broken shade.',
        category,
        customer: orderId ? { email: 'jonas.becker@example.de', name: 'Jonas Becker', language, country: 'DE' } : { email: `someone.${++n}@example.de`, name: 'Erika Muster', language, country: 'DE' },
      },
    });
    expect(res.statusCode).toBe(201);
    const t = res.json<{ id: string }>();
    if (orderId) await s.db.db.updateTable('tickets').set({ order_id: orderId }).where('id', '=', t.id).execute();
    return t.id;
  }

  async function suggestions(ticketId: string, query = '') {
    const res = await get(`/api/v1/tickets/${ticketId}/suggestions?limit=20${query}`);
    expect(res.statusCode).toBe(200);
    return res.json<{ items: SuggestionItem[]; language: string; market: string }>();
  }
  const byKey = (items: SuggestionItem[], k: string) => {
    const it = items.find((i) => i.key === k);
    expect(it, `suggestion ${k}`).toBeDefined();
    return it!;
  };
  const labelLinkIn = (body: string) => {
    const m = /https:\/\/help\.nordlicht\.example\/public\/returns\/([0-9a-f-]{36})\/label\.pdf\?t=([0-9a-z]+\.[A-Za-z0-9_-]+)/.exec(body);
    expect(m, `a label link in: ${body}`).not.toBeNull();
    return { url: m![0], path: m![0].slice(PUBLIC.length), returnId: m![1], token: m![2] };
  };

  it('fills tracking, the label link and carrier for a German damaged-item ticket, with nothing of them missing', async () => {
    const id = await ticket('damaged_item', demo.orders.deDamaged.id);
    const r = await suggestions(id);
    expect(r.language).toBe('de');
    const sent = byKey(r.items, 'damaged_item.replacement_sent');
    expect(sent.language).toBe('de');
    expect(sent.body).toContain('00340434161094042557 (DHL Paket)');
    expect(sent.body).toContain('https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=00340434161094042557');
    const link = labelLinkIn(sent.body);
    expect(link.returnId).toBe(lampReturn.returnId); // the mug's later return is cancelled
    for (const v of ['tracking.url', 'tracking.number', 'carrier', 'return.label_url', 'order.number']) expect(sent.missing).not.toContain(v);
    expect(sent.body).not.toMatch(/\[(tracking|return|carrier)/);
    expect(sent.body).toContain(demo.orders.deDamaged.number);
  });

  it('fills the latest refund in the reply’s locale: German, and English when the agent picks it', async () => {
    const id = await ticket('cancellation', demo.orders.deDamaged.id);
    const de = await suggestions(id);
    const confirmedDe = byKey(de.items, 'cancellation.confirmed');
    expect(confirmedDe.language).toBe('de');
    expect(confirmedDe.body).toMatch(/12,50\s€/);
    expect(confirmedDe.body).not.toContain('5,00');
    expect(confirmedDe.missing).not.toContain('refund.amount');
    const shippedDe = byKey(de.items, 'cancellation.already_shipped');
    expect(shippedDe.missing).toEqual([]);
    expect(labelLinkIn(shippedDe.body).returnId).toBe(lampReturn.returnId);

    const en = await suggestions(id, '&language=en');
    expect(en.language).toBe('en');
    const confirmedEn = byKey(en.items, 'cancellation.confirmed');
    expect(confirmedEn.language).toBe('en');
    expect(confirmedEn.body).toContain('€12.50');
    expect(confirmedEn.missing).not.toContain('refund.amount');
    const shippedEn = byKey(en.items, 'cancellation.already_shipped');
    expect(shippedEn.body).toContain('refuse the delivery when DHL Paket arrives');
    expect(shippedEn.missing).toEqual([]);
  });

  it('leaves them missing, visibly, when the order has no parcel, return or refund, or there is no order', async () => {
    const unshipped = await ticket('cancellation', demo.orders.usUnfulfilled.id, 'en');
    const a = byKey((await suggestions(unshipped)).items, 'cancellation.already_shipped');
    expect(a.missing).toEqual(expect.arrayContaining(['return.label_url', 'tracking.url', 'carrier']));
    expect(a.body).toContain('[return.label_url]');
    expect(a.missing).not.toContain('order.number');
    const c = byKey((await suggestions(unshipped)).items, 'cancellation.confirmed');
    expect(c.missing).toContain('refund.amount');

    const none = await ticket('damaged_item', null);
    const b = byKey((await suggestions(none)).items, 'damaged_item.replacement_sent');
    expect(b.missing).toEqual(expect.arrayContaining(['order.number', 'tracking.number', 'carrier', 'tracking.url', 'return.label_url']));
  });

  it('an imported parcel without a carrier name: the universal tracker, and the carrier left to the agent', async () => {
    const store = await getDefaultStore(s.db.db);
    const o = await createOrder(s.db.db, {
      storeId: store.id, number: 'IMP-2001', currency: 'USD', placedAt: new Date(NOW.getTime() - 6 * DAY),
      customer: { email: 'pat@example.com', name: 'Pat Doe', country: 'US' },
      shippingAddress: { name: 'Pat Doe', line1: '9 Elm Street', city: 'Austin', region: 'TX', postalCode: '73301', country: 'US' },
      items: [{ sku: 'BUDS-ECH-BLK-US', quantity: 1, warehouseCode: 'US-EWR' }],
      payment: { method: 'card' },
      shipment: { carrier: 'unknown', trackingNumber: 'LX123456789CN', status: 'in_transit', shippedAt: new Date(NOW.getTime() - 4 * DAY) },
    });
    const id = await ticket('cancellation', o.id, 'en');
    const a = byKey((await suggestions(id)).items, 'cancellation.already_shipped');
    expect(a.body).toContain('https://t.17track.net/en#nums=LX123456789CN');
    expect(a.body).not.toContain('unknown');
    expect(a.missing).toEqual(expect.arrayContaining(['carrier', 'return.label_url']));
    expect(a.missing).not.toContain('tracking.url');
  });

  it('takes the customer’s name from the order when the ticket only has an e-mail address', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(agent),
      payload: { subject: 'Commande annulée ?', body: 'Bonjour, je voudrais annuler ma commande.', category: 'cancellation', customer: { email: 'camille.martin@example.fr', language: 'fr', country: 'FR' } },
    });
    const t = res.json<{ id: string; customer: { name: string | null } }>();
    expect(t.customer.name).toBe('Camille Martin'); // the order's customer record already has it
    await s.db.db.updateTable('customers').set({ name: null }).where('email', '=', 'camille.martin@example.fr').execute();
    await s.db.db.updateTable('tickets').set({ order_id: demo.orders.frInTransit.id }).where('id', '=', t.id).execute();
    const fr = byKey((await suggestions(t.id)).items, 'cancellation.already_shipped');
    expect(fr.language).toBe('fr');
    expect(fr.body).toContain('Bonjour Camille');
    expect(fr.body).toContain('https://www.laposte.fr/outils/suivre-vos-envois?code=6A23456789012');
    expect(fr.missing).toEqual(['return.label_url']); // shipped, no return yet
  });

  describe('the public label link', () => {
    let link: ReturnType<typeof labelLinkIn>;
    beforeAll(async () => {
      const id = await ticket('damaged_item', demo.orders.deDamaged.id);
      link = labelLinkIn(byKey((await suggestions(id)).items, 'damaged_item.replacement_sent').body);
    });

    it('opens the label without signing in', async () => {
      const res = await s.app.inject({ url: link.path });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`inline; filename="${lampReturn.rma}.pdf"`);
      expect(res.rawPayload.equals(Buffer.from(FAKE_PDF))).toBe(true);
    });

    it('refuses a tampered, missing or borrowed token with a JSON 404, never the PDF', async () => {
      const [exp, mac] = link.token.split('.');
      const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
      const later = (parseInt(exp, 36) + 86_400 * 365).toString(36);
      const base = `/public/returns/${link.returnId}/label.pdf`;
      const other = await s.db.db.selectFrom('returns').select('id').where('id', '!=', link.returnId).executeTakeFirstOrThrow();
      for (const url of [`${base}?t=${exp}.${flipped}`, `${base}?t=${later}.${mac}`, `${base}?t=`, base, `${base}?t=garbage`, `/public/returns/${other.id}/label.pdf?t=${link.token}`]) {
        const res = await s.app.inject({ url });
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type']).toMatch(/application\/json/);
        expect(res.json().error.code).toBe('not_found');
      }
      // a mail client's tracking tags do not break it
      expect((await s.app.inject({ url: `${link.path}&utm_source=mail` })).statusCode).toBe(200);
    });

    it('answers 410 once the link has expired, and for a cancelled return', async () => {
      const cancelledId = (await s.db.db.selectFrom('returns').select('id').where('status', '=', 'cancelled').executeTakeFirstOrThrow()).id;
      clock.set(new Date(NOW.getTime() + 31 * DAY));
      try {
        const res = await s.app.inject({ url: link.path });
        expect(res.statusCode).toBe(410);
        expect(res.json().error).toMatchObject({ code: 'gone' });
        expect(res.json().error.message).toMatch(/expired/);
      } finally {
        clock.set(NOW);
      }
      // a correctly signed link to a cancelled return: made through the same app
      const id = await ticket('damaged_item', demo.orders.deDamaged.id);
      const live = labelLinkIn(byKey((await suggestions(id)).items, 'damaged_item.replacement_sent').body);
      expect(live.returnId).not.toBe(cancelledId);
      await setReturnStatus(s.db.db, { returnId: lampReturn.returnId, status: 'cancelled', actor, clock, idempotencyKey: key() });
      try {
        const res = await s.app.inject({ url: live.path });
        expect(res.statusCode).toBe(410);
        expect(res.json().error.message).toMatch(/cancelled/);
        // …and suggestions no longer offer a label (both returns of the order are cancelled)
        const sent = byKey((await suggestions(id)).items, 'damaged_item.replacement_sent');
        expect(sent.missing).toContain('return.label_url');
      } finally {
        await s.db.db.updateTable('returns').set({ status: 'label_created' }).where('id', '=', lampReturn.returnId).execute();
      }
    });

    it('renders a label that is not stored yet (the real renderer), and keeps it', async () => {
      await s.db.db.updateTable('returns').set({ label_pdf: null }).where('id', '=', lampReturn.returnId).execute();
      const res = await s.app.inject({ url: link.path });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const stored = await s.db.db.selectFrom('returns').select('label_pdf').where('id', '=', lampReturn.returnId).executeTakeFirstOrThrow();
      expect(Buffer.from(stored.label_pdf!).equals(res.rawPayload)).toBe(true);
    });

    it('limits requests per address', async () => {
      await s.db.db.deleteFrom('rate_limits').where('key', 'like', 'label-link:%').execute();
      let last = 0;
      for (let i = 0; i <= LABEL_LINK_LIMIT.requests; i++) last = (await s.app.inject({ url: `/public/returns/${link.returnId}/label.pdf?t=x` })).statusCode;
      expect(last).toBe(429);
      await s.db.db.deleteFrom('rate_limits').where('key', 'like', 'label-link:%').execute();
    });
  });
});
