/**
 * Act recognition by family, per language, with phrasings written for this test — none is taken
 * from content/scenarios (the first-reply measure plays those), so the lexicons are not judged
 * on what they were written against.
 */
import { describe, expect, it } from 'vitest';
import { recogniseActs } from './acts.ts';
import { compileCustomAsks } from './acts.ts';

type Case = [lang: string, text: string, expected: string];
const codes = (lang: string, text: string) => recogniseActs(text, { language: lang }).codes;

const FREE: Case[] = [
  ['en', "Sending the replacement won't cost you a penny.", 'free_of_charge'],
  ['en', 'There is no extra charge for the courier collection.', 'free_of_charge'],
  ['de', 'Für den Umtausch fallen Ihnen selbstverständlich keine Gebühren an.', 'free_of_charge'],
  ['de', 'Das Rückporto geht auf unsere Kosten.', 'free_of_charge'],
  ['fr', "Le renvoi ne vous coûtera rien.", 'free_of_charge'],
  ['fr', 'Les frais de retour sont à notre charge.', 'free_of_charge'],
  ['es', 'El envío de vuelta corre por nuestra cuenta.', 'free_of_charge'],
  ['es', 'No le costará nada.', 'free_of_charge'],
  ['it', 'La spedizione di reso è a nostro carico.', 'free_of_charge'],
  ['pt', 'O frete de devolução fica por nossa conta.', 'free_of_charge'],
  ['nl', 'Het terugsturen kost u niets.', 'free_of_charge'],
  ['pl', 'Koszty odesłania pokrywamy my.', 'free_of_charge'],
  ['sv', 'Returen kostar er ingenting.', 'free_of_charge'],
  ['sv', 'Vi står för returfrakten.', 'free_of_charge'],
  ['tr', 'Kargo ücreti bize ait.', 'free_of_charge'],
  ['ru', 'Вам ничего не придется платить за обратную доставку.', 'free_of_charge'],
  ['ar', 'لن تتحمل أي رسوم على الإرجاع.', 'free_of_charge'],
  ['ja', '返送料は弊社にて負担いたします。', 'free_of_charge'],
  ['ja', '交換にかかる費用は一切かかりません。', 'free_of_charge'],
  ['ko', '교환 배송비는 저희가 부담합니다.', 'free_of_charge'],
  ['ko', '반품비는 별도로 청구되지 않습니다.', 'free_of_charge'],
  ['zh', '退货运费由我们承担。', 'free_of_charge'],
  ['zh', '您不需要支付任何费用。', 'free_of_charge'],
];

const TIME: Case[] = [
  ['en', 'The money shows on your statement within 2-4 banking days.', 'time'],
  ['de', 'Die Gutschrift erfolgt in 2–4 Banktagen.', 'time'],
  ['de', 'Sie hören binnen einer Woche von uns.', 'time'],
  ['fr', 'Le remboursement apparaît sous 2 à 4 jours ouvrés.', 'time'],
  ['es', 'Lo recibirá en un plazo de 3 a 5 días laborables.', 'time'],
  ['it', 'Il rimborso arriva entro 3-5 giorni lavorativi.', 'time'],
  ['pt', 'O estorno aparece em 3 a 5 dias úteis.', 'time'],
  ['nl', 'Het bedrag staat binnen 2-3 werkdagen op je rekening.', 'time'],
  ['pl', 'Zwrot zaksięgujemy w ciągu 3-5 dni roboczych.', 'time'],
  ['sv', 'Pengarna kommer inom 2–3 vardagar.', 'time'],
  ['tr', 'İade 3-5 iş günü içinde hesabınıza geçer.', 'time'],
  ['ru', 'Деньги вернутся в течение 3–5 рабочих дней.', 'time'],
  ['ar', 'سنحتفظ بالطلب لمدة 48 ساعة.', 'time'],
  ['ja', '返金は3〜5営業日ほどで反映されます。', 'time'],
  ['ko', '환불은 3~5영업일 이내에 처리됩니다.', 'time'],
  ['zh', '款项会在 2-3 天内退回。', 'time'],
];

const CANCEL: Case[] = [
  ['en', 'Your order has now been cancelled.', 'offers:cancel'],
  ['de', 'Ihre Bestellung ist jetzt storniert.', 'offers:cancel'],
  ['fr', 'Votre commande a bien été annulée.', 'offers:cancel'],
  ['es', 'Su pedido quedó cancelado.', 'offers:cancel'],
  ['pl', 'Pani zamówienie jest już anulowane.', 'offers:cancel'],
  ['zh', '您的订单已经取消。', 'offers:cancel'],
];

