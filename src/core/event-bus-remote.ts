import pg from 'pg';
import { Redis } from 'ioredis';
import { MemoryEventBus, parseEvent, type DomainEvent, type EventBus } from './events.ts';

const CHANNEL = 'crossdesk_events';

/**
 * Several app nodes on one PostgreSQL: publish with NOTIFY, every node LISTENs on a
 * dedicated connection and delivers to its own websocket clients. NOTIFY payloads are
 * capped at 8000 bytes, so events stay small (ids and field names, not bodies).
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
      const e = parseEvent(msg.payload);
      if (e) this.deliver(e);
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
  override async publish(event: DomainEvent): Promise<void> {
    await this.publisher.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify(event)]);
  }
  override async close(): Promise<void> {
    this.closed = true;
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
      const e = parseEvent(payload);
      if (e) bus.deliver(e);
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
