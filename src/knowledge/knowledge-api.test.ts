import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { uuidv7 } from '../core/ids.ts';
import { getDefaultStore } from '../helpdesk/stores.ts';
import { loadKnowledgeLibrary } from './content.ts';
import { searchKnowledge } from './search.ts';
import { syncKnowledge } from './sync.ts';
import { searchTemplates } from './templates.ts';

describe('knowledge base', () => {
  let s: TestServer;
  let agent: string;
  let trainer: string;
  let manager: string;
  const library = loadKnowledgeLibrary();
  const totalVariants = library.templates.reduce((n, t) => n + t.variants.length, 0);

  beforeAll(async () => {
    s = await startTestServer();
    ({ token: agent } = await s.tokenFor('agent', 'agent@test.example', { name: 'Lena Wang' }));
    ({ token: trainer } = await s.tokenFor('trainer'));
    ({ token: manager } = await s.tokenFor('manager'));
    await syncKnowledge(s.db.db, { library });
  });
  afterAll(async () => s.close());

  const get = (url: string, token = agent) => s.app.inject({ url, headers: bearer(token) });

  describe('sync', () => {
    it('loads every template variant, and a second run writes nothing', async () => {
      const n = await s.db.db.selectFrom('knowledge_template_variants').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      expect(n.n).toBe(totalVariants);
      const again = await syncKnowledge(s.db.db, { library });
      expect(again.templates).toMatchObject({ inserted: 0, updated: 0, archived: 0 });
      expect(again.variants).toMatchObject({ inserted: 0, updated: 0, unchanged: totalVariants });
      expect(again.articles).toMatchObject({ inserted: 0, updated: 0, unchanged: library.articles.length });
    });

    it('keeps what a trainer edited, updates what changed in the files, archives what was removed', async () => {
      const hit = (await searchTemplates(s.db.db, { category: 'other', language: 'en' })).items[0];
      const edited = await s.app.inject({
        method: 'PATCH',
        url: `/api/v1/knowledge/templates/${hit.templateId}`,
        headers: bearer(trainer),
        payload: { variants: [{ language: 'en', title: 'Got it!', body: 'Thanks — we will answer within a day. {{agent.name}}' }] },
      });
      expect(edited.statusCode).toBe(200);
      const changed = structuredClone(library);
      const other = changed.templates.find((t) => t.key === hit.key)!;
      for (const v of other.variants) v.body = `${v.body}\n`; // a change in the files, every language
      const pq = changed.templates.find((t) => t.key === 'product_question.answer')!;
      changed.templates = changed.templates.filter((t) => t.key !== 'address_change.already_shipped');
      pq.variants[0].body += '\n\nP.S. {{store.name}}';
      const r = await syncKnowledge(s.db.db, { library: changed });
      expect(r.variants.keptEdited).toBe(1);
      expect(r.variants.updated).toBe(other.variants.length - 1 + 1);
      expect(r.templates.archived).toBe(1);
      const t = (await get(`/api/v1/knowledge/templates/${hit.templateId}`)).json();
      expect(t.variants.find((v: { language: string }) => v.language === 'en')).toMatchObject({ title: 'Got it!', edited: true });
      // back to the files as they are
      await syncKnowledge(s.db.db, { library });
      const archived = await searchTemplates(s.db.db, { q: 'redirect', language: 'en' });
      expect(archived.items.some((i) => i.key === 'address_change.already_shipped')).toBe(true);
    });
  });

  describe('search', () => {
    it('finds a Chinese template by a two-character Chinese word', async () => {
      const r = await searchTemplates(s.db.db, { q: '补发', language: 'zh' });
      expect(r.items.length).toBeGreaterThan(0);
      expect(r.items.every((i) => i.language === 'zh')).toBe(true);
      expect(r.items.map((i) => i.key)).toContain('lost_parcel.reship');
      const api = (await get(`/api/v1/knowledge/templates?q=${encodeURIComponent('退款')}&language=zh`)).json();
      expect(api.items.length).toBeGreaterThan(2);
      expect(api.items[0].body).toContain('退款');
    });

    it('finds a Japanese template by a katakana word', async () => {
      const r = await searchTemplates(s.db.db, { q: 'キャンセル', language: 'ja' });
      expect(r.items.map((i) => i.key)).toContain('cancellation.confirmed');
      const any = await searchTemplates(s.db.db, { q: 'ラベル' });
      expect(any.items.some((i) => i.language === 'ja')).toBe(true);
    });

    it('finds Korean with particles, German without umlauts, and filters by category and market', async () => {
      expect((await searchTemplates(s.db.db, { q: '환불', language: 'ko' })).items.length).toBeGreaterThan(0);
      expect((await searchTemplates(s.db.db, { q: 'rucksendeetikett', language: 'de' })).items.length).toBeGreaterThan(0);
      const dmg = await searchTemplates(s.db.db, { q: 'photos', category: 'damaged_item' });
      expect(dmg.items.every((i) => i.category === 'damaged_item')).toBe(true);
      const us = await searchTemplates(s.db.db, { q: 'IOSS', market: 'US' });
      expect(us.items).toHaveLength(0);
      const de = await searchTemplates(s.db.db, { q: 'IOSS', market: 'DE', language: 'de' });
      expect(de.items[0].key).toBe('customs_duties.eu_ioss');
    });

    it('searches articles too, in Chinese', async () => {
      const r = await searchKnowledge(s.db.db, { q: '破损', language: 'zh' });
      expect(r.items.some((i) => i.kind === 'article')).toBe(true);
      expect(r.items.some((i) => i.kind === 'template')).toBe(true);
      const api = (await get(`/api/v1/knowledge/articles?q=${encodeURIComponent('运费')}`)).json();
      expect(api.items.map((a: { key: string }) => a.key)).toContain('who-pays-return-shipping');
    });

    it('returns nothing for a query of punctuation only, and never fails on tsquery syntax', async () => {
      expect((await searchTemplates(s.db.db, { q: '!!! ???' })).items).toEqual([]);
      const r = await get(`/api/v1/knowledge/templates?q=${encodeURIComponent("a & b | !c ' :*")}`);
      expect(r.statusCode).toBe(200);
    });
  });

  describe('suggestions', () => {
    it('gives a German damaged-item ticket German templates first, with the order number filled', async () => {
      const created = await s.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: bearer(agent),
        payload: { subject: 'Lampe kaputt angekommen', body: 'Hallo, die Lampe kam beschädigt an, der Karton war eingedrückt.', category: 'damaged_item', customer: { email: 'jonas@example.de', name: 'Jonas Weber', language: 'de', country: 'DE' } },
      });
      expect(created.statusCode).toBe(201);
      const ticket = created.json();

      const before = (await get(`/api/v1/tickets/${ticket.id}/suggestions`)).json();
      expect(before.language).toBe('de');
      expect(before.market).toBe('DE');
      expect(before.items[0]).toMatchObject({ language: 'de', category: 'damaged_item' });
      expect(before.items[0].missing).toContain('order.number');
      expect(before.items[0].body).toContain('[order.number]');

      const store = await getDefaultStore(s.db.db);
      const orderId = uuidv7();
      await s.db.db.insertInto('orders').values({ id: orderId, store_id: store.id, number: 'DE-10042', currency: 'EUR', total: '89.90' }).execute();
      await s.db.db.updateTable('tickets').set({ order_id: orderId }).where('id', '=', ticket.id).execute();

      const res = await get(`/api/v1/tickets/${ticket.id}/suggestions?limit=6`);
      expect(res.statusCode).toBe(200);
      const items = res.json().items as Array<{ language: string; category: string; body: string; title: string; missing: string[]; score: number; templateId: string }>;
      expect(items.length).toBeGreaterThanOrEqual(2);
      const firstOther = items.findIndex((i) => i.language !== 'de');
      expect(firstOther === -1 || items.slice(firstOther).every((i) => i.language !== 'de')).toBe(true);
      expect(items.slice(0, 2).every((i) => i.language === 'de' && i.category === 'damaged_item')).toBe(true);
      const top = items[0];
      expect(top.body).toContain('DE-10042');
      expect(top.body).toContain('Guten Tag Jonas Weber');
      expect(top.body).toContain('Lena Wang');
      expect(top.missing).not.toContain('order.number');
      expect(top.body).not.toContain('{{');
      for (let i = 1; i < items.length; i++) expect(items[i - 1].score).toBeGreaterThanOrEqual(items[i].score);
    });

    it('falls back to English for a language without templates, and fills a Japanese family name', async () => {
      const nl = (await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer(agent), payload: { subject: 'Waar is mijn pakket?', body: 'Mijn bestelling is nog niet aangekomen.', category: 'order_status', customer: { email: 'sanne@example.nl', name: 'Sanne de Vries', language: 'nl', country: 'NL' } } })).json();
      // Dutch has its own templates (formal "u"); a language without any falls back to English
      const d = (await get(`/api/v1/tickets/${nl.id}/suggestions`)).json();
      expect(d.items[0]).toMatchObject({ language: 'nl', category: 'order_status' });
      expect(d.items[0].body).toContain('Beste Sanne de Vries');
      const r = (await get(`/api/v1/tickets/${nl.id}/suggestions?language=da`)).json();
      expect(r.items.length).toBeGreaterThan(0);
      expect(r.items[0]).toMatchObject({ language: 'en', category: 'order_status' });
      expect(r.items[0].body).toContain('Hi Sanne');

      const ja = (await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer(agent), payload: { subject: '商品が届きません', body: '注文した商品がまだ届きません。', category: 'order_status', customer: { email: 'hanako@example.jp', name: '田中 花子', language: 'ja', country: 'JP' } } })).json();
      const j = (await get(`/api/v1/tickets/${ja.id}/suggestions`)).json();
      expect(j.items[0].language).toBe('ja');
      expect(j.items[0].body.startsWith('田中 様')).toBe(true);
    });

    it('rejects bad input', async () => {
      expect((await get('/api/v1/tickets/not-a-ticket/suggestions')).statusCode).toBe(400);
      expect((await get(`/api/v1/tickets/${uuidv7()}/suggestions`)).statusCode).toBe(404);
      const bad = await get(`/api/v1/tickets/${uuidv7()}/suggestions?limit=abc`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('validation_failed');
      expect((await get(`/api/v1/tickets/${uuidv7()}/suggestions?language=German`)).statusCode).toBe(400);
      expect((await s.app.inject({ url: `/api/v1/tickets/${uuidv7()}/suggestions` })).statusCode).toBe(401);
    });
  });

  describe('templates API', () => {
    const body = (over: Record<string, unknown> = {}) => ({
      key: 'damaged_item.trainer_note',
      category: 'damaged_item',
      markets: ['de'],
      tags: ['Damage'],
      variants: [
        { language: 'de', title: 'Kurze Entschuldigung', body: 'Guten Tag {{customer.name}}, das tut uns leid. Die Rücksendung ist kostenlos. {{agent.name}}' },
        { language: 'en', title: 'Short apology', body: 'Hi {{customer.first_name}}, sorry! The return is on us. {{agent.name}}' },
      ],
      ...over,
    });

    it('lets trainers and managers create and change templates, not agents', async () => {
      const denied = await s.app.inject({ method: 'POST', url: '/api/v1/knowledge/templates', headers: bearer(agent), payload: body() });
      expect(denied.statusCode).toBe(403);
      const created = await s.app.inject({ method: 'POST', url: '/api/v1/knowledge/templates', headers: bearer(trainer), payload: body() });
      expect(created.statusCode).toBe(201);
      const t = created.json();
      expect(t).toMatchObject({ key: 'damaged_item.trainer_note', source: 'user', markets: ['DE'], tags: ['damage'], edited: true });
      expect(t.variants.map((v: { language: string }) => v.language)).toEqual(['de', 'en']);
      expect(t.variants[0].variables).toEqual(['customer.name', 'agent.name']);

      const dup = await s.app.inject({ method: 'POST', url: '/api/v1/knowledge/templates', headers: bearer(trainer), payload: body() });
      expect(dup.statusCode).toBe(409);

      const patched = await s.app.inject({
        method: 'PATCH',
        url: `/api/v1/knowledge/templates/${t.id}`,
        headers: bearer(manager),
        payload: { variants: [{ language: 'ar', title: 'اعتذار', body: 'مرحباً {{customer.first_name}}، نعتذر منك. الإرجاع مجاني. {{agent.name}}' }], removeLanguages: ['en'] },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json().variants.map((v: { language: string; dir: string }) => `${v.language}:${v.dir}`)).toEqual(['ar:rtl', 'de:ltr']);
      const agentPatch = await s.app.inject({ method: 'PATCH', url: `/api/v1/knowledge/templates/${t.id}`, headers: bearer(agent), payload: { archived: true } });
      expect(agentPatch.statusCode).toBe(403);

      const found = (await get(`/api/v1/knowledge/templates?q=Entschuldigung&language=de`)).json();
      expect(found.items.map((i: { key: string }) => i.key)).toContain('damaged_item.trainer_note');
      const one = await get(`/api/v1/knowledge/templates/${t.id}`);
      expect(one.statusCode).toBe(200);

      // content sync leaves templates made in the app alone
      const r = await syncKnowledge(s.db.db, { library });
      expect(r.templates.archived).toBe(0);
      expect((await get(`/api/v1/knowledge/templates/${t.id}`)).json().archived).toBe(false);
    });

    it('refuses a faulty-item template that makes the customer pay the return', async () => {
      const res = await s.app.inject({
        method: 'POST',
        url: '/api/v1/knowledge/templates',
        headers: bearer(trainer),
        payload: body({ key: 'damaged_item.bad', variants: [{ language: 'fr', title: 'Retour', body: "Merci de renvoyer l'article à vos frais. {{agent.name}}" }] }),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/return shipping/);
      // and the same sentence cannot arrive by changing a template's category
      const ok = await s.app.inject({ method: 'POST', url: '/api/v1/knowledge/templates', headers: bearer(trainer), payload: body({ key: 'return_request.own_cost', category: 'return_request', markets: [], variants: [{ language: 'fr', title: 'Retour', body: "Merci de renvoyer l'article à vos frais. {{agent.name}}" }] }) });
      expect(ok.statusCode).toBe(201);
      const move = await s.app.inject({ method: 'PATCH', url: `/api/v1/knowledge/templates/${ok.json().id}`, headers: bearer(trainer), payload: { category: 'wrong_item' } });
      expect(move.statusCode).toBe(400);
    });

    it('rejects bad input with the JSON error shape', async () => {
      const post = (payload: unknown) => s.app.inject({ method: 'POST', url: '/api/v1/knowledge/templates', headers: bearer(trainer), payload: payload as object });
      const cases: Array<[unknown, number]> = [
        [body({ key: 'Bad Key!' }), 400],
        [body({ key: 'x.y', category: 'nope' }), 400],
        [body({ key: 'x.z', variants: [] }), 400],
        [body({ key: 'x.w', variants: [{ language: 'de', title: 'T', body: 'Hallo {{order.numbr}}' }] }), 400],
        [body({ key: 'x.v', variants: [{ language: 'german', title: 'T', body: 'B' }] }), 400],
        [body({ key: 'x.u', markets: ['Germany'] }), 400],
        [body({ key: 'x.t', extra: 1 }), 400],
        [body({ key: 'x.s', variants: [{ language: 'de', title: 'T', body: 'x'.repeat(20_001) }] }), 400],
        [body({ key: 'x.r', variants: [{ language: 'de', title: 'A', body: 'B' }, { language: 'de', title: 'C', body: 'D' }] }), 400],
      ];
      for (const [payload, status] of cases) {
        const res = await post(payload);
        expect(res.statusCode, JSON.stringify(payload).slice(0, 100)).toBe(status);
        expect(res.json().error.code).toEqual(expect.any(String));
      }
      const id = uuidv7();
      expect((await s.app.inject({ method: 'PATCH', url: `/api/v1/knowledge/templates/${id}`, headers: bearer(trainer), payload: { archived: true } })).statusCode).toBe(404);
      expect((await s.app.inject({ method: 'PATCH', url: `/api/v1/knowledge/templates/${id}`, headers: bearer(trainer), payload: {} })).statusCode).toBe(400);
      expect((await get('/api/v1/knowledge/templates/nope')).statusCode).toBe(400);
      expect((await get(`/api/v1/knowledge/templates/${id}`)).statusCode).toBe(404);
      expect((await get('/api/v1/knowledge/templates?language=deu')).statusCode).toBe(400);
      expect((await get('/api/v1/knowledge/templates?category=nope')).statusCode).toBe(400);
      expect((await get('/api/v1/knowledge/templates?limit=-1')).statusCode).toBe(400);
      expect((await get(`/api/v1/knowledge/templates?q=${'x'.repeat(201)}`)).statusCode).toBe(400);
      expect((await get('/api/v1/knowledge/search')).statusCode).toBe(400);
    });
  });

  describe('articles API', () => {
    it('lists, searches and shows articles with rendered, safe HTML', async () => {
      const list = (await get('/api/v1/knowledge/articles?audience=internal&language=en')).json();
      expect(list.items.length).toBeGreaterThan(0);
      expect(list.items.every((a: { audience: string; language: string }) => a.audience === 'internal' && a.language === 'en')).toBe(true);
      const one = (await get(`/api/v1/knowledge/articles/${list.items[0].articleId}`)).json();
      expect(one.variants.length).toBeGreaterThanOrEqual(2);
      expect(one.variants[0].html).toMatch(/<(p|h2|table|ol)/);
      const faq = (await get(`/api/v1/knowledge/articles?q=${encodeURIComponent('追跡番号')}`)).json();
      expect(faq.items[0]).toMatchObject({ key: 'faq-where-is-my-order', language: 'ja' });
    });

    it('escapes raw HTML in article bodies', async () => {
      const { renderMarkdown } = await import('./articles.ts');
      expect(renderMarkdown('<script>alert(1)</script> [x](javascript:alert(1))')).not.toMatch(/<script|href="javascript/);
    });

    it('rejects bad input', async () => {
      expect((await get('/api/v1/knowledge/articles?audience=everyone')).statusCode).toBe(400);
      expect((await get('/api/v1/knowledge/articles/123')).statusCode).toBe(400);
      expect((await get(`/api/v1/knowledge/articles/${uuidv7()}`)).statusCode).toBe(404);
      expect((await get('/api/v1/knowledge/articles?foo=bar')).statusCode).toBe(400);
    });
  });
});
