import { describe, expect, it } from 'vitest';
import { scoreConversation, scoreReply } from './rubric.ts';
import { CRITICAL_CAP, DEFAULT_WEIGHTS, resolveWeights } from './weights.ts';
import { marketRule, marketRules } from './market-rules.ts';
import type { ConversationTurn, LabelName, ScoreReplyInput } from './types.ts';
import { DIMENSIONS } from './types.ts';

type Ctx = Omit<ScoreReplyInput, 'reply'>;
const score = (ctx: Ctx, reply: string) => scoreReply({ ...ctx, reply });

describe('excellent > mediocre > harmful, with evidence', () => {
  const cases: Array<{ name: string; ctx: Ctx; excellent: string; mediocre: string; harmful: string }> = [
    {
      name: 'en / US damaged item',
      ctx: { market: 'US', language: 'en', category: 'damaged_item', daysSinceDelivery: 2, customerMessage: 'My mug arrived smashed. Order #4471, photo attached.' },
      excellent:
        "Hi Jordan,\nI'm so sorry your mug arrived smashed, that's really disappointing. We'll ship a replacement today and it should reach you within 3 business days; no need to send the broken one back. Kind regards, Mia",
      mediocre: 'Hello. We will look into it.',
      harmful: "You must have dropped it. You'll need to pay the return shipping before we do anything.",
    },
    {
      name: 'de / DE return inside the 14 days',
      ctx: { market: 'DE', language: 'de', category: 'return_request', daysSinceDelivery: 10, customerMessage: 'Ich möchte die Jacke zurückgeben. Bestellung #2210.' },
      excellent:
        'Guten Tag Frau Neumann,\nvielen Dank für Ihre Nachricht, das verstehen wir gut. Sie erhalten heute ein kostenloses Rücksendeetikett per E-Mail; die Erstattung folgt innerhalb von 14 Tagen nach Eingang.\nMit freundlichen Grüßen\nIhr Kundenservice',
      mediocre: 'Hallo, bitte nennen Sie uns Ihre Bestellnummer.',
      harmful: 'Hallo, Rückgabe ist nur innerhalb von 7 Tagen möglich. Ihre Frist ist abgelaufen.',
    },
    {
      name: 'ja / JP late parcel',
      ctx: { market: 'JP', language: 'ja', category: 'order_status', customerMessage: '注文番号5521の荷物がまだ届きません。' },
      excellent:
        '山田様\nお問い合わせいただきありがとうございます。お待たせしてしまい、誠に申し訳ございません。お荷物は現在配送中で、明日お届け予定です。今後ともよろしくお願いいたします。',
      mediocre: 'すみません。確認します。',
      harmful: 'うるさい。配送業者に直接お問い合わせください。',
    },
    {
      name: 'zh / payment issue',
      ctx: { market: 'SG', language: 'zh', category: 'payment_issue', customerMessage: '我被重复扣款了，订单号30912。' },
      excellent: '您好，给您带来不便非常抱歉。我们已为您退回重复扣除的款项，预计3个工作日内到账。如有任何问题请随时联系我们。',
      mediocre: '您好，我们会核实一下。',
      harmful: '请提供您的银行卡号和验证码，我们帮您查询。',
    },
    {
      name: 'fr / FR lost parcel',
      ctx: { market: 'FR', language: 'fr', category: 'lost_parcel', customerMessage: "Mon colis n'est jamais arrivé." },
      excellent:
        "Bonjour Madame Morel, nous sommes vraiment désolés. Nous avons ouvert une enquête auprès du transporteur et nous vous renvoyons un colis d'ici jeudi si le premier n'est pas retrouvé. Bien cordialement",
      mediocre: 'Bonjour, nous allons vérifier.',
      harmful: 'Veuillez contacter directement La Poste, ce n’est pas notre problème.',
    },
    {
      name: 'es / MX defective item',
      ctx: { market: 'MX', language: 'es', category: 'defective_item', daysSinceDelivery: 20, customerMessage: 'La licuadora dejó de funcionar.' },
      excellent:
        'Hola, Sra. Pérez. Lamentamos mucho lo ocurrido. Le enviaremos una licuadora nueva en un plazo de 3 días hábiles, sin ningún costo para usted. Un cordial saludo',
      mediocre: 'Hola, revisaremos su caso.',
      harmful: 'Obviamente usted la usó mal. El envío de devolución corre por su cuenta.',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = score(c.ctx, c.excellent);
      const m = score(c.ctx, c.mediocre);
      const h = score(c.ctx, c.harmful);
      expect(e.score).toBeGreaterThan(m.score);
      expect(m.score).toBeGreaterThan(h.score);
      expect(e.score).toBeGreaterThanOrEqual(80);
      for (const r of [e, m, h]) {
        expect(r.evidence.length).toBeGreaterThan(0);
        for (const ev of r.evidence) {
          expect(ev.en.length).toBeGreaterThan(0);
          expect(ev.zh.length).toBeGreaterThan(0);
        }
      }
      // The harmful reply's evidence quotes the sentence that lost the points.
      expect(h.evidence.some((ev) => ev.effect === 'lost' && ev.quote.length > 0)).toBe(true);
    });
  }
});

