import { describe, expect, it } from 'vitest';
import { readOrdersCsv, estimateCsvRows, type CsvEvent } from './csv.ts';
import { parseDate } from './model.ts';

const HEADER = 'order_number,external_id,created_at,currency,customer_email,customer_name,country,sku,product_name,quantity,unit_price,shipping_carrier,tracking_number';

async function read(text: string): Promise<CsvEvent[]> {
  const out: CsvEvent[] = [];
  for await (const e of readOrdersCsv(text)) out.push(e);
  return out;
}

const orders = (evs: CsvEvent[]) => evs.flatMap((e) => (e.kind === 'order' ? [e] : []));
const errors = (evs: CsvEvent[]) => evs.flatMap((e) => (e.kind === 'rejected' ? e.errors : []));

describe('CSV of order lines', () => {
  it('reads BOM, CRLF, quoted commas and line breaks, CJK names, with the line numbers an editor shows', async () => {
    const text =
      '\uFEFF' +
      [
        HEADER,
        '1001,9001,2026-11-01T10:00:00+08:00,CNY,li@example.cn,李雷,CN,MUG-1,"杯子, 大号",2,39.90,SF Express,SF100',
        '1001,9001,2026-11-01T10:00:00+08:00,CNY,li@example.cn,李雷,CN,PLT-1,"Plate ""Deluxe""\r\nsecond line",1,10.00,SF Express,SF100',
        '1002,,2026-11-02,JPY,tanaka@example.jp,田中 太郎,JP,MUG-1,マグカップ,1,1200,,',
        '',
      ].join('\r\n');
    const evs = await read(text);
    expect(errors(evs)).toEqual([]);
    const [a, b] = orders(evs);
    expect(a.lines).toEqual([2, 3]);
    expect(a.order.externalId).toBe('9001');
    expect(a.order.customer).toMatchObject({ email: 'li@example.cn', name: '李雷', country: 'CN' });
    expect(a.order.items).toEqual([
      { sku: 'MUG-1', title: '杯子, 大号', quantity: 2, unitPrice: '39.90' },
      { sku: 'PLT-1', title: 'Plate "Deluxe"\nsecond line', quantity: 1, unitPrice: '10.00' },
    ]);
    expect(a.order.placedAt.toISOString()).toBe('2026-11-01T02:00:00.000Z');
    expect(a.order.shipments).toHaveLength(1);
    expect(a.order.shipments[0]).toMatchObject({ carrier: 'SF Express', trackingNumber: 'SF100', status: 'in_transit' });
    expect(a.order.payment).toEqual({ method: 'import', providerRef: null, amount: '89.80', captured: '89.80' });
    // the quoted line break moves the next row to line 5
    expect(b.lines).toEqual([5]);
    expect(b.order).toMatchObject({ number: '1002', currency: 'JPY', fulfillmentStatus: 'unfulfilled' });
    expect(b.order.customer.name).toBe('田中 太郎');
  });

  it('keeps good orders and reports every bad row with its line and reason', async () => {
    const text = [
      HEADER,
      '2001,,2026-11-01,USD,a@example.com,Ann,US,A-1,Thing,1,10.00,,', // 2 good
      '2002,,2026-11-01,USD,b@example.com,Bob,US,A-1,Thing,0,10.00,,', // 3 quantity 0
      '2003,,2026-11-01,USD,c@example.com,Cy,US,A-1,Thing,1,12,50,,', // 4 extra column (unquoted comma)
      '2004,,2026-11-31,USD,d@example.com,Di,US,A-1,Thing,1,10.00,,', // 5 bad date
      '2005,,2026-11-01,ABC,e@example.com,Ed,US,A-1,Thing,1,10.00,,', // 6 unknown currency
      '2006,,2026-11-01,USD,f@example.com,Fay,US,,Thing,1,10.00,,', // 7 missing sku
      '2007,,2026-11-01,USD,g@example.com,Gus,US,A-1,Thing,1,10.00,,', // 8 good line of an order…
      '2007,,2026-11-01,USD,g@example.com,Gus,US,A-2,Other,2,-3.00,,', // 9 …whose second line is bad
      '2008,,2026-11-01,USD,not-an-email,Hal,US,A-1,Thing,1,10.00,,', // 10 bad e-mail
      '2009,,2026-11-01,USD,i@example.com,Ivy,ZZ,A-1,Thing,1,10.00,,', // 11 unknown country
      '2001,,2026-11-01,USD,a@example.com,Ann,US,A-3,Late,1,1.00,,', // 12 order 2001 again, not adjacent
      '2010,,2026-11-01,USD,j@example.com,Jo,US,A-1,Thing,1.5,10.00,,', // 13 fractional quantity
      '2011,,2026-11-01,USD,k@example.com,"Kim',  // 14 unterminated quote swallows the rest
    ].join('\n');
    const evs = await read(text);
    expect(orders(evs).map((o) => o.order.number)).toEqual(['2001']);
    const errs = errors(evs);
    const byLine = new Map(errs.map((e) => [e.line, e.reason]));
    expect([...byLine.keys()].sort((x, y) => x - y)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(byLine.get(3)).toMatch(/quantity 0/);
    expect(byLine.get(4)).toMatch(/expected 13 columns, found 14/);
    expect(byLine.get(5)).toMatch(/bad date "2026-11-31"/);
    expect(byLine.get(6)).toMatch(/unknown currency "ABC"/);
    expect(byLine.get(7)).toMatch(/missing sku/);
    expect(byLine.get(8)).toMatch(/not imported: order 2007 has a bad row \(line 9\)/);
    expect(byLine.get(9)).toMatch(/bad money "-3.00"/);
    expect(byLine.get(10)).toMatch(/bad e-mail/);
    expect(byLine.get(11)).toMatch(/unknown country "ZZ"/);
    expect(byLine.get(12)).toMatch(/already appeared at line 2/);
    expect(byLine.get(13)).toMatch(/bad quantity "1.5"/);
    expect(byLine.get(14)).toMatch(/unreadable CSV|Quote Not Closed/i);
  });

  it('refuses a header without the required columns, and an empty file', async () => {
    await expect(read('order_number,sku\n1,A\n')).rejects.toThrow(/lacks required column\(s\) created_at, currency, customer_email, quantity, unit_price/);
    await expect(read('')).rejects.toThrow(/empty/);
  });

  it('rows of one order must agree on the order columns', async () => {
    const evs = await read([HEADER, '3001,,2026-11-01,USD,a@example.com,A,US,A-1,T,1,1.00,,', '3001,,2026-11-01,EUR,a@example.com,A,US,A-2,T,1,1.00,,'].join('\n'));
    expect(orders(evs)).toEqual([]);
    expect(errors(evs).find((e) => e.line === 3)?.reason).toMatch(/currency "EUR" differs from the order's first row \(line 2: "USD"\)/);
  });

  it('estimates rows for progress', () => {
    expect(estimateCsvRows(`${HEADER}\na\nb\n`)).toBe(2);
    expect(estimateCsvRows(`${HEADER}\na\nb`)).toBe(2);
  });

  it('parses ISO dates and refuses impossible ones', () => {
    expect(parseDate('2026-02-28').toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(parseDate('2026-02-28 13:05').toISOString()).toBe('2026-02-28T13:05:00.000Z');
    expect(parseDate('2026-02-28T13:05:00+0900').toISOString()).toBe('2026-02-28T04:05:00.000Z');
    for (const bad of ['2026-02-30', '28/02/2026', '2026-02-28T25:00', 'yesterday']) expect(() => parseDate(bad)).toThrow(/bad date/);
  });
});
