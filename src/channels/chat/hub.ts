import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { DomainEvent, EventBus } from '../../core/events.ts';
import { customerVisibleMessages } from '../../helpdesk/tickets.ts';
import { widgetMessage } from './conversations.ts';

/** What the hub needs of a websocket (the `ws` socket, or a test double). */
export interface VisitorSocket {
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string): void;
}

/**
 * Visitors' websockets on this node, by ticket. Every node subscribes to the event bus
 * (memory, PostgreSQL NOTIFY or Redis), so an agent's reply made on any node reaches the
 * visitor on whichever node holds the socket. Events carry ids only: the message is read
 * from the database here, through the customer's view (public messages only), so an
 * internal note can never be pushed, even by a wrongly flagged event.
 */
export class ChatHub {
  private readonly byTicket = new Map<string, Map<VisitorSocket, string>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Kysely<DB>,
    bus: EventBus,
  ) {
    this.unsubscribe = bus.subscribe((e) => this.onEvent(e));
  }

  /** Registers the socket for these conversations (ticket id → conversation id). */
  attach(socket: VisitorSocket, conversations: ReadonlyArray<{ id: string; ticketId: string }>): void {
    for (const c of conversations) {
      let set = this.byTicket.get(c.ticketId);
      if (!set) this.byTicket.set(c.ticketId, (set = new Map()));
      set.set(socket, c.id);
    }
  }

  detach(socket: VisitorSocket): void {
    for (const [ticketId, set] of this.byTicket) {
      if (set.delete(socket) && set.size === 0) this.byTicket.delete(ticketId);
    }
  }

  get size(): number {
    return this.byTicket.size;
  }

  close(): void {
    this.unsubscribe();
    this.byTicket.clear();
  }

  private send(ticketId: string, build: (conversationId: string) => object): void {
    const set = this.byTicket.get(ticketId);
    if (!set) return;
    for (const [socket, conversationId] of set) {
      if (socket.readyState === socket.OPEN) {
        try {
          socket.send(JSON.stringify(build(conversationId)));
        } catch {
          // a closing socket; its close handler detaches it
        }
      }
    }
  }

  private onEvent(e: DomainEvent): void {
    if (!this.byTicket.has(e.ticketId)) return;
    switch (e.type) {
      case 'message.created': {
        if (e.internal === true || typeof e.messageId !== 'string') return;
        void this.pushMessage(e.ticketId, e.messageId).catch(() => undefined);
        return;
      }
      case 'chat.typing': {
        if (e.who !== 'agent') return;
        const name = typeof e.name === 'string' ? e.name : null;
        this.send(e.ticketId, (conversationId) => ({ type: 'typing', conversationId, typing: e.typing === true, name }));
        return;
      }
      case 'ticket.updated': {
        if (!Array.isArray(e.changes) || !e.changes.includes('status')) return;
        this.send(e.ticketId, (conversationId) => ({ type: 'status', conversationId }));
        return;
      }
      case 'ticket.created':
      case 'sla.warning':
      case 'sla.breached':
      case 'market.changed':
        return;
      default:
        return;
    }
  }

  private async pushMessage(ticketId: string, messageId: string): Promise<void> {
    const [m] = await customerVisibleMessages(this.db, ticketId, { messageId });
    const message = m ? widgetMessage(m) : null;
    if (!message) return;
    this.send(ticketId, (conversationId) => ({ type: 'message', conversationId, message }));
  }
}
