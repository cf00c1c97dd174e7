import { describe, expect, it } from 'vitest';
import { calculate, round2 } from './calculate.ts';
import { confirmWrite, createSandbox, dbHash, deepFreeze, diffSandboxes, snapshotDb, type Tau2Sandbox } from './sandbox.ts';
import { runTool, TAU2_TOOL_SPECS } from './tools.ts';
import { replayTask } from './replay.ts';
import { fixtureDb, fixtureTask } from './test-fixture.ts';
import type { Tau2Db, Tau2Order, Tau2User } from './types.ts';

const base = (): Tau2Db => deepFreeze(fixtureDb());

/** A sandbox authenticated as Ann, where every write counts as confirmed. */
function annSandbox(db = base()): Tau2Sandbox {
  return createSandbox(db, { requireConfirmation: false, authenticatedUserId: 'ann_1' });
}

function ok(sb: Tau2Sandbox, name: string, args: Record<string, unknown> = {}): unknown {
  const r = runTool(sb, name, args);
  if (!r.ok) throw new Error(`${name} failed: ${r.error}`);
  return r.result;
}

function err(sb: Tau2Sandbox, name: string, args: Record<string, unknown> = {}) {
  const r = runTool(sb, name, args);
  if (r.ok) throw new Error(`${name} should have failed`);
  return r;
}

const order = (sb: Tau2Sandbox, id: string) => ok(sb, 'get_order_details', { order_id: id }) as Tau2Order;
const user = (sb: Tau2Sandbox, id: string) => ok(sb, 'get_user_details', { user_id: id }) as Tau2User;

describe('tool specs', () => {
  it('lists the 16 tools of TOOLS.md with JSON-schema parameters', () => {
    expect(TAU2_TOOL_SPECS).toHaveLength(16);
    const exchange = TAU2_TOOL_SPECS.find((s) => s.name === 'exchange_delivered_order_items');
    expect(exchange?.kind).toBe('write');
    expect(exchange?.parameters.required).toEqual(['order_id', 'item_ids', 'new_item_ids', 'payment_method_id']);
    expect(TAU2_TOOL_SPECS.filter((s) => s.kind === 'write')).toHaveLength(7);
  });
});

describe('read tools', () => {
  it('finds users by email (case-insensitive) and by name + zip (zip exact)', () => {
    const sb = createSandbox(base());
    expect(ok(sb, 'find_user_id_by_email', { email: 'ann.lee@EXAMPLE.com' })).toBe('ann_1');
    expect(ok(sb, 'find_user_id_by_name_zip', { first_name: 'ann', last_name: 'LEE', zip: '62701' })).toBe('ann_1');
    expect(err(sb, 'find_user_id_by_name_zip', { first_name: 'Ann', last_name: 'Lee', zip: '62702' }).code).toBe('not_found');
    expect(err(sb, 'find_user_id_by_email', { email: 'nobody@example.com' }).error).toMatch(/user not found/);
  });

  it('returns records, variants, the sorted product list; errors for unknown ids', () => {
    const sb = annSandbox();
    expect(order(sb, '#W1').items).toHaveLength(2);
    expect(user(sb, 'ann_1').email).toBe('Ann.Lee@example.com');
    expect((ok(sb, 'get_item_details', { item_id: 'm-blue' }) as { price: number }).price).toBe(12.2);
    expect(ok(sb, 'list_all_product_types')).toEqual({ Bag: 'p0', Mug: 'p1' });
    expect(Object.keys(ok(sb, 'list_all_product_types') as object)).toEqual(['Bag', 'Mug']);
    expect(err(sb, 'get_product_details', { product_id: 'm-red' }).code).toBe('not_found');
    expect(err(sb, 'get_order_details', { order_id: '#W404' }).error).toMatch(/not found/);
    expect(err(sb, 'get_item_details', { item_id: 'x' }).code).toBe('not_found');
  });

  it('checks arguments: unknown tool, missing, mistyped or unexpected argument', () => {
    const sb = annSandbox();
    expect(err(sb, 'refund_everything').error).toMatch(/unknown tool/);
    expect(err(sb, 'get_order_details').error).toMatch(/missing argument "order_id"/);
    expect(err(sb, 'get_order_details', { order_id: 7 }).error).toMatch(/must be a string/);
    expect(err(sb, 'get_order_details', { order_id: '#W1', extra: 1 }).error).toMatch(/unexpected argument/);
    expect(err(sb, 'return_delivered_order_items', { order_id: '#W2', item_ids: 'm-red', payment_method_id: 'gift_1' }).code).toBe(
      'invalid_arguments',
    );
  });

  it('a caller cannot change the sandbox through a returned record', () => {
    const sb = annSandbox();
    order(sb, '#W1').status = 'cancelled';
    expect(order(sb, '#W1').status).toBe('pending');
  });
});