const INVESTIGATE: Case[] = [
  ['en', 'I have opened a trace with the courier this morning.', 'offers:investigate'],
  ['es', 'Levantamos una reclamación con la paquetería.', 'offers:investigate'],
  ['ko', '우체국에 분실 조사를 요청했습니다.', 'offers:investigate'],
  ['de', 'Wir haben einen Nachforschungsauftrag bei DHL gestellt.', 'offers:investigate'],
];

const LABEL: Case[] = [
  ['en', "I've attached a prepaid Evri returns label.", 'offers:return_label'],
  ['en', 'Here is a free UPS label for the return.', 'offers:return_label'],
  ['es', 'Le mandamos una guía de devolución por correo.', 'offers:return_label'],
];

const POLICY: Case[] = [
  ['en', 'For your security, we never ask for card details in chat.', 'offers:explain_policy'],
  ['en', 'Returns are accepted within 30 days of delivery.', 'offers:explain_policy'],
  ['en', "You haven't been charged: it is only a temporary authorisation.", 'offers:explain_policy'],
  ['de', 'Die Widerrufsfrist ist leider abgelaufen.', 'offers:explain_policy'],
  ['de', 'Sie erhalten eine korrigierte Rechnung per E-Mail.', 'offers:explain_policy'],
  ['fr', "Vous n'avez pas été débité : il s'agit d'une pré-autorisation.", 'offers:explain_policy'],
  ['es', 'El plazo de devolución ya venció hace una semana.', 'offers:explain_policy'],
  ['it', 'Il termine di recesso è scaduto.', 'offers:explain_policy'],
  ['pt', 'Para sua segurança, nunca pedimos a senha do cartão.', 'offers:explain_policy'],
  ['nl', 'De retourtermijn is helaas verlopen.', 'offers:explain_policy'],
  ['pl', 'Termin na zwrot niestety już minął.', 'offers:explain_policy'],
  ['sv', 'Returfristen har tyvärr gått ut.', 'offers:explain_policy'],
  ['tr', 'İade süresi maalesef doldu.', 'offers:explain_policy'],
  ['ru', 'Срок возврата, к сожалению, уже истек.', 'offers:explain_policy'],
  ['ar', 'انتهت مدة الإرجاع للأسف.', 'offers:explain_policy'],
  ['ja', '返品期間を過ぎておりますため、ご了承ください。', 'offers:explain_policy'],
  ['ko', '반품 기간이 지나 환불이 어렵습니다.', 'offers:explain_policy'],
  ['zh', '为了您的账户安全，我们绝不会索要验证码。', 'offers:explain_policy'],
];

describe('recognition families per language (phrasings not from the scenario library)', () => {
  for (const [name, list] of [
    ['free of charge', FREE],
    ['time', TIME],
    ['cancel done', CANCEL],
    ['investigate', INVESTIGATE],
    ['return label', LABEL],
    ['explain the rule', POLICY],
  ] as const) {
    it(name, () => {
      const missed = list.filter(([l, t, e]) => !codes(l, t).includes(e)).map(([l, t, e]) => `${l}: ${t} (want ${e}, got ${codes(l, t).join(' ')})`);
      expect(missed).toEqual([]);
    });
  }

  it('offers of options are marked as alternatives; a single offer is not', () => {
    expect(recogniseActs('We can exchange them for a 38, or refund you in full if you prefer.', { language: 'en' }).alternatives).toBe(true);
    expect(recogniseActs('Wir tauschen die Schuhe um oder erstatten Ihnen den Kaufpreis.', { language: 'de' }).alternatives).toBe(true);
    expect(recogniseActs('다른 색상으로 교환하시거나, 원하시면 환불해 드립니다.', { language: 'ko' }).alternatives).toBe(true);
    expect(recogniseActs('We will refund you in full today.', { language: 'en' }).alternatives).toBe(false);
  });

  it('a custom key is asked only in a question or request, not when merely mentioned', () => {
    const customAsks = compileCustomAsks({ engraving: { asked_by: ['engraving', 'gravur'] } });
    expect(recogniseActs('We have added the engraving to your order.', { language: 'en', customAsks }).asks).not.toContain('engraving');
    expect(recogniseActs('What text would you like for the engraving?', { language: 'en', customAsks }).asks).toContain('engraving');
    expect(recogniseActs('Könnten Sie mir den Text der Gravur schicken?', { language: 'de', customAsks }).asks).toContain('engraving');
  });
});
