import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Kysely } from 'kysely';
import type { AgentLanguage, CertificationLevel, DB, TicketStatus } from '../db/types.ts';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus } from '../core/events.ts';
import { contentDir } from '../core/paths.ts';
import { createTeam, upsertUser } from '../people/users.ts';
import { createStore, getDefaultStore } from '../helpdesk/stores.ts';
import { seedDemoCommerce } from '../commerce/seed.ts';
import { addAgentMessage, addCustomerMessage, createTicket, updateTicket, type TriageFn } from '../helpdesk/tickets.ts';
import type { Actor } from '../helpdesk/visibility.ts';
import { seedDemoSurveys } from './demo-surveys.ts';
import { mulberry32 } from '../core/random.ts';

export const DEMO_PASSWORD = 'crossdesk-demo';
export const DEMO_ADMIN = 'admin@crossdesk.demo';

interface DemoContent {
  customers: Record<string, Array<{ name: string; country: string }>>;
  messages: Record<string, Array<{ subject: string; body: string }>>;
  replies: Record<string, string>;
  agents: Array<{ name: string; email: string; timezone: string; languages: AgentLanguage[]; skills: string[]; level: CertificationLevel }>;
}

export async function isSeeded(db: Kysely<DB>): Promise<boolean> {
  const u = await db.selectFrom('users').select('id').where('email', '=', DEMO_ADMIN).executeTakeFirst();
  return Boolean(u);
}

/**
 * Seeds the demo once: a second store, a team, an admin, a manager, a trainer, seven
 * agents in four time zones, and `tickets` tickets in twelve languages, spread over
 * the last 60 days through every status, with replies, notes and realistic timings.
 */