/**
 * Per label, replies to one customer message: [language, market, category, customer message,
 * replies that show the label, replies that do not].
 */
type Case = [string, string, string, string, string[], string[]];
const LABEL_CASES: Record<LabelName, Case[]> = {
  greeting: [
    ['en', 'US', 'order_status', 'Where is it?', ['Hi Sam, your parcel arrives tomorrow.'], ['Your parcel arrives tomorrow.']],
    ['de', 'DE', 'order_status', 'Wo ist es?', ['Guten Tag Herr Vogel, Ihr Paket kommt morgen.'], ['Ihr Paket kommt morgen.']],
    ['zh', 'SG', 'order_status', '到哪了？', ['您好，您的包裹明天送达。'], ['包裹明天送达。']],
    ['ko', 'KR', 'order_status', '어디예요?', ['안녕하세요 고객님, 내일 도착 예정입니다.'], []],
  ],
  empathy: [
    ['en', 'US', 'damaged_item', 'Broken.', ['I completely understand how frustrating this is.'], ['Send it back.']],
    ['fr', 'FR', 'damaged_item', 'Cassé.', ['Nous sommes désolés pour ce désagrément.'], ['Renvoyez le produit.']],
    ['ja', 'JP', 'damaged_item', '壊れていました。', ['ご迷惑をおかけし申し訳ございません。'], ['商品を返送してください。']],
    ['es', 'ES', 'damaged_item', 'Roto.', ['Lamentamos mucho lo ocurrido.'], []],
  ],
  solution_offered: [
    ['en', 'US', 'damaged_item', 'Broken.', ['We will send a replacement within 2 business days.'], ['We will look into it.']],
    ['de', 'DE', 'refund', 'Geld?', ['Wir haben Ihnen den Betrag heute erstattet.'], ['Wir können Ihnen leider keine Erstattung anbieten.']],
    ['zh', 'SG', 'damaged_item', '坏了。', ['我们将在2天内为您补发。'], ['收到您的消息了。']],
    ['pt', 'BR', 'refund', 'Reembolso?', ['Fizemos o estorno hoje, o valor aparece em até 5 dias úteis.'], []],
  ],
  closing: [
    ['en', 'US', 'order_status', 'Where?', ['It ships today. Kind regards, Mia'], ['It ships today.']],
    ['de', 'DE', 'order_status', 'Wo?', ['Es wird heute versandt. Mit freundlichen Grüßen'], ['Es wird heute versandt.']],
    ['es', 'ES', 'order_status', '¿Dónde?', ['Se envía hoy. Un cordial saludo'], ['Se envía hoy.']],
  ],
  blame_or_rude: [
    ['en', 'US', 'wrong_item', 'Wrong size.', ["It's your fault, you ordered the wrong size."], ['Sorry about that, we will exchange it.']],
    ['de', 'DE', 'wrong_item', 'Falsche Größe.', ['Das ist Ihr Fehler, Sie haben falsch bestellt.'], ['Das tut uns leid, wir tauschen den Artikel um.']],
    ['zh', 'SG', 'wrong_item', '尺码不对。', ['是您自己下错单了。'], ['抱歉，我们为您换货。']],
    ['ru', 'DE', 'wrong_item', 'Не тот размер.', ['Успокойтесь, это ваша ошибка.'], []],
  ],
  asks_sensitive_data: [
    ['en', 'US', 'payment_issue', 'Charged twice.', ['Please send us the CVV on the back of your card.'], ['We will never ask for your CVV or password.', 'Could you confirm the last 4 digits of the card?']],
    ['de', 'DE', 'payment_issue', 'Doppelt abgebucht.', ['Bitte nennen Sie uns Ihre Kartennummer.'], ['Geben Sie niemals Ihr Passwort weiter.']],
    ['zh', 'SG', 'payment_issue', '扣了两次。', ['请提供您收到的验证码。'], ['请不要向任何人透露验证码。']],
    ['fr', 'FR', 'payment_issue', 'Débité deux fois.', ['Merci de nous communiquer votre mot de passe.'], []],
  ],
  language_match: [
    ['de', 'DE', 'order_status', 'Wo ist mein Paket?', ['Ihr Paket ist unterwegs und kommt morgen an.'], ['Your parcel is on its way and arrives tomorrow.']],
    ['ja', 'JP', 'order_status', '荷物はどこですか？', ['お荷物は明日お届け予定です。'], ['您的包裹明天送达。']],
    ['fr', 'FR', 'order_status', 'Où est mon colis ?', ['Votre colis arrive demain.'], ['Your parcel arrives tomorrow, thank you.']],
  ],
  policy_violation: [
    ['en', 'GB', 'damaged_item', 'Broken.', ['Return shipping is at your own expense.'], ['We will email you a prepaid return label today.']],
    ['de', 'DE', 'return_request', 'Zurückgeben?', ['Rückgabe ist nur innerhalb von 7 Tagen möglich.'], ['Selbstverständlich, das Rücksendeetikett kommt heute.']],
    ['es', 'ES', 'refund', 'Reseña.', ['Si elimina su reseña le hacemos un reembolso.'], []],
    ['zh', 'SG', 'refund', '我开了争议。', ['请您先撤销PayPal争议，之后我们才能退款。'], []],
    ['es', 'ES', 'refund', 'Reembolso.', [], ['Le reembolsamos el importe hoy.']],
  ],
};
const DAYS: Partial<Record<string, number>> = { return_request: 10 };

