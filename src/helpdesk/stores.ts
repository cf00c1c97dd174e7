import type { Kysely } from 'kysely';
import type { DB, Priority, Store, WeeklyHours } from '../db/types.ts';
import { notFound, validationError } from '../core/errors.ts';
import { uuidv7 } from '../core/ids.ts';

export const DEFAULT_HOURS: WeeklyHours = {
  '0': [['09:00', '18:00']],
  '1': [['09:00', '18:00']],
  '2': [['09:00', '18:00']],
  '3': [['09:00', '18:00']],
  '4': [['09:00', '18:00']],
  '5': [],
  '6': [],
};

/** Business minutes: first response, next response, resolution. */
export const DEFAULT_SLA: Record<Priority, [number, number, number]> = {
  urgent: [120, 240, 1440],
  high: [240, 480, 2880],
  normal: [480, 960, 4320],
  low: [1440, 2880, 7200],
};

export const PLATFORMS = ['shopify', 'amazon', 'aliexpress', 'temu', 'woocommerce', 'custom'] as const;

export interface StoreInput {
  name: string;
  platform?: string;
  market?: string;
  timezone?: string;
  webhookSecret?: string;
  supportEmail?: string;
  businessHours?: WeeklyHours;
  holidayCountry?: string;
}

export interface PublicStore {
  id: string;
  name: string;
  platform: string;
  market: string;
  timezone: string;
  supportEmail: string | null;
  businessHours: WeeklyHours;
  holidayCountry: string | null;
  isDefault: boolean;
  hasWebhookSecret: boolean;
  createdAt: string;
}

export function publicStore(s: Store): PublicStore {
  return {
    id: s.id,
    name: s.name,
    platform: s.platform,
    market: s.market,
    timezone: s.timezone,
    supportEmail: s.support_email,
    businessHours: s.business_hours,
    holidayCountry: s.holiday_country,
    isDefault: s.is_default,
    hasWebhookSecret: Boolean(s.webhook_secret),
    createdAt: s.created_at.toISOString(),
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export function validateHours(h: WeeklyHours): void {
  for (const [day, spans] of Object.entries(h)) {
    if (!/^[0-6]$/.test(day)) throw validationError(`business hours: day "${day}" must be 0 (Monday) … 6 (Sunday)`, { field: 'businessHours' });
    for (const span of spans) {
      if (!Array.isArray(span) || span.length !== 2 || !HHMM.test(span[0]) || !HHMM.test(span[1]) || span[0] >= span[1]) {
        throw validationError(`business hours: ${JSON.stringify(span)} on day ${day} must be ["HH:MM","HH:MM"] with start before end`, { field: 'businessHours' });
      }
    }
  }
}

export function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export async function createStore(db: Kysely<DB>, input: StoreInput): Promise<Store> {
  const name = input.name.trim();
  if (!name) throw validationError('store name must not be empty');
  const timezone = input.timezone ?? 'UTC';
  if (!validTimezone(timezone)) throw validationError(`"${timezone}" is not a known time zone (use an IANA name such as Europe/Berlin)`, { field: 'timezone' });
  const market = (input.market ?? 'US').toUpperCase();
  const hours = input.businessHours ?? DEFAULT_HOURS;
  validateHours(hours);
  return db.transaction().execute(async (trx) => {
    const store = await trx
      .insertInto('stores')
      .values({
        id: uuidv7(),
        name,
        platform: input.platform ?? 'custom',
        market,
        timezone,
        webhook_secret: input.webhookSecret ?? null,
        support_email: input.supportEmail?.toLowerCase() ?? null,
        business_hours: JSON.stringify(hours),
        holiday_country: (input.holidayCountry ?? market).toUpperCase(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('sla_policies')
      .values(
        (Object.keys(DEFAULT_SLA) as Priority[]).map((priority) => ({
          store_id: store.id,
          priority,
          first_response_minutes: DEFAULT_SLA[priority][0],
          next_response_minutes: DEFAULT_SLA[priority][1],
          resolution_minutes: DEFAULT_SLA[priority][2],
        })),
      )
      .execute();
    return store;
  });
}

export async function listStores(db: Kysely<DB>): Promise<Store[]> {
  return db.selectFrom('stores').selectAll().orderBy('is_default', 'desc').orderBy('name').execute();
}

export async function getStore(db: Kysely<DB>, id: string): Promise<Store> {
  const s = await db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound('Store', id);
  return s;
}

export async function getDefaultStore(db: Kysely<DB>): Promise<Store> {
  const s = await db.selectFrom('stores').selectAll().where('is_default', '=', true).executeTakeFirst();
  if (!s) throw notFound('Default store');
  return s;
}

export async function updateStore(db: Kysely<DB>, id: string, patch: Partial<StoreInput>): Promise<Store> {
  await getStore(db, id);
  if (patch.timezone && !validTimezone(patch.timezone)) throw validationError(`"${patch.timezone}" is not a known time zone`, { field: 'timezone' });
  if (patch.businessHours) validateHours(patch.businessHours);
  return db
    .updateTable('stores')
    .set({
      ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
      ...(patch.platform !== undefined ? { platform: patch.platform } : {}),
      ...(patch.market !== undefined ? { market: patch.market.toUpperCase() } : {}),
      ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
      ...(patch.webhookSecret !== undefined ? { webhook_secret: patch.webhookSecret } : {}),
      ...(patch.supportEmail !== undefined ? { support_email: patch.supportEmail.toLowerCase() } : {}),
      ...(patch.businessHours !== undefined ? { business_hours: JSON.stringify(patch.businessHours) } : {}),
      ...(patch.holidayCountry !== undefined ? { holiday_country: patch.holidayCountry.toUpperCase() } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface SlaPolicy {
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  resolutionMinutes: number;
}

export async function slaPolicies(db: Kysely<DB>, storeId: string): Promise<Record<Priority, SlaPolicy>> {
  const rows = await db.selectFrom('sla_policies').selectAll().where('store_id', '=', storeId).execute();
  const out = {} as Record<Priority, SlaPolicy>;
  for (const p of Object.keys(DEFAULT_SLA) as Priority[]) {
    const r = rows.find((x) => x.priority === p);
    out[p] = r
      ? { firstResponseMinutes: r.first_response_minutes, nextResponseMinutes: r.next_response_minutes, resolutionMinutes: r.resolution_minutes }
      : { firstResponseMinutes: DEFAULT_SLA[p][0], nextResponseMinutes: DEFAULT_SLA[p][1], resolutionMinutes: DEFAULT_SLA[p][2] };
  }
  return out;
}

export async function setSlaPolicy(db: Kysely<DB>, storeId: string, priority: Priority, policy: SlaPolicy): Promise<void> {
  for (const [k, v] of Object.entries(policy)) {
    if (!Number.isInteger(v) || v <= 0 || v > 60 * 24 * 365) throw validationError(`${k} must be a whole number of minutes between 1 and 525600`, { field: k });
  }
  await db
    .insertInto('sla_policies')
    .values({
      store_id: storeId,
      priority,
      first_response_minutes: policy.firstResponseMinutes,
      next_response_minutes: policy.nextResponseMinutes,
      resolution_minutes: policy.resolutionMinutes,
    })
    .onConflict((oc) =>
      oc.columns(['store_id', 'priority']).doUpdateSet({
        first_response_minutes: policy.firstResponseMinutes,
        next_response_minutes: policy.nextResponseMinutes,
        resolution_minutes: policy.resolutionMinutes,
      }),
    )
    .execute();
}