export async function seedDemo(db: Kysely<DB>, opts: { tickets?: number; now?: Date; triage?: TriageFn; passwordHashCache?: boolean } = {}): Promise<{ tickets: number; agents: number }> {
  const content = YAML.parse(fs.readFileSync(path.join(contentDir, 'demo', 'demo.yaml'), 'utf8')) as DemoContent;
  const now = opts.now ?? new Date();
  const rand = mulberry32(20261124); // the demo is the same on every machine
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];

  const eu = await createStore(db, { name: 'Nordlicht Home EU', platform: 'shopify', market: 'DE', timezone: 'Europe/Berlin', supportEmail: 'support@nordlicht.example' });
  await db.updateTable('stores').set({ name: 'Shenzhen Gadgets (demo)' }).where('is_default', '=', true).execute();
  const team = await createTeam(db, 'After-sales 售后');

  await upsertUser(db, { email: DEMO_ADMIN, name: 'Demo Admin 管理员', password: DEMO_PASSWORD, role: 'admin', timezone: 'Asia/Shanghai' });
  await upsertUser(db, { email: 'manager@crossdesk.demo', name: '刘洋 Liu Yang', password: DEMO_PASSWORD, role: 'manager', timezone: 'Asia/Shanghai', teamId: team.id });
  await upsertUser(db, { email: 'trainer@crossdesk.demo', name: '陈静 Chen Jing', password: DEMO_PASSWORD, role: 'trainer', timezone: 'Asia/Shanghai', teamId: team.id });
  // Every agent shares the demo password; hash once and copy (scrypt is slow on purpose).
  const agents = [];
  for (const a of content.agents) {
    const { user } = await upsertUser(db, {
      email: a.email,
      name: a.name,
      password: agents.length === 0 ? DEMO_PASSWORD : undefined,
      role: 'agent',
      timezone: a.timezone,
      languages: a.languages,
      skills: a.skills,
      certificationLevel: a.level,
      teamId: team.id,
      uiLanguage: a.languages[0].code === 'zh' ? 'zh-CN' : 'en',
    });
    agents.push(user);
  }
  await db.updateTable('users').set({ password_hash: agents[0].password_hash }).where('email', 'like', 'agent%@crossdesk.demo').execute();

  const bus = new MemoryEventBus();
  const clock = new ManualClock(now);
  const deps = { db, bus, clock, triage: opts.triage };
  const languages = Object.keys(content.messages);
  const statuses: TicketStatus[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
  const total = opts.tickets ?? 320;
  const DAY = 86_400_000;
  let orderNo = 1000;
  // follow-ups never land in the future: the latest activity is a minute before now
  const cap = (ms: number) => new Date(Math.min(ms, now.getTime() - 60_000));
  const system: Actor = { type: 'system', id: null };

  for (let i = 0; i < total; i++) {
    const lang = languages[i % languages.length];
    const msg = pick(content.messages[lang]);
    const cust = pick(content.customers[lang]);
    const order = `#${++orderNo}`;
    // older tickets are more likely finished
    const ageDays = Math.pow(rand(), 1.6) * 60;
    const createdAt = new Date(now.getTime() - ageDays * DAY - rand() * 3_600_000);
    const status: TicketStatus =
      ageDays > 14 ? (rand() < 0.7 ? 'closed' : 'solved') : ageDays > 3 ? pick(['open', 'pending', 'on_hold', 'solved', 'solved']) : pick(statuses.slice(0, 4));
    const email = `${cust.name.normalize('NFKD').replace(/[^\w]/g, '').toLowerCase() || 'customer'}.${i}@mail.example`;
    const fill = (s: string) => s.replace('{order}', order);
    clock.set(createdAt);
    const t = await createTicket(
      deps,
      {
        subject: fill(msg.subject),
        body: fill(msg.body),
        customer: { email, name: cust.name, country: cust.country },
        storeId: cust.country === 'DE' || cust.country === 'NL' || cust.country === 'PL' ? eu.id : undefined,
        channel: pick(['email', 'email', 'chat', 'shopify', 'amazon']),
        createdAt,
      },
      system,
    );
    const speaks = agents.filter((a) => a.languages.some((l) => l.code === lang));
    const agent = speaks.length ? pick(speaks) : pick(agents);
    const actor: Actor = { type: 'user', id: agent.id, role: 'agent', teamId: team.id, name: agent.name };
    if (status === 'new') continue;
    // assigned a little after arrival, answered within minutes to a day
    clock.set(cap(createdAt.getTime() + rand() * 40 * 60_000));
    await updateTicket(deps, t.id, { assigneeId: agent.id }, actor);
    clock.set(cap(createdAt.getTime() + (0.2 + rand() * (rand() < 0.2 ? 30 : 6)) * 3_600_000));
    const firstName = cust.name.split(' ')[0];
    await addAgentMessage(deps, t.id, { body: content.replies[lang].replace('{name}', firstName) }, actor);
    if (rand() < 0.3) await addAgentMessage(deps, t.id, { body: pick(['Checked with warehouse: stock OK.', '已联系物流商，等待回复。', 'Customer is VIP, be generous.', '需要客户提供照片。']), internal: true }, actor);
    if (status === 'open') continue;
    if (status === 'pending' || status === 'on_hold') {
      await updateTicket(deps, t.id, { status }, actor);
      continue;
    }
    if (rand() < 0.5) {
      clock.set(cap(clock.now().getTime() + rand() * 20 * 3_600_000));
      await addCustomerMessage(deps, t.id, { body: pick(['Thanks!', 'Danke!', 'Merci !', 'ありがとうございます。', '谢谢！', 'OK, waiting.']) });
      clock.set(cap(clock.now().getTime() + rand() * 4 * 3_600_000));
      await addAgentMessage(deps, t.id, { body: content.replies[lang].replace('{name}', firstName) }, actor);
    }
    clock.set(cap(clock.now().getTime() + rand() * 48 * 3_600_000));
    // history from before the playbooks: solving it records the open steps as skipped, with this reason
    await updateTicket(deps, t.id, { status: 'solved', tags: rand() < 0.3 ? ['vip'] : [], playbookOverrideReason: 'Demo history imported before the playbook applied' }, actor);
    if (status === 'closed') {
      clock.set(cap(clock.now().getTime() + 4 * DAY));
      await updateTicket(deps, t.id, { status: 'closed' }, system);
    }
  }
  // Orders with products, payments and shipments, and two tickets about them: a German
  // customer whose lamp arrived broken (CD-10482: lamp and mugs), and a US customer who
  // changed their mind about the earbuds (CD-10481). The text names what the order holds.
  const shop = await getDefaultStore(db);
  const commerce = await seedDemoCommerce(db, shop.id, { now });
  const linked: Array<[keyof typeof commerce.orders, string, string]> = [
    ['deDamaged', 'Lampe beschädigt angekommen', 'Guten Tag, meine Lampe aus der Bestellung {order} kam heute mit zerbrochenem Glasschirm an. Ich möchte einen Ersatz oder mein Geld zurück.'],
    ['usChangeOfMind', 'Return request', 'Hi, I changed my mind about the Echo Buds Pro earbuds from order {order}. They are unused and still sealed in the box. How do I send them back?'],
  ];
  for (const [key, subject, body] of linked) {
    const order = await db
      .selectFrom('orders')
      .innerJoin('customers', 'customers.id', 'orders.customer_id')
      .select(['orders.id', 'orders.number', 'customers.email', 'customers.name', 'customers.country'])
      .where('orders.id', '=', commerce.orders[key].id)
      .executeTakeFirst();
    if (!order) continue;
    clock.set(new Date(now.getTime() - 2 * 3_600_000));
    const t = await createTicket(
      deps,
      { subject, body: body.replace('{order}', order.number), customer: { email: order.email, name: order.name ?? undefined, country: order.country ?? undefined }, storeId: shop.id, channel: 'email' },
      system,
    );
    await db.updateTable('tickets').set({ order_id: order.id }).where('id', '=', t.id).execute();
  }

  // Weekly shifts (Mon–Fri 09:00–18:00 in each agent's zone) for routing; two agents are
  // switched on by hand so the demo routes new tickets at any hour.
  await db
    .insertInto('agent_shifts')
    .values(agents.flatMap((a) => [0, 1, 2, 3, 4].map((weekday) => ({ user_id: a.id, weekday, start: '09:00', end: '18:00' }))))
    .execute();
  await db
    .insertInto('agent_presence')
    .values([agents[0], agents[agents.length - 1]].map((a) => ({ user_id: a.id, state: 'on' as const, updated_at: now })))
    .execute();
  // answered CSAT/NPS surveys of solved tickets, for the analytics dashboard
  await seedDemoSurveys(db, { now, rand });
  return { tickets: total + linked.length, agents: agents.length };
}
