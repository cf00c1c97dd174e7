/**
 * Families of the rubric's tone, sensitive-data and integrity checks in all 15 languages, with
 * phrasings written for this test (not from the labelled corpus): what must be caught, and the
 * look-alikes that must not be.
 */
import { describe, expect, it } from 'vitest';
import { scoreReply } from './rubric.ts';

type Case = [lang: string, market: string, text: string];
const score = ([language, market, reply]: Case, category = 'refund') =>
  scoreReply({ market, language, category, customerMessage: '', reply });

const ASKS_FULL_CARD: Case[] = [
  ['en', 'US', 'Our system requires the full card number before it can release the refund.'],
  ['de', 'DE', 'Zur Prüfung benötigen wir noch die komplette Kartennummer und den Sicherheitscode.'],
  ['de', 'DE', 'Für die Gutschrift bräuchten wir einmal Ihre ganze Kartennummer.'],
  ['fr', 'FR', 'Pour le remboursement, il nous faut le numéro complet de votre carte.'],
  ['es', 'ES', 'Para tramitarlo necesitamos el número completo de su tarjeta.'],
  ['it', 'IT', 'Per il rimborso ci serve il numero completo della carta.'],
  ['pt', 'BR', 'Para o estorno, precisamos do número completo do seu cartão.'],
  ['nl', 'NL', 'Voor de terugbetaling hebben we je volledige kaartnummer nodig.'],
  ['pl', 'PL', 'Do zwrotu potrzebny jest nam pełny numer karty.'],
  ['sv', 'SE', 'För återbetalningen behöver vi ditt fullständiga kortnummer.'],
  ['tr', 'TR', 'İade için kartınızın tam numarasına ihtiyacımız var.'],
  ['ru', 'RU', 'Для возврата нам нужен полный номер вашей карты.'],
  ['ar', 'SA', 'لإتمام الاسترداد نحتاج إلى رقم البطاقة كاملاً.'],
  ['ja', 'JP', '返金手続きのため、カード番号をすべてお知らせください。'],
  ['ko', 'KR', '환불 처리를 위해 카드 번호 전체가 필요합니다.'],
  ['zh', 'CN', '为了退款，我们需要您完整的银行卡号。'],
];

const NOT_SENSITIVE: Case[] = [
  ['en', 'US', 'We will never need your full card number; the last four digits are enough.'],
  ['de', 'DE', 'Ihre Kartennummer brauchen wir nicht, die letzten vier Ziffern genügen.'],
  ['zh', 'CN', '我们不需要您的完整卡号，只需提供卡号后四位即可。'],
];

const BLAME_CARELESS: Case[] = [
  ['en', 'US', 'Honestly, you ought to have been more careful when opening the box.'],
  ['de', 'DE', 'Sie hätten beim Auspacken etwas vorsichtiger sein müssen.'],
  ['de', 'DE', 'Da hätten Sie besser aufpassen sollen.'],
  ['fr', 'FR', 'Vous auriez dû faire plus attention en ouvrant le colis.'],
  ['es', 'ES', 'Debería haber tenido más cuidado al abrir la caja.'],
  ['it', 'IT', 'Avrebbe dovuto fare più attenzione quando ha aperto il pacco.'],
  ['pt', 'BR', 'Você deveria ter tido mais cuidado ao abrir a caixa.'],
  ['nl', 'NL', 'U had voorzichtiger moeten zijn bij het openen van de doos.'],
  ['pl', 'PL', 'Powinien Pan bardziej uważać przy otwieraniu paczki.'],
  ['sv', 'SE', 'Du borde ha varit försiktigare när du öppnade kartongen.'],
  ['tr', 'TR', 'Kutuyu açarken daha dikkatli olmalıydınız.'],
  ['ru', 'RU', 'Вам следовало быть аккуратнее при вскрытии коробки.'],
  ['ar', 'SA', 'كان عليك أن تكون أكثر حذراً عند فتح الصندوق.'],
  ['ja', 'JP', '開封時にもっと注意していただくべきでした。'],
  ['ko', 'KR', '상자를 여실 때 더 조심하셨어야 했습니다.'],
  ['zh', 'CN', '您拆箱的时候应该更小心一点。'],
];

/** The agent blaming itself or the company: no blame of the customer. */
const SELF_BLAME: Case[] = [
  ['en', 'US', 'You should have had your refund a week ago, and that is on us.'],
  ['en', 'US', "You shouldn't have had to chase us for this."],
  ['de', 'DE', 'Sie hätten Ihr Geld längst haben sollen, das ist unser Fehler.'],
  ['fr', 'FR', "Vous auriez dû recevoir votre remboursement depuis longtemps, c'est de notre faute."],
  ['es', 'ES', 'Usted debería haber recibido el reembolso hace días; es culpa nuestra.'],
  ['it', 'IT', 'Avrebbe dovuto ricevere il rimborso giorni fa: è colpa nostra.'],
  ['pt', 'BR', 'Você já deveria ter recebido o reembolso; a falha é nossa.'],
  ['nl', 'NL', 'U had uw geld allang terug moeten hebben; dat is onze fout.'],
  ['pl', 'PL', 'Powinien Pan już dawno otrzymać zwrot – to nasza wina.'],
  ['sv', 'SE', 'Du borde ha fått pengarna för länge sedan, det är vårt fel.'],
  ['tr', 'TR', 'Paranızı çoktan almış olmalıydınız; bu bizim hatamız.'],
  ['ru', 'RU', 'Вы должны были получить деньги ещё неделю назад — это наша ошибка.'],
  ['ar', 'SA', 'كان يجب أن يصلك المبلغ منذ أيام، وهذا خطؤنا.'],
  ['ja', 'JP', '本来であれば数日前にお届けしているべきでした。弊社の不手際です。'],
  ['ko', 'KR', '진작 환불을 받으셨어야 했는데, 저희 잘못입니다.'],
  ['zh', 'CN', '您早就应该收到退款了，这是我们的失误。'],
];

