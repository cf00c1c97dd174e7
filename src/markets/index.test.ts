import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkStorePolicy,
  cultureHint,
  getMarket,
  isBusinessTime,
  isWithinWithdrawal,
  listMarkets,
  loadMarkets,
  marketCalendar,
  marketsDir,
  MarketFileError,
  parseMarket,
  peaksOn,
  whoPaysReturn,
  type StorePolicy,
} from './index.ts';

const REQUIRED = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'PL', 'SE', 'JP', 'KR', 'AU', 'CA', 'MX', 'BR', 'AE', 'SA', 'CN'];
const EU = ['DE', 'FR', 'ES', 'IT', 'NL', 'PL', 'SE'];

describe('market files', () => {
  it('all required markets load and validate', () => {
    const codes = listMarkets().map((m) => m.code);
    for (const c of REQUIRED) expect(codes).toContain(c);
  });

  it('every rule names its source, and every market has both culture languages', () => {
    for (const m of listMarkets()) {
      const c = m.consumer;
      for (const rule of [c.withdrawal, c.legalGuarantee, c.returnShipping, c.refund, c.restockingFee]) expect(rule.source.length).toBeGreaterThan(5);
      expect(m.culture.en.apology).toBeTruthy();
      expect(m.culture.zh.apology).toMatch(/[\u4e00-\u9fff]/);
      expect(m.languages.length).toBeGreaterThan(0);
    }
  });

  it('EU markets carry the Consumer Rights Directive minimums', () => {
    for (const c of EU) {
      const m = getMarket(c);
      expect(m.consumer.withdrawal).toMatchObject({ days: 14, from: 'delivery' });
      expect(m.consumer.withdrawal.source).toContain('2011/83/EU');
      expect(m.consumer.legalGuarantee.months).toBeGreaterThanOrEqual(24);
      expect(m.consumer.refund).toMatchObject({ days: 14, from: 'withdrawal_notice' });
    }
  });

  it('builds a business calendar per market, with its holidays', () => {
    const de = marketCalendar('DE', [2026]);
    expect(de.holidays.has('2026-10-03')).toBe(true);
    expect(isBusinessTime(new Date('2026-10-05T08:00:00Z'), de)).toBe(true); // Monday 10:00 Berlin
    const sa = marketCalendar('SA', [2026]);
    expect(isBusinessTime(new Date('2026-06-05T08:00:00Z'), sa)).toBe(false); // Friday
    expect(isBusinessTime(new Date('2026-06-07T08:00:00Z'), sa)).toBe(true); // Sunday
    const kr = marketCalendar('KR', [2026]);
    expect(kr.holidays.has('2026-02-16')).toBe(true); // extra: Seollal eve
    const cn = marketCalendar('CN', [2026]);
    expect(cn.holidays.has('2026-10-06')).toBe(true);
  });

  it('finds dated peaks and gives the culture hint in the UI language', () => {
    expect(peaksOn('AE', '2026-03-01').map((p) => p.id)).toContain('ramadan-2026');
    expect(peaksOn('CN', '2026-11-11').map((p) => p.id)).toContain('singles-day');
    expect(cultureHint('JP', 'zh').apology).toContain('申し訳ございません');
    expect(cultureHint('DE', 'en').address).toBe('Sie');
  });

  it('getMarket is case-insensitive and throws not_found for unknown codes', () => {
    expect(getMarket('de').code).toBe('DE');
    expect(() => getMarket('XX')).toThrow(/Market XX was not found/);
  });
});

