import pg from 'pg';
import { Redis } from 'ioredis';
import { MemoryEventBus, parseEvents, type DomainEvent, type EventBus } from './events.ts';

const CHANNEL = 'crossdesk_events';

/** NOTIFY payloads must stay below 8000 bytes; a batch is cut well before that. */
const MAX_PAYLOAD = 7000;

/**
 * How long the first event of a batch waits for others. Under load a ticket's creation, the
 * bot's note and routing publish within a few milliseconds, and other requests' events too:
 * at ~800 tickets/s a tick-long wait sent ~1.5 events per NOTIFY (each a transaction and a
 * wake-up of every listening node), a few milliseconds gather several times more. The hot
 * paths (creation, the bot's hand-off) do not wait for their publish.
 */
const COALESCE_MS = 3;

/**
 * Several app nodes on one PostgreSQL: publish with NOTIFY, every node LISTENs on a
 * dedicated connection and delivers to its own websocket clients. NOTIFY payloads are
 * capped at 8000 bytes, so events stay small (ids and field names, not bodies).
 *
 * Publishing coalesces: the events published while the previous NOTIFY is on its way (or
 * within COALESCE_MS of the first) go out together as one JSON array in one `pg_notify`, in the
 * order they were published (one NOTIFY per ticket event was three transactions per
 * ticket, each taking PostgreSQL's cluster-wide notify lock at commit). A publish
 * resolves once its event is sent. Listeners accept both a single event and an array.
 */
export class PostgresEventBus extends MemoryEventBus {
  override readonly kind = 'postgres' as const;
  private listener: pg.Client | null = null;
  private publisher: pg.Pool;
  private closed = false;
  private readonly databaseUrl: string;
  private readonly channel: string;
  private constructor(databaseUrl: string, channel: string) {
    super();
    this.databaseUrl = databaseUrl;
    this.channel = channel;
    this.publisher = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    this.publisher.on('error', () => undefined);
  }
  static async connect(databaseUrl: string, channel = CHANNEL): Promise<PostgresEventBus> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid event channel name "${channel}"`);
    const bus = new PostgresEventBus(databaseUrl, channel);
    try {
      await bus.listen();
    } catch (e) {
      await bus.close();
      throw e;
    }
    return bus;
  }
  /** LISTENs on a dedicated connection; when that connection is lost, listens again. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', () => undefined);
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel || !msg.payload) return;
      for (const e of parseEvents(msg.payload)) this.deliver(e);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    client.once('end', () => {
      if (!this.closed) this.relisten(250);
    });
  }
  private relisten(delayMs: number): void {
    const timer = setTimeout(() => {
      if (this.closed) return;
      this.listen().catch(() => this.relisten(Math.min(delayMs * 2, 10_000)));
    }, delayMs);
    timer.unref();
  }
  /** Events waiting for the next NOTIFY (serialised), with their publishers' callbacks. */
  private pending: Array<{ json: string; bytes: number; done: () => void; fail: (e: unknown) => void }> = [];
  /** A NOTIFY is being sent: events published meanwhile wait for the next one. */
  private sending = false;

  override publish(event: DomainEvent): Promise<void> {
    return new Promise<void>((done, fail) => {
      const json = JSON.stringify(event);
      this.pending.push({ json, bytes: Buffer.byteLength(json), done, fail });
      // the first event of a batch waits COALESCE_MS, so that the events a request
      // publishes one after another (and other requests' events) go together
      if (!this.sending && this.pending.length === 1) setTimeout(() => void this.flush(), COALESCE_MS);
    });
  }

  /** Sends what is pending, one NOTIFY per batch (cut below the payload limit), in order. */
  private async flush(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.pending.length) {
        const batch: typeof this.pending = [];
        let size = 2;
        while (this.pending.length && (batch.length === 0 || size + this.pending[0].bytes + 1 <= MAX_PAYLOAD)) {
          const next = this.pending.shift() as (typeof this.pending)[number];
          size += next.bytes + 1;
          batch.push(next);
        }
        // one event alone keeps the single-event shape (read by nodes of any version)
        const payload = batch.length === 1 ? batch[0].json : `[${batch.map((b) => b.json).join(',')}]`;
        try {
          await this.publisher.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
          for (const b of batch) b.done();
        } catch (e) {
          for (const b of batch) b.fail(e);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  override async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await super.close();
    await this.listener?.end().catch(() => undefined);
    await this.publisher.end().catch(() => undefined);
  }
}

/** Fan-out through Redis pub/sub when `REDIS_URL` is set. */
export class RedisEventBus extends MemoryEventBus {
  override readonly kind = 'redis' as const;
  private sub: Redis;
  private pub: Redis;
  private channel: string;
  private constructor(sub: Redis, pub: Redis, channel: string) {
    super();
    this.sub = sub;
    this.pub = pub;
    this.channel = channel;
  }
  static async connect(redisUrl: string, channel = CHANNEL): Promise<RedisEventBus> {
    const opts = { lazyConnect: true, maxRetriesPerRequest: 2 };
    const sub = new Redis(redisUrl, opts);
    const pub = new Redis(redisUrl, opts);
    await Promise.all([sub.connect(), pub.connect()]);
    const bus = new RedisEventBus(sub, pub, channel);
    sub.on('message', (ch: string, payload: string) => {
      if (ch !== channel) return;
      for (const e of parseEvents(payload)) bus.deliver(e);
    });
    await sub.subscribe(channel);
    return bus;
  }
  override async publish(event: DomainEvent): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(event));
  }
  override async close(): Promise<void> {
    await super.close();
    this.sub.disconnect();
    this.pub.disconnect();
  }
}

export async function createEventBus(opts: { databaseUrl?: string; redisUrl?: string; channel?: string }): Promise<EventBus> {
  if (opts.redisUrl) return RedisEventBus.connect(opts.redisUrl, opts.channel);
  if (opts.databaseUrl) return PostgresEventBus.connect(opts.databaseUrl, opts.channel);
  return new MemoryEventBus();
}
