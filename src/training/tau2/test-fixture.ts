/**
 * A tiny made-up retail database in the tau2 shape, for unit tests of the tools that must
 * run without the shared dataset.
 */
import type { Tau2Db, Tau2Order, Tau2Task } from './types.ts';

const address = { address1: '1 Elm St', address2: 'Apt 2', city: 'Springfield', country: 'USA', state: 'IL', zip: '62701' };

function order(id: string, userId: string, status: string, items: [string, number][], pm: string, amount: number): Tau2Order {
  return {
    order_id: id,
    user_id: userId,
    address: { ...address },
    items: items.map(([itemId, price]) => ({
      name: 'Mug',
      product_id: 'p1',
      item_id: itemId,
      price,
      options: { color: itemId === 'm-red' ? 'red' : itemId === 'm-blue' ? 'blue' : 'green' },
    })),
    status,
    fulfillments: [],
    payment_history: [{ transaction_type: 'payment', amount, payment_method_id: pm }],
  };
}

export function fixtureDb(): Tau2Db {
  return {
    products: {
      p1: {
        name: 'Mug',
        product_id: 'p1',
        variants: {
          'm-red': { item_id: 'm-red', options: { color: 'red' }, available: true, price: 10.1 },
          'm-blue': { item_id: 'm-blue', options: { color: 'blue' }, available: true, price: 12.2 },
          'm-green': { item_id: 'm-green', options: { color: 'green' }, available: false, price: 9 },
        },
      },
      p0: { name: 'Bag', product_id: 'p0', variants: { 'b-1': { item_id: 'b-1', options: {}, available: true, price: 30 } } },
    },
    users: {
      ann_1: {
        user_id: 'ann_1',
        name: { first_name: 'Ann', last_name: 'Lee' },
        address: { ...address },
        email: 'Ann.Lee@example.com',
        payment_methods: {
          card_1: { source: 'credit_card', id: 'card_1', brand: 'visa', last_four: '1111' },
          gift_1: { source: 'gift_card', id: 'gift_1', balance: 5 },
          paypal_1: { source: 'paypal', id: 'paypal_1' },
        },
        orders: ['#W1', '#W2', '#W3'],
      },
      bob_2: {
        user_id: 'bob_2',
        name: { first_name: 'Bob', last_name: 'Ray' },
        address: { ...address, zip: '10001' },
        email: 'bob@example.com',
        payment_methods: { card_2: { source: 'credit_card', id: 'card_2', brand: 'visa', last_four: '2222' } },
        orders: ['#W9'],
      },
    },
    orders: {
      '#W1': order('#W1', 'ann_1', 'pending', [['m-red', 10.1], ['m-red', 10.1]], 'card_1', 20.2),
      '#W2': order('#W2', 'ann_1', 'delivered', [['m-red', 10.1], ['m-blue', 12.2]], 'gift_1', 22.3),
      '#W3': order('#W3', 'ann_1', 'processed', [['m-blue', 12.2]], 'card_1', 12.2),
      '#W9': order('#W9', 'bob_2', 'pending', [['m-red', 10.1]], 'card_2', 10.1),
    },
  };
}

/** A task over the fixture whose gold actions are given. */
export function fixtureTask(goldActions: Tau2Task['goldActions'], id = 't1'): Tau2Task {
  return {
    id,
    split: null,
    category: 'other',
    reasonForCall: '',
    knownInfo: '',
    unknownInfo: '',
    taskInstructions: '',
    persona: null,
    userId: 'ann_1',
    goldActions,
    goldAuthenticates: goldActions.some((a) => a.name.startsWith('find_user_id')),
    communicateInfo: ['20.2'],
    nlAssertions: [],
  };
}
