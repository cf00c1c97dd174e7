/**
 * The tau2 retail tools, written from TOOLS.md, and the process rules of policy.md that a
 * drill enforces on top of them. Every call goes through `runTool`, which checks the
 * arguments, applies the process rules, runs the tool on the sandbox and logs the call.
 * A failing call changes nothing.
 */
import { calculate, CalculateError, round2 } from './calculate.ts';
import {
  iterateRecords,
  readOrder,
  readProduct,
  readUser,
  writableOrder,
  writableUser,
  type Tau2Sandbox,
} from './sandbox.ts';
import type { Tau2Address, Tau2Order, Tau2OrderItem, Tau2PaymentMethod, Tau2User } from './types.ts';

export type Tau2ToolName =
  | 'find_user_id_by_email'
  | 'find_user_id_by_name_zip'
  | 'get_user_details'
  | 'get_order_details'
  | 'get_product_details'
  | 'get_item_details'
  | 'list_all_product_types'
  | 'calculate'
  | 'cancel_pending_order'
  | 'modify_pending_order_address'
  | 'modify_pending_order_items'
  | 'modify_pending_order_payment'
  | 'modify_user_address'
  | 'return_delivered_order_items'
  | 'exchange_delivered_order_items'
  | 'transfer_to_human_agents';

/** read: changes nothing; write: changes the database (needs a yes); transfer: ends the conversation. */
export type Tau2ToolKind = 'read' | 'write' | 'transfer';

export interface Tau2ParameterSpec {
  type: 'string' | 'array';
  items?: { type: 'string' };
  enum?: string[];
  description: string;
}

export interface Tau2ToolSpec {
  name: Tau2ToolName;
  kind: Tau2ToolKind;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: {
    type: 'object';
    properties: Record<string, Tau2ParameterSpec>;
    required: string[];
    additionalProperties: false;
  };
}

/**
 * - invalid_arguments: unknown tool, missing or mistyped argument
 * - not_found: unknown user, order, product, item or payment method
 * - precondition: a check of the tool failed (status, availability, balance…)
 * - policy: a process rule of policy.md forbids the call (it is also recorded as a violation)
 */
export type Tau2ErrorCode = 'invalid_arguments' | 'not_found' | 'precondition' | 'policy';

export type Tau2ToolResult = { ok: true; result: unknown } | { ok: false; error: string; code: Tau2ErrorCode };

export interface Tau2ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  kind: Tau2ToolKind | null;
  outcome: Tau2ToolResult;
}

const str = (description: string): Tau2ParameterSpec => ({ type: 'string', description });
const strList = (description: string): Tau2ParameterSpec => ({ type: 'array', items: { type: 'string' }, description });

function spec(
  name: Tau2ToolName,
  kind: Tau2ToolKind,
  description: string,
  properties: Record<string, Tau2ParameterSpec> = {},
): Tau2ToolSpec {
  return {
    name,
    kind,
    description,
    parameters: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
  };
}

const ADDRESS: Record<string, Tau2ParameterSpec> = {
  address1: str('Street address, e.g. "123 Main St"'),
  address2: str('Apartment, suite… (may be empty)'),
  city: str('City'),
  state: str('State, e.g. "NY"'),
  country: str('Country, e.g. "USA"'),
  zip: str('ZIP code, e.g. "12345"'),
};
const ORDER_ID = str('Order id, starting with "#", e.g. "#W0000000"');
const PAYMENT_METHOD_ID = str('Payment method id from the user\'s profile, e.g. "credit_card_0000000"');