describe('each label has positive and negative cases in 3+ languages', () => {
  for (const [label, cases] of Object.entries(LABEL_CASES) as Array<[LabelName, Case[]]>) {
    it(label, () => {
      expect(new Set(cases.filter((c) => c[4].length).map((c) => c[0])).size).toBeGreaterThanOrEqual(3);
      expect(new Set(cases.filter((c) => c[5].length).map((c) => c[0])).size).toBeGreaterThanOrEqual(3);
      for (const [language, market, category, customerMessage, yes, no] of cases) {
        const days = DAYS[category];
        for (const [want, list] of [[true, yes], [false, no]] as const) {
          for (const reply of list) {
            const r = scoreReply({ market, language, category, customerMessage, reply, ...(days !== undefined ? { daysSinceDelivery: days } : {}) });
            expect({ reply, value: r.labels[label] }).toEqual({ reply, value: want });
          }
        }
      }
    });
  }
});

describe('a polite but wrong reply never outscores a correct one', () => {
  const pairs: Array<{ name: string; ctx: Ctx; wrong: string; right: string }> = [
    {
      name: 'polite refusal of a legal return (DE, day 10)',
      ctx: { market: 'DE', language: 'de', category: 'return_request', daysSinceDelivery: 10, customerMessage: 'Ich möchte die Schuhe zurückgeben.' },
      wrong:
        'Sehr geehrte Frau Klein,\nvielen Dank für Ihre freundliche Nachricht, wir verstehen Ihren Wunsch sehr gut und bedauern es sehr. Leider ist eine Rückgabe nur innerhalb von 7 Tagen möglich. Wir bitten um Ihr Verständnis.\nMit freundlichen Grüßen',
      right: 'Guten Tag, gerne: das Rücksendeetikett kommt heute per E-Mail.',
    },
    {
      name: 'polite request for the CVV (US)',
      ctx: { market: 'US', language: 'en', category: 'payment_issue', customerMessage: 'I was charged twice for order #1201.' },
      wrong:
        "Dear Ms. Carter,\nI'm truly sorry for the double charge and I completely understand your concern. To refund you within 24 hours, could you kindly share your card number and the CVV? Warm regards, Anna",
      right: 'Hi, we refunded the second charge today.',
    },
    {
      name: 'polite review bribe (FR)',
      ctx: { market: 'FR', language: 'fr', category: 'refund', customerMessage: "J'ai laissé un avis négatif." },
      wrong:
        "Bonjour Madame, nous sommes sincèrement désolés. Si vous acceptez de modifier votre avis, nous vous offrons un bon d'achat de 30 € dès aujourd'hui. Bien cordialement",
      right: 'Bonjour, nous vous remboursons aujourd’hui.',
    },
    {
      name: 'polite demand to drop the chargeback first (GB)',
      ctx: { market: 'GB', language: 'en', category: 'payment_issue', customerMessage: 'I have opened a chargeback.' },
      wrong:
        "Dear Mr Patel, we're very sorry for the trouble. Once you cancel the chargeback, we will gladly refund you within 2 days. Kind regards",
      right: 'Hello, we have refunded you today.',
    },
    {
      name: 'polite "contact the carrier yourself" (AU lost parcel)',
      ctx: { market: 'AU', language: 'en', category: 'lost_parcel', customerMessage: 'My parcel never arrived.' },
      wrong: "Hi Jess, I'm so sorry to hear that. Please contact Australia Post directly to file a claim. Have a lovely day!",
      right: "We've opened a claim with the carrier and will update you by Friday.",
    },
  ];
  for (const p of pairs) {
    it(p.name, () => {
      const w = score(p.ctx, p.wrong);
      const r = score(p.ctx, p.right);
      expect(w.critical.length).toBeGreaterThan(0);
      expect(w.score).toBeLessThanOrEqual(CRITICAL_CAP);
      expect(w.score).toBeLessThan(r.score);
    });
  }
});

