/**
 * Markets: per-country facts as data (`content/markets/<CC>.yaml`) — consumer rules with
 * their legal source, default business hours, holidays, languages and cultural guidance.
 *
 * The YAML files are written by people, so they are validated on load and a mistake fails
 * with the file and the field (model.ts). Trainers edit the rules in the product too: the
 * effective rules are the file merged with the edits (registry.ts, overrides.ts), and every
 * function here reads those. Rules here are the statutory minimum: a store may be more
 * generous, never less (`checkStorePolicy`).
 */
import { AppError } from '../core/errors.ts';
import type { BusinessCalendar } from './calendar.ts';
import type { CultureGuide, Localized, Market, Payer, Peak, ReturnReason } from './model.ts';
import { buildCalendar, currentMarkets, reloadYamlMarkets } from './registry.ts';

export * from './calendar.ts';
export * from './model.ts';

// ---------------------------------------------------------------------------------------
// The effective markets

/** Drop the loaded files (after someone edited content/markets). */
export function reloadMarkets(): void {
  reloadYamlMarkets();
}

/** All markets, by code, as in force for this app (files + trainers' edits). */
export function listMarkets(): Market[] {
  return currentMarkets().list();
}

/** One market by ISO code (case-insensitive); `not_found` when there is no file for it. */
export function getMarket(code: string): Market {
  return currentMarkets().get(code);
}

function resolve(market: Market | string): Market {
  return typeof market === 'string' ? getMarket(market) : market;
}

/**
 * The market's business calendar (its zone, hours and holidays). For a code, the calendar
 * is kept with the effective market, so its memos survive between calls and go when an
 * edit changes the hours or holidays.
 */
export function marketCalendar(market: Market | string, years?: number[]): BusinessCalendar {
  if (typeof market === 'string') return currentMarkets().calendar(market, years);
  return buildCalendar(market, years);
}

// ---------------------------------------------------------------------------------------
// Rules

export interface StorePolicy {
  /** Days the store accepts change-of-mind returns (0 = none). */
  returnWindowDays: number;
  /** What the window counts from; default delivery. */
  returnWindowFrom?: 'delivery' | 'order';
  /** The buyer pays return shipping for a change-of-mind return. */
  buyerPaysReturnForChangeOfMind: boolean;
  /** The buyer pays return shipping when the item is faulty, damaged or wrong. Default false. */
  buyerPaysReturnWhenFaulty?: boolean;
  /** Flat restocking fee, percent of the price (0 = none). */
  restockingFeePercent: number;
  /** Days the store takes to refund. */
  refundWithinDays?: number;
  /** Months the store answers for defects (its warranty). */
  warrantyMonths?: number;
}

/**
 * Who pays the return shipping in `market` for `reason`: the law's answer, or
 * 'store_policy' when the law leaves it to the store. Given the store's policy, the answer
 * is resolved: the store may take a cost on itself, never push one the law gives it onto
 * the buyer.
 */
export function whoPaysReturn(market: Market | string, reason: ReturnReason, store?: StorePolicy): Payer {
  const law = resolve(market).consumer.returnShipping[reason];
  if (!store) return law;
  const storeSays: Payer =
    reason === 'change_of_mind'
      ? store.buyerPaysReturnForChangeOfMind
        ? 'buyer'
        : 'seller'
      : store.buyerPaysReturnWhenFaulty
        ? 'buyer'
        : 'seller';
  if (law === 'seller') return 'seller';
  return storeSays;
}

/**
 * Is the statutory right of withdrawal (change of mind) still open `daysSinceDelivery`
 * days after delivery? Day 0 is the delivery day; the last day of the period counts.
 * Before delivery (negative) the right is open where one exists. False where the law gives
 * none (US, CA, AU, AE): the store policy decides there. Business-day periods (MX) are
 * approximated with calendar days ×7/5 — use the market calendar for an exact answer.
 */