/** The tools a trainee (or a bot) can call in a tau2 retail drill, for the UI and for LLM tool use. */
export const TAU2_TOOL_SPECS: readonly Tau2ToolSpec[] = [
  spec('find_user_id_by_email', 'read', 'Find the user id by email (case-insensitive). Authenticates the user.', {
    email: str('The user\'s email, e.g. "john.doe@example.com"'),
  }),
  spec(
    'find_user_id_by_name_zip',
    'read',
    'Find the user id by first name, last name (case-insensitive) and zip code. Authenticates the user.',
    { first_name: str('First name'), last_name: str('Last name'), zip: str('ZIP code, e.g. "12345"') },
  ),
  spec('get_user_details', 'read', 'The user\'s profile: name, address, email, payment methods, orders.', {
    user_id: str('User id, e.g. "sara_doe_496"'),
  }),
  spec('get_order_details', 'read', 'The order: status, address, items, fulfillments, payment history.', {
    order_id: ORDER_ID,
  }),
  spec('get_product_details', 'read', 'The product and all its variants (item ids, options, availability, price).', {
    product_id: str('Product id (not an item id), e.g. "6086499569"'),
  }),
  spec('get_item_details', 'read', 'The variant with this item id, searched across all products.', {
    item_id: str('Item (variant) id, e.g. "1008292230"'),
  }),
  spec('list_all_product_types', 'read', 'Product name -> product id for all products, sorted by name.'),
  spec('calculate', 'read', 'Arithmetic: digits, + - * / ( ) . and spaces; the result rounded to 2 decimals.', {
    expression: str('e.g. "2 * (3.5 + 1)"'),
  }),
  spec(
    'cancel_pending_order',
    'write',
    'Cancel a pending order; every payment is refunded to its method (gift cards at once). Needs the user\'s yes.',
    {
      order_id: ORDER_ID,
      reason: { type: 'string', enum: ['no longer needed', 'ordered by mistake'], description: 'Why the user cancels' },
    },
  ),
  spec(
    'modify_pending_order_address',
    'write',
    'Change the shipping address of a pending order. Needs the user\'s yes.',
    { order_id: ORDER_ID, ...ADDRESS },
  ),
  spec(
    'modify_pending_order_items',
    'write',
    'Swap items of a pending order for other available variants of the same products; the price difference is ' +
      'charged or refunded to the given method. Only once per order. Needs the user\'s yes.',
    {
      order_id: ORDER_ID,
      item_ids: strList('Item ids to change (repeat an id to change several of the same item)'),
      new_item_ids: strList('New item ids, in the same order'),
      payment_method_id: PAYMENT_METHOD_ID,
    },
  ),
  spec(
    'modify_pending_order_payment',
    'write',
    'Pay a pending order with another of the user\'s payment methods (a gift card must cover the total). Needs the user\'s yes.',
    { order_id: ORDER_ID, payment_method_id: PAYMENT_METHOD_ID },
  ),
  spec('modify_user_address', 'write', 'Change the user\'s default address. Needs the user\'s yes.', {
    user_id: str('User id'),
    ...ADDRESS,
  }),
  spec(
    'return_delivered_order_items',
    'write',
    'Request the return of items of a delivered order; the refund goes to the original payment method or a gift ' +
      'card of the user. Needs the user\'s yes.',
    {
      order_id: ORDER_ID,
      item_ids: strList('Item ids to return'),
      payment_method_id: str('The original payment method or a gift card of the user'),
    },
  ),
  spec(
    'exchange_delivered_order_items',
    'write',
    'Exchange items of a delivered order for other available variants of the same products. Only once per order. ' +
      'Needs the user\'s yes.',
    {
      order_id: ORDER_ID,
      item_ids: strList('Item ids to exchange'),
      new_item_ids: strList('New item ids, in the same order'),
      payment_method_id: PAYMENT_METHOD_ID,
    },
  ),
  spec(
    'transfer_to_human_agents',
    'transfer',
    'Hand the user to a human agent, only when the request cannot be handled with these tools. Ends the conversation.',
    { summary: str('A summary of the user\'s issue') },
  ),
];

const SPEC_BY_NAME = new Map<string, Tau2ToolSpec>(TAU2_TOOL_SPECS.map((s) => [s.name, s]));

export function tau2ToolSpec(name: string): Tau2ToolSpec | undefined {
  return SPEC_BY_NAME.get(name);
}

// ---------------------------------------------------------------------------------------

