import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type, { type Static } from 'typebox';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import { errorResponses, Nullable } from '../server/schemas.ts';
import { actorOf } from '../server/auth.ts';
import { hoursToInput, type Market } from './model.ts';
import { fieldValue, type EditableField, type OverrideRules } from './registry.ts';
import { editMarket, marketHistory, revertMarket, type MarketChange, type MarketService } from './overrides.ts';

// ---------------------------------------------------------------------------------------
// Schemas. Requests are checked here for shape only (types, unknown fields, sizes); what a
// rule may say is checked by the market files' own validator (model.ts validateMarket).

const Text = (max = 2000) => Type.String({ maxLength: max });
const Localized = Type.Object({ en: Type.String(), zh: Type.String() });
const LocalizedIn = Type.Object({ en: Text(200), zh: Text(200) }, { additionalProperties: false });
const Sourced = { source: Type.String(), note: Type.Optional(Type.String()) };
const SourcedIn = { source: Text(500), note: Type.Optional(Text(4000)) };
const Guide = Type.Object({
  directness: Type.String(),
  formality: Type.String(),
  apology: Type.String(),
  greeting: Type.String(),
  signOff: Type.String(),
  tips: Type.Array(Type.String()),
});
const GuideIn = Type.Object(
  { directness: Text(), formality: Text(), apology: Text(), greeting: Text(), signOff: Text(), tips: Type.Optional(Type.Array(Text(), { maxItems: 30 })) },
  { additionalProperties: false },
);
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const Pairs = Type.Array(Type.Array(Type.String({ maxLength: 5 })), { maxItems: 6 });
const Hours = Type.Object(Object.fromEntries(DAYS.map((d) => [d, Pairs])) as Record<(typeof DAYS)[number], typeof Pairs>);
const HoursIn = Type.Object(Object.fromEntries(DAYS.map((d) => [d, Type.Optional(Pairs)])) as Record<(typeof DAYS)[number], Type.TOptional<typeof Pairs>>, { additionalProperties: false });
const Holiday = Type.Object({ date: Type.String(), name: Localized, source: Type.String() });
const HolidayIn = Type.Object({ date: Text(10), name: LocalizedIn, source: Text(500) }, { additionalProperties: false });
const Peak = Type.Object({ id: Type.String(), en: Type.String(), zh: Type.String(), from: Type.Optional(Type.String()), to: Type.Optional(Type.String()), note: Type.Optional(Type.String()) });
const PeakIn = Type.Object({ id: Text(60), en: Text(), zh: Text(), from: Type.Optional(Text(10)), to: Type.Optional(Text(10)), note: Type.Optional(Text()) }, { additionalProperties: false });

