/**
 * The drill sandbox: a private, in-memory copy of a scenario's customer, order, shipment and
 * stock, and the tools a trainee uses on it. The tools refuse what commerce refuses
 * (src/commerce/actions.ts): a refund above what was paid, an exchange or reship without
 * stock, a cancellation of a shipped order, a return of an unshipped one, anything on a
 * cancelled order. A refused call changes nothing and is reported with its reason.
 *
 * The sandbox is a pure function of the scenario and the calls made, so a session can be
 * rebuilt on any node by replaying its stored tool calls.
 */
import { whoPaysReturn, RETURN_REASONS, type ReturnReason } from '../markets/index.ts';
import { READ_ACTIONS, SANDBOX_ACTIONS, paidAmount, resolveRelative, type OrderStatus, type SandboxAction, type Scenario, type ShipmentStatus } from './scenario.ts';

export interface ToolCall {
  name: string;
  arguments?: Record<string, unknown>;
}

export type ArgValue = string | number | boolean;

export interface ToolResult {
  name: string;
  ok: boolean;
  /** Normalised arguments, defaults filled (what the outcome check compares). */
  args: Record<string, ArgValue>;
  /** Data returned (lookups, created records). */
  result?: Record<string, unknown>;
  /** Why it was refused (ok: false). */
  error?: { code: string; message: string };
}

export interface SandboxItem {
  sku: string;
  name: string;
  qty: number;
  price: number;
  returned: number;
}

