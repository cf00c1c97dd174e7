import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../helpdesk/tickets.ts';
import { checkTemplateVariant, CUSTOMER_PAYS_RETURN, SELLER_PAYS_RETURN } from './compliance.ts';
import { CORE_LANGUAGES, loadKnowledgeLibrary, parseTemplateFile } from './content.ts';
import { TEMPLATE_VARIABLES, variablesIn } from './variables.ts';

const lib = loadKnowledgeLibrary();

describe('the template library (content/knowledge/templates)', () => {
  it('has 1–3 templates for every category, each in the core languages', () => {
    for (const c of CATEGORIES) {
      const ts = lib.templates.filter((t) => t.category === c);
      expect(ts.length, c).toBeGreaterThanOrEqual(1);
      expect(ts.length, c).toBeLessThanOrEqual(3);
      for (const t of ts) {
        const langs = t.variants.map((v) => v.language);
        for (const l of CORE_LANGUAGES) expect(langs, `${t.key} lacks ${l}`).toContain(l);
      }
    }
  });

  it('uses only known variables, and every reply is signed by the agent', () => {
    for (const t of lib.templates) {
      for (const v of t.variants) {
        for (const name of variablesIn(v.body)) expect(TEMPLATE_VARIABLES as readonly string[], `${t.key}/${v.language}`).toContain(name);
        expect(v.body, `${t.key}/${v.language}`).toContain('{{agent.name}}');
      }
    }
  });

  it('is written natively: formal address, local greeting and sign-off, right script', () => {
    const byLang = (l: string) => lib.templates.map((t) => ({ key: t.key, v: t.variants.find((v) => v.language === l)! }));
    for (const { key, v } of byLang('de')) {
      expect(v.body, key).toMatch(/Mit freundlichen Grüßen/);
      expect(v.body, key).toMatch(/\b(Sie|Ihnen|Ihr|Ihre)\b/);
      expect(v.body, key).not.toMatch(/\b(du|dich|dir|dein|deine)\b/);
    }
    for (const { key, v } of byLang('fr')) {
      expect(v.body, key).toMatch(/\b(vous|votre|vos)\b/i);
      expect(v.body, key).not.toMatch(/\b(tu|ton|ta|tes)\b/);
    }
    for (const { key, v } of byLang('es')) {
      expect(v.body, key).toMatch(/\b(usted|su|sus|le)\b/i);
      expect(v.body, key).not.toMatch(/\b(tú|tu pedido|te enviamos)\b/i);
    }
    for (const { key, v } of byLang('ja')) {
      expect(v.body, key).toMatch(/様/);
      expect(v.body, key).toMatch(/(ございます|いたします|ください)/);
      expect(v.body, key).not.toMatch(/(だよ|だね|してね)/);
    }
    for (const { key, v } of byLang('ko')) {
      expect(v.body, key).toMatch(/고객님/);
      expect(v.body, key).toMatch(/(니다|세요)/);
    }
    for (const { key, v } of byLang('ar')) {
      const letters = v.body.replace(/\{\{[^}]*\}\}|[\s\d\p{P}\p{S}A-Za-z]/gu, '');
      const arabic = letters.replace(/[^\p{Script=Arabic}]/gu, '');
      expect(arabic.length / letters.length, key).toBeGreaterThan(0.95);
    }
    for (const { key, v } of byLang('zh')) expect(v.body, key).toMatch(/您/);
  });

  it('states what it promises where a promise is made (label, refund time)', () => {
    const labelled = lib.templates.filter((t) => ['wrong_item', 'return_request', 'exchange_request'].includes(t.category));
    for (const t of labelled) for (const v of t.variants) expect(v.body, `${t.key}/${v.language}`).toContain('{{return.label_url}}');
    const refund = lib.templates.find((t) => t.key === 'return_request.prepaid_label')!;
    for (const v of refund.variants) expect(v.body, v.language).toMatch(/5/);
  });

  it('never asks the customer to pay return shipping for a faulty, damaged or wrong item', () => {
    const checked = lib.templates.filter((t) => SELLER_PAYS_RETURN.includes(t.category));
    expect(checked.length).toBeGreaterThanOrEqual(3);
    for (const t of checked) {
      for (const v of t.variants) {
        expect(checkTemplateVariant(t.category, v.language, `${v.title}\n${v.body}`), `${t.key}/${v.language}`).toEqual([]);
      }
    }
  });
});

