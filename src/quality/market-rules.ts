/**
 * Market consumer rules the rubric checks replies against (content/quality/market-rules.yaml).
 * A small table owned by the rubric; it should move to src/markets/ when that module exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { contentDir } from '../core/paths.ts';

export interface MarketRule {
  market: string;
  /** Statutory withdrawal window for distance sales, days after delivery (0 = none; the store's policy applies). */
  withdrawalDays: number;
  withdrawalBusinessDays: boolean;
  faultyReturnShipping: 'seller' | 'customer';
  lostInTransit: 'seller' | 'customer';
  legalGuarantee: { en: string; zh: string; months?: number };
  source: string;
  /** JP: days a customer may return when the seller stated no return policy. */
  defaultReturnDaysIfUnstated?: number;
}

export const marketRulesPath = path.join(contentDir, 'quality', 'market-rules.yaml');

interface RawRule {
  withdrawal_days?: unknown;
  withdrawal_business_days?: unknown;
  faulty_return_shipping?: unknown;
  lost_in_transit?: unknown;
  legal_guarantee?: { en?: unknown; zh?: unknown; months?: unknown };
  source?: unknown;
  default_return_days_if_unstated?: unknown;
}

function party(v: unknown, fallback: 'seller' | 'customer'): 'seller' | 'customer' {
  return v === 'seller' || v === 'customer' ? v : fallback;
}

export function parseMarketRules(text: string): Map<string, MarketRule> {
  const raw = YAML.parse(text) as { defaults?: RawRule; markets?: Record<string, RawRule> };
  const d = raw.defaults ?? {};
  const out = new Map<string, MarketRule>();
  for (const [market, r] of Object.entries(raw.markets ?? {})) {
    const days = Number(r.withdrawal_days ?? 0);
    if (!Number.isFinite(days) || days < 0) throw new Error(`market-rules: ${market}: bad withdrawal_days`);
    out.set(market.toUpperCase(), {
      market: market.toUpperCase(),
      withdrawalDays: days,
      withdrawalBusinessDays: r.withdrawal_business_days === true,
      faultyReturnShipping: party(r.faulty_return_shipping, party(d.faulty_return_shipping, 'seller')),
      lostInTransit: party(r.lost_in_transit, party(d.lost_in_transit, 'seller')),
      legalGuarantee: {
        en: String(r.legal_guarantee?.en ?? ''),
        zh: String(r.legal_guarantee?.zh ?? ''),
        ...(typeof r.legal_guarantee?.months === 'number' ? { months: r.legal_guarantee.months } : {}),
      },
      source: String(r.source ?? ''),
      ...(typeof r.default_return_days_if_unstated === 'number'
        ? { defaultReturnDaysIfUnstated: r.default_return_days_if_unstated }
        : {}),
    });
  }
  return out;
}

let cache: Map<string, MarketRule> | null = null;

export function marketRules(): Map<string, MarketRule> {
  if (!cache) cache = parseMarketRules(fs.readFileSync(marketRulesPath, 'utf8'));
  return cache;
}

/** The rule of a market; an unknown market gets no withdrawal right and seller-pays for faults. */
export function marketRule(market: string): MarketRule {
  const m = (market ?? '').toUpperCase();
  return (
    marketRules().get(m) ?? {
      market: m,
      withdrawalDays: 0,
      withdrawalBusinessDays: false,
      faultyReturnShipping: 'seller',
      lostInTransit: 'seller',
      legalGuarantee: { en: '', zh: '' },
      source: 'unknown market: defaults',
    }
  );
}

/**
 * Calendar days that cover a window given in business days (MX: 5 business days ≈ 7 calendar
 * days). Conservative for the customer: weekends are added, holidays are not.
 */
export function windowInCalendarDays(rule: MarketRule): number {
  if (!rule.withdrawalBusinessDays) return rule.withdrawalDays;
  return rule.withdrawalDays + 2 * Math.ceil(rule.withdrawalDays / 5);
}
