/**
 * Bulk import (issue 5): rows per second of `importOrdersCsv` on a generated CSV of ~20k
 * order lines (2.5 lines per order on average, CJK and quoted names, some shipped) into a
 * fresh database (PostgreSQL when DATABASE_URL is set, else PGlite), beside csv-parse alone on
 * the same text in the same run; then the re-run of the same file (every order unchanged).
 */
import { parse } from 'csv-parse';
import { systemClock } from '../src/core/clock.ts';
import { importOrdersCsv } from '../src/commerce/import/run.ts';
import type { BenchSuite } from './types.ts';
import { freshDatabase } from './util.ts';

const NAMES = ['Hans Müller', '佐藤 花子', '"Smith, Jane"', '王芳', 'Zoë Dupont', '김민지'];
const CURRENCIES = ['USD', 'EUR', 'JPY', 'GBP', 'CNY'];

export function benchCsv(rows: number): string {
  const out = ['order_number,external_id,created_at,currency,customer_email,customer_name,country,sku,product_name,quantity,unit_price,shipping_carrier,tracking_number'];
  let line = 0;
  for (let o = 0; line < rows; o++) {
    const lines = 1 + (o % 4);
    const cur = CURRENCIES[o % CURRENCIES.length];
    const price = (k: number) => (cur === 'JPY' ? String(800 + ((o + k) % 50) * 100) : `${5 + ((o + k) % 90)}.${String((o * 7 + k) % 100).padStart(2, '0')}`);
    const shipped = o % 3 === 0;
    for (let k = 0; k < lines && line < rows; k++, line++) {
      out.push(
        [`B${100000 + o}`, `bench-${o}`, `2026-10-${String(1 + (o % 28)).padStart(2, '0')}T10:00:00Z`, cur, `buyer${o}@example.com`, NAMES[o % NAMES.length], ['US', 'DE', 'JP', 'GB', 'CN'][o % 5],
          `SKU-${(o + k) % 500}`, k % 2 ? '"Mug, large"' : '杯子', String(1 + (k % 3)), price(k), shipped ? 'DHL' : '', shipped ? `JD${o}` : ''].join(','),
      );
    }
  }
  return out.join('\n') + '\n';
}

const suite: BenchSuite = async (ctx) => {
  const rows = ctx.quick ? 3000 : 20000;
  const text = benchCsv(rows);

  // csv-parse alone, same text, same options
  const p0 = performance.now();
  let parsed = 0;
  for await (const _r of parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true })) parsed++;
  const parseRate = (parsed - 1) / ((performance.now() - p0) / 1000);

  const d = await freshDatabase(process.env.DATABASE_URL ? 'postgres' : 'pglite', 8);
  try {
    const store = await d.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow();
    const concurrency = d.kind === 'postgres' ? 4 : 1;
    const t0 = performance.now();
    const first = await importOrdersCsv(d.db, text, { storeId: store.id, clock: systemClock, concurrency });
    const secs = (performance.now() - t0) / 1000;
    const rate = first.processed / secs;
    ctx.report({
      group: 'import',
      name: `CSV import (${d.kind}, ${rows} rows, ${first.imported} orders, ${first.failed} failed)`,
      value: Math.round(rate),
      unit: 'rows/s',
      baseline: { name: 'csv-parse alone', value: Math.round(parseRate), unit: 'rows/s' },
      target: '>= 1,000 rows/s (20k rows in < 20 s)',
      ok: rate >= 1000 && first.failed === 0,
    });
    const t1 = performance.now();
    const again = await importOrdersCsv(d.db, text, { storeId: store.id, clock: systemClock, concurrency });
    ctx.report({
      group: 'import',
      name: `CSV re-import, nothing changed (${d.kind}, ${again.unchanged} unchanged)`,
      value: Math.round(again.processed / ((performance.now() - t1) / 1000)),
      unit: 'rows/s',
      ok: again.unchanged === first.imported && again.imported === 0 && again.updated === 0,
    });
  } finally {
    await d.drop();
  }
};

export default suite;
