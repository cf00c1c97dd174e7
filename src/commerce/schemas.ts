import Type from 'typebox';
import { Nullable } from '../server/schemas.ts';

const Id = Type.String({ format: 'uuid' });
const Money = Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,2})?$', description: 'decimal amount in the order currency, e.g. "12.30"' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const IdempotencyKey = Type.String({ minLength: 8, maxLength: 200, description: 'or the Idempotency-Key header' });
const TicketId = Type.Optional(Nullable(Id));

export const ItemQuantitySchema = Type.Object({ orderItemId: Id, quantity: Type.Integer({ minimum: 1, maximum: 10_000 }) }, { additionalProperties: false });

export const AddressSchema = Type.Object({
  name: Text(200),
  line1: Text(200),
  line2: Type.Optional(Type.String({ maxLength: 200 })),
  city: Text(100),
  postalCode: Text(20),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  country: Type.String({ pattern: '^[A-Za-z]{2}$' }),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
}, { additionalProperties: false });

const common = { ticketId: TicketId, idempotencyKey: Type.Optional(IdempotencyKey) };

export const ReturnBody = Type.Object({
  ...common,
  reason: Type.Union(['faulty', 'damaged', 'wrong_item', 'change_of_mind'].map((s) => Type.Literal(s))),
  items: Type.Array(ItemQuantitySchema, { minItems: 1, maxItems: 100 }),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: false });

export const ExchangeBody = Type.Object({
  ...common,
  orderItemId: Id,
  variantId: Id,
  quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  reason: Text(500),
}, { additionalProperties: false });

export const RefundBody = Type.Object({
  ...common,
  amount: Type.Optional(Money),
  reason: Text(500),
  returnId: Type.Optional(Id),
  paymentId: Type.Optional(Id),
}, { additionalProperties: false });

export const ReshipBody = Type.Object({
  ...common,
  items: Type.Optional(Type.Array(ItemQuantitySchema, { minItems: 1, maxItems: 100 })),
  reason: Text(500),
}, { additionalProperties: false });

export const ClaimBody = Type.Object({
  ...common,
  kind: Type.Union([Type.Literal('lost'), Type.Literal('damaged')]),
  shipmentId: Type.Optional(Id),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  amount: Type.Optional(Money),
}, { additionalProperties: false });