describe('calculate', () => {
  it('does arithmetic with precedence and parentheses, rounded to 2 decimals', () => {
    expect(calculate('3131.1 + 4777.75 + 367.38')).toBe(8276.23);
    expect(calculate('2 * (3.5 + 1) / 3')).toBe(3);
    expect(calculate('155.33 - 147.05 + 268.77 - 235.13')).toBe(41.92);
    expect(calculate('-1.005 + 0')).toBe(-1.01);
    expect(calculate('10 / 3')).toBe(3.33);
    expect(round2(0.1 + 0.2)).toBe(0.3);
  });
  it('refuses anything else', () => {
    for (const bad of ['2 ** 3', 'process.exit()', '1 +', '(1', '1 / 0', '1..2', '']) expect(() => calculate(bad)).toThrow();
    const sb = annSandbox();
    expect(err(sb, 'calculate', { expression: 'Math.max(1)' }).code).toBe('invalid_arguments');
  });
});

describe('write tools', () => {
  it('cancel refunds every payment (gift card at once) and sets the reason; only pending, only the two reasons', () => {
    const sb = annSandbox();
    expect(err(sb, 'cancel_pending_order', { order_id: '#W1', reason: 'too expensive' }).code).toBe('invalid_arguments');
    const o = ok(sb, 'cancel_pending_order', { order_id: '#W1', reason: 'ordered by mistake' }) as Tau2Order;
    expect(o.status).toBe('cancelled');
    expect(o.cancel_reason).toBe('ordered by mistake');
    expect(o.payment_history.at(-1)).toEqual({ transaction_type: 'refund', amount: 20.2, payment_method_id: 'card_1' });
    expect(err(sb, 'cancel_pending_order', { order_id: '#W3', reason: 'no longer needed' }).error).toMatch(/is processed/);
  });

  it('modify items: duplicates counted, price difference charged, status changes, then no more changes', () => {
    const sb = annSandbox();
    const args = { order_id: '#W1', item_ids: ['m-red', 'm-red'], new_item_ids: ['m-blue', 'm-blue'], payment_method_id: 'card_1' };
    const tooMany = { ...args, item_ids: ['m-red', 'm-red', 'm-red'], new_item_ids: ['m-blue', 'm-blue', 'm-blue'] };
    expect(err(sb, 'modify_pending_order_items', tooMany).error).toMatch(/not found in order/);
    expect(err(sb, 'modify_pending_order_items', { ...args, new_item_ids: ['m-blue', 'm-green'] }).error).toMatch(/not available/);
    expect(err(sb, 'modify_pending_order_items', { ...args, new_item_ids: ['m-blue', 'b-1'] }).error).toMatch(/not a variant/);
    expect(err(sb, 'modify_pending_order_items', { ...args, new_item_ids: ['m-blue', 'm-red'] }).error).toMatch(/same as/);
    expect(err(sb, 'modify_pending_order_items', { ...args, payment_method_id: 'card_2' }).code).toBe('not_found');
    // 2 x (12.2 - 10.1) = 4.2 <= gift card balance 5
    const o = ok(sb, 'modify_pending_order_items', { ...args, payment_method_id: 'gift_1' }) as Tau2Order;
    expect(o.status).toBe('pending (item modified)');
    expect(o.items.map((i) => [i.item_id, i.price, i.options.color])).toEqual([
      ['m-blue', 12.2, 'blue'],
      ['m-blue', 12.2, 'blue'],
    ]);
    expect(o.payment_history.at(-1)).toEqual({ transaction_type: 'payment', amount: 4.2, payment_method_id: 'gift_1' });
    expect(user(sb, 'ann_1').payment_methods.gift_1.balance).toBe(0.8);
    // policy: once per order, and no modification or cancellation afterwards
    const again = err(sb, 'modify_pending_order_address', { order_id: '#W1', address1: 'x', address2: '', city: 'c', state: 's', country: 'USA', zip: '1' });
    expect(again.code).toBe('policy');
    expect(err(sb, 'cancel_pending_order', { order_id: '#W1', reason: 'no longer needed' }).code).toBe('policy');
    expect(sb.session.violations).toHaveLength(2);
  });

  it('a gift card must cover a positive difference', () => {
    const db = fixtureDb();
    db.users.ann_1.payment_methods.gift_1.balance = 4.19;
    const sb = annSandbox(deepFreeze(db));
    const r = err(sb, 'modify_pending_order_items', {
      order_id: '#W1',
      item_ids: ['m-red', 'm-red'],
      new_item_ids: ['m-blue', 'm-blue'],
      payment_method_id: 'gift_1',
    });
    expect(r.error).toMatch(/does not cover/);
    expect(sb.changed.orders.size + sb.changed.users.size).toBe(0);
  });

  it('modify payment appends payment + refund and moves gift card balances; needs a different, sufficient method', () => {
    const sb = annSandbox();
    expect(err(sb, 'modify_pending_order_payment', { order_id: '#W1', payment_method_id: 'card_1' }).error).toMatch(/same/);
    expect(err(sb, 'modify_pending_order_payment', { order_id: '#W1', payment_method_id: 'gift_1' }).error).toMatch(/does not cover/);
    const o = ok(sb, 'modify_pending_order_payment', { order_id: '#W1', payment_method_id: 'paypal_1' }) as Tau2Order;
    expect(o.payment_history.slice(1)).toEqual([
      { transaction_type: 'payment', amount: 20.2, payment_method_id: 'paypal_1' },
      { transaction_type: 'refund', amount: 20.2, payment_method_id: 'card_1' },
    ]);
    expect(o.status).toBe('pending');
    expect(err(sb, 'modify_pending_order_payment', { order_id: '#W1', payment_method_id: 'card_1' }).error).toMatch(/exactly one payment/);
  });

  it('return: delivered only, refund to the original method or a gift card, sorted items', () => {
    const sb = annSandbox();
    const args = { order_id: '#W2', item_ids: ['m-red', 'm-blue'], payment_method_id: 'card_1' };
    expect(err(sb, 'return_delivered_order_items', args).error).toMatch(/original payment method or a gift card/);
    expect(err(sb, 'return_delivered_order_items', { ...args, order_id: '#W1' }).error).toMatch(/only a delivered order/);
    const o = ok(sb, 'return_delivered_order_items', { ...args, payment_method_id: 'gift_1' }) as Tau2Order;
    expect(o.status).toBe('return requested');
    expect(o.return_items).toEqual(['m-blue', 'm-red']);
    expect(o.return_payment_method_id).toBe('gift_1');
    expect(o.payment_history).toHaveLength(1);
  });

  it('exchange: sorted lists, rounded price difference, no payment entry, one per order', () => {
    const sb = annSandbox();
    const args = { order_id: '#W2', item_ids: ['m-red'], new_item_ids: ['m-blue'], payment_method_id: 'card_1' };
    const o = ok(sb, 'exchange_delivered_order_items', args) as Tau2Order;
    expect(o).toMatchObject({
      status: 'exchange requested',
      exchange_items: ['m-red'],
      exchange_new_items: ['m-blue'],
      exchange_payment_method_id: 'card_1',
      exchange_price_difference: 2.1,
    });
    expect(o.payment_history).toHaveLength(1);
    expect(err(sb, 'exchange_delivered_order_items', { ...args, item_ids: ['m-blue'], new_item_ids: ['m-red'] }).code).toBe('policy');
  });

  it('modify user address replaces the default address', () => {
    const sb = annSandbox();
    const addr = { address1: '9 Oak Rd', address2: '', city: 'Austin', state: 'TX', country: 'USA', zip: '73301' };
    ok(sb, 'modify_user_address', { user_id: 'ann_1', ...addr });
    expect(user(sb, 'ann_1').address).toEqual(addr);
  });
});