class ToolError extends Error {
  constructor(
    readonly code: Tau2ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const fail = (code: Tau2ErrorCode, message: string): never => {
  throw new ToolError(code, message);
};

function validateArguments(s: Tau2ToolSpec, args: unknown): Record<string, unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return fail('invalid_arguments', `${s.name}: arguments must be an object`);
  }
  const a = args as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(s.parameters.properties, key)) fail('invalid_arguments', `${s.name}: unexpected argument "${key}"`);
  }
  for (const [key, p] of Object.entries(s.parameters.properties)) {
    const v = a[key];
    if (v === undefined) fail('invalid_arguments', `${s.name}: missing argument "${key}"`);
    if (p.type === 'string' && typeof v !== 'string') fail('invalid_arguments', `${s.name}: "${key}" must be a string`);
    if (p.type === 'array' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      fail('invalid_arguments', `${s.name}: "${key}" must be a list of strings`);
    }
  }
  return a;
}

const s = (a: Record<string, unknown>, k: string) => a[k] as string;
const list = (a: Record<string, unknown>, k: string) => a[k] as string[];

function orderOf(sb: Tau2Sandbox, id: string): Readonly<Tau2Order> {
  return readOrder(sb, id) ?? fail('not_found', `order ${id} not found`);
}
function userOf(sb: Tau2Sandbox, id: string): Readonly<Tau2User> {
  return readUser(sb, id) ?? fail('not_found', `user ${id} not found`);
}
function paymentMethodOf(user: Readonly<Tau2User>, id: string): Readonly<Tau2PaymentMethod> {
  return Object.hasOwn(user.payment_methods, id)
    ? user.payment_methods[id]
    : fail('not_found', `payment method ${id} not found for user ${user.user_id}`);
}
function addressFrom(a: Record<string, unknown>): Tau2Address {
  return {
    address1: s(a, 'address1'),
    address2: s(a, 'address2'),
    city: s(a, 'city'),
    state: s(a, 'state'),
    country: s(a, 'country'),
    zip: s(a, 'zip'),
  };
}
const isGiftCard = (pm: Readonly<Tau2PaymentMethod>) => pm.source === 'gift_card';

/** Matches each requested item id to a line of the order, counting duplicates. */
function matchLines(order: Readonly<Tau2Order>, itemIds: string[]): number[] {
  if (itemIds.length === 0) fail('invalid_arguments', 'item_ids is empty');
  const used = new Set<number>();
  return itemIds.map((id) => {
    const line = order.items.findIndex((it, i) => it.item_id === id && !used.has(i));
    if (line < 0) fail('precondition', `item ${id} not found in order ${order.order_id} (or listed more times than ordered)`);
    used.add(line);
    return line;
  });
}

interface ItemChange {
  line: number;
  next: Tau2OrderItem;
}

/** The checks shared by modify-items and exchange; returns the new lines and the price difference. */
function planItemChanges(sb: Tau2Sandbox, order: Readonly<Tau2Order>, itemIds: string[], newItemIds: string[]) {
  if (itemIds.length !== newItemIds.length) fail('invalid_arguments', 'item_ids and new_item_ids differ in length');
  const lines = matchLines(order, itemIds);
  let diff = 0;
  const changes: ItemChange[] = lines.map((line, i) => {
    const old = order.items[line];
    const newId = newItemIds[i];
    if (newId === old.item_id) fail('precondition', `new item ${newId} is the same as the item it replaces`);
    const product = readProduct(sb, old.product_id) ?? fail('not_found', `product ${old.product_id} not found`);
    const variant = Object.hasOwn(product.variants, newId)
      ? product.variants[newId]
      : fail('precondition', `new item ${newId} is not a variant of ${product.name} (product ${product.product_id})`);
    if (!variant.available) fail('precondition', `new item ${newId} is not available`);
    diff += variant.price - old.price;
    return {
      line,
      next: { ...structuredClone(old), item_id: newId, price: variant.price, options: structuredClone(variant.options) },
    };
  });
  return { changes, diff: round2(diff) };
}

function checkGiftCardCovers(pm: Readonly<Tau2PaymentMethod>, amount: number, what: string) {
  if (isGiftCard(pm) && amount > 0 && (pm.balance ?? 0) < amount) {
    fail('precondition', `gift card ${pm.id} balance (${pm.balance ?? 0}) does not cover ${what} (${amount})`);
  }
}

