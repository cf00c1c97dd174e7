import Type from 'typebox';
import { Nullable } from '../server/schemas.ts';
import { CATEGORIES } from './tickets.ts';
import { PlaybookSchema } from './playbook-schemas.ts';

export const StatusSchema = Type.Union(['new', 'open', 'pending', 'on_hold', 'solved', 'closed'].map((s) => Type.Literal(s)));
export const PrioritySchema = Type.Union(['urgent', 'high', 'normal', 'low'].map((s) => Type.Literal(s)));
export const CategorySchema = Type.Union(CATEGORIES.map((s) => Type.Literal(s)));
const DateTime = Type.String({ format: 'date-time' });

export const SlaSchema = Type.Object({
  firstResponseDueAt: Nullable(DateTime),
  nextResponseDueAt: Nullable(DateTime),
  resolutionDueAt: Nullable(DateTime),
  dueAt: Nullable(DateTime),
  paused: Type.Boolean(),
  warning: Type.Boolean(),
  breached: Type.Boolean(),
  breaches: Type.Array(Type.String()),
});

export const TicketSchema = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  storeId: Type.String(),
  subject: Type.String(),
  preview: Type.String(),
  status: Type.String(),
  priority: Type.String(),
  category: Type.String(),
  language: Nullable(Type.String()),
  sentiment: Nullable(Type.String()),
  angry: Type.Boolean(),
  priorityReasons: Type.Array(Type.Object({ code: Type.String(), en: Type.String(), zh: Type.String() })),
  channel: Type.String(),
  customer: Type.Object({
    id: Type.String(),
    email: Type.String(),
    name: Nullable(Type.String()),
    language: Nullable(Type.String()),
    country: Nullable(Type.String()),
    timezone: Nullable(Type.String()),
  }),
  orderId: Nullable(Type.String()),
  assigneeId: Nullable(Type.String()),
  assignee: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  teamId: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  sla: SlaSchema,
  firstRespondedAt: Nullable(DateTime),
  solvedAt: Nullable(DateTime),
  closedAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const MessageSchema = Type.Object({
  id: Type.String(),
  ticketId: Type.String(),
  authorType: Type.Union(['customer', 'agent', 'bot', 'system'].map((s) => Type.Literal(s))),
  authorId: Nullable(Type.String()),
  authorName: Nullable(Type.String()),
  internal: Type.Boolean(),
  body: Type.String(),
  language: Nullable(Type.String()),
  channel: Type.String(),
  createdAt: DateTime,
  attachments: Type.Optional(
    Type.Array(
      Type.Object({ id: Type.String(), filename: Type.String(), size: Type.Integer(), contentType: Type.String(), inline: Type.Boolean(), blocked: Type.Boolean(), blockedReason: Nullable(Type.String()) }),
    ),
  ),
  hasHtml: Type.Optional(Type.Boolean()),
});

export const EventSchema = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  field: Nullable(Type.String()),
  before: Type.Unknown(),
  after: Type.Unknown(),
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  createdAt: DateTime,
});

export const TicketDetailSchema = Type.Intersect([
  TicketSchema,
  Type.Object({ messages: Type.Array(MessageSchema), events: Type.Array(EventSchema), playbook: Type.Optional(PlaybookSchema) }),
]);

export const CreateTicketBody = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 500 }),
    body: Type.String({ minLength: 1, maxLength: 200_000 }),
    customer: Type.Object(
      {
        email: Type.String({ minLength: 3, maxLength: 254 }),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        language: Type.Optional(Type.String({ pattern: '^[a-z]{2}$' })),
        country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
      },
      { additionalProperties: false },
    ),
    storeId: Type.Optional(Type.String({ maxLength: 64 })),
    channel: Type.Optional(Type.Union(['api', 'email', 'chat', 'web', 'phone', 'shopify', 'amazon', 'marketplace'].map((s) => Type.Literal(s)))),
    priority: Type.Optional(PrioritySchema),
    category: Type.Optional(CategorySchema),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 30 })),
  },
  { additionalProperties: false },
);

export const PatchTicketBody = Type.Object(
  {
    status: Type.Optional(StatusSchema),
    assigneeId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    teamId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    priority: Type.Optional(PrioritySchema),
    category: Type.Optional(CategorySchema),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 30 })),
    /** Solving with required playbook steps open: the reason, recorded in the event trail. */
    playbookOverrideReason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const MessageBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 200_000 }),
    internal: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const BulkBody = Type.Object(
  {
    ids: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 500 }),
    set: Type.Object(
      {
        status: Type.Optional(StatusSchema),
        assigneeId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
        priority: Type.Optional(PrioritySchema),
        addTags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 30 })),
        removeTags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 30 })),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);

const csv = (pattern: string) => Type.Optional(Type.String({ maxLength: 300, pattern }));
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    status: csv('^[a-z_,]+$'),
    priority: csv('^[a-z,]+$'),
    category: csv('^[a-z_,]+$'),
    language: csv('^[a-z,]+$'),
    assignee: Type.Optional(Type.String({ maxLength: 64 })),
    storeId: Type.Optional(Type.String({ maxLength: 64 })),
    tag: Type.Optional(Type.String({ maxLength: 50 })),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    breached: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    sort: Type.Optional(Type.Union(['created_desc', 'created_asc', 'updated_desc', 'sla_due'].map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);

export const StoreSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  platform: Type.String(),
  market: Type.String(),
  timezone: Type.String(),
  supportEmail: Nullable(Type.String()),
  businessHours: Type.Record(Type.String(), Type.Array(Type.Array(Type.String()))),
  holidayCountry: Nullable(Type.String()),
  isDefault: Type.Boolean(),
  hasWebhookSecret: Type.Boolean(),
  createdAt: DateTime,
});

const Hours = Type.Record(Type.String({ pattern: '^[0-6]$' }), Type.Array(Type.Array(Type.String({ pattern: '^\\d{2}:\\d{2}$' }), { minItems: 2, maxItems: 2 }), { maxItems: 6 }));

export const CreateStoreBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    platform: Type.Optional(Type.String({ maxLength: 40 })),
    market: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
    webhookSecret: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
    supportEmail: Type.Optional(Type.String({ maxLength: 254 })),
    businessHours: Type.Optional(Hours),
    holidayCountry: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
  },
  { additionalProperties: false },
);

export const PatchStoreBody = Type.Partial(CreateStoreBody, { additionalProperties: false, minProperties: 1 });

export const SlaPolicyBody = Type.Object(
  {
    firstResponseMinutes: Type.Integer({ minimum: 1, maximum: 525600 }),
    nextResponseMinutes: Type.Integer({ minimum: 1, maximum: 525600 }),
    resolutionMinutes: Type.Integer({ minimum: 1, maximum: 525600 }),
  },
  { additionalProperties: false },
);