describe('validation', () => {
  const good = fs.readFileSync(path.join(marketsDir, 'DE.yaml'), 'utf8');

  it('names the file and the field', () => {
    const bad = good.replace('days: 14\n    from: delivery', 'days: fourteen\n    from: delivery');
    expect(() => parseMarket(bad, 'content/markets/DE.yaml')).toThrow('content/markets/DE.yaml: consumer.withdrawal.days must be a number');
    try {
      parseMarket(good.replace('faulty: seller', 'faulty: nobody'), 'DE.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MarketFileError);
      expect((e as MarketFileError).field).toBe('consumer.returnShipping.faulty');
      expect((e as Error).message).toMatch(/one of seller, buyer, store_policy/);
    }
  });

  it('rejects bad hours, zones, holiday countries, codes and YAML', () => {
    expect(() => parseMarket(good.replace('mon: [["09:00", "18:00"]]', 'mon: [["9", "18:00"]]'), 'DE.yaml')).toThrow(/businessHours.mon\[0\]/);
    expect(() => parseMarket(good.replace('timezone: Europe/Berlin', 'timezone: Europe/Atlantis'), 'DE.yaml')).toThrow(/DE.yaml: timezone "Europe\/Atlantis"/);
    expect(() => parseMarket(good.replace('holidayCountry: DE', 'holidayCountry: QQ'), 'DE.yaml')).toThrow(/holidayCountry/);
    expect(() => parseMarket(good, 'FR.yaml')).toThrow(/code is DE but the file is named FR.yaml/);
    expect(() => parseMarket('code: [', 'DE.yaml')).toThrow(/DE.yaml: is not valid YAML/);
    expect(() => parseMarket(good.replace('source: Directive 2011/83/EU art. 14(2); BGB §357a(1)', 'source: ""'), 'DE.yaml')).toThrow(/consumer.restockingFee.source must be a non-empty text/);
  });

  it('loadMarkets reports the bad file in a directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'markets-'));
    try {
      fs.writeFileSync(path.join(dir, 'DE.yaml'), good);
      fs.writeFileSync(path.join(dir, 'FR.yaml'), good.replace('code: DE', 'code: FR').replace('currency: EUR', 'currency: euro'));
      expect(() => loadMarkets(dir)).toThrow(/FR.yaml: currency must be an ISO 4217 code/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('whoPaysReturn', () => {
  it('follows the law per reason', () => {
    expect(whoPaysReturn('DE', 'faulty')).toBe('seller');
    expect(whoPaysReturn('DE', 'damaged')).toBe('seller');
    expect(whoPaysReturn('DE', 'wrong_item')).toBe('seller');
    expect(whoPaysReturn('DE', 'change_of_mind')).toBe('buyer');
    expect(whoPaysReturn('US', 'change_of_mind')).toBe('store_policy');
    expect(whoPaysReturn('BR', 'change_of_mind')).toBe('seller');
    expect(whoPaysReturn(getMarket('KR'), 'change_of_mind')).toBe('buyer');
  });

  it('resolves with the store policy: more generous wins, never less', () => {
    const generous: StorePolicy = { returnWindowDays: 30, buyerPaysReturnForChangeOfMind: false, restockingFeePercent: 0 };
    const strict: StorePolicy = { returnWindowDays: 30, buyerPaysReturnForChangeOfMind: true, buyerPaysReturnWhenFaulty: true, restockingFeePercent: 0 };
    expect(whoPaysReturn('US', 'change_of_mind', generous)).toBe('seller');
    expect(whoPaysReturn('US', 'change_of_mind', strict)).toBe('buyer');
    expect(whoPaysReturn('DE', 'change_of_mind', generous)).toBe('seller');
    expect(whoPaysReturn('DE', 'faulty', strict)).toBe('seller');
    expect(whoPaysReturn('BR', 'change_of_mind', strict)).toBe('seller');
  });
});

describe('isWithinWithdrawal', () => {
  it('counts the last day and stops after it', () => {
    expect(isWithinWithdrawal('DE', 0)).toBe(true);
    expect(isWithinWithdrawal('DE', 14)).toBe(true);
    expect(isWithinWithdrawal('DE', 15)).toBe(false);
    expect(isWithinWithdrawal('KR', 7)).toBe(true);
    expect(isWithinWithdrawal('KR', 8)).toBe(false);
    expect(isWithinWithdrawal('BR', 7)).toBe(true);
    expect(isWithinWithdrawal('JP', 8)).toBe(true);
  });

  it('is open before delivery and closed where the law gives no right', () => {
    expect(isWithinWithdrawal('FR', -2)).toBe(true);
    expect(isWithinWithdrawal('US', 1)).toBe(false);
    expect(isWithinWithdrawal('AU', 0)).toBe(false);
    expect(() => isWithinWithdrawal('DE', Number.NaN)).toThrow(/daysSinceDelivery/);
  });

  it('approximates business-day periods (MX: 5 business days)', () => {
    expect(isWithinWithdrawal('MX', 7)).toBe(true);
    expect(isWithinWithdrawal('MX', 8)).toBe(false);
  });
});

describe('checkStorePolicy', () => {
  const base: StorePolicy = { returnWindowDays: 30, buyerPaysReturnForChangeOfMind: true, restockingFeePercent: 0, refundWithinDays: 10, warrantyMonths: 24 };

  it('accepts a policy at least as generous as the law', () => {
    expect(checkStorePolicy('DE', base)).toEqual([]);
    expect(checkStorePolicy('US', { ...base, returnWindowDays: 0, restockingFeePercent: 15, warrantyMonths: 0 })).toEqual([]);
  });

  it('warns where the store is less generous, naming the law', () => {
    const w = checkStorePolicy('DE', { ...base, returnWindowDays: 7, restockingFeePercent: 15, refundWithinDays: 30, warrantyMonths: 12, buyerPaysReturnWhenFaulty: true });
    expect(w.map((x) => x.code).sort()).toEqual(['buyer_pays_faulty_return', 'refund_too_slow', 'restocking_fee_limited', 'return_window_too_short', 'warranty_too_short']);
    const win = w.find((x) => x.code === 'return_window_too_short');
    expect(win).toMatchObject({ field: 'returnWindowDays', required: 14 });
    expect(win?.source).toContain('2011/83/EU');
    expect(win?.message.zh).toContain('14');
  });

  it('knows market specifics', () => {
    expect(checkStorePolicy('BR', base).map((x) => x.code)).toEqual(expect.arrayContaining(['buyer_pays_change_of_mind_return', 'refund_too_slow']));
    expect(checkStorePolicy('KR', { ...base, restockingFeePercent: 10 }).map((x) => x.code)).toContain('restocking_fee_not_allowed');
    expect(checkStorePolicy('KR', { ...base, refundWithinDays: 3 })).toEqual([]);
    expect(checkStorePolicy('GB', { ...base, warrantyMonths: 24 }).map((x) => x.code)).toEqual(['warranty_too_short']);
    expect(checkStorePolicy('FR', { ...base, returnWindowFrom: 'order', returnWindowDays: 14 }).map((x) => x.code)).toEqual(['return_window_counts_from_order']);
  });

  it('reports nonsense values instead of comparing them', () => {
    expect(checkStorePolicy('DE', { ...base, restockingFeePercent: 150 })).toMatchObject([{ code: 'invalid_value', field: 'restockingFeePercent' }]);
  });
});
