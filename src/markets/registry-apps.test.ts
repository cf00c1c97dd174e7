import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventBus } from '../core/events.ts';
import type { Database } from '../db/index.ts';
import { createTestDatabase } from '../../test/helpers/db.ts';
import { getMarket } from './index.ts';
import { currentMarkets, MarketRegistry, needsEntering, openAppRegistry, withMarkets } from './registry.ts';
import { openMarketService } from './overrides.ts';

/**
 * Which registry is in force: the only app of a process needs no entering (a server keeps
 * Node's AsyncLocalStorage off); with several apps each enters its own, and code outside
 * them sees the files alone. An edit of one app never shows in another's.
 */
const DE_30 = { 'consumer.withdrawal': { days: 30, from: 'delivery', source: 'Test' } };
const edited = (days = 30) => {
  const r = new MarketRegistry();
  r.apply({ code: 'DE', rules: { 'consumer.withdrawal': { ...DE_30['consumer.withdrawal'], days } }, version: 1, updatedAt: null, updatedBy: null });
  return r;
};

describe('registries of the apps in a process', () => {
  const releases: Array<() => void> = [];
  afterEach(() => {
    for (const r of releases.splice(0)) r();
  });

  it('the only app: its registry is in force everywhere without entering it', () => {
    const r = edited();
    releases.push(openAppRegistry(r));
    expect(needsEntering(r)).toBe(false);
    expect(currentMarkets()).toBe(r);
    expect(getMarket('DE').consumer.withdrawal.days).toBe(30);
    // a registry that is not the app's still has to be entered
    expect(needsEntering(new MarketRegistry())).toBe(true);
  });

  it('two apps: each enters its own, outside them the files apply; closing one leaves the other alone', () => {
    const a = edited(30);
    const b = edited(21);
    const releaseA = openAppRegistry(a);
    releases.push(openAppRegistry(b));
    expect(needsEntering(a)).toBe(true);
    expect(needsEntering(b)).toBe(true);
    expect(getMarket('DE').consumer.withdrawal.days).toBe(14);
    expect(withMarkets(a, () => getMarket('DE').consumer.withdrawal.days)).toBe(30);
    expect(withMarkets(b, () => getMarket('DE').consumer.withdrawal.days)).toBe(21);
    releaseA();
    expect(needsEntering(b)).toBe(false);
    expect(getMarket('DE').consumer.withdrawal.days).toBe(21);
  });

  it('no app: the files', () => {
    expect(currentMarkets().get('DE').consumer.withdrawal.days).toBe(14);
  });
});

describe('the market service hook', () => {
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) await d.close();
  });

  it('runs requests with the app registry, alone or beside another app, and forgets it on close', async () => {
    const d1 = await createTestDatabase();
    dbs.push(d1);
    const one = await openMarketService({ db: d1.db, bus: new MemoryEventBus() });
    try {
      one.registry.apply({ code: 'DE', rules: DE_30, version: 1, updatedAt: null, updatedBy: null });
      const during = (svc: typeof one) => new Promise<number>((resolve) => svc.hook(null, null, () => void setImmediate(() => resolve(getMarket('DE').consumer.withdrawal.days))));
      expect(await during(one)).toBe(30);
      expect(one.run(() => getMarket('DE').consumer.withdrawal.days)).toBe(30);

      const d2 = await createTestDatabase();
      dbs.push(d2);
      const two = await openMarketService({ db: d2.db, bus: new MemoryEventBus() });
      try {
        expect(await during(one)).toBe(30);
        expect(await during(two)).toBe(14);
        expect(two.run(() => getMarket('DE').consumer.withdrawal.days)).toBe(14);
        expect(getMarket('DE').consumer.withdrawal.days).toBe(14);
      } finally {
        two.close();
      }
      expect(await during(one)).toBe(30);
    } finally {
      one.close();
    }
    expect(getMarket('DE').consumer.withdrawal.days).toBe(14);
  });
});
