/**
 * "A polite but wrong reply never outscores a correct one": pairs of replies to the same
 * message, one courteous but wrong (breaks the market's rule, asks for card data, demands a
 * dispute be dropped, or stays vague) and one correct but plain, in several markets and languages.
 */
import { describe, expect, it } from 'vitest';
import { scoreReply } from './rubric.ts';
import type { ScoreReplyInput } from './types.ts';

interface Pair {
  name: string;
  /** The customer's message and where it came from. */
  ctx: Omit<ScoreReplyInput, 'reply'>;
  politeWrong: string;
  plainRight: string;
}

const PAIRS: Pair[] = [
  {
    name: 'DE damaged: the customer pays the return of a broken item (policy)',
    ctx: { market: 'DE', language: 'de', category: 'damaged_item', daysSinceDelivery: 2, customerMessage: 'Die Lampe ist zerbrochen angekommen. Bestellung 4410, Foto anbei.' },
    politeWrong: 'Sehr geehrte Frau Weber, es tut uns außerordentlich leid, und wir verstehen Ihren Ärger vollkommen. Bitte senden Sie die Lampe auf eigene Kosten an uns zurück, danach erstatten wir Ihnen den Kaufpreis. Für Rückfragen stehen wir Ihnen jederzeit gern zur Verfügung. Mit freundlichen Grüßen, Ihr Team',
    plainRight: 'Hallo, wir schicken Ihnen morgen kostenlos eine neue Lampe. Grüße',
  },
  {
    name: 'FR return on day 10: a window shorter than the law (policy)',
    ctx: { market: 'FR', language: 'fr', category: 'return_request', daysSinceDelivery: 10, customerMessage: 'Je souhaite retourner la veste, commande 7781.' },
    politeWrong: 'Bonjour Madame, nous vous remercions chaleureusement pour votre message et comprenons tout à fait votre situation. Malheureusement, les retours ne sont acceptés que sous 7 jours, nous ne pouvons donc pas reprendre la veste. Nous restons à votre entière disposition. Bien cordialement',
    plainRight: 'Bonjour, voici votre étiquette de retour gratuite. Remboursement sous 14 jours après réception. Cordialement',
  },
  {
    name: 'GB lost parcel: sent to the carrier (policy)',
    ctx: { market: 'GB', language: 'en', category: 'lost_parcel', customerMessage: 'My parcel never arrived, order #55120.' },
    politeWrong: 'Hi Sarah, I am so sorry to hear this, I completely understand how frustrating it must be. Please contact Royal Mail yourself to open a claim for the missing parcel. Have a lovely day and do let us know if there is anything else!',
    plainRight: 'Hi, we will send a replacement today; it arrives in 2 working days. Regards',
  },
  {
    name: 'US order status: warm but vague',
    ctx: { market: 'US', language: 'en', category: 'order_status', customerMessage: 'Where is my order #7781? It has been two weeks.' },
    politeWrong: 'Hi Megan, thank you so much for reaching out, and I am truly sorry for the wait, I completely understand how stressful this is. Rest assured we are on it. Thank you for your patience and understanding! Warm regards, Mia',
    plainRight: 'Hi Megan, your parcel is in transit and arrives Thursday. Tracking: 9400111899223344556677. Thanks',
  },
  {
    name: 'CN refund: asks for the card number',
    ctx: { market: 'CN', language: 'zh', category: 'refund', customerMessage: '订单 8890 的退款怎么还没到？' },
    politeWrong: '您好，非常抱歉给您带来不便，我们非常理解您的心情。为了尽快为您退款，请提供您的完整银行卡号和安全码。感谢您的耐心，祝您生活愉快！',
    plainRight: '您好，已为您办理全额退款，3个工作日内到账。',
  },
  {
    name: 'ES wrong item: the customer pays the return (policy)',
    ctx: { market: 'ES', language: 'es', category: 'wrong_item', daysSinceDelivery: 3, customerMessage: 'Me enviaron otro modelo, pedido 5520.' },
    politeWrong: 'Hola Lucía, lamentamos muchísimo el error y entendemos perfectamente su molestia. Le rogamos que nos devuelva el artículo, los gastos de envío de la devolución corren por su cuenta. Quedamos a su entera disposición. Un cordial saludo',
    plainRight: 'Hola, hoy le enviamos el modelo correcto; llega el jueves. Saludos',
  },
  {
    name: 'KR payment: drop the chargeback first',
    ctx: { market: 'KR', language: 'ko', category: 'payment_issue', customerMessage: '이중 결제됐어요. 카드사에 이의 제기했습니다.' },
    politeWrong: '안녕하세요 고객님, 불편을 드려 정말 죄송합니다. 먼저 카드사 이의 제기를 취소해 주시면 그 후에 환불해 드리겠습니다. 감사합니다.',
    plainRight: '안녕하세요. 중복 결제 금액을 오늘 환불했습니다. 3영업일 이내 반영됩니다.',
  },
  {
    name: 'PL refund: polite stalling',
    ctx: { market: 'PL', language: 'pl', category: 'refund', customerMessage: 'Gdzie jest mój zwrot za zamówienie 1190?' },
    politeWrong: 'Dzień dobry Pani Anno, bardzo przepraszamy za niedogodności i doskonale rozumiemy Pani frustrację. Dziękujemy za cierpliwość. Pozdrawiamy serdecznie',
    plainRight: 'Dzień dobry, zwróciliśmy dziś 120 zł na Pani konto, środki będą w ciągu 3 dni roboczych.',
  },
  {
    name: 'JP damaged: apologetic, no remedy',
    ctx: { market: 'JP', language: 'ja', category: 'damaged_item', daysSinceDelivery: 1, customerMessage: '届いた茶器が割れていました。注文番号 JP-2210。' },
    politeWrong: 'お問い合わせいただきありがとうございます。この度は大変ご迷惑をおかけし、誠に申し訳ございません。お客様のお気持ちはよく理解しております。今後ともよろしくお願いいたします。',
    plainRight: '申し訳ございません。新しい茶器を明日無料で発送いたします。2日以内に届きます。',
  },
];

describe('a polite but wrong reply never outscores a correct one', () => {
  for (const p of PAIRS) {
    it(p.name, () => {
      const wrong = scoreReply({ ...p.ctx, reply: p.politeWrong });
      const right = scoreReply({ ...p.ctx, reply: p.plainRight });
      // the wrong one is indeed more polite: it earns greeting/empathy/closing the plain one lacks
      const courtesy = (r: typeof wrong) => r.dimensions.greeting.score + r.dimensions.empathy.score + r.dimensions.closing.score;
      expect(courtesy(wrong)).toBeGreaterThan(courtesy(right));
      expect(right.score, `right ${right.score} vs wrong ${wrong.score}`).toBeGreaterThan(wrong.score);
    });
  }
});