export interface SandboxState {
  customer: { name: string; email: string; phone?: string; country: string; since?: string; ordersCount?: number };
  order: {
    number: string;
    status: OrderStatus;
    placedAt: string;
    deliveredAt?: string;
    currency: string;
    total: number;
    paid: number;
    refunded: number;
    paymentMethod: string;
    items: SandboxItem[];
    shippingAddress?: Record<string, string>;
    /** Every charge (facts.payments), when the scenario lists them: a double charge shows twice. */
    payments?: { amount: number; method: string; last4?: string; at?: string; reference?: string }[];
    /** An open dispute on the payment (facts.dispute): refunds are refused while it is open. */
    dispute?: { kind: string; amount: number; status: 'open'; openedAt?: string; reference?: string; reason?: string };
  };
  shipments: { carrier: string; tracking: string; status: ShipmentStatus; service: string; shippedAt?: string; deliveredAt?: string; eta?: string; events: { at: string; text: string }[]; reship?: boolean }[];
  stock: Record<string, number>;
  catalog: { sku: string; name: string; price: number }[];
  returns: { rma: string; sku: string; qty: number; reason: string; label: boolean; paidBy: 'seller' | 'customer' }[];
  /** Refunds; `earlier: true` for those issued before the drill (facts.refunds). */
  refunds: { amount: number; method: string; reason: string; earlier?: boolean; at?: string; reference?: string }[];
  claims: { kind: string }[];
  transferred: boolean;
  /** Every tool call in order, refused ones too. */
  log: ToolResult[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export class Sandbox {
  readonly state: SandboxState;
  private readonly scenario: Scenario;
  private seq = 0;

  constructor(scenario: Scenario, start: Date) {
    this.scenario = scenario;
    const f = scenario.facts;
    const iso = (rel: string | undefined) => (rel ? resolveRelative(rel, start).toISOString() : undefined);
    this.state = {
      customer: {
        name: scenario.persona.name,
        email: f.customer.email,
        phone: f.customer.phone,
        country: f.customer.country,
        since: iso(f.customer.since),
        ordersCount: f.customer.orders_count,
      },
      order: {
        number: f.order.number,
        status: f.order.status,
        placedAt: iso(f.order.placed)!,
        deliveredAt: iso(f.order.delivered),
        currency: f.order.currency,
        total: f.order.total,
        paid: paidAmount(f),
        refunded: round2((f.refunds ?? []).reduce((sum, r) => sum + r.amount, 0)),
        paymentMethod: f.order.payment.method,
        items: f.order.items.map((i) => ({ sku: i.sku, name: i.name, qty: i.qty, price: i.price, returned: 0 })),
        shippingAddress: f.order.shipping_address ? Object.fromEntries(Object.entries(f.order.shipping_address).filter(([, v]) => v !== undefined)) as Record<string, string> : undefined,
        ...(f.payments ? { payments: f.payments.map((p) => ({ amount: p.amount, method: p.method, ...(p.last4 ? { last4: p.last4 } : {}), ...(p.at ? { at: iso(p.at) } : {}), ...(p.reference ? { reference: p.reference } : {}) })) } : {}),
        ...(f.dispute
          ? { dispute: { kind: f.dispute.kind, amount: f.dispute.amount, status: 'open' as const, ...(f.dispute.opened ? { openedAt: iso(f.dispute.opened) } : {}), ...(f.dispute.reference ? { reference: f.dispute.reference } : {}), ...(f.dispute.reason ? { reason: f.dispute.reason } : {}) } }
          : {}),
      },
      shipments: f.shipment
        ? [
            {
              carrier: f.shipment.carrier,
              tracking: f.shipment.tracking,
              status: f.shipment.status,
              service: f.shipment.service ?? 'standard',
              shippedAt: iso(f.shipment.shipped_at),
              deliveredAt: iso(f.shipment.delivered_at),
              eta: iso(f.shipment.eta),
              events: (f.shipment.events ?? []).map((e) => ({ at: iso(e.at)!, text: e.text })),
            },
          ]
        : [],
      stock: { ...f.stock },
      catalog: f.catalog ?? [],
      returns: [],
      refunds: (f.refunds ?? []).map((r) => ({ amount: r.amount, method: r.method, reason: r.reason ?? 'earlier', earlier: true, ...(r.at ? { at: iso(r.at) } : {}), ...(r.reference ? { reference: r.reference } : {}) })),
      claims: [],
      transferred: false,
      log: [],
    };
  }

  /** Runs one tool call; never throws for a refusal (the result says why). */
  call(call: ToolCall): ToolResult {
    const name = call.name;
    const args = call.arguments ?? {};
    let res: ToolResult;
    if (!(SANDBOX_ACTIONS as readonly string[]).includes(name)) {
      res = { name, ok: false, args: {}, error: { code: 'unknown_tool', message: `Unknown tool ${name}; tools: ${SANDBOX_ACTIONS.join(', ')}` } };
    } else {
      try {
        res = this.run(name as SandboxAction, args);
      } catch (e) {
        if (e instanceof Refusal) res = { name, ok: false, args: e.args, error: { code: e.code, message: e.message } };
        else throw e;
      }
    }
    this.state.log.push(res);
    return res;
  }

  /** Successful write actions (what the outcome check compares with the expected end state). */
  writes(): ToolResult[] {
    return this.state.log.filter((r) => r.ok && !READ_ACTIONS.has(r.name as SandboxAction));
  }

  private orderArg(args: Record<string, unknown>, out: Record<string, ArgValue>): void {
    const o = this.state.order;
    const given = args.order ?? args.order_number ?? args.orderNumber;
    const norm = (s: string) => s.replace(/^#/, '').trim().toLowerCase();
    if (given !== undefined && (typeof given !== 'string' || norm(given) !== norm(o.number))) {
      throw new Refusal('not_found', `Order ${String(given)} was not found`, out);
    }
    out.order = o.number;
  }

  private item(args: Record<string, unknown>, out: Record<string, ArgValue>, key = 'sku'): SandboxItem {
    const items = this.state.order.items;
    const sku = args[key];
    if (sku === undefined) {
      out[key] = items[0].sku;
      return items[0];
    }
    const it = items.find((i) => typeof sku === 'string' && i.sku.toLowerCase() === sku.toLowerCase());
    if (!it) throw new Refusal('validation_failed', `${String(sku)} is not an item of order ${this.state.order.number} (items: ${items.map((i) => i.sku).join(', ')})`, out);
    out[key] = it.sku;
    return it;
  }

  private qty(args: Record<string, unknown>, out: Record<string, ArgValue>, max: number): number {
    const q = args.qty ?? args.quantity ?? 1;
    if (typeof q !== 'number' || !Number.isInteger(q) || q < 1) throw new Refusal('validation_failed', 'qty must be a whole number ≥ 1', out);
    out.qty = q;
    if (q > max) throw new Refusal('validation_failed', `qty ${q} is more than the ${max} that can be used`, out);
    return q;
  }

  private refuseIfCancelled(what: string, out: Record<string, ArgValue>): void {
    if (this.state.order.status === 'cancelled') throw new Refusal('conflict', `Order ${this.state.order.number} is cancelled: ${what} is not possible`, out);
  }

  private shipped(): boolean {
    return this.state.order.status === 'shipped' || this.state.order.status === 'delivered';
  }

  private run(name: SandboxAction, args: Record<string, unknown>): ToolResult {
    const s = this.state;
    const o = s.order;
    const out: Record<string, ArgValue> = {};
    const str = (k: string): string | undefined => (typeof args[k] === 'string' ? (args[k] as string) : undefined);
    switch (name) {
      case 'lookup_customer': {
        const email = str('email');
        if (email && email.toLowerCase() !== s.customer.email.toLowerCase()) throw new Refusal('not_found', `No customer with e-mail ${email}`, out);
        return { name, ok: true, args: out, result: { ...s.customer, orders: [o.number] } };
      }
      case 'lookup_order': {
        this.orderArg(args, out);
        return { name, ok: true, args: out, result: { order: o, shipments: s.shipments, returns: s.returns, refunds: s.refunds } };
      }
      case 'create_return': {
        this.orderArg(args, out);
        this.refuseIfCancelled('a return', out);
        const it = this.item(args, out);
        if (!this.shipped()) throw new Refusal('conflict', `Order ${o.number} has not shipped yet: there is nothing to return — cancel the order instead`, out);
        const reason = str('reason') ?? 'change_of_mind';
        if (!(RETURN_REASONS as readonly string[]).includes(reason)) throw new Refusal('validation_failed', `reason must be one of ${RETURN_REASONS.join(', ')}`, out);
        out.reason = reason;
        const qty = this.qty(args, out, it.qty - it.returned);
        const label = args.label === undefined ? true : args.label === true;
        out.label = label;
        const payer = whoPaysReturn(this.scenario.market, reason as ReturnReason);
        const paidBy = str('paid_by') ?? (payer === 'buyer' ? 'customer' : 'seller');
        if (paidBy !== 'seller' && paidBy !== 'customer') throw new Refusal('validation_failed', 'paid_by must be seller or customer', out);
        out.paid_by = paidBy;
        it.returned += qty;
        const rma = `RMA-${o.number.replace(/\W/g, '')}-${++this.seq}`;
        s.returns.push({ rma, sku: it.sku, qty, reason, label, paidBy });
        return { name, ok: true, args: out, result: { rma, label: label ? `${rma}.pdf` : null, paidBy } };
      }
      case 'exchange': {
        this.orderArg(args, out);
        this.refuseIfCancelled('an exchange', out);
        const it = this.item(args, out);
        const to = str('new_sku') ?? str('newSku');
        if (!to) throw new Refusal('validation_failed', 'new_sku is required', out);
        out.new_sku = to;
        if (to === it.sku) throw new Refusal('validation_failed', 'The new SKU is the one already ordered: use a reship for the same item', out);
        if (!(to in s.stock)) throw new Refusal('not_found', `SKU ${to} is not in the catalogue`, out);
        const qty = this.qty(args, out, it.qty);
        if (s.stock[to] < qty) throw new Refusal('conflict', `No stock of ${to} for this exchange: ${qty} needed, ${s.stock[to]} available. Offer a refund or another variant.`, out);
        s.stock[to] -= qty;
        return { name, ok: true, args: out, result: { newSku: to, qty, stockLeft: s.stock[to] } };
      }
      case 'refund': {
        this.orderArg(args, out);
        const left = round2(o.paid - o.refunded);
        const amount = args.amount === undefined ? left : args.amount;
        if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new Refusal('validation_failed', 'amount must be a number', out);
        out.amount = round2(amount);
        const method = str('method') ?? 'original';
        if (method !== 'original' && method !== 'store_credit') throw new Refusal('validation_failed', 'method must be original or store_credit', out);
        out.method = method;
        const reason = str('reason') ?? 'goodwill';
        out.reason = reason;
        if (amount <= 0) throw new Refusal('validation_failed', 'amount must be more than zero', out);
        // Payment providers refuse a refund of a disputed charge: the money goes back through the dispute.
        if (o.dispute) throw new Refusal('conflict', `A ${o.dispute.kind.replace('_', ' ')} is open on this payment (${o.dispute.reference ?? `${o.dispute.amount} ${o.currency}`}): the money goes back through it — accept the dispute instead of refunding`, out);
        if (amount > left + 0.001) throw new Refusal('conflict', `Refund of ${round2(amount)} ${o.currency} is more than the ${left} ${o.currency} paid and not yet refunded`, out);
        o.refunded = round2(o.refunded + amount);
        s.refunds.push({ amount: round2(amount), method, reason });
        return { name, ok: true, args: out, result: { refunded: round2(amount), totalRefunded: o.refunded, currency: o.currency } };
      }
      case 'reship': {
        this.orderArg(args, out);
        this.refuseIfCancelled('a reship', out);
        const it = this.item(args, out);
        if (!this.shipped()) throw new Refusal('conflict', `Order ${o.number} has not shipped yet: there is nothing to reship`, out);
        const qty = this.qty(args, out, it.qty);
        const express = args.express === true;
        out.express = express;
        if ((s.stock[it.sku] ?? 0) < qty) throw new Refusal('conflict', `Not enough stock to reship ${it.sku} (${s.stock[it.sku] ?? 0} available): offer a refund instead`, out);
        s.stock[it.sku] -= qty;
        const tracking = `RS${o.number.replace(/\W/g, '')}${String(++this.seq).padStart(3, '0')}`;
        s.shipments.push({ carrier: s.shipments[0]?.carrier ?? 'carrier', tracking, status: 'label_created', service: express ? 'express' : 'standard', events: [], reship: true });
        return { name, ok: true, args: out, result: { tracking, express } };
      }
      case 'cancel': {
        this.orderArg(args, out);
        out.reason = str('reason') ?? 'customer_request';
        if (o.status === 'cancelled') throw new Refusal('conflict', `Order ${o.number} is already cancelled`, out);
        if (this.shipped()) throw new Refusal('conflict', `Order ${o.number} has already shipped: it cannot be cancelled — offer a return instead`, out);
        o.status = 'cancelled';
        const refund = round2(o.paid - o.refunded);
        if (refund > 0) {
          o.refunded = round2(o.refunded + refund);
          s.refunds.push({ amount: refund, method: 'original', reason: 'cancelled' });
        }
        for (const it of o.items) s.stock[it.sku] = (s.stock[it.sku] ?? 0) + it.qty;
        return { name, ok: true, args: out, result: { status: 'cancelled', refunded: refund } };
      }
      case 'change_address': {
        this.orderArg(args, out);
        this.refuseIfCancelled('an address change', out);
        if (this.shipped()) throw new Refusal('conflict', `Order ${o.number} has already shipped: the address can only be changed with the carrier`, out);
        const addr: Record<string, string> = {};
        for (const k of ['line1', 'line2', 'city', 'postcode', 'region', 'country']) {
          const v = str(k);
          if (v) {
            addr[k] = v;
            out[k] = v;
          }
        }
        if (!addr.line1 || !addr.city) throw new Refusal('validation_failed', 'line1 and city are required', out);
        o.shippingAddress = { ...o.shippingAddress, ...addr };
        return { name, ok: true, args: out, result: { shippingAddress: o.shippingAddress } };
      }
      case 'open_claim': {
        this.orderArg(args, out);
        const kind = str('kind') ?? 'lost';
        if (kind !== 'lost' && kind !== 'damaged') throw new Refusal('validation_failed', 'kind must be lost or damaged', out);
        out.kind = kind;
        if (!s.shipments.length) throw new Refusal('conflict', `Order ${o.number} has no shipment to claim for`, out);
        s.claims.push({ kind });
        return { name, ok: true, args: out, result: { claim: `CLM-${++this.seq}`, carrier: s.shipments[0].carrier } };
      }
      case 'transfer': {
        out.reason = str('reason') ?? '';
        s.transferred = true;
        return { name, ok: true, args: out, result: { transferred: true } };
      }
      default: {
        const never: never = name;
        throw new Error(`unhandled tool ${String(never)}`);
      }
    }
  }
}

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly args: Record<string, ArgValue>,
  ) {
    super(message);
  }
}

/** Tool descriptions for UIs and LLM agents. */
export const TOOL_DESCRIPTIONS: Record<SandboxAction, { en: string; zh: string; args: string[] }> = {
  lookup_customer: { en: 'Look up the customer', zh: '查询客户', args: ['email?'] },
  lookup_order: { en: 'Look up the order', zh: '查询订单', args: ['order'] },
  create_return: { en: 'Create a return (RMA) with a label', zh: '创建退货（RMA）并生成面单', args: ['order', 'sku?', 'qty?', 'reason', 'label?', 'paid_by?'] },
  exchange: { en: 'Exchange an item for another SKU', zh: '换货为其他 SKU', args: ['order', 'sku?', 'new_sku', 'qty?'] },
  refund: { en: 'Refund money (full when no amount)', zh: '退款（不填金额为全额）', args: ['order', 'amount?', 'method?', 'reason?'] },
  reship: { en: 'Ship the item again', zh: '补发商品', args: ['order', 'sku?', 'qty?', 'express?'] },
  cancel: { en: 'Cancel the order (refunds what was paid)', zh: '取消订单（退回已付款）', args: ['order', 'reason?'] },
  change_address: { en: 'Change the shipping address', zh: '修改收货地址', args: ['order', 'line1', 'city', 'postcode?', 'country?'] },
  open_claim: { en: 'Open a carrier claim', zh: '向承运商发起索赔', args: ['order', 'kind'] },
  transfer: { en: 'Transfer to a human colleague (ends the drill)', zh: '转接人工同事（结束演练）', args: ['reason?'] },
};
