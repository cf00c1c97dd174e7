import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { triageForTickets } from '../src/helpdesk/triage-adapter.ts';
import { LibreTranslateTranslator } from '../src/translation/libretranslate.ts';
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from '../src/translation/test-server.ts';

/**
 * Translation in the ticket workflow, against a local server speaking LibreTranslate's API:
 * customer messages translated once and kept, a reply previewed and sent in the customer's
 * language with the agent's own words kept, and the answers without a provider.
 */

const LANGS = ['en', 'de', 'zh-Hans', 'ja'];
let failNext = 0;
function libre(req: RecordedRequest): Reply {
  if (req.method === 'GET' && req.path === '/languages') return { body: LANGS.map((code) => ({ code, name: code, targets: LANGS.filter((l) => l !== code) })) };
  if (req.method === 'POST' && req.path === '/translate') {
    if (failNext > 0) {
      failNext--;
      return { status: 429, headers: { 'retry-after': '7' }, body: { error: 'Slowdown: too many requests' } };
    }
    const b = req.json as { q: string; source: string; target: string };
    return { body: { translatedText: `<${b.source}→${b.target}> ${b.q}` } };
  }
  return { status: 404, body: { error: 'Not Found' } };
}

describe('translation of tickets', () => {
  let fake: FakeServer;
  let s: TestServer;
  let plain: TestServer;
  let agent: string;
  let ticketId: string;

  const translateCalls = () => fake.requests.filter((r) => r.path === '/translate').length;

  beforeAll(async () => {
    fake = await startFakeServer(libre);
    s = await startTestServer({ deps: { translator: new LibreTranslateTranslator({ url: fake.url }) } });
    plain = await startTestServer({ deps: { triage: triageForTickets } });
    ({ token: agent } = await s.tokenFor('agent'));
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(agent),
      payload: { subject: 'Lampe kaputt', body: 'Die Lampe kam zerbrochen an. Ich möchte Ersatz.', customer: { email: 'jonas@example.de', language: 'de' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    ticketId = res.json<{ id: string }>().id;
  });
  afterAll(async () => {
    await s.close();
    await plain.close();
    await fake.close();
  });

  it('translates the customer messages into the agent language once and keeps the original', async () => {
    const before = translateCalls();
    const first = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/translations`, headers: bearer(agent), payload: { to: 'zh' } });
    expect(first.statusCode, first.body).toBe(200);
    const item = first.json().items[0];
    expect(item).toMatchObject({ ok: true, cached: false, provider: 'libretranslate', text: '<de→zh-Hans> Die Lampe kam zerbrochen an. Ich möchte Ersatz.' });
    expect(translateCalls()).toBe(before + 1);
    // the second time comes from the database, not the provider
    const again = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/translations`, headers: bearer(agent), payload: { to: 'zh' } });
    expect(again.json().items[0]).toMatchObject({ ok: true, cached: true, text: item.text });
    expect(translateCalls()).toBe(before + 1);
    const detail = await s.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}`, headers: bearer(agent) });
    expect(detail.json().messages[0].body).toBe('Die Lampe kam zerbrochen an. Ich möchte Ersatz.');
  });

  it('previews a Chinese reply in German, sends the approved text and keeps what the agent wrote', async () => {
    const preview = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/reply-preview`, headers: bearer(agent), payload: { text: '非常抱歉，我们今天给您补发。', from: 'zh' } });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({ ok: true, customerLanguage: 'de', sameLanguage: false, text: '<zh-Hans→de> 非常抱歉，我们今天给您补发。' });
    const edited = 'Es tut uns sehr leid. Wir senden Ihnen heute eine neue Lampe.';
    const sent = await s.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/translated-replies`,
      headers: bearer(agent),
      payload: { text: edited, original: { text: '非常抱歉，我们今天给您补发。', language: 'zh' }, provider: 'libretranslate' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json()).toMatchObject({ body: edited, language: 'de', authorType: 'agent', original: { text: '非常抱歉，我们今天给您补发。', language: 'zh' } });
    const kept = await s.db.db.selectFrom('message_translations').selectAll().where('message_id', '=', sent.json().id).execute();
    expect(kept.map((k) => [k.kind, k.language, k.text])).toEqual([['original', 'zh', '非常抱歉，我们今天给您补发。']]);
    const detail = await s.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}`, headers: bearer(agent) });
    expect(detail.json().messages.at(-1).body).toBe(edited);
    const listed = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/translations`, headers: bearer(agent), payload: { to: 'zh' } });
    expect(listed.json().originals).toEqual([{ messageId: sent.json().id, text: '非常抱歉，我们今天给您补发。', language: 'zh' }]);
  });

  it('a rate-limited provider gives a clear message with Retry-After, and the draft is not lost', async () => {
    failNext = 1;
    const r = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/reply-preview`, headers: bearer(agent), payload: { text: '我们会尽快处理', from: 'zh' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: false, customerLanguage: 'de', error: { code: 'rate_limited', retryAfter: 7 } });
    const messages = (await s.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}`, headers: bearer(agent) })).json().messages;
    expect(messages.some((m: { body: string }) => m.body.includes('尽快'))).toBe(false);
  });

  it('without a provider says which language the customer needs', async () => {
    const { token } = await plain.tokenFor('agent');
    const t = await plain.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer(token), payload: { subject: '荷物', body: '荷物がまだ届きません。いつ届きますか？', customer: { email: 'k@example.jp' } } });
    const id = t.json().id;
    const status = await plain.app.inject({ method: 'GET', url: '/api/v1/translation/status', headers: bearer(token) });
    expect(status.json()).toMatchObject({ provider: 'none', available: false });
    const tr = await plain.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/translations`, headers: bearer(token), payload: { to: 'en' } });
    expect(tr.json().items[0]).toMatchObject({ ok: false, error: { code: 'no_provider', customerLanguage: 'ja' } });
    expect(tr.json().items[0].error.message).toMatch(/Japanese/);
    const pv = await plain.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/reply-preview`, headers: bearer(token), payload: { text: 'We will ship today.', from: 'en' } });
    expect(pv.json()).toMatchObject({ ok: false, customerLanguage: 'ja', error: { code: 'no_provider' } });
    expect(pv.json().error.message).toMatch(/template in Japanese/);
  });

  it('bad input: unknown fields, bad language codes, other tickets and roles', async () => {
    const bad = [
      { payload: { to: 'zh', extra: 1 }, status: 400 },
      { payload: { to: 'not a language' }, status: 400 },
      { payload: { to: 'zh', messageIds: ['00000000-0000-7000-8000-000000000000'] }, status: 404 },
    ];
    for (const b of bad) {
      const r = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/translations`, headers: bearer(agent), payload: b.payload });
      expect(r.statusCode, JSON.stringify(b.payload)).toBe(b.status);
      expect(r.json().error.code).toBeTypeOf('string');
    }
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/tickets/00000000-0000-7000-8000-000000000000/reply-preview', headers: bearer(agent), payload: { text: 'x', from: 'en' } })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/reply-preview`, payload: { text: 'x', from: 'en' } })).statusCode).toBe(401);
    const { token: trainer } = await s.tokenFor('trainer');
    expect((await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/translated-replies`, headers: bearer(trainer), payload: { text: 'x', original: { text: 'y', language: 'en' }, provider: 'none' } })).statusCode).toBe(403);
    const big = 'x'.repeat(20_001);
    expect((await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/reply-preview`, headers: bearer(agent), payload: { text: big, from: 'en' } })).statusCode).toBe(400);
  });
});
