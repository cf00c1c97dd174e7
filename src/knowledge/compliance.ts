/**
 * What a reply template may not say. For a faulty, damaged or wrong item the seller pays the
 * return (EU 2011/83 + 2019/771, UK CRA 2015, ACL, CDC in Brazil, Japanese and Korean
 * practice): a template in those categories must never ask the customer to pay return
 * shipping. Checked when content is loaded, when a trainer saves a template, and in tests.
 */

/** Categories where the customer never pays to send the item back. */
export const SELLER_PAYS_RETURN: readonly string[] = ['damaged_item', 'wrong_item', 'defective_item'];

/** Phrases that put return shipping (or "the cost of sending it back") on the customer. */
export const CUSTOMER_PAYS_RETURN: Record<string, RegExp[]> = {
  en: [
    /\b(you|customer|buyer)s?\b[^.!?\n]{0,40}\b(pay|cover|bear|responsible for)\b[^.!?\n]{0,30}\b(return|shipping|postage)/i,
    /\breturn (shipping|postage|costs?)\b[^.!?\n]{0,30}\b(at|is|are|will be)\b[^.!?\n]{0,10}\byour (own )?(cost|expense|charge)/i,
    /\bat your (own )?(cost|expense)\b/i,
  ],
  de: [
    /(rücksende|rückversand|porto)[^.!?\n]{0,40}(trägt der kunde|tragen sie|zu ihren lasten|zulasten des kunden|auf ihre kosten)/i,
    /auf (eigene|ihre) kosten/i,
    /(sie|der kunde) (trägt|tragen|übernehmen|übernimmt|zahlen|zahlt) die (kosten der )?(rücksendung|rücksendekosten|rückversandkosten)/i,
  ],
  fr: [
    /frais de (retour|renvoi|réexpédition)[^.!?\n]{0,30}(à votre charge|à la charge du client|à vos frais)/i,
    /à vos (propres )?frais/i,
    /(vous|le client) (devez|devrez|doit) (payer|régler|prendre en charge) (les )?frais de (retour|port)/i,
  ],
  es: [
    /gastos de (devolución|envío de vuelta|retorno)[^.!?\n]{0,30}(a su cargo|por su cuenta|corren de su cuenta|los paga usted)/i,
    /(corre|corren) (a|por) (su|tu) cuenta/i,
    /(usted|el cliente) (debe|deberá|tiene que) (pagar|abonar|asumir) (los )?(gastos|costes) de (envío|devolución)/i,
  ],
  it: [
    /spese di (reso|restituzione|rispedizione|spedizione)[^.!?\n]{0,30}(a suo carico|a tuo carico|a carico del cliente)/i,
    /a (sue|tue|proprie) spese/i,
    /(lei|il cliente) (deve|dovrà) (pagare|sostenere) (le )?spese di (reso|spedizione)/i,
  ],
  pt: [
    /(frete|custos?|despesas?) de (devolução|retorno)[^.!?\n]{0,30}(por sua conta|a seu cargo|por conta do cliente|você paga)/i,
    /(às|as) suas (próprias )?custas/i,
    /(você|o cliente) (deve|deverá|precisa|terá que) (pagar|arcar com) (o )?(frete|envio|custo)/i,
  ],
  ja: [
    /(返送|返品|送料)[^。\n]{0,20}(お客様|ご購入者様?)[^。\n]{0,6}(ご)?負担/,
    /元払い(で|にて)/,
    /(返送料|返品送料|送料)は?(お客様)?(の)?(ご)?負担(で|となり|いただき|ください|をお願い)/,
  ],
  ko: [
    /(반품|교환|왕복)?\s?(배송비|택배비|운송비)[^.。\n]{0,20}(고객님?|구매자)[^.。\n]{0,6}부담/,
    /(고객님?|구매자)\s?부담/,
  ],
  zh: [
    /(运费|邮费|退货费用|寄回费用)[^。\n]{0,10}(由|请)?(您|买家|顾客|客户|亲)(自行)?(承担|支付|负担|自理)/,
    /(运费|邮费)自理/,
    /(您|买家|顾客|客户)(需要?|须|要)(自行)?(承担|支付|负担)[^。\n]{0,10}(运费|邮费)/,
  ],
  ar: [
    /على (نفقتك|حسابك|نفقة العميل)/,
    /(تتحمل|يتحمل العميل|تدفع)[^.،\n]{0,30}(تكاليف|رسوم|مصاريف) (الشحن|الإرجاع|الإعادة)/,
  ],
  // nl pl sv tr ru: a negation between the cost and who pays it ("niet", "nie", "inte", "не")
  // is not a customer-pays sentence; "at our own cost" (op eigen kosten, na własny koszt, på egen
  // bekostnad, за свой счёт) counts only after a request to send the item back
  nl: [
    /(retour|terugzend|verzend|port)kosten(?:(?!niet|geen)[^.!?\n]){0,40}(voor (uw |uw eigen |eigen )rekening|voor rekening van de (klant|koper)|betaalt u zelf|zijn voor u\b)/i,
    /op uw (eigen )?kosten/i,
    /(?<![\p{L}])(stuur|stuurt u|retourneer|retourneert u)(?![\p{L}])[^.!?\n]{0,40}op eigen kosten/iu,
    /(?<![\p{L}])(u|de klant|de koper) (betaalt|draagt|moet)(?![^.!?\n]{0,25}(geen|niets|niet))[^.!?\n]{0,30}(retourkosten|verzendkosten|terugzendkosten|portokosten|kosten van (het )?(retour|terugsturen|terugzenden))/iu,
  ],
  pl: [
    /koszt(y|ami|ów)? (odesłania|zwrotu|przesyłki zwrotnej|wysyłki zwrotnej|odsyłki)(?:(?!nie )[^.!?\n]){0,40}(ponosi|pokrywa|opłaca|płaci) (klient|kupujący|pan|pani|państwo)/iu,
    /na (pana|pani|państwa) koszt/iu,
    /(?<![\p{L}])(odesłać|odeślij|odeślą|zwrócić|nadać|odesłanie|odesłania)(?![\p{L}])[^.!?\n]{0,30}na (własny|swój) koszt/iu,
    /(?<![\p{L}])(klient|kupujący|pan|pani|państwo)(?![\p{L}])(?! nie)[^.!?\n]{0,20}(ponosi|pokrywa|opłaca|płaci|musi (opłacić|pokryć|zapłacić))[^.!?\n]{0,30}(koszt|przesyłk|wysyłk)/iu,
  ],
  sv: [
    /(returfrakt(en)?|returkostnad(en|erna)?|fraktkostnad(en|erna)? för returen|returporto(t)?)(?:(?!inte|ingen|ej )[^.!?\n]){0,40}(betalar du|står du för|bekostar du|betalas av (dig|kunden|köparen)|står kunden för|står köparen för)(?! (inte|ej|ingenting))/i,
    /på din (egen )?bekostnad/i,
    /(?<![\p{L}])(skicka|returnera)(?![\p{L}])[^.!?\n]{0,40}på egen bekostnad/iu,
    /(?<![\p{L}])(du|kunden|köparen) (betalar|står för|bekostar|får betala|måste betala)(?! (ingen|inte|inget|ingenting))[^.!?\n]{0,20}(returfrakt|returkostnad|returporto|frakten tillbaka|fraktkostnaden för returen)/iu,
  ],
  tr: [
    /([iİ]ade|geri gönderim)[^.!?\n]{0,20}(kargo )?(ücreti|masrafı|bedeli)[^.!?\n]{0,30}(size aittir|alıcıya aittir|müşteriye aittir|tarafınıza aittir|sizin tarafınızdan karşılan|tarafınızca karşılan)/iu,
    /(kargo|gönderim|[iİ]ade) (ücreti|masrafı|masrafları|bedeli) (size|alıcıya|müşteriye|tarafınıza) aittir/iu,
    /([iİ]ade|kargo)[^.!?\n]{0,30}(ücretini|masrafını|bedelini) (sizin )?(ödemeniz|karşılamanız) gerek/iu,
  ],
  ru: [
    /(обратн(ая|ую|ой) (доставк|пересылк|отправк)[а-яё]*|(доставк|пересылк)[а-яё]* (при|для) возврат[а-яё]*|стоимость возврата)(?:(?!не )[^.!?\n]){0,40}(оплачивает покупатель|оплачиваете вы|за сч[её]т покупателя|за ваш сч[её]т|за свой сч[её]т)/iu,
    /за (ваш|твой) сч[её]т|за сч[её]т (покупателя|клиента|получателя)/iu,
    /(?<![\p{L}])(отправьте|верните|пришлите|отправить|вернуть)(?![\p{L}])[^.!?\n]{0,40}за свой сч[её]т/iu,
    /(?<![\p{L}])(вы|покупатель) (оплачиваете|оплачивает|должны оплатить|должен оплатить|нес[её]те|нес[её]т)[^.!?\n]{0,30}(доставк|пересылк|отправк|возврат)/iu,
  ],
};

export interface ComplianceProblem {
  code: 'customer_pays_return';
  language: string;
  phrase: string;
  message: string;
}

/**
 * Problems with one template variant: for the seller-pays categories, any phrase that puts
 * return shipping on the customer (in that language, and in English as a catch-all).
 */
export function checkTemplateVariant(category: string, language: string, text: string): ComplianceProblem[] {
  if (!SELLER_PAYS_RETURN.includes(category)) return [];
  const lang = language.slice(0, 2).toLowerCase();
  const patterns = [...(CUSTOMER_PAYS_RETURN[lang] ?? []), ...(lang === 'en' ? [] : CUSTOMER_PAYS_RETURN.en)];
  const out: ComplianceProblem[] = [];
  for (const re of patterns) {
    const m = re.exec(text);
    if (m) {
      out.push({
        code: 'customer_pays_return',
        language: lang,
        phrase: m[0],
        message: `A ${category} template must not ask the customer to pay return shipping ("${m[0]}"): the seller pays when the item is faulty, damaged or wrong.`,
      });
    }
  }
  return out;
}
