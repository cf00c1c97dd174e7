/**
 * A model trainee for a tau2 task, written from its gold actions: greets, asks who the customer
 * is, runs the lookups, states each write exactly and waits for the customer's yes before doing
 * it, tells the facts the task expects, closes. Used by tests (a trainee who solves the task
 * must pass) and as a worked example (`drill run --tau2 ID --script` accepts its JSON).
 */
import type { DrillScript } from '../run.ts';
import type { TurnInput } from '../drill.ts';
import { tau2ToolSpec } from './tools.ts';
import type { Tau2Action, Tau2Db, Tau2Task } from './types.ts';

const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);

/** The agent's words proposing one write (order, items, new items, payment method, address, reason). */
export function proposalFor(db: Readonly<Tau2Db>, a: Tau2Action): string {
  const x = a.arguments;
  const orderId = typeof x.order_id === 'string' ? x.order_id : '';
  const order = orderId ? db.orders[orderId] : undefined;
  const ids = list(x.item_ids);
  const names = order ? [...new Set(order.items.filter((it) => ids.includes(it.item_id)).map((it) => it.name))].join(' and ') : '';
  const pm = typeof x.payment_method_id === 'string' ? x.payment_method_id : '';
  const address = [x.address1, x.address2, x.city, x.state, x.zip, x.country].filter((v) => typeof v === 'string' && v).join(', ');
  switch (a.name) {
    case 'exchange_delivered_order_items':
      return `I can exchange the ${names} (item ${ids.join(', ')}) in order ${orderId} for the new item ${list(x.new_item_ids).join(', ')}, with any price difference settled through ${pm}. Do you confirm? Please answer yes to proceed.`;
    case 'modify_pending_order_items':
      return `I can modify the ${names} (item ${ids.join(', ')}) in your pending order ${orderId} to the new item ${list(x.new_item_ids).join(', ')}, with the price difference settled through ${pm}. Do you confirm? Please answer yes to proceed.`;
    case 'return_delivered_order_items':
      return `I can return the ${names} (item ${ids.join(', ')}) from order ${orderId}, with the refund going to ${pm}. Do you confirm? Please answer yes to proceed.`;
    case 'cancel_pending_order':
      return `I can cancel order ${orderId} with the reason "${String(x.reason)}". Do you confirm? Please answer yes to proceed.`;
    case 'modify_pending_order_address':
      return `I can change the shipping address of order ${orderId} to ${address}. Do you confirm? Please answer yes to proceed.`;
    case 'modify_user_address':
      return `I can update your default address to ${address}. Do you confirm? Please answer yes to proceed.`;
    case 'modify_pending_order_payment':
      return `I can change the payment method of order ${orderId} to ${pm}. Do you confirm? Please answer yes to proceed.`;
    default:
      return `I will run ${a.name}. Do you confirm?`;
  }
}

const isLookup = (a: Tau2Action) => a.name === 'find_user_id_by_email' || a.name === 'find_user_id_by_name_zip';

/** A user lookup for actions that have none (the dataset lists only the writes of some tasks): by the user's e-mail. */
function lookupOf(db: Readonly<Tau2Db>, task: Tau2Task, actions: readonly Tau2Action[]): Tau2Action | null {
  if (actions.some(isLookup)) return null;
  const user = task.userId ? db.users[task.userId] : undefined;
  return user ? { name: 'find_user_id_by_email', arguments: { email: user.email } } : null;
}

/** The model trainee's script for a task (`actions` instead of the gold ones to play another trainee). */
export function goldScript(db: Readonly<Tau2Db>, task: Tau2Task, actions: readonly Tau2Action[] = task.goldActions): DrillScript {
  const turns: TurnInput[] = [];
  turns.push({ text: 'Hello, thank you for contacting us, I am happy to help. Could you please give me your email address, or your first name, last name and zip code?' });
  const lookup = lookupOf(db, task, actions);
  if (lookup) turns.push({ tools: [{ name: lookup.name, arguments: lookup.arguments }] });
  const rest = [...actions];
  const lastWrite = rest.reduce((n, a, i) => (tau2ToolSpec(a.name)?.kind === 'write' ? i : n), -1);
  const facts = task.communicateInfo.length ? `For your information: ${task.communicateInfo.join('; ')}.` : '';
  let factsTold = false;
  rest.forEach((a, i) => {
    const kind = tau2ToolSpec(a.name)?.kind;
    if (kind === 'write') {
      if (i === lastWrite && facts) {
        turns.push({ text: facts });
        factsTold = true;
      }
      turns.push({ text: proposalFor(db, a) });
      turns.push({ tools: [{ name: a.name, arguments: a.arguments }] });
    } else if (kind === 'transfer') {
      if (facts && !factsTold) {
        turns.push({ text: facts });
        factsTold = true;
      }
      turns.push({ text: 'I am transferring you to a human agent who can help with this.', tools: [{ name: a.name, arguments: a.arguments }] });
    } else turns.push({ tools: [{ name: a.name, arguments: a.arguments }] });
  });
  if (facts && !factsTold) turns.push({ text: facts });
  turns.push({ text: 'Is there anything else I can help you with? Thank you for contacting us, have a great day!' });
  return { turns, seed: 1 };
}