const Consumer = Type.Object({
  withdrawal: Type.Object({ days: Type.Integer(), from: Type.String(), businessDays: Type.Boolean(), ...Sourced }),
  legalGuarantee: Type.Object({ months: Nullable(Type.Integer()), ...Sourced }),
  returnShipping: Type.Object({ faulty: Type.String(), damaged: Type.String(), wrong_item: Type.String(), change_of_mind: Type.String(), ...Sourced }),
  refund: Type.Object({ days: Nullable(Type.Integer()), from: Type.String(), businessDays: Type.Boolean(), ...Sourced }),
  restockingFee: Type.Object({ allowed: Type.String(), ...Sourced }),
});
const ConsumerIn = Type.Object(
  {
    withdrawal: Type.Optional(Type.Object({ days: Type.Number(), from: Text(20), businessDays: Type.Optional(Type.Boolean()), ...SourcedIn }, { additionalProperties: false })),
    legalGuarantee: Type.Optional(Type.Object({ months: Nullable(Type.Number()), ...SourcedIn }, { additionalProperties: false })),
    returnShipping: Type.Optional(
      Type.Object({ faulty: Text(20), damaged: Text(20), wrong_item: Text(20), change_of_mind: Text(20), ...SourcedIn }, { additionalProperties: false }),
    ),
    refund: Type.Optional(Type.Object({ days: Nullable(Type.Number()), from: Text(30), businessDays: Type.Optional(Type.Boolean()), ...SourcedIn }, { additionalProperties: false })),
    restockingFee: Type.Optional(Type.Object({ allowed: Text(30), ...SourcedIn }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const Editor = Nullable(Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()) }));

const MarketSummarySchema = Type.Object({
  code: Type.String(),
  name: Localized,
  role: Type.String(),
  currency: Type.String(),
  languages: Type.Array(Type.String()),
  timezone: Type.String(),
  version: Type.Integer(),
  overridden: Type.Array(Type.String()),
});
const MarketSchema = Type.Object({
  ...MarketSummarySchema.properties,
  timezones: Type.Array(Type.String()),
  holidayCountry: Type.String(),
  holidayNote: Type.Optional(Type.String()),
  businessHours: Hours,
  extraHolidays: Type.Array(Holiday),
  consumer: Consumer,
  culture: Type.Object({ address: Type.String(), en: Guide, zh: Guide }),
  peaks: Type.Array(Peak),
  updatedAt: Nullable(Type.String()),
  updatedBy: Editor,
  /** The file's values of the overridden fields (the diff's other side). */
  defaults: Type.Record(Type.String(), Type.Unknown()),
  /** Set when the stored edits no longer fit the file (the file applies until they are fixed). */
  problem: Type.Optional(Type.String()),
});

const EditBody = Type.Object(
  {
    version: Type.Integer({ minimum: 0 }),
    consumer: Type.Optional(ConsumerIn),
    businessHours: Type.Optional(HoursIn),
    extraHolidays: Type.Optional(Type.Array(HolidayIn, { maxItems: 200 })),
    culture: Type.Optional(Type.Object({ address: Type.Optional(Text(100)), en: Type.Optional(GuideIn), zh: Type.Optional(GuideIn) }, { additionalProperties: false })),
    peaks: Type.Optional(Type.Array(PeakIn, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
type EditBody = Static<typeof EditBody>;

const EditResult = Type.Object({ ...MarketSchema.properties, changed: Type.Array(Type.String()) });

const HistorySchema = Type.Object({
  items: Type.Array(
    Type.Object({
      version: Type.Integer(),
      action: Type.String(),
      changed: Type.Array(Type.String()),
      before: Type.Record(Type.String(), Type.Unknown()),
      after: Type.Record(Type.String(), Type.Unknown()),
      actor: Editor,
      at: Type.String(),
    }),
  ),
});

const CodeParams = Type.Object({ code: Type.String({ pattern: '^[A-Za-z]{2}$' }) }, { additionalProperties: false });
const HistoryQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })), before: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })) }, { additionalProperties: false });
const RevertQuery = Type.Object({ version: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })) }, { additionalProperties: false });

// ---------------------------------------------------------------------------------------

/** The edited fields of a PUT body, by dotted path (each replaces that field whole). */
export function editedFields(body: EditBody): OverrideRules {
  const out: OverrideRules = {};
  for (const [k, v] of Object.entries(body.consumer ?? {})) if (v !== undefined) out[`consumer.${k}` as EditableField] = v;
  if (body.businessHours) out.businessHours = body.businessHours;
  if (body.extraHolidays) out.extraHolidays = body.extraHolidays;
  for (const [k, v] of Object.entries(body.culture ?? {})) if (v !== undefined) out[`culture.${k}` as EditableField] = v;
  if (body.peaks) out.peaks = body.peaks;
  return out;
}