function moveGiftCardBalance(sb: Tau2Sandbox, userId: string, pmId: string, delta: number) {
  const user = readUser(sb, userId);
  const pm = user && Object.hasOwn(user.payment_methods, pmId) ? user.payment_methods[pmId] : undefined;
  if (!pm || !isGiftCard(pm) || delta === 0) return;
  const own = writableUser(sb, userId).payment_methods[pmId];
  own.balance = round2((own.balance ?? 0) + delta);
}

const CANCEL_REASONS = new Set(['no longer needed', 'ordered by mistake']);

type Handler = (sb: Tau2Sandbox, a: Record<string, unknown>) => unknown;

const HANDLERS: Record<Tau2ToolName, Handler> = {
  find_user_id_by_email(sb, a) {
    const email = s(a, 'email').toLowerCase();
    for (const u of iterateRecords(sb, 'users')) if (u.email.toLowerCase() === email) return u.user_id;
    return fail('not_found', 'user not found');
  },
  find_user_id_by_name_zip(sb, a) {
    const first = s(a, 'first_name').toLowerCase();
    const last = s(a, 'last_name').toLowerCase();
    const zip = s(a, 'zip');
    for (const u of iterateRecords(sb, 'users')) {
      if (u.name.first_name.toLowerCase() === first && u.name.last_name.toLowerCase() === last && u.address.zip === zip) {
        return u.user_id;
      }
    }
    return fail('not_found', 'user not found');
  },
  get_user_details: (sb, a) => structuredClone(userOf(sb, s(a, 'user_id'))),
  get_order_details: (sb, a) => structuredClone(orderOf(sb, s(a, 'order_id'))),
  get_product_details(sb, a) {
    const p = readProduct(sb, s(a, 'product_id')) ?? fail('not_found', `product ${s(a, 'product_id')} not found`);
    return structuredClone(p);
  },
  get_item_details(sb, a) {
    const id = s(a, 'item_id');
    for (const p of iterateRecords(sb, 'products')) {
      if (Object.hasOwn(p.variants, id)) return structuredClone(p.variants[id]);
    }
    return fail('not_found', `item ${id} not found`);
  },
  list_all_product_types(sb) {
    const pairs = [...iterateRecords(sb, 'products')].map((p) => [p.name, p.product_id] as const);
    pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    return Object.fromEntries(pairs);
  },
  calculate(_sb, a) {
    try {
      return calculate(s(a, 'expression'));
    } catch (e) {
      if (e instanceof CalculateError) return fail('invalid_arguments', e.message);
      throw e;
    }
  },

  cancel_pending_order(sb, a) {
    const order = orderOf(sb, s(a, 'order_id'));
    if (order.status !== 'pending') fail('precondition', `order ${order.order_id} is ${order.status}: only a pending order can be cancelled`);
    const reason = s(a, 'reason');
    if (!CANCEL_REASONS.has(reason)) fail('invalid_arguments', 'reason must be "no longer needed" or "ordered by mistake"');
    const payments = order.payment_history.filter((p) => p.transaction_type === 'payment');
    const own = writableOrder(sb, order.order_id);
    for (const p of payments) {
      own.payment_history.push({ transaction_type: 'refund', amount: p.amount, payment_method_id: p.payment_method_id });
      moveGiftCardBalance(sb, order.user_id, p.payment_method_id, p.amount);
    }
    own.status = 'cancelled';
    own.cancel_reason = reason;
    return structuredClone(own);
  },

  modify_pending_order_address(sb, a) {
    const order = orderOf(sb, s(a, 'order_id'));
    if (!order.status.includes('pending')) fail('precondition', `order ${order.order_id} is ${order.status}: only a pending order can be modified`);
    const own = writableOrder(sb, order.order_id);
    own.address = addressFrom(a);
    return structuredClone(own);
  },

  modify_pending_order_items(sb, a) {
    const order = orderOf(sb, s(a, 'order_id'));
    if (order.status !== 'pending') fail('precondition', `order ${order.order_id} is ${order.status}: only a pending order can be modified`);
    const { changes, diff } = planItemChanges(sb, order, list(a, 'item_ids'), list(a, 'new_item_ids'));
    const pm = paymentMethodOf(userOf(sb, order.user_id), s(a, 'payment_method_id'));
    checkGiftCardCovers(pm, diff, 'the price difference');
    const own = writableOrder(sb, order.order_id);
    for (const c of changes) own.items[c.line] = c.next;
    if (diff !== 0) {
      own.payment_history.push({ transaction_type: diff > 0 ? 'payment' : 'refund', amount: Math.abs(diff), payment_method_id: pm.id });
      moveGiftCardBalance(sb, order.user_id, pm.id, -diff);
    }
    own.status = 'pending (item modified)';
    return structuredClone(own);
  },

  modify_pending_order_payment(sb, a) {
    const order = orderOf(sb, s(a, 'order_id'));
    if (!order.status.includes('pending')) fail('precondition', `order ${order.order_id} is ${order.status}: only a pending order can be modified`);
    const history = order.payment_history;
    if (history.length !== 1 || history[0].transaction_type !== 'payment') {
      fail('precondition', `order ${order.order_id} must have exactly one payment to change its payment method`);
    }
    const { amount, payment_method_id: oldId } = history[0];
    const pm = paymentMethodOf(userOf(sb, order.user_id), s(a, 'payment_method_id'));
    if (pm.id === oldId) fail('precondition', 'the new payment method is the same as the current one');
    checkGiftCardCovers(pm, amount, 'the order total');
    const own = writableOrder(sb, order.order_id);
    own.payment_history.push(
      { transaction_type: 'payment', amount, payment_method_id: pm.id },
      { transaction_type: 'refund', amount, payment_method_id: oldId },
    );
    moveGiftCardBalance(sb, order.user_id, pm.id, -amount);
    moveGiftCardBalance(sb, order.user_id, oldId, amount);
    return structuredClone(own);
  },

  modify_user_address(sb, a) {
    const user = userOf(sb, s(a, 'user_id'));
    const own = writableUser(sb, user.user_id);
    own.address = addressFrom(a);
    return structuredClone(own);
  },

  return_delivered_order_items(sb, a) {
    const order = orderOf(sb, s(a, 'order_id'));
    if (order.status !== 'delivered') fail('precondition', `order ${order.order_id} is ${order.status}: only a delivered order can be returned`);
    const user = userOf(sb, order.user_id);
    const pmId = s(a, 'payment_method_id');
    const original = order.payment_history[0]?.payment_method_id;
    if (pmId !== original) {
      const pm = paymentMethodOf(user, pmId);
      if (!isGiftCard(pm)) fail('precondition', 'the refund must go to the original payment method or a gift card of the user');
    }
    const itemIds = list(a, 'item_ids');
    matchLines(order, itemIds);
    const own = writableOrder(sb, order.order_id);
    own.status = 'return requested';
    own.return_items = [...itemIds].sort();
    own.return_payment_method_id = pmId;
    return structuredClone(own);
  },

  exchange_delivered_order_items(sb, a) {
    const order = orderOf(sb, s(a, 'order_id'));
    if (order.status !== 'delivered') fail('precondition', `order ${order.order_id} is ${order.status}: only a delivered order can be exchanged`);
    const itemIds = list(a, 'item_ids');
    const newItemIds = list(a, 'new_item_ids');
    const { diff } = planItemChanges(sb, order, itemIds, newItemIds);
    const pm = paymentMethodOf(userOf(sb, order.user_id), s(a, 'payment_method_id'));
    checkGiftCardCovers(pm, diff, 'the price difference');
    const own = writableOrder(sb, order.order_id);
    own.status = 'exchange requested';
    own.exchange_items = [...itemIds].sort();
    own.exchange_new_items = [...newItemIds].sort();
    own.exchange_payment_method_id = pm.id;
    own.exchange_price_difference = diff;
    return structuredClone(own);
  },

  transfer_to_human_agents(sb) {
    sb.session.transferred = true;
    return 'Transfer successful';
  },
};