describe('process rules (policy.md)', () => {
  it('user data and writes need authentication first', () => {
    const sb = createSandbox(base(), { requireConfirmation: false });
    expect(err(sb, 'get_order_details', { order_id: '#W1' }).error).toMatch(/before the user was authenticated/);
    expect(runTool(sb, 'get_product_details', { product_id: 'p1' }).ok).toBe(true); // the catalogue is public
    ok(sb, 'find_user_id_by_email', { email: 'ann.lee@example.com' });
    expect(order(sb, '#W1').order_id).toBe('#W1');
    expect(sb.session.violations).toHaveLength(1);
  });

  it('one user per conversation', () => {
    const sb = annSandbox();
    expect(err(sb, 'get_order_details', { order_id: '#W9' }).error).toMatch(/one user per conversation/);
    expect(err(sb, 'cancel_pending_order', { order_id: '#W9', reason: 'no longer needed' }).code).toBe('policy');
    expect(err(sb, 'find_user_id_by_email', { email: 'bob@example.com' }).code).toBe('policy');
    expect(sb.session.authenticatedUserId).toBe('ann_1');
  });

  it('every write needs its own explicit yes', () => {
    const sb = createSandbox(base(), { authenticatedUserId: 'ann_1' });
    const addr = { user_id: 'ann_1', address1: 'a', address2: '', city: 'c', state: 's', country: 'USA', zip: '1' };
    expect(err(sb, 'modify_user_address', addr).error).toMatch(/explicit confirmation/);
    confirmWrite(sb);
    ok(sb, 'modify_user_address', addr);
    expect(err(sb, 'modify_user_address', addr).code).toBe('policy');
  });

  it('nothing after a transfer to a human agent', () => {
    const sb = annSandbox();
    expect(ok(sb, 'transfer_to_human_agents', { summary: 'wants a refund to a new card' })).toBe('Transfer successful');
    expect(err(sb, 'get_order_details', { order_id: '#W1' }).error).toMatch(/transferred/);
  });
});