describe('the return-shipping scanner', () => {
  // one sentence per language that must be caught: the scanner is only as good as these
  const bad: Record<string, string> = {
    en: 'Please note that return shipping is at your own expense.',
    de: 'Die Rücksendekosten trägt der Kunde.',
    fr: 'Les frais de retour sont à votre charge.',
    es: 'Los gastos de devolución corren a su cargo.',
    it: 'Le spese di reso sono a Suo carico.',
    pt: 'O frete de devolução é por sua conta.',
    ja: '返送料はお客様のご負担となります。',
    ko: '반품 배송비는 고객님 부담입니다.',
    zh: '退货运费由买家承担。',
    ar: 'يتم إرجاع المنتج على نفقتك.',
    nl: 'De retourkosten zijn voor uw eigen rekening.',
    pl: 'Koszty odesłania towaru ponosi klient.',
    sv: 'Returfrakten betalar du själv.',
    tr: 'İade kargo ücreti size aittir.',
    ru: 'Обратную доставку оплачивает покупатель.',
  };
  it('has phrases for every core language', () => {
    for (const l of CORE_LANGUAGES) expect(CUSTOMER_PAYS_RETURN[l]?.length, l).toBeGreaterThan(0);
  });
  it('catches a customer-pays sentence in every language', () => {
    for (const [lang, text] of Object.entries(bad)) {
      expect(checkTemplateVariant('damaged_item', lang, text).length, `${lang}: ${text}`).toBeGreaterThan(0);
    }
  });
  it('allows seller-pays sentences, and ignores categories where the buyer may pay', () => {
    expect(checkTemplateVariant('damaged_item', 'de', 'Die Rücksendung ist für Sie kostenlos.')).toEqual([]);
    expect(checkTemplateVariant('damaged_item', 'ja', '返送料は弊社が負担いたします。')).toEqual([]);
    expect(checkTemplateVariant('damaged_item', 'nl', 'De retourkosten komen niet voor uw rekening.')).toEqual([]);
    expect(checkTemplateVariant('damaged_item', 'pl', 'Wyślemy nowy produkt na własny koszt.')).toEqual([]);
    expect(checkTemplateVariant('damaged_item', 'sv', 'Du betalar ingen returfrakt.')).toEqual([]);
    expect(checkTemplateVariant('damaged_item', 'ru', 'Мы за свой счёт отправим замену.')).toEqual([]);
    expect(checkTemplateVariant('return_request', 'en', 'Return shipping is at your own expense.')).toEqual([]);
  });
  it('refuses such a template when the content is loaded', () => {
    const yaml = `category: wrong_item\ntemplates:\n  - key: wrong_item.bad\n    variants:\n      fr:\n        title: Retour\n        body: "Merci de renvoyer l'article à vos frais. {{agent.name}}"\n`;
    expect(() => parseTemplateFile(yaml, 'wrong_item.yaml')).toThrow(/must not ask the customer to pay return shipping/);
  });
  it('refuses unknown variables and bad categories in content', () => {
    expect(() => parseTemplateFile('category: other\ntemplates:\n  - key: other.x\n    variants:\n      en: { title: T, body: "{{order.numbr}}" }\n', 'x.yaml')).toThrow(/unknown variable/);
    expect(() => parseTemplateFile('category: nope\ntemplates: []\n', 'x.yaml')).toThrow(/category/);
    expect(() => parseTemplateFile('category: [', 'x.yaml')).toThrow(/YAML/);
  });
});

describe('articles (content/knowledge/articles)', () => {
  it('has internal how-tos and public FAQ, each in Chinese and English', () => {
    const keys = [...new Set(lib.articles.map((a) => a.key))];
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(lib.articles.some((a) => a.audience === 'internal')).toBe(true);
    expect(lib.articles.some((a) => a.audience === 'public')).toBe(true);
    for (const k of keys) {
      const langs = lib.articles.filter((a) => a.key === k).map((a) => a.language);
      expect(langs, k).toEqual(expect.arrayContaining(['zh', 'en']));
    }
  });
});