// ---------------------------------------------------------------------------------------
// Process rules (policy.md)

const USER_TOOLS = new Set<Tau2ToolName>(['get_user_details', 'get_order_details']);
const AUTH_TOOLS = new Set<Tau2ToolName>(['find_user_id_by_email', 'find_user_id_by_name_zip']);
/** Tools that can no longer run on an order once its items were modified (policy: "will not be able to modify or cancel"). */
const LOCKED_AFTER_ITEMS = new Set<Tau2ToolName>([
  'cancel_pending_order',
  'modify_pending_order_address',
  'modify_pending_order_items',
  'modify_pending_order_payment',
]);

function breakRule(sb: Tau2Sandbox, message: string): never {
  sb.session.violations.push(message);
  return fail('policy', message);
}

/** The rules checked before the tool runs. */
function checkProcessRules(sb: Tau2Sandbox, sp: Tau2ToolSpec, a: Record<string, unknown>): void {
  const session = sb.session;
  if (session.transferred) breakRule(sb, `${sp.name} after the conversation was transferred to a human agent`);
  const touchesUser = sp.kind === 'write' || USER_TOOLS.has(sp.name);
  if (touchesUser && session.requireAuth) {
    if (session.authenticatedUserId === null) {
      breakRule(sb, `${sp.name} before the user was authenticated (find_user_id_by_email or find_user_id_by_name_zip first)`);
    }
    const owner =
      typeof a.user_id === 'string' ? a.user_id : typeof a.order_id === 'string' ? readOrder(sb, a.order_id)?.user_id : undefined;
    if (owner !== undefined && owner !== session.authenticatedUserId) {
      const what = typeof a.user_id === 'string' ? `user ${a.user_id}` : `order ${String(a.order_id)}`;
      breakRule(sb, `${sp.name} on ${what}, which is not the authenticated user's (one user per conversation)`);
    }
  }
  if (typeof a.order_id === 'string') {
    const status = readOrder(sb, a.order_id)?.status;
    if (status === 'pending (item modified)' && LOCKED_AFTER_ITEMS.has(sp.name)) {
      breakRule(sb, `${sp.name} on order ${a.order_id}, whose items were already modified (no more changes or cancellation)`);
    }
    if (status === 'exchange requested' && sp.name === 'exchange_delivered_order_items') {
      breakRule(sb, `a second exchange on order ${a.order_id} (one exchange per order)`);
    }
  }
  // One yes per write: it is used up by the attempt, even if the tool then refuses.
  if (sp.kind === 'write' && session.requireConfirmation) {
    if (!session.confirmed) breakRule(sb, `${sp.name} without the user's explicit confirmation (yes)`);
    session.confirmed = false;
  }
}

