import { afterEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from '../../translation/test-server.ts';
import { Tau2DrillEngine, type Tau2TurnInput } from './drill.ts';
import { tau2VoiceFromEnv } from './llm-customer.ts';
import { fixtureDb } from './test-fixture.ts';
import { firstPerson, requestSentences } from './text.ts';
import type { Tau2Task } from './types.ts';

/** A task over the made-up fixture database: Ann returns the blue mug of #W2 to her gift card. */
function annTask(): Tau2Task {
  return {
    id: 'fx1',
    split: null,
    category: 'return_request',
    reasonForCall:
      'You received order #W2 and want to return the blue mug because it is chipped. You want to know how much money you get back. If the agent asks for confirmation, say yes. (Do not reveal your email to the agent.)',
    knownInfo: 'You are Ann Lee in zip code 62701.',
    unknownInfo: 'You do not remember your email address.',
    taskInstructions: 'You are polite but brief.',
    persona: null,
    userId: 'ann_1',
    goldActions: [
      { name: 'find_user_id_by_name_zip', arguments: { first_name: 'Ann', last_name: 'Lee', zip: '62701' } },
      { name: 'get_order_details', arguments: { order_id: '#W2' } },
      { name: 'return_delivered_order_items', arguments: { order_id: '#W2', item_ids: ['m-blue'], payment_method_id: 'gift_1' } },
    ],
    goldAuthenticates: true,
    communicateInfo: ['12.2'],
    nlAssertions: [],
  };
}

const db = fixtureDb();
const engine = (seed = 1) => new Tau2DrillEngine({ task: annTask(), db, seed, startedAt: new Date('2026-01-01T00:00:00Z') });
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const ident: Tau2TurnInput = { tools: [{ name: 'find_user_id_by_name_zip', arguments: { first_name: 'Ann', last_name: 'Lee', zip: '62701' } }] };
const returnBlue: Tau2TurnInput = { tools: [{ name: 'return_delivered_order_items', arguments: { order_id: '#W2', item_ids: ['m-blue'], payment_method_id: 'gift_1' } }] };

describe('tau2 customer text', () => {
  it('speaks the reason for calling in the first person, without the stage directions', () => {
    const said = requestSentences(annTask().reasonForCall).map(firstPerson).join(' ');
    expect(said).toBe('I received order #W2 and want to return the blue mug because it is chipped. I want to know how much money I get back.');
    expect(firstPerson('You wonder if the agent can help you split the payment.')).toBe('I wonder if you can help me split the payment.');
    const e = engine();
    expect(e.transcript[0].text).toMatch(/I received order #W2 and want to return the blue mug/);
    expect(e.transcript[0].text).not.toMatch(/agent|confirmation|email/i);
  });
});

describe('tau2 scripted customer', () => {
  it('answers from what it knows and never reveals what it does not know', () => {
    const e = engine();
    const asks = [
      'Hello! What is the email address on your account?',
      'Could you please provide your e-mail?',
      'May I have your email so I can find you?',
      'What is your name and zip code?',
    ];
    const replies = asks.map((text, i) => e.turn({ text }, at(i + 1)).customer?.text ?? '');
    for (const r of replies.slice(0, 3)) {
      expect(r).toMatch(/do not remember my email/i);
      expect(r.toLowerCase()).not.toContain('ann.lee@example.com');
    }
    expect(replies[3]).toBe('I am Ann Lee in zip code 62701.');
    // asked for an order number it was given: the one from its request
    expect(e.turn({ text: 'Which order is it about? Please give me the order number.' }, at(9)).customer?.text).toMatch(/#W2\b/);
  });

  it('refuses to confirm a write that is not its goal, and the write without a yes is refused', () => {
    const e = engine();
    e.turn({ text: 'Hi, could you give me your name and zip code?' }, at(1));
    e.turn(ident, at(2));
    const wrongItem = e.turn({ text: 'I can return the red mug (item m-red) from order #W2 with the refund to your gift card. Shall I proceed?' }, at(3));
    expect(wrongItem.customer?.reactions.some((r) => r.startsWith('declined:'))).toBe(true);
    expect(e.sandbox.session.confirmed).toBe(false);
    const wrongPayment = e.turn({ text: 'I can return the blue mug (item m-blue) from order #W2 with the refund to your Visa credit card ending in 1111. Do you confirm?' }, at(4));
    expect(wrongPayment.customer?.reactions).toContain('declined:payment');
    expect(wrongPayment.customer?.text).toMatch(/gift card/);
    const wrongOrder = e.turn({ text: 'I can cancel order #W1 for you. Do you want me to proceed?' }, at(5));
    expect(wrongOrder.customer?.reactions.some((r) => r.startsWith('declined:'))).toBe(true);
    expect(e.sandbox.session.confirmed).toBe(false);
    // writing anyway: refused by the process rules, and the report says why
    const forced = e.turn({ tools: [{ name: 'return_delivered_order_items', arguments: { order_id: '#W2', item_ids: ['m-red'], payment_method_id: 'gift_1' } }] }, at(6));
    expect(forced.tools[0]).toMatchObject({ ok: false, error: { code: 'policy' } });
    e.end(at(7));
    const r = e.score();
    expect(r.passed).toBe(false);
    expect(r.failReasons).toEqual(expect.arrayContaining(['outcome', 'process_rule']));
    expect(r.tau2.reason).toMatch(/order #W2 differs: status expected "return requested" got "delivered"/);
    expect(r.tau2.violations[0]).toMatch(/without the user's explicit confirmation/);
  });

  it('says yes to the goal write, asks for what it wanted to know, thanks and ends; the drill passes', () => {
    const e = engine();
    e.turn({ text: 'Hello, thank you for contacting us. Could you please give me your first name, last name and zip code?' }, at(1));
    e.turn(ident, at(2));
    e.turn({ tools: [{ name: 'get_order_details', arguments: { order_id: '#W2' } }] }, at(3));
    const yes = e.turn({ text: 'I am sorry the mug arrived chipped. I can return the blue mug (item m-blue) from order #W2 with the refund to your gift card. Do you confirm?' }, at(4));
    expect(yes.customer?.text).toMatch(/^Yes\b/);
    expect(yes.customer?.reactions).toContain('confirmed:return_delivered_order_items');
    expect(e.sandbox.session.confirmed).toBe(true);
    const done = e.turn(returnBlue, at(5));
    expect(done.tools[0].ok).toBe(true);
    expect(done.customer?.reactions).toContain('asked:info');
    const told = e.turn({ text: 'The return is requested: you will get $12.20 back on your gift card within 5-7 business days.' }, at(6));
    expect(told.customer?.reactions).toContain('told:0');
    expect(told.state.status).toBe('accepted');
    const bye = e.turn({ text: 'You are welcome, have a great day!' }, at(7));
    expect(bye.ended).toBe(true);
    const r = e.score();
    expect(r.tau2.dbMatches).toBe(true);
    expect(r.tau2.violations).toEqual([]);
    expect(r.tau2.communicateInfo).toEqual([{ fact: '12.2', told: true, turn: expect.any(Number) as number, quote: expect.stringMatching(/12\.20/) as string }]);
    expect(r.outcome.endState.passed).toBe(true);
    expect(r.passed).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const script: Tau2TurnInput[] = [
      { text: 'Hi there, how can I help?' },
      { text: 'Okay.' },
      ident,
      { text: 'I can return the blue mug (item m-blue) from order #W2 to your PayPal. Do you confirm?' },
    ];
    const play = (seed: number) => {
      const e = engine(seed);
      script.forEach((t, i) => e.turn(t, at(i + 1)));
      return JSON.stringify(e.transcript);
    };
    expect(play(7)).toBe(play(7));
    const openings = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => engine(s).transcript[0].text));
    expect(openings.size).toBeGreaterThan(1);
  });

  it('leaves when its patience runs out', () => {
    const e = engine();
    let out;
    for (let i = 0; i < 10 && !e.ended; i++) out = e.turn({ text: 'Hmm.' }, at(i + 1));
    expect(out?.ended).toBe(true);
    expect(e.customer.state.status).toBe('left');
    expect(e.score().failReasons).toContain('customer_left');
  });
});

// --- LLM mode against a local server speaking the OpenAI chat-completions protocol ----------

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Answers every chat with a fixed text (per call), recording the requests. */
function llm(answers: string[]): (req: RecordedRequest) => Reply {
  let i = 0;
  return (req) => {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') return { status: 404, body: { error: { message: 'Not found' } } };
    const content = answers[Math.min(i++, answers.length - 1)];
    return { body: { id: `c${i}`, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } };
  };
}

describe('tau2 customer played by an LLM', () => {
  it('is off without LLM_BASE_URL', () => {
    expect(tau2VoiceFromEnv({})).toBeUndefined();
  });

  it('plays the full instructions; the engine still decides confirmations and state', async () => {
    server = await startFakeServer(
      llm([
        'Hi! My blue mug from order #W2 arrived chipped, I would like to return it.',
        'Yes, go ahead!', // the engine declined this one: the scripted refusal is shown instead
        'Sure, please do it.', // the engine confirmed: an explicit yes is added
        'My email is ann.lee@example.com', // a leak of what the customer does not know: replaced
      ]),
    );
    const voice = tau2VoiceFromEnv({ LLM_BASE_URL: `${server.url}/v1`, LLM_MODEL: 'test-model', LLM_API_KEY: 'k' })!;
    const e = engine();
    expect(await e.speak(voice, 0)).toBe('Hi! My blue mug from order #W2 arrived chipped, I would like to return it.');
    const sys = (server.requests[0].json as { model: string; messages: { role: string; content: string }[] }).messages[0].content;
    expect(sys).toMatch(/You received order #W2 and want to return the blue mug/);
    expect(sys).toMatch(/You are Ann Lee in zip code 62701/);
    expect(sys).toMatch(/You do not remember your email address/);
    expect(sys).toMatch(/You are polite but brief/);
    expect(server.requests[0].headers.authorization).toBe('Bearer k');

    e.turn(ident, at(1));
    e.turn({ text: 'I can return the red mug (item m-red) from order #W2 with the refund to your gift card. Shall I proceed?' }, at(2));
    const declined = await e.speak(voice, e.transcript.length - 1);
    expect(declined).not.toMatch(/^Yes/);
    expect(e.sandbox.session.confirmed).toBe(false);
    const last = (server.requests[1].json as { messages: { role: string; content: string }[] }).messages.at(-1)!;
    expect(last.content).toMatch(/DECISION for this message: You do NOT agree/);

    e.turn({ text: 'I can return the blue mug (item m-blue) from order #W2 with the refund to your gift card. Shall I proceed?' }, at(3));
    expect(await e.speak(voice, e.transcript.length - 1)).toBe('Yes. Sure, please do it.');
    expect(e.sandbox.session.confirmed).toBe(true);

    e.turn({ text: 'What is your email address?' }, at(4));
    const shown = await e.speak(voice, e.transcript.length - 1);
    expect(shown.toLowerCase()).not.toContain('ann.lee@example.com');
    expect(shown).toMatch(/do not remember my email/);

    // an outage keeps the scripted line
    server.handle(() => ({ status: 500, body: { error: { message: 'down' } } }));
    e.turn({ text: 'Could you tell me your zip code?' }, at(5));
    expect(await e.speak(voice, e.transcript.length - 1)).toBe('I am Ann Lee in zip code 62701.');
  });
});