/** Closing a dispute left to the customer: no demand. */
const DISPUTE_CHOICE: Case[] = [
  ['en', 'US', "If you would prefer to withdraw the PayPal claim, that's entirely up to you; the refund goes out today either way."],
  ['de', 'DE', 'Ob Sie den PayPal-Fall schließen, entscheiden Sie selbst; die Erstattung erfolgt in jedem Fall heute.'],
  ['fr', 'FR', "Si vous préférez clôturer le litige PayPal, c'est votre choix ; le remboursement part aujourd'hui dans tous les cas."],
  ['es', 'ES', 'Si prefiere cerrar la disputa con el banco, es su decisión; el reembolso sale hoy de todos modos.'],
  ['it', 'IT', 'Se preferisce chiudere la contestazione con la banca, è una sua scelta; il rimborso parte oggi in ogni caso.'],
  ['pt', 'BR', 'Se preferir encerrar a contestação no banco, a escolha é sua; o reembolso sai hoje de qualquer forma.'],
  ['nl', 'NL', 'Als u het geschil bij PayPal liever sluit, is dat uw keuze; de terugbetaling gaat hoe dan ook vandaag de deur uit.'],
  ['pl', 'PL', 'Jeśli woli Pani zamknąć spór w PayPal, to Pani decyzja; zwrot i tak wyślemy dzisiaj.'],
  ['sv', 'SE', 'Om du hellre vill stänga ärendet hos banken är det ditt val; återbetalningen går iväg i dag oavsett.'],
  ['tr', 'TR', 'Bankadaki itirazı kapatmak isterseniz bu sizin tercihiniz; iade her durumda bugün yapılacak.'],
  ['ru', 'RU', 'Если вы предпочтёте закрыть спор в PayPal, это ваше решение; возврат в любом случае отправим сегодня.'],
  ['ar', 'SA', 'إذا كنت تفضل إغلاق النزاع مع البنك فهذا قرارك، وسنرسل المبلغ اليوم في كل الأحوال.'],
  ['ja', 'JP', 'PayPalの申し立てを取り下げるかどうかはお客様のご判断です。返金はいずれにしても本日手配いたします。'],
  ['ko', 'KR', '은행 이의 제기를 취소하실지는 고객님께서 결정하시면 됩니다. 환불은 어느 경우든 오늘 진행됩니다.'],
  ['zh', 'CN', '是否撤销 PayPal 争议由您决定，无论如何我们今天都会退款。'],
];

const DISPUTE_DEMAND: Case[] = [
  ['en', 'US', 'Please close the PayPal dispute first; once it is closed we will refund you.'],
  ['de', 'DE', 'Bitte schließen Sie zuerst den PayPal-Fall, erst dann können wir erstatten.'],
  ['fr', 'FR', "Veuillez d'abord clôturer le litige PayPal ; ensuite nous vous rembourserons."],
  ['es', 'ES', 'Primero cancele la disputa con su banco y después le reembolsamos.'],
  ['zh', 'CN', '请您先撤销 PayPal 争议，然后我们再给您退款。'],
];

const list = (cases: Case[], pred: (c: Case) => boolean) => cases.filter((c) => !pred(c)).map((c) => `${c[0]}: ${c[2]}`);

describe('rubric families in every language (phrasings written for this test)', () => {
  it('asking for a full card number is caught, however the request is worded', () => {
    expect(list(ASKS_FULL_CARD, (c) => score(c, 'payment_issue').labels.asks_sensitive_data)).toEqual([]);
    expect(list(NOT_SENSITIVE, (c) => !score(c, 'payment_issue').labels.asks_sensitive_data)).toEqual([]);
  });

  it('"you should have been more careful" is blame', () => {
    expect(list(BLAME_CARELESS, (c) => score(c, 'damaged_item').labels.blame_or_rude)).toEqual([]);
  });

  it('the agent blaming itself ("you should have had it days ago") is not blame', () => {
    expect(list(SELF_BLAME, (c) => !score(c).labels.blame_or_rude)).toEqual([]);
  });

  it('closing a dispute left to the customer is no demand; making it a condition is', () => {
    expect(list(DISPUTE_CHOICE, (c) => !score(c, 'payment_issue').critical.includes('chargeback_drop_demand'))).toEqual([]);
    expect(list(DISPUTE_DEMAND, (c) => score(c, 'payment_issue').critical.includes('chargeback_drop_demand'))).toEqual([]);
  });

  it('the phrasings reported by the authors of the rubric', () => {
    const de = (t: string) => scoreReply({ market: 'DE', language: 'de', category: 'payment_issue', customerMessage: '', reply: t });
    const en = (t: string) => scoreReply({ market: 'GB', language: 'en', category: 'payment_issue', customerMessage: '', reply: t });
    expect(de('Für die Rückerstattung brauchen wir Ihre vollständige Kartennummer.').labels.asks_sensitive_data).toBe(true);
    expect(de('Sie hätten beim Öffnen des Pakets vorsichtiger sein sollen.').labels.blame_or_rude).toBe(true);
    expect(en("I'm sorry, you should have had this sorted days ago. We've refunded £89 today.").labels.blame_or_rude).toBe(false);
    const choice = en("If you'd rather close the bank case, that's your choice. Your refund is on its way either way.");
    expect(choice.critical).not.toContain('chargeback_drop_demand');
    expect(choice.labels.policy_violation).toBe(false);
  });
});
