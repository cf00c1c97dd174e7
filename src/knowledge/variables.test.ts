import { describe, expect, it } from 'vitest';
import { variantProblems } from './content.ts';
import { formatMoney, localeFor, renderTemplate, splitName, TEMPLATE_VARIABLES, textDirection, unknownVariables, variablesIn, withoutVariables } from './variables.ts';

describe('renderTemplate', () => {
  it('fills variables and leaves missing ones visible, listed once', () => {
    const r = renderTemplate('Hi {{customer.first_name}}, order {{ order.number }} via {{carrier}} ({{carrier}})', { 'customer.first_name': 'Anna', 'order.number': '#1001' });
    expect(r.text).toBe('Hi Anna, order #1001 via [carrier] ([carrier])');
    expect(r.missing).toEqual(['carrier']);
  });

  it('treats blank and null as missing, and uses a fallback when given', () => {
    const r = renderTemplate('Hi {{customer.first_name|there}}, {{order.number}} {{refund.amount}}', { 'customer.first_name': '  ', 'order.number': null, 'refund.amount': 0 });
    expect(r.text).toBe('Hi there, [order.number] 0');
    expect(r.missing).toEqual(['order.number']);
  });

  it('never treats other braces as variables', () => {
    const r = renderTemplate('{ not } {{ }} {{1abc}}', {});
    expect(r.text).toBe('{ not } {{ }} {{1abc}}');
    expect(r.missing).toEqual([]);
  });

  it('lists used and unknown variables, and strips them for the index', () => {
    expect(variablesIn('{{a.b}} {{c|x}} {{a.b}}')).toEqual(['a.b', 'c']);
    expect(unknownVariables('{{order.number}} {{order.numbr}}')).toEqual(['order.numbr']);
    expect(withoutVariables('Order {{order.number}} shipped').replace(/\s+/g, ' ')).toBe('Order shipped');
  });

  it('knows the return values the commerce provider fills (RMA, carrier, tracking number) and renders them', () => {
    const body = 'Return {{return.rma}}: {{return.carrier}} {{return.tracking_number}} — {{return.label_url}}';
    expect(unknownVariables(body)).toEqual([]);
    for (const v of ['return.rma', 'return.carrier', 'return.tracking_number']) expect(TEMPLATE_VARIABLES).toContain(v);
    const r = renderTemplate(body, { 'return.rma': 'RMA-10482-1', 'return.carrier': 'DHL Paket', 'return.tracking_number': '00340434161094042558', 'return.label_url': 'https://help.example/l' });
    expect(r.text).toBe('Return RMA-10482-1: DHL Paket 00340434161094042558 — https://help.example/l');
    expect(r.missing).toEqual([]);
    // a library or user template using them is not flagged as having a typo
    expect(variantProblems('return_request', { language: 'en', title: 'Your return {{return.rma}}', body }).filter((p) => p.includes('unknown variable'))).toEqual([]);
    expect(variantProblems('return_request', { language: 'en', title: 'Your return', body: '{{return.rma_number}}' }).join('\n')).toContain('{{return.rma_number}}');
    const gap = renderTemplate(body, { 'return.rma': 'RMA-10482-1' });
    expect(gap.missing).toEqual(['return.carrier', 'return.tracking_number', 'return.label_url']);
  });
});

describe('splitName', () => {
  it('puts the given name first for Western names', () => {
    expect(splitName('Anna Müller', 'de')).toEqual({ first: 'Anna', last: 'Müller', full: 'Anna Müller' });
    expect(splitName('María José García López', 'es').first).toBe('María');
  });
  it('puts the family name first for Chinese, Japanese and Korean', () => {
    expect(splitName('王小明', 'zh')).toMatchObject({ first: '小明', last: '王' });
    expect(splitName('欧阳娜娜', 'zh')).toMatchObject({ first: '娜娜', last: '欧阳' });
    expect(splitName('田中 花子', 'ja')).toMatchObject({ first: '花子', last: '田中' });
    expect(splitName('김민수', 'ko')).toMatchObject({ first: '민수', last: '김' });
    expect(splitName('남궁민수', 'ko')).toMatchObject({ first: '민수', last: '남궁' });
    expect(splitName('TANAKA Hanako', 'ja')).toMatchObject({ first: 'Hanako', last: 'TANAKA' });
  });
  it('keeps an unsplittable Japanese name whole as the family name, and ignores e-mail addresses', () => {
    expect(splitName('たなか', 'ja')).toMatchObject({ first: null, last: 'たなか' });
    expect(splitName('anna@example.com')).toEqual({ first: null, last: null, full: null });
    expect(splitName(null)).toEqual({ first: null, last: null, full: null });
  });
});

describe('money and direction', () => {
  it('formats money in the customer locale', () => {
    expect(formatMoney('49.90', 'EUR', localeFor('de', 'DE'))).toMatch(/^49,90\s€$/);
    expect(formatMoney(5000, 'JPY', localeFor('ja', 'JP'))).toMatch(/5,000/);
    expect(formatMoney(12.5, 'USD', localeFor('en', 'US'))).toBe('$12.50');
    expect(localeFor('xx', 'ZZ')).toMatch(/^(xx|en)/);
  });
  it('knows right-to-left languages', () => {
    expect(textDirection('ar')).toBe('rtl');
    expect(textDirection('de')).toBe('ltr');
  });
});
