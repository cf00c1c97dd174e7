/**
 * A store's own return policy (the markets module says what the law requires; this is what
 * the seller chose). Kept per store; a store without one gets DEFAULT_STORE_POLICY.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import { checkStorePolicy, type PolicyWarning, type StorePolicy } from '../markets/index.ts';
import { validationError } from '../core/errors.ts';

/** What a store gets until it says otherwise: 30 days, buyer pays a change-of-mind return. */
export const DEFAULT_STORE_POLICY: StorePolicy = {
  returnWindowDays: 30,
  returnWindowFrom: 'delivery',
  buyerPaysReturnForChangeOfMind: true,
  buyerPaysReturnWhenFaulty: false,
  restockingFeePercent: 0,
  refundWithinDays: 14,
};

function readPolicy(v: Record<string, unknown>): StorePolicy {
  return { ...DEFAULT_STORE_POLICY, ...(v as Partial<StorePolicy>) };
}

export async function getStorePolicy(db: Kysely<DB> | Transaction<DB>, storeId: string): Promise<StorePolicy> {
  const row = await db.selectFrom('store_return_policies').select('policy').where('store_id', '=', storeId).executeTakeFirst();
  return row ? readPolicy(row.policy) : { ...DEFAULT_STORE_POLICY };
}

/**
 * Saves a store's policy and returns the warnings where it falls below the law of `market`
 * (the product warns; the law still applies to every action, whatever the policy says).
 */
export async function setStorePolicy(db: Kysely<DB>, storeId: string, policy: Partial<StorePolicy>, market: string): Promise<{ policy: StorePolicy; warnings: PolicyWarning[] }> {
  const merged = { ...DEFAULT_STORE_POLICY, ...policy };
  if (!Number.isInteger(merged.returnWindowDays) || merged.returnWindowDays < 0) throw validationError('returnWindowDays must be a whole number of days', { field: 'returnWindowDays' });
  if (!(merged.restockingFeePercent >= 0 && merged.restockingFeePercent <= 100)) throw validationError('restockingFeePercent must be 0–100', { field: 'restockingFeePercent' });
  await db
    .insertInto('store_return_policies')
    .values({ store_id: storeId, policy: JSON.stringify(merged), updated_at: new Date() })
    .onConflict((oc) => oc.column('store_id').doUpdateSet({ policy: JSON.stringify(merged), updated_at: new Date() }))
    .execute();
  return { policy: merged, warnings: checkStorePolicy(market, merged) };
}

/** A warning as the API shows it: English message (like server errors) plus both UI languages. */
export interface PolicyWarningJson {
  code: PolicyWarning['code'];
  field: string;
  message: string;
  localized: { en: string; zh: string };
  required?: number;
  source: string;
}

export function policyWarningsJson(warnings: PolicyWarning[]): PolicyWarningJson[] {
  return warnings.map((w) => ({ code: w.code, field: w.field, message: w.message.en, localized: w.message, ...(w.required !== undefined ? { required: w.required } : {}), source: w.source }));
}

/** A store's policy, whether the store set one, and where it falls below the law of `market`. */
export async function storePolicyView(db: Kysely<DB>, storeId: string, market: string): Promise<{ policy: StorePolicy; custom: boolean; market: string; warnings: PolicyWarningJson[] }> {
  const row = await db.selectFrom('store_return_policies').select('policy').where('store_id', '=', storeId).executeTakeFirst();
  const policy = row ? readPolicy(row.policy) : { ...DEFAULT_STORE_POLICY };
  return { policy, custom: Boolean(row), market, warnings: policyWarningsJson(checkStorePolicy(market, policy)) };
}
