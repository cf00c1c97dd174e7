/**
 * Demo commerce data for one store: warehouses in Leipzig, New Jersey and Shenzhen,
 * region-specific SKUs (EU and US plugs, priced in EUR and USD), stock (some of it zero,
 * so refused exchanges can be shown), and orders that exercise every action:
 * a German damaged-item order paid by PayPal and delivered, a US change-of-mind order,
 * a US order not yet shipped, a French parcel stuck in transit, a Spanish wrong-item order.
 * Calling it again for the same store changes nothing.
 */
import type { Kysely } from 'kysely';
import type { DB, PostalAddress } from '../db/types.ts';
import { createProduct, createWarehouse, setStock } from './catalog.ts';
import { createOrder, type CreateOrderInput } from './orders.ts';

const DAY = 86_400_000;

type DemoOrder = Omit<CreateOrderInput, 'storeId' | 'number' | 'customer' | 'shippingAddress' | 'shipment'> & {
  customer: { email: string; name: string; country: string; language: string };
  address: Omit<PostalAddress, 'name' | 'country'>;
  shipment?: Omit<NonNullable<CreateOrderInput['shipment']>, 'shippedAt' | 'events'> & { events: NonNullable<NonNullable<CreateOrderInput['shipment']>['events']> };
};

export interface DemoCommerce {
  orders: Record<'deDamaged' | 'usChangeOfMind' | 'usUnfulfilled' | 'frInTransit' | 'esWrongItem', { id: string; number: string }>;
}