/** The rules checked on a lookup's result: one user per conversation. */
function afterLookup(sb: Tau2Sandbox, userId: string): void {
  const current = sb.session.authenticatedUserId;
  if (current !== null && current !== userId) {
    breakRule(sb, `found user ${userId} while serving ${current} (one user per conversation)`);
  }
  sb.session.authenticatedUserId = userId;
}

/**
 * Runs one tool call on the sandbox. Never throws for a bad call: the error comes back as
 * `{ok:false,error,code}` and the database is unchanged.
 */
export function runTool(sandbox: Tau2Sandbox, name: string, args: unknown): Tau2ToolResult {
  const sp = SPEC_BY_NAME.get(name);
  const logged: Record<string, unknown> =
    typeof args === 'object' && args !== null && !Array.isArray(args) ? structuredClone(args as Record<string, unknown>) : {};
  let outcome: Tau2ToolResult;
  try {
    if (!sp) fail('invalid_arguments', `unknown tool "${name}"`);
    const spec = sp as Tau2ToolSpec;
    const a = validateArguments(spec, args);
    checkProcessRules(sandbox, spec, a);
    const result = HANDLERS[spec.name](sandbox, a);
    if (AUTH_TOOLS.has(spec.name)) afterLookup(sandbox, result as string);
    outcome = { ok: true, result };
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    outcome = { ok: false, error: e.message, code: e.code };
  }
  sandbox.session.log.push({ name, arguments: logged, kind: sp?.kind ?? null, outcome });
  return outcome;
}
