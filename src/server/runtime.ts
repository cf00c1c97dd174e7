import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from '../db/index.ts';
import { migrateToLatest } from '../db/migrator.ts';
import type { Config } from '../core/config.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { createEventBus } from '../core/event-bus-remote.ts';
import type { DomainEvent, EventBus } from '../core/events.ts';
import { JobRunner } from '../core/jobs.ts';
import { buildApp } from './app.ts';
import { triageForTickets } from '../helpdesk/triage-adapter.ts';
import { slaJobs, scheduleSlaScan } from '../helpdesk/sla-jobs.ts';
import { emailChannel, type EmailChannel } from '../channels/email/index.ts';
import { routingHooks, routingPrefetchSql, type RoutingHooks } from '../helpdesk/routing.ts';
import { prefetchParts, type AfterIntake, type IntakeFacts, type IntakeResult } from '../helpdesk/tickets.ts';
import { BotLedger, botAfterIntake, botJobs, botPrefetchSql, watchForBot } from '../helpdesk/bot.ts';
import { randomToken } from '../core/ids.ts';
import { surveyJobs, watchSolvedTickets } from '../helpdesk/surveys.ts';
import { emailSettings } from '../channels/email/settings.ts';
import { syncKnowledge } from '../knowledge/sync.ts';
import { createTranslator } from '../translation/index.ts';
import { openMarketService } from '../markets/overrides.ts';

export interface Runtime {
  app: FastifyInstance;
  database: Database;
  bus: EventBus;
  jobs: JobRunner;
  /** The e-mail channel: `email.smtp?.port`, `email.outbound.status` (one line for the console). */
  email: EmailChannel;
  url: string;
  close(): Promise<void>;
}

/** Opens the database (migrating it), the event bus and the job runner, then listens. */
export async function startRuntime(config: Config, opts: { clock?: Clock; logger?: boolean; onReady?: (db: Database) => Promise<void> } = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  // the key of customers' label links (CROSSDESK_SECRET_KEY, else kept in the data folder): before anything opens
  const linkSecret = (await import('../commerce/public-label.ts')).linkSigningSecret(config, (m) => process.stderr.write(`crossdesk: ${m}\n`));
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    // reply templates and articles from content/knowledge (idempotent; keeps trainers' edits)
    await syncKnowledge(database.db);
    if (opts.onReady) await opts.onReady(database);
  } catch (e) {
    await database.close();
    throw e;
  }
  // this node's events carry its id, so other nodes leave their follow-ups (bot jobs) to it
  const node = randomToken(8);
  const bus = stampedBus(await createEventBus({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl }), node);
  const email = emailChannel({ db: database.db, bus, clock, triage: triageForTickets });
  const routing = routingHooks({ db: database.db, bus, clock, triage: triageForTickets, dbKind: database.kind });
  // the bot first (a ticket it answers alone is solved and needs no agent), then routing
  const ledger = new BotLedger();
  const botDeps = { db: database.db, bus, clock, ledger };
  const bot = botAfterIntake(botDeps);
  const afterIntake = intakeHooks(bot, routing);
  const surveys = surveyJobs({
    db: database.db,
    clock,
    mailer: email.outbound.enabled ? email.outbound : null,
    publicUrl: config.publicUrl,
    fromFallback: emailSettings().fromFallback,
  });
  const jobs = new JobRunner({ db: database.db, clock, handlers: { ...slaJobs({ db: database.db, bus, clock }), ...email.handlers, ...routing.jobs, ...surveys, ...botJobs(botDeps) } });
  // the market rules in force (files + trainers' edits): requests, jobs and mail intake run with them
  const markets = await openMarketService({ db: database.db, bus });
  const app = await buildApp({
    markets,
    db: database.db,
    dbKind: database.kind,
    bus,
    clock,
    triage: triageForTickets,
    afterIntake,
    translator: createTranslator(config),
    secureCookies: config.secureCookies,
    publicUrl: config.publicUrl,
    linkSecret,
    logger: opts.logger === false ? false : { level: config.logLevel },
  });
  const url = await app.listen({ port: config.port, host: config.host });
  markets.run(() => jobs.start());
  try {
    // IMAP pollers: on unless IMAP_POLL=0 (tests start their own)
    await markets.run(() => email.start({ smtpPort: config.smtpPort, host: config.host, poke: () => jobs.poke(), logger: app.log, imap: !['0', 'false', 'off'].includes((process.env.IMAP_POLL ?? '').toLowerCase()) }));
  } catch (e) {
    await jobs.stop();
    await app.close();
    await bus.close();
    await database.close();
    throw e;
  }
  const unwatchRouting = routing.watch();
  const unwatchSurveys = watchSolvedTickets(database.db, bus, () => jobs.poke());
  const unwatchBot = watchForBot(database.db, clock, bus, () => jobs.poke(), { ledger, node });
  const everyMinute = () => {
    void scheduleSlaScan(database.db, clock).catch(() => undefined);
    void routing.schedule(database.db, clock).catch(() => undefined);
  };
  const slaTimer = markets.run(() => setInterval(everyMinute, 60_000));
  slaTimer.unref();
  everyMinute();
  return {
    app,
    database,
    bus,
    jobs,
    email,
    url,
    async close() {
      clearInterval(slaTimer);
      unwatchRouting();
      unwatchSurveys();
      unwatchBot();
      await email.close();
      await jobs.stop();
      await app.close();
      markets.close();
      await bus.close();
      await database.close();
    },
  };
}

/**
 * What runs after a ticket's intake: the bot first (a ticket it answers alone is solved and
 * needs no agent), then routing.
 * - A creation passes what it wrote (the bot then reads nothing back, nor triages again);
 *   when neither the bot nor routing changed the ticket's fields, the creation answers
 *   without reading the ticket again.
 * - The reads that follow a new ticket ride in the creation's statement (prefetch): the
 *   bot's order lookup (order-status tickets) and routing's rule and agents (used when the
 *   bot left the ticket as the creation wrote it).
 * - Routing's decision on that prefetch, when the ticket simply waits (nobody fits), rides
 *   in the bot's hand-off statement as the `routed` event; otherwise (someone fits, the bot
 *   answered or is off) routing runs after the bot.
 */
export function intakeHooks(bot: ReturnType<typeof botAfterIntake>, routing: Pick<RoutingHooks, 'afterIntake' | 'planIntake'>): AfterIntake {
  const afterIntake: AfterIntake = async (ticketId: string, reason: 'created' | 'reopened', intake?: IntakeFacts): Promise<IntakeResult | undefined> => {
    const plan = intake ? routing.planIntake(intake, reason) : null;
    const b = await bot(ticketId, reason, intake, plan ? { type: 'routed', after: plan.routed } : undefined);
    const r = plan && b?.recorded ? plan.result : await routing.afterIntake(ticketId, reason, b && !b.ticketChanged ? intake : undefined);
    return b && !b.ticketChanged && !r.ticketChanged ? { ticketChanged: false, updatedAt: b.updatedAt } : undefined;
  };
  afterIntake.prefetch = (x) => prefetchParts({ routing: routingPrefetchSql(x.storeId), bot: botPrefetchSql(x) });
  return afterIntake;
}

/**
 * The event bus as this node's modules use it: every event it publishes carries the node's
 * id (`node`, a random token), which `watchForBot` compares with its own.
 */
export function stampedBus(bus: EventBus, node: string): EventBus {
  return {
    get kind() {
      return bus.kind;
    },
    publish: (event: DomainEvent) => bus.publish({ ...event, node }),
    subscribe: (handler) => bus.subscribe(handler),
    close: () => bus.close(),
  };
}
