import type { FastifyInstance } from 'fastify';
import type { EventBus } from '../core/events.ts';
import { canSeeTicket } from '../helpdesk/visibility.ts';
import { actorOf } from './auth.ts';

/**
 * `GET /api/v1/events` (websocket): pushes ticket events to every signed-in client
 * allowed to see the ticket. Token as `?token=` or the session cookie.
 */
export function eventsRoute(bus: EventBus) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/events', {
      websocket: true,
      config: { tokenInQuery: true },
      schema: { tags: ['events'], summary: 'Live updates (websocket): ticket.created, ticket.updated, message.created' },
    }, (socket, req) => {
      const actor = actorOf(req);
      const unsubscribe = bus.subscribe((event) => {
        if (event.internal && actor.role === undefined) return;
        if (!canSeeTicket(actor, { assignee_id: event.assigneeId ?? null, team_id: event.teamId ?? null })) return;
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
      });
      const ping = setInterval(() => {
        if (socket.readyState === socket.OPEN) socket.ping();
      }, 25_000);
      ping.unref();
      socket.on('message', (raw: Buffer) => {
        // clients may send {"type":"ping"}; anything else is ignored
        if (raw.length < 100 && raw.toString() === '{"type":"ping"}') socket.send('{"type":"pong"}');
      });
      socket.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
      socket.send(JSON.stringify({ type: 'hello', userId: actor.id }));
    });
  };
}