describe('sandbox', () => {
  it('is a private copy: the base and other sandboxes never change', () => {
    const db = base();
    const a = annSandbox(db);
    const b = annSandbox(db);
    const before = dbHash(a);
    ok(a, 'cancel_pending_order', { order_id: '#W1', reason: 'no longer needed' });
    expect(db.orders['#W1'].status).toBe('pending');
    expect(order(b, '#W1').status).toBe('pending');
    expect(dbHash(b)).toBe(before);
    expect(dbHash(a)).not.toBe(before);
    expect(snapshotDb(a).orders['#W1'].status).toBe('cancelled');
    expect(snapshotDb(b)).toEqual(fixtureDb());
  });

  it('copies a mutable database once, so later changes by the caller do not leak in', () => {
    const db = fixtureDb();
    const sb = createSandbox(db, { authenticatedUserId: 'ann_1' });
    db.orders['#W1'].status = 'delivered';
    expect(order(sb, '#W1').status).toBe('pending');
  });

  it('hashes the same data equally, whatever the order of writes', () => {
    const db = base();
    const x = annSandbox(db);
    const y = annSandbox(db);
    const addr = { address1: 'a', address2: '', city: 'c', state: 's', country: 'USA', zip: '1' };
    ok(x, 'modify_pending_order_address', { order_id: '#W1', ...addr });
    ok(x, 'modify_user_address', { user_id: 'ann_1', ...addr });
    ok(y, 'modify_user_address', { user_id: 'ann_1', ...addr });
    ok(y, 'modify_pending_order_address', { order_id: '#W1', ...addr });
    expect(dbHash(x)).toBe(dbHash(y));
    expect(diffSandboxes(x, y)).toEqual([]);
  });
});

describe('replayTask on the fixture', () => {
  const gold = [
    { name: 'find_user_id_by_email', arguments: { email: 'ann.lee@example.com' } },
    { name: 'exchange_delivered_order_items', arguments: { order_id: '#W2', item_ids: ['m-red'], new_item_ids: ['m-blue'], payment_method_id: 'card_1' } },
  ];
  const task = fixtureTask(gold);
  const db = base();

  it('passes the gold actions and lists what replay cannot check', () => {
    const r = replayTask(task, gold, { db });
    expect(r).toMatchObject({ passed: true, dbMatches: true, violations: [] });
    expect(r.unchecked).toEqual(['tell the user: 20.2']);
  });

  it('fails another payment method with the differing field', () => {
    const wrong = structuredClone(gold);
    wrong[1].arguments.payment_method_id = 'gift_1';
    const r = replayTask(task, wrong, { db });
    expect(r.passed).toBe(false);
    expect(r.reason).toBe('order #W2 differs: exchange_payment_method_id expected "card_1" got "gift_1"');
  });

  it('fails a write made before authentication, even if redone after', () => {
    const r = replayTask(task, [gold[1], ...gold], { db });
    expect(r.dbMatches).toBe(true);
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(/process rule broken: exchange_delivered_order_items before the user was authenticated/);
  });

  it('needs a database', () => {
    expect(() => replayTask(task, gold)).toThrow(/no database/);
  });
});