export function isWithinWithdrawal(market: Market | string, daysSinceDelivery: number): boolean {
  if (!Number.isFinite(daysSinceDelivery)) throw new AppError('validation_failed', 'daysSinceDelivery must be a number');
  const w = resolve(market).consumer.withdrawal;
  if (w.from === 'none' || w.days <= 0) return false;
  if (daysSinceDelivery < 0) return true;
  const limit = w.businessDays ? Math.floor((w.days * 7) / 5) : w.days;
  return daysSinceDelivery <= limit;
}

export type PolicyField = keyof StorePolicy;

export interface PolicyWarning {
  /** Stable code, e.g. `return_window_too_short`. */
  code:
    | 'return_window_too_short'
    | 'return_window_counts_from_order'
    | 'buyer_pays_faulty_return'
    | 'buyer_pays_change_of_mind_return'
    | 'restocking_fee_not_allowed'
    | 'restocking_fee_limited'
    | 'refund_too_slow'
    | 'warranty_too_short'
    | 'invalid_value';
  field: PolicyField;
  /** The statutory minimum, e.g. 14 (days) — when there is one. */
  required?: number;
  message: Localized;
  source: string;
}

/**
 * Compare a store's policy with the market's law: one warning for each point where the
 * store is LESS generous than the law (more generous is always fine). An empty list means
 * the policy is at least the legal minimum on the points we check.
 */
