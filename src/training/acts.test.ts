import { describe, expect, it } from 'vitest';
import { recogniseActs } from './acts.ts';

const acts = (language: string, text: string) => recogniseActs(text, { language }).codes;

describe('act recognition', () => {
  it('German (customer language)', () => {
    expect(acts('de', 'Sehr geehrter Herr Weber, es tut mir leid. Können Sie mir bitte Ihre Bestellnummer und ein Foto schicken?')).toEqual(
      expect.arrayContaining(['greeting', 'apology', 'asks:order_number', 'asks:photo']),
    );
    const offer = recogniseActs('Wir schicken Ihnen morgen per Express eine neue Lampe. Für Sie entstehen keine Kosten.', { language: 'de' });
    expect(offer.offers).toContain('reship');
    expect(offer.modifiers).toEqual(expect.arrayContaining(['time', 'free_of_charge', 'express']));
    expect(acts('de', 'Wir können Ihnen eine Teilerstattung von 20 % anbieten.')).toContain('offers:partial_refund');
    expect(acts('de', 'Das ist Ihre eigene Schuld.')).toContain('blame');
  });

  it('English', () => {
    const r = recogniseActs("Hi Megan, I'm so sorry to hear that. Your parcel is in transit and will arrive in two days. Tracking: 9400111899223344556677.", { language: 'en' });
    expect(r.codes).toEqual(expect.arrayContaining(['greeting', 'apology', 'offers:tracking_update', 'time', 'tracking']));
    expect(acts('en', 'Could you send me your order number? Which would you prefer, a refund or a replacement?')).toEqual(expect.arrayContaining(['asks:order_number', 'asks:preference']));
    expect(acts('en', 'Please send us your full card number and the CVV so we can verify.')).toContain('asks_sensitive_data');
    expect(acts('en', 'We will never ask for your CVV or password.')).not.toContain('asks_sensitive_data');
    expect(acts('en', 'Once we receive the item back, we will refund you.')).toContain('offers:return_first');
    expect(acts('en', 'Please be patient for a few more days.')).toContain('offers:wait');
  });

  it('Chinese', () => {
    const r = recogniseActs('您好，非常抱歉给您带来不便。请提供您的订单号和照片。我们会免费为您补发，预计3个工作日内发出。', { language: 'zh' });
    expect(r.codes).toEqual(expect.arrayContaining(['greeting', 'apology', 'asks:order_number', 'asks:photo', 'offers:reship', 'time', 'free_of_charge']));
    expect(acts('zh', '请提供您的信用卡号和安全码。')).toContain('asks_sensitive_data');
  });

  it('Chinese and English are scanned in a drill whatever the customer language', () => {
    // A trainee slipping into English with a Japanese customer: still recognised (the rubric marks the language).
    expect(acts('ja', 'Could you tell me your order number?')).toContain('asks:order_number');
    expect(acts('ja', '请问您的订单号是多少？')).toContain('asks:order_number');
  });

  it('Japanese, French, Spanish', () => {
    expect(acts('ja', '申し訳ございません。ご注文番号を教えていただけますでしょうか。')).toEqual(expect.arrayContaining(['apology', 'asks:order_number']));
    expect(acts('ja', 'グレーのLサイズでしたら在庫がございますので、交換品を発送いたします。')).toContain('offers:exchange');
    expect(acts('fr', 'Bonjour Madame, nous vous remboursons intégralement sous 14 jours.')).toEqual(expect.arrayContaining(['greeting', 'offers:refund', 'time']));
    expect(acts('es', 'Hola Carmen, el pedido ya está cancelado y le devolvemos los 58,85 €.')).toEqual(expect.arrayContaining(['offers:cancel', 'offers:refund', 'amount']));
  });

  it('a question about an offer is not the offer', () => {
    const r = recogniseActs('Would you prefer a refund or a replacement?', { language: 'en' });
    expect(r.asks).toContain('preference');
    expect(r.offers).not.toContain('refund');
  });
});