export const CancelBody = Type.Object({
  ...common,
  reason: Text(500),
  refund: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const AddressBody = Type.Object({ ...common, address: AddressSchema }, { additionalProperties: false });

export const ReturnStatusBody = Type.Object({
  ...common,
  status: Type.Union(['label_created', 'in_transit', 'received', 'cancelled'].map((s) => Type.Literal(s))),
  restock: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const ActionOutcomeSchema = Type.Object({
  actionId: Type.String(),
  type: Type.String(),
  orderId: Type.String(),
  ticketId: Nullable(Type.String()),
  replayed: Type.Boolean(),
  createdAt: Type.String(),
  result: Type.Unknown(),
});

export const OrderQuery = Type.Object({
  externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  number: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  customerEmail: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
  storeId: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
}, { additionalProperties: false });

const CustomerSchema = Nullable(Type.Object({ id: Type.String(), email: Type.String(), name: Nullable(Type.String()), country: Nullable(Type.String()), language: Nullable(Type.String()) }));

const summaryProps = {
  id: Type.String(),
  storeId: Type.String(),
  number: Type.String(),
  externalId: Nullable(Type.String()),
  currency: Type.String(),
  total: Type.String(),
  status: Type.String(),
  fulfillmentStatus: Type.String(),
  financialStatus: Type.String(),
  placedAt: Type.String(),
  customer: CustomerSchema,
};

export const OrderSummarySchema = Type.Object(summaryProps);

const ShipmentSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  carrier: Type.String(),
  trackingNumber: Nullable(Type.String()),
  /** The carrier's tracking page (an absolute http(s) URL), when the shop platform gave one. */
  trackingUrl: Nullable(Type.String({ maxLength: 2000 })),
  status: Type.String(),
  shippedAt: Nullable(Type.String()),
  deliveredAt: Nullable(Type.String()),
  events: Type.Array(Type.Object({ at: Type.String(), status: Type.String(), location: Nullable(Type.String()), description: Type.String() })),
});

const ItemQ = Type.Array(Type.Object({ orderItemId: Type.String(), quantity: Type.Integer() }));

export const OrderDetailSchema = Type.Object({
  ...summaryProps,
  market: Type.String(),
  storeMarket: Type.String(),
  returnTerms: Type.Object({
    market: Type.String(),
    daysSinceDelivery: Nullable(Type.Integer()),
    withdrawalDays: Type.Integer(),
    withdrawalOpen: Type.Boolean(),
    storeWindowDays: Type.Integer(),
    storeWindowOpen: Type.Boolean(),
    whoPaysShipping: Type.Record(Type.String(), Type.String()),
    source: Type.String(),
  }),
  shippingAddress: Nullable(Type.Object({
    name: Type.String(), line1: Type.String(), line2: Type.Optional(Type.String()), city: Type.String(), postalCode: Type.String(),
    region: Type.Optional(Type.String()), country: Type.String(), phone: Type.Optional(Type.String()),
  })),
  cancelledAt: Nullable(Type.String()),
  cancelReason: Nullable(Type.String()),
  items: Type.Array(Type.Object({
    id: Type.String(), variantId: Nullable(Type.String()), sku: Type.String(), title: Type.String(), options: Type.Record(Type.String(), Type.String()),
    quantity: Type.Integer(), unitPrice: Type.String(), returnedQuantity: Type.Integer(),
  })),
  payments: Type.Array(Type.Object({
    id: Type.String(), method: Type.String(), amount: Type.String(), captured: Type.String(), refunded: Type.String(), refundable: Type.String(), currency: Type.String(), createdAt: Type.String(),
  })),
  totals: Type.Object({ paid: Type.String(), refunded: Type.String(), refundable: Type.String() }),
  shipment: Nullable(ShipmentSchema),
  shipments: Type.Array(ShipmentSchema),
  returns: Type.Array(Type.Object({
    id: Type.String(), rma: Type.String(), reason: Type.String(), items: ItemQ, market: Type.String(), whoPaysShipping: Type.String(), carrier: Type.String(),
    trackingNumber: Type.String(), status: Type.String(), labelUrl: Type.String(), receivedAt: Nullable(Type.String()), refundedAt: Nullable(Type.String()), createdAt: Type.String(),
  })),
  refunds: Type.Array(Type.Object({
    id: Type.String(), paymentId: Type.String(), returnId: Nullable(Type.String()), amount: Type.String(), currency: Type.String(), method: Type.String(),
    reason: Type.String(), status: Type.String(), createdAt: Type.String(),
  })),
  exchanges: Type.Array(Type.Object({
    id: Type.String(), orderItemId: Type.String(), toVariantId: Type.String(), toSku: Type.String(), quantity: Type.Integer(), priceDifference: Type.String(),
    status: Type.String(), reason: Type.String(), createdAt: Type.String(),
  })),
  reships: Type.Array(Type.Object({ id: Type.String(), items: ItemQ, warehouseId: Type.String(), reason: Type.String(), status: Type.String(), createdAt: Type.String() })),
  claims: Type.Array(Type.Object({
    id: Type.String(), shipmentId: Type.String(), kind: Type.String(), carrier: Type.String(), reference: Type.String(), amount: Type.String(), status: Type.String(), createdAt: Type.String(),
  })),
  actions: Type.Array(Type.Object({
    id: Type.String(), type: Type.String(), ticketId: Nullable(Type.String()), actorType: Type.String(), actorId: Nullable(Type.String()), result: Type.Unknown(), createdAt: Type.String(),
  })),
});