/** Market rules and cultural guidance: read by every signed-in user, edited by trainers, managers and admins. */
export function marketRoutes(deps: { db: Kysely<DB>; clock: Clock; markets: MarketService }) {
  const reg = deps.markets.registry;
  const summary = (m: Market) => ({ code: m.code, name: m.name, role: m.role, currency: m.currency, languages: m.languages, timezone: m.timezone, version: reg.state(m.code).version, overridden: reg.overridden(m.code) });
  const view = (code: string) => {
    const m = reg.get(code);
    const state = reg.state(m.code);
    const overridden = reg.overridden(m.code);
    const file = reg.fileMarket(m.code);
    const problem = reg.problems.get(m.code);
    return {
      ...summary(m),
      timezones: m.timezones,
      holidayCountry: m.holidayCountry,
      ...(m.holidayNote ? { holidayNote: m.holidayNote } : {}),
      businessHours: hoursToInput(m.businessHours),
      extraHolidays: m.extraHolidays,
      consumer: m.consumer,
      culture: m.culture,
      peaks: m.peaks,
      updatedAt: state.updatedAt ? state.updatedAt.toISOString() : null,
      updatedBy: state.updatedBy,
      defaults: Object.fromEntries(overridden.map((f) => [f, fieldValue(file, f)])),
      ...(problem ? { problem } : {}),
    };
  };
  const editorOf = (req: Parameters<typeof actorOf>[0]) => {
    const a = actorOf(req);
    return { id: a.id, name: a.name ?? null };
  };
  const withChange = (r: MarketChange) => ({ ...view(r.state.code), changed: r.changed });

  return async (app: FastifyInstance): Promise<void> => {
    const staff = ['admin', 'manager', 'trainer', 'agent'] as const;
    const editors = ['admin', 'manager', 'trainer'] as const;
    app.get('/markets', {
      schema: { tags: ['markets'], summary: 'The markets crossdesk knows (with which fields trainers edited)', response: { 200: Type.Object({ items: Type.Array(MarketSummarySchema) }), ...errorResponses } },
      config: { roles: staff },
    }, async () => ({ items: reg.list().map(summary) }));

    app.get('/markets/:code', {
      schema: {
        tags: ['markets'],
        summary: 'The rules in force: consumer rules (with their legal source), hours, holidays, cultural guidance and peaks; `overridden` names the fields edited away from the file, `defaults` their file values',
        params: CodeParams,
        response: { 200: MarketSchema, ...errorResponses },
      },
      config: { roles: staff },
    }, async (req) => view((req.params as Static<typeof CodeParams>).code));

    app.put('/markets/:code', {
      schema: {
        tags: ['markets'],
        summary: "Edit a market's rules: each field sent replaces that field (validated like the files); `version` is the one you read (409 version_conflict when someone saved since)",
        params: CodeParams,
        body: EditBody,
        response: { 200: EditResult, ...errorResponses },
      },
      config: { roles: editors },
    }, async (req) => {
      const code = (req.params as Static<typeof CodeParams>).code;
      const body = req.body as EditBody;
      return withChange(await editMarket(deps, code, { version: body.version, fields: editedFields(body) }, editorOf(req)));
    });

    app.delete('/markets/:code/override', {
      schema: {
        tags: ['markets'],
        summary: 'Revert a market to its file (every edit dropped; kept in the history). `?version=` makes it conditional',
        params: CodeParams,
        querystring: RevertQuery,
        response: { 200: EditResult, ...errorResponses },
      },
      config: { roles: editors },
    }, async (req) => {
      const code = (req.params as Static<typeof CodeParams>).code;
      const v = (req.query as Static<typeof RevertQuery>).version;
      return withChange(await revertMarket(deps, code, { version: v === undefined ? undefined : Number(v) }, editorOf(req)));
    });

    app.get('/markets/:code/history', {
      schema: {
        tags: ['markets'],
        summary: "A market's edits and reverts, newest first: who, when, and each changed field before and after",
        params: CodeParams,
        querystring: HistoryQuery,
        response: { 200: HistorySchema, ...errorResponses },
      },
      config: { roles: staff },
    }, async (req) => {
      const code = reg.fileMarket((req.params as Static<typeof CodeParams>).code).code;
      const q = req.query as Static<typeof HistoryQuery>;
      return { items: await marketHistory(deps.db, code, { limit: q.limit ? Number(q.limit) : undefined, beforeVersion: q.before ? Number(q.before) : undefined }) };
    });
  };
}
