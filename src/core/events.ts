import { EventEmitter } from 'node:events';

/**
 * Domain events fanned out to websocket clients (and, later, outgoing webhooks).
 * `visibility` lets the websocket layer decide who may receive an event without a
 * database round-trip per client.
 */
export type DomainEventType =
  | 'ticket.created'
  | 'ticket.updated'
  | 'message.created'
  | 'sla.warning'
  | 'sla.breached'
  /** Someone is typing on a chat ticket: `who` 'agent' | 'visitor', `typing`, `name`. */
  | 'chat.typing'
  /** A market's rules were edited or reverted (`market`, `version`; `ticketId` is empty): nodes reload it. */
  | 'market.changed';

export interface DomainEvent {
  type: DomainEventType;
  ticketId: string;
  storeId?: string;
  /** Who may see it: the ticket's assignee and team at the time of the event. */
  assigneeId?: string | null;
  teamId?: string | null;
  messageId?: string;
  internal?: boolean;
  changes?: string[];
  at: string;
  [extra: string]: unknown;
}

export type EventHandler = (event: DomainEvent) => void;

export interface EventBus {
  readonly kind: 'memory' | 'postgres' | 'redis';
  publish(event: DomainEvent): Promise<void>;
  subscribe(handler: EventHandler): () => void;
  close(): Promise<void>;
}

/** Single node: events stay in this process. */
export class MemoryEventBus implements EventBus {
  readonly kind: EventBus['kind'] = 'memory';
  protected emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish(event: DomainEvent): Promise<void> {
    this.deliver(event);
    return Promise.resolve();
  }
  protected deliver(event: DomainEvent): void {
    this.emitter.emit('event', event);
  }
  subscribe(handler: EventHandler): () => void {
    const h = (e: DomainEvent) => {
      try {
        handler(e);
      } catch {
        // a broken subscriber must not stop the others
      }
    };
    this.emitter.on('event', h);
    return () => this.emitter.off('event', h);
  }
  close(): Promise<void> {
    this.emitter.removeAllListeners();
    return Promise.resolve();
  }
}

const isDomainEvent = (e: unknown): e is DomainEvent =>
  typeof e === 'object' && e !== null && typeof (e as DomainEvent).type === 'string' && typeof (e as DomainEvent).ticketId === 'string';

/**
 * The events of one bus message: a single event (as before) or an array of events sent
 * together (PostgresEventBus coalesces what it publishes within one tick), in their order.
 */
export function parseEvents(raw: string): DomainEvent[] {
  try {
    const x = JSON.parse(raw) as unknown;
    return (Array.isArray(x) ? x : [x]).filter(isDomainEvent);
  } catch {
    return [];
  }
}