export async function seedDemoCommerce(db: Kysely<DB>, storeId: string, opts: { now?: Date; prefix?: string } = {}): Promise<DemoCommerce> {
  const now = opts.now ?? new Date();
  const prefix = opts.prefix ?? 'CD';
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY - hours * 3_600_000);
  const num = (n: number) => `${prefix}-${n}`;

  const existing = await db.selectFrom('orders').select(['id', 'number']).where('store_id', '=', storeId).where('number', 'in', [num(10481), num(10482), num(10483), num(10484), num(10485)]).execute();
  if (existing.length === 5) {
    const by = (n: number) => existing.find((o) => o.number === num(n))!;
    return { orders: { deDamaged: by(10482), usChangeOfMind: by(10481), usUnfulfilled: by(10483), frInTransit: by(10484), esWrongItem: by(10485) } };
  }

  const whExists = await db.selectFrom('warehouses').select(['id', 'code']).where('store_id', '=', storeId).execute();
  const wh = async (code: string, name: string, address: Parameters<typeof createWarehouse>[1]['address']) =>
    whExists.find((w) => w.code === code)?.id ?? (await createWarehouse(db, { storeId, code, name, address })).id;
  const leipzig = await wh('DE-LEJ', 'Leipzig fulfilment centre', { name: 'Returns Dept. DE-LEJ', line1: 'Am Exer 12', city: 'Leipzig', postalCode: '04158', country: 'DE', phone: '+49 341 000000' });
  const newJersey = await wh('US-EWR', 'Edison NJ fulfilment centre', { name: 'Returns Dept. US-EWR', line1: '300 Raritan Center Pkwy', city: 'Edison', region: 'NJ', postalCode: '08837', country: 'US', phone: '+1 732 000 0000' });
  const shenzhen = await wh('CN-SZX', 'Shenzhen main warehouse', { name: 'Shenzhen Main Warehouse', line1: '88 Pingshan Industrial Road', city: 'Shenzhen', region: 'Guangdong', postalCode: '518118', country: 'CN' });

  const hasCatalog = await db.selectFrom('variants').select('id').where('store_id', '=', storeId).where('sku', '=', 'LAMP-AUR-WHT-EU').executeTakeFirst();
  if (!hasCatalog) {
    const lamp = await createProduct(db, {
      storeId,
      title: 'Aurora LED Desk Lamp',
      description: 'Dimmable LED desk lamp, 3 colour temperatures, USB-C charging port.',
      variants: [
        { sku: 'LAMP-AUR-WHT-EU', options: { colour: 'White', plug: 'EU' }, price: '59.90', currency: 'EUR' },
        { sku: 'LAMP-AUR-BLK-EU', options: { colour: 'Black', plug: 'EU' }, price: '59.90', currency: 'EUR' },
        { sku: 'LAMP-AUR-OAK-EU', options: { colour: 'Oak', plug: 'EU' }, price: '69.90', currency: 'EUR' },
        { sku: 'LAMP-AUR-WHT-US', options: { colour: 'White', plug: 'US' }, price: '64.99', currency: 'USD' },
      ],
    });
    const buds = await createProduct(db, {
      storeId,
      title: 'Echo Buds Pro Wireless Earbuds',
      description: 'Active noise cancelling earbuds, 30 h battery with case.',
      variants: [
        { sku: 'BUDS-ECH-BLK-US', options: { colour: 'Black' }, price: '79.99', currency: 'USD' },
        { sku: 'BUDS-ECH-WHT-US', options: { colour: 'White' }, price: '79.99', currency: 'USD' },
        { sku: 'BUDS-ECH-BLU-US', options: { colour: 'Midnight Blue' }, price: '84.99', currency: 'USD' },
        { sku: 'BUDS-ECH-BLK-EU', options: { colour: 'Black' }, price: '74.90', currency: 'EUR' },
      ],
    });
    const mug = await createProduct(db, {
      storeId,
      title: 'Thermo Travel Mug 450 ml',
      variants: [
        { sku: 'MUG-THM-GRY-EU', options: { colour: 'Grey' }, price: '24.90', currency: 'EUR' },
        { sku: 'MUG-THM-RED-EU', options: { colour: 'Red' }, price: '24.90', currency: 'EUR' },
      ],
    });
    const id = (p: { variants: Array<{ id: string; sku: string }> }, sku: string) => p.variants.find((v) => v.sku === sku)!.id;
    // [variant, warehouse, on hand]: black EU lamps and white earbuds are sold out on purpose
    const stock: Array<[string, string, number]> = [
      [id(lamp, 'LAMP-AUR-WHT-EU'), leipzig, 25], [id(lamp, 'LAMP-AUR-BLK-EU'), leipzig, 0], [id(lamp, 'LAMP-AUR-OAK-EU'), leipzig, 6],
      [id(lamp, 'LAMP-AUR-WHT-EU'), shenzhen, 300], [id(lamp, 'LAMP-AUR-WHT-US'), newJersey, 18],
      [id(buds, 'BUDS-ECH-BLK-US'), newJersey, 40], [id(buds, 'BUDS-ECH-WHT-US'), newJersey, 0], [id(buds, 'BUDS-ECH-BLU-US'), newJersey, 7],
      [id(buds, 'BUDS-ECH-BLK-EU'), leipzig, 12], [id(mug, 'MUG-THM-GRY-EU'), leipzig, 50], [id(mug, 'MUG-THM-RED-EU'), leipzig, 2],
    ];
    for (const [v, w, n] of stock) await setStock(db, v, w, n);
  }

  /**
   * A demo order of the store, numbered with the prefix: shipped to the customer's own name and
   * country, and (when it has a parcel) shipped at the parcel's first tracking scan.
   */
  const order = (n: number, o: DemoOrder): CreateOrderInput => {
    const { address, shipment, ...rest } = o;
    return {
      storeId,
      number: num(n),
      ...rest,
      shippingAddress: { name: o.customer.name, country: o.customer.country, ...address },
      ...(shipment ? { shipment: { ...shipment, shippedAt: shipment.events[0].at } } : {}),
    };
  };

  const orders: Array<[keyof DemoCommerce['orders'], CreateOrderInput]> = [
    ['deDamaged', order(10482, {
      externalId: 'shopify-5801102482', currency: 'EUR', placedAt: ago(9),
      customer: { email: 'jonas.becker@example.de', name: 'Jonas Becker', country: 'DE', language: 'de' },
      address: { line1: 'Bergmannstraße 42', city: 'Berlin', postalCode: '10961', phone: '+49 30 0000000' },
      items: [{ sku: 'LAMP-AUR-WHT-EU', quantity: 1, warehouseCode: 'DE-LEJ' }, { sku: 'MUG-THM-GRY-EU', quantity: 2, warehouseCode: 'DE-LEJ' }],
      shipping: '4.90',
      payment: { method: 'paypal', providerRef: 'PAYID-M7X2K4Q' },
      shipment: {
        carrier: 'DHL Paket', trackingNumber: '00340434161094042557', status: 'delivered', deliveredAt: ago(3, 5),
        events: [
          { at: ago(7), status: 'in_transit', location: 'Leipzig, DE', description: 'Die Sendung wurde im Start-Paketzentrum bearbeitet. / Processed at origin parcel centre.' },
          { at: ago(5), status: 'in_transit', location: 'Berlin, DE', description: 'Processed at destination parcel centre.' },
          { at: ago(3, 9), status: 'out_for_delivery', location: 'Berlin, DE', description: 'The shipment has been loaded onto the delivery vehicle.' },
          { at: ago(3, 5), status: 'delivered', location: 'Berlin, DE', description: 'Delivered to the recipient.' },
        ],
      },
    })],
    ['usChangeOfMind', order(10481, {
      externalId: 'shopify-5801102481', currency: 'USD', placedAt: ago(16),
      customer: { email: 'emily.carter@example.com', name: 'Emily Carter', country: 'US', language: 'en' },
      address: { line1: '1450 Oak Street', line2: 'Apt 3B', city: 'Portland', region: 'OR', postalCode: '97214', phone: '+1 503 000 0000' },
      items: [{ sku: 'BUDS-ECH-BLK-US', quantity: 1, warehouseCode: 'US-EWR' }],
      shipping: '0',
      payment: { method: 'card', providerRef: 'ch_3Q1demo10481' },
      shipment: {
        carrier: 'USPS', trackingNumber: '9400111899223197428490', status: 'delivered', deliveredAt: ago(10),
        events: [
          { at: ago(14), status: 'in_transit', location: 'Edison, NJ', description: 'Accepted at USPS origin facility' },
          { at: ago(11), status: 'in_transit', location: 'Portland, OR', description: 'Arrived at USPS regional destination facility' },
          { at: ago(10), status: 'delivered', location: 'Portland, OR', description: 'Delivered, in/at mailbox' },
        ],
      },
    })],
    ['usUnfulfilled', order(10483, {
      externalId: 'shopify-5801102483', currency: 'USD', placedAt: ago(0, 6),
      customer: { email: 'marcus.lee@example.com', name: 'Marcus Lee', country: 'US', language: 'en' },
      address: { line1: '77 Mission Street', city: 'San Francisco', region: 'CA', postalCode: '94105' },
      items: [{ sku: 'LAMP-AUR-WHT-US', quantity: 1, warehouseCode: 'US-EWR' }, { sku: 'BUDS-ECH-BLU-US', quantity: 1, warehouseCode: 'US-EWR' }],
      shipping: '5.99',
      payment: { method: 'card', providerRef: 'ch_3Q1demo10483' },
    })],
    ['frInTransit', order(10484, {
      externalId: 'shopify-5801102484', currency: 'EUR', placedAt: ago(15),
      customer: { email: 'camille.martin@example.fr', name: 'Camille Martin', country: 'FR', language: 'fr' },
      address: { line1: '18 rue des Lilas', city: 'Lyon', postalCode: '69003' },
      items: [{ sku: 'BUDS-ECH-BLK-EU', quantity: 1, warehouseCode: 'DE-LEJ' }],
      shipping: '6.90',
      payment: { method: 'card', providerRef: 'ch_3Q1demo10484' },
      shipment: {
        carrier: 'La Poste Colissimo', trackingNumber: '6A23456789012', status: 'in_transit',
        events: [
          { at: ago(13), status: 'in_transit', location: 'Leipzig, DE', description: 'Parcel handed to the carrier' },
          { at: ago(11), status: 'in_transit', location: 'Roissy, FR', description: 'Votre colis est arrivé en France / Arrived in France' },
        ],
      },
    })],
    ['esWrongItem', order(10485, {
      externalId: 'shopify-5801102485', currency: 'EUR', placedAt: ago(8),
      customer: { email: 'lucia.garcia@example.es', name: 'Lucía García', country: 'ES', language: 'es' },
      address: { line1: 'Calle de Alcalá 120', city: 'Madrid', postalCode: '28009' },
      items: [{ sku: 'LAMP-AUR-OAK-EU', quantity: 1, warehouseCode: 'DE-LEJ' }],
      shipping: '5.90',
      payment: { method: 'klarna', providerRef: 'KLR-10485' },
      shipment: {
        carrier: 'Correos', trackingNumber: 'PQ4F6P0701234560128009Y', status: 'delivered', deliveredAt: ago(2),
        events: [
          { at: ago(6), status: 'in_transit', location: 'Leipzig, DE', description: 'Parcel handed to the carrier' },
          { at: ago(2), status: 'delivered', location: 'Madrid, ES', description: 'Entregado / Delivered' },
        ],
      },
    })],
  ];
  const out = {} as DemoCommerce['orders'];
  for (const [k, o] of orders) {
    const have = existing.find((e) => e.number === o.number);
    out[k] = have ?? (await createOrder(db, o));
  }
  return { orders: out };
}