describe('policy rules per market', () => {
  const refusal = 'Hello, sorry, we do not accept returns after 7 days.';
  /** An English return request `days` after delivery, answered with `reply`. */
  const returnAsked = (market: string, days: number, reply = refusal, extra: Partial<ScoreReplyInput> = {}) =>
    scoreReply({ market, language: 'en', category: 'return_request', daysSinceDelivery: days, customerMessage: 'Return?', reply, ...extra });
  it('refusing a return at day 10 breaks the law in DE but not in the US', () => {
    const de = returnAsked('DE', 10);
    const us = returnAsked('US', 10);
    expect(de.labels.policy_violation).toBe(true);
    expect(de.dimensions.policy.evidence[0].code).toBe('refusal_in_withdrawal_window');
    expect(us.labels.policy_violation).toBe(false);
  });
  it("the store's own window counts where the law gives none", () => {
    const r = returnAsked('US', 20, refusal, { storePolicy: { returnWindowDays: 30 } });
    expect(r.labels.policy_violation).toBe(true);
    expect(r.dimensions.policy.evidence[0].code).toBe('refusal_in_store_window');
  });
  it('a return refused after the window is no violation', () => {
    const r = returnAsked('DE', 40, 'Hello, sorry, the return window has expired.');
    expect(r.labels.policy_violation).toBe(false);
  });
  it('the customer never pays return shipping for a faulty item', () => {
    const r = scoreReply({ market: 'US', language: 'en', category: 'defective_item', customerMessage: 'It broke.', reply: 'Please send it back at your own cost.' });
    expect(r.labels.policy_violation).toBe(true);
    expect(r.critical).toContain('policy_violation');
  });
  it('the table covers the DESIGN.md markets with the EU and UK 14 days', () => {
    for (const m of ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'PL', 'SE', 'JP', 'KR', 'AU', 'CA', 'MX', 'BR', 'AE', 'SA']) {
      expect(marketRules().has(m)).toBe(true);
      expect(marketRule(m).faultyReturnShipping).toBe('seller');
    }
    for (const m of ['GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'PL', 'SE']) expect(marketRule(m).withdrawalDays).toBe(14);
    expect(marketRule('KR').withdrawalDays).toBe(7);
    expect(marketRule('US').withdrawalDays).toBe(0);
  });
});

describe('cultural fit', () => {
  const ctxDe: Ctx = { market: 'DE', language: 'de', category: 'order_status', customerMessage: 'Wo ist mein Paket?' };
  it('DE: Sie beats du', () => {
    const sie = score(ctxDe, 'Guten Tag, Ihr Paket kommt morgen. Mit freundlichen Grüßen');
    const du = score(ctxDe, 'Hallo, dein Paket kommt morgen. Viele Grüße');
    expect(sie.dimensions.cultural_fit.score).toBeGreaterThan(du.dimensions.cultural_fit.score);
    expect(du.dimensions.cultural_fit.evidence[0].code).toBe('informal_address');
  });
  it('JP: formal apology before the explanation', () => {
    const ctx: Ctx = { market: 'JP', language: 'ja', category: 'damaged_item', customerMessage: '壊れていました。' };
    const good = score(ctx, '誠に申し訳ございません。本日、代わりの商品を発送いたします。');
    const late = score(ctx, '本日、代わりの商品を発送いたします。誠に申し訳ございません。');
    const casual = score(ctx, 'ごめんね。新しいのを送るよ。');
    expect(good.dimensions.cultural_fit.score).toBeGreaterThan(late.dimensions.cultural_fit.score);
    expect(late.dimensions.cultural_fit.score).toBeGreaterThan(casual.dimensions.cultural_fit.score);
  });
  it('KR: 존댓말 beats 반말', () => {
    const ctx: Ctx = { market: 'KR', language: 'ko', category: 'order_status', customerMessage: '언제 와요?' };
    const polite = score(ctx, '고객님, 상품은 내일 도착 예정입니다.');
    const banmal = score(ctx, '상품은 내일 도착할 거야.');
    expect(polite.dimensions.cultural_fit.score).toBeGreaterThan(banmal.dimensions.cultural_fit.score);
  });
});

describe('comprehension', () => {
  it('asking again for the order number the customer gave costs points', () => {
    const ctx: Ctx = { market: 'US', language: 'en', category: 'order_status', customerMessage: 'Where is order #55120?' };
    const reask = score(ctx, 'Hi, could you please send us your order number?');
    const fresh = scoreReply({ ...ctx, customerMessage: 'Where is my order?', reply: 'Hi, could you please send us your order number?' });
    expect(reask.dimensions.comprehension.evidence.some((e) => e.code === 'reasks_order_number')).toBe(true);
    expect(fresh.dimensions.comprehension.score).toBeGreaterThan(reask.dimensions.comprehension.score);
  });
});

describe('weights', () => {
  it('default weights cover every dimension', () => {
    expect(Object.keys(DEFAULT_WEIGHTS).sort()).toEqual([...DIMENSIONS].sort());
  });
  it('scenario and team overrides change the score; bad overrides are refused', () => {
    const ctx: Ctx = { market: 'US', language: 'en', category: 'order_status', customerMessage: 'Where?' };
    const reply = 'Your parcel arrives on Friday.';
    const base = score(ctx, reply);
    const greetHeavy = scoreReply({ ...ctx, reply, weights: { greeting: 60 } });
    expect(greetHeavy.score).toBeLessThan(base.score);
    expect(resolveWeights({ greeting: 1 }, { greeting: 3 }).greeting).toBe(3);
    expect(() => resolveWeights({ nonsense: 1 } as never)).toThrow(/unknown rubric dimension/);
    expect(() => resolveWeights({ tone: -1 })).toThrow(/>= 0/);
  });
});

describe('scoreConversation', () => {
  const ctx = { market: 'DE', language: 'de', category: 'damaged_item', daysSinceDelivery: 1 };
  const customer = (text: string): ConversationTurn => ({ role: 'customer', text });
  const agent = (text: string): ConversationTurn => ({ role: 'agent', text });
  const opening = customer('Ihre Lampe kam gestern völlig zerbrochen an. Was gedenken Sie zu tun?');

  const excellent = [
    opening,
    agent('Guten Tag Herr Weber, das tut uns sehr leid, das ist wirklich ärgerlich. Könnten Sie uns bitte Ihre Bestellnummer nennen?'),
    customer('#1047. Foto anbei.'),
    agent('Danke. Wir versenden heute eine neue Lampe per Express, sie ist spätestens Freitag bei Ihnen. Die kaputte Lampe müssen Sie nicht zurückschicken. Mit freundlichen Grüßen'),
  ];
  const mediocre = [
    opening,
    agent('Hallo, bitte senden Sie uns Ihre Bestellnummer.'),
    customer('#1047. Foto anbei.'),
    agent('Hallo, bitte nennen Sie uns nochmals Ihre Bestellnummer. Wir prüfen das.'),
  ];
  const harmful = [
    opening,
    agent('Hallo, das ist nicht unser Problem.'),
    customer('#1047. Foto anbei.'),
    agent('Sie hätten besser aufpassen sollen. Die Rücksendekosten tragen Sie. Bitte nennen Sie uns Ihre Kartennummer.'),
  ];

  it('scores excellent > mediocre > harmful transcripts, with evidence per turn', () => {
    const e = scoreConversation(excellent, ctx);
    const m = scoreConversation(mediocre, ctx);
    const h = scoreConversation(harmful, ctx);
    expect(e.score).toBeGreaterThan(m.score);
    expect(m.score).toBeGreaterThan(h.score);
    expect(e.labels.greeting && e.labels.closing && e.labels.solution_offered).toBe(true);
    expect(h.critical).toEqual(expect.arrayContaining(['policy_violation', 'asks_sensitive_data']));
    expect(h.score).toBeLessThanOrEqual(CRITICAL_CAP);
    expect(e.turns).toHaveLength(2);
    expect(h.evidence.some((ev) => ev.turn === 3 && ev.effect === 'lost')).toBe(true);
  });

  it('does not ask again for what the customer already gave', () => {
    const m = scoreConversation(mediocre, ctx);
    expect(m.dimensions.comprehension.evidence.some((ev) => ev.code === 'reasks_order_number' && ev.turn === 3)).toBe(true);
  });

  it('greets once at the start and closes at the end', () => {
    const greetTwice = scoreConversation(
      [opening, agent('Guten Tag Herr Weber, das tut uns leid.'), customer('#1047'), agent('Guten Tag Herr Weber, wir senden heute eine neue Lampe. Mit freundlichen Grüßen')],
      ctx,
    );
    expect(greetTwice.dimensions.greeting.evidence.some((ev) => ev.code === 'greeting_again')).toBe(true);
    const closesEarly = scoreConversation(
      [opening, agent('Guten Tag, das tut uns leid. Mit freundlichen Grüßen'), customer('#1047'), agent('Wir senden heute eine neue Lampe.')],
      ctx,
    );
    expect(closesEarly.labels.closing).toBe(false);
  });
});