export function checkStorePolicy(market: Market | string, store: StorePolicy): PolicyWarning[] {
  const m = resolve(market);
  const { withdrawal, returnShipping, refund, restockingFee, legalGuarantee } = m.consumer;
  const out: PolicyWarning[] = [];
  const bad = (field: PolicyField, v: number | undefined, max = Infinity) => {
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || v > max)) {
      out.push({
        code: 'invalid_value',
        field,
        message: { en: `${field} must be a number from 0${max < Infinity ? ` to ${max}` : ''}.`, zh: `${field} 必须是 0${max < Infinity ? `–${max}` : ' 以上'}的数字。` },
        source: 'crossdesk',
      });
      return true;
    }
    return false;
  };
  if (bad('returnWindowDays', store.returnWindowDays) || bad('restockingFeePercent', store.restockingFeePercent, 100)) return out;
  bad('refundWithinDays', store.refundWithinDays);
  bad('warrantyMonths', store.warrantyMonths);

  if (withdrawal.from !== 'none') {
    const unit = withdrawal.businessDays ? { en: 'business days', zh: '个工作日' } : { en: 'days', zh: '天' };
    if (store.returnWindowDays < withdrawal.days) {
      out.push({
        code: 'return_window_too_short',
        field: 'returnWindowDays',
        required: withdrawal.days,
        message: {
          en: `${m.name.en}: consumers may withdraw within ${withdrawal.days} ${unit.en} of delivery; the store allows ${store.returnWindowDays}.`,
          zh: `${m.name.zh}：消费者自收货起 ${withdrawal.days} ${unit.zh}内可无理由撤回，店铺只允许 ${store.returnWindowDays} 天。`,
        },
        source: withdrawal.source,
      });
    } else if (store.returnWindowFrom === 'order' && withdrawal.from === 'delivery') {
      out.push({
        code: 'return_window_counts_from_order',
        field: 'returnWindowFrom',
        required: withdrawal.days,
        message: {
          en: `${m.name.en}: the ${withdrawal.days}-day period runs from delivery, not from the order; a window counted from the order can end too early.`,
          zh: `${m.name.zh}：${withdrawal.days} 天期限自收货起算，而非下单起算；按下单日计算可能提前结束。`,
        },
        source: withdrawal.source,
      });
    }
  }

  if (store.buyerPaysReturnWhenFaulty) {
    const reasons = (['faulty', 'damaged', 'wrong_item'] as const).filter((r) => returnShipping[r] === 'seller');
    if (reasons.length) {
      out.push({
        code: 'buyer_pays_faulty_return',
        field: 'buyerPaysReturnWhenFaulty',
        message: {
          en: `${m.name.en}: the seller pays return shipping for ${reasons.join(', ').replace(/_/g, ' ')} items.`,
          zh: `${m.name.zh}：商品${reasons.map((r) => ({ faulty: '有缺陷', damaged: '破损', wrong_item: '发错' })[r]).join('、')}时，退货运费由卖家承担。`,
        },
        source: returnShipping.source,
      });
    }
  }

  if (store.buyerPaysReturnForChangeOfMind && returnShipping.change_of_mind === 'seller') {
    out.push({
      code: 'buyer_pays_change_of_mind_return',
      field: 'buyerPaysReturnForChangeOfMind',
      message: {
        en: `${m.name.en}: the seller pays return shipping even for a change-of-mind return.`,
        zh: `${m.name.zh}：即使是无理由退货，退货运费也由卖家承担。`,
      },
      source: returnShipping.source,
    });
  }

  if (store.restockingFeePercent > 0) {
    if (restockingFee.allowed === 'never') {
      out.push({
        code: 'restocking_fee_not_allowed',
        field: 'restockingFeePercent',
        required: 0,
        message: {
          en: `${m.name.en}: no restocking fee may be charged on a statutory return.`,
          zh: `${m.name.zh}：法定退货不得收取重新入库费。`,
        },
        source: restockingFee.source,
      });
    } else if (restockingFee.allowed === 'diminished_value_only') {
      out.push({
        code: 'restocking_fee_limited',
        field: 'restockingFeePercent',
        required: 0,
        message: {
          en: `${m.name.en}: no flat restocking fee on a withdrawal; only a deduction for actual loss of value from handling beyond what was needed to check the goods.`,
          zh: `${m.name.zh}：撤回时不得收取固定比例的重新入库费，只能就超出检查所需的使用造成的实际贬值予以扣减。`,
        },
        source: restockingFee.source,
      });
    }
  }

  if (store.refundWithinDays !== undefined && refund.days !== null && store.refundWithinDays > refund.days) {
    const unit = refund.businessDays ? { en: 'business days', zh: '个工作日' } : { en: 'days', zh: '天' };
    const from = {
      withdrawal_notice: { en: 'of the withdrawal notice', zh: '自收到撤回通知起' },
      goods_returned: { en: 'of receiving the goods back', zh: '自收到退货起' },
      store_policy: { en: '', zh: '' },
    }[refund.from];
    out.push({
      code: 'refund_too_slow',
      field: 'refundWithinDays',
      required: refund.days,
      message:
        refund.days === 0
          ? { en: `${m.name.en}: refunds on withdrawal are due immediately; the store takes ${store.refundWithinDays} days.`, zh: `${m.name.zh}：撤回后须立即退款，店铺需要 ${store.refundWithinDays} 天。` }
          : {
              en: `${m.name.en}: refund within ${refund.days} ${unit.en} ${from.en}; the store takes ${store.refundWithinDays}.`,
              zh: `${m.name.zh}：须${from.zh} ${refund.days} ${unit.zh}内退款，店铺需要 ${store.refundWithinDays} 天。`,
            },
      source: refund.source,
    });
  }

  if (store.warrantyMonths !== undefined && legalGuarantee.months !== null && store.warrantyMonths < legalGuarantee.months) {
    out.push({
      code: 'warranty_too_short',
      field: 'warrantyMonths',
      required: legalGuarantee.months,
      message: {
        en: `${m.name.en}: the legal guarantee is ${legalGuarantee.months} months and cannot be shortened; the store states ${store.warrantyMonths}.`,
        zh: `${m.name.zh}：法定保修期为 ${legalGuarantee.months} 个月，不得缩短；店铺写的是 ${store.warrantyMonths} 个月。`,
      },
      source: legalGuarantee.source,
    });
  }
  return out;
}

/** The cultural guide for a market in the UI language. */
export function cultureHint(market: Market | string, uiLanguage: 'en' | 'zh' = 'zh'): CultureGuide & { address: string } {
  const m = resolve(market);
  return { address: m.culture.address, ...m.culture[uiLanguage] };
}

/** Peaks overlapping a date ('YYYY-MM-DD'); undated peaks are not returned. */
export function peaksOn(market: Market | string, date: string): Peak[] {
  return resolve(market).peaks.filter((p) => p.from !== undefined && p.from <= date && date <= (p.to ?? p.from));
}
