import { afterEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from '../translation/test-server.ts';
import { createTestDatabase } from '../../test/helpers/db.ts';
import { upsertUser } from '../people/users.ts';
import { systemClock } from '../core/clock.ts';
import { voiceFromEnv } from './llm-voice.ts';
import { postTurn, startSession, clearDrillCache } from './store.ts';

/** Speaks the OpenAI chat completions API and rephrases by wrapping the line it was given. */
function openai(req: RecordedRequest): Reply {
  if (req.method !== 'POST' || req.path !== '/v1/chat/completions') return { status: 404, body: { error: { message: 'Not found' } } };
  const b = req.json as { model?: string; messages?: { role: string; content: string }[] };
  const line = (b.messages?.at(-1)?.content ?? '').split('Line to rephrase:\n')[1] ?? '';
  return { body: { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `Also: ${line}` }, finish_reason: 'stop' }] } };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('LLM voice of the simulated customer', { timeout: 120_000 }, () => {
  it('is off without LLM_BASE_URL', () => {
    expect(voiceFromEnv({})).toBeUndefined();
  });

  it('rephrases customer lines in persona; the scripted engine still decides state, and an outage keeps the script', async () => {
    server = await startFakeServer(openai);
    const voice = voiceFromEnv({ LLM_BASE_URL: `${server.url}/v1`, LLM_MODEL: 'test-model', LLM_API_KEY: 'k' })!;
    const db = await createTestDatabase();
    try {
      const { user } = await upsertUser(db.db, { email: 'voice@test.example', role: 'agent', name: 'V' });
      const actor = { id: user.id, role: 'agent' as const };
      const deps = { db: db.db, clock: systemClock, voice };
      const sess = await startSession(deps, { scenarioId: 'de-damaged-lamp-gift', seed: 1 }, actor);
      const t = await postTurn(deps, sess.id, { text: 'Es tut mir leid. Bis wann benötigen Sie die Lampe?' }, actor);
      expect(t.customer?.text).toBe('Also: Die Lampe ist ein Geburtstagsgeschenk für Samstag. Das muss klappen.');
      expect(t.customer?.reactions).toContain('revealed:deadline');
      const call = server.requests[0];
      expect(call.headers.authorization).toBe('Bearer k');
      const body = call.json as { model: string; messages: { role: string; content: string }[] };
      expect(body.model).toBe('test-model');
      expect(body.messages[0].content).toMatch(/Jonas Weber/);
      expect(body.messages[0].content).toMatch(/Language: de/);
      // the stored transcript keeps what the trainee saw, also after a rebuild
      clearDrillCache();
      server.handle(() => ({ status: 500, body: { error: { message: 'down' } } }));
      const t2 = await postTurn(deps, sess.id, { text: 'Okay.' }, actor);
      expect(t2.customer?.reactions).toContain('ignored');
      expect(t2.customer?.text).not.toMatch(/^Also:/); // outage: the scripted line
    } finally {
      await db.close();
    }
  });
});
