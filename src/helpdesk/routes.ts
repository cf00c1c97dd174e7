import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { actorOf } from '../server/auth.ts';
import { errorResponses, IdParams } from '../server/schemas.ts';
import { validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { Priority, TicketStatus } from '../db/types.ts';
import {
  BulkBody,
  CreateStoreBody,
  CreateTicketBody,
  ListQuery,
  MessageBody,
  MessageSchema,
  PatchStoreBody,
  PatchTicketBody,
  PrioritySchema,
  SlaPolicyBody,
  StoreSchema,
  TicketDetailSchema,
  TicketSchema,
} from './schemas.ts';
import { createStore, getStore, listStores, publicStore, setSlaPolicy, slaPolicies, updateStore, type StoreInput } from './stores.ts';
import { forgetPolicies } from './sla.ts';
import { isStatus } from './status.ts';
import { addAgentMessage, bulkUpdate, createTicket, getTicket, listTickets, ticketCounts, updateTicket, forgetStores, PRIORITIES, type TicketDeps, type TicketPatch } from './tickets.ts';

const csv = (s?: string) => (s ? s.split(',').filter(Boolean) : undefined);

/** Tickets, messages and stores under /api/v1. Handlers are thin: parse, call, shape. */
export function helpdeskRoutes(deps: TicketDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const staff = ['admin', 'manager', 'trainer', 'agent'] as const;

    app.post('/tickets', {
      schema: { tags: ['tickets'], summary: 'Open a ticket for a customer message', body: CreateTicketBody, response: { 201: TicketSchema, ...errorResponses } },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req, reply) => {
      const b = req.body as Static<typeof CreateTicketBody>;
      const t = await createTicket(deps, b, actorOf(req));
      return reply.code(201).send(t);
    });

    app.get('/tickets', {
      schema: {
        tags: ['tickets'],
        summary: 'List tickets (cursor pagination, filters, search)',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(TicketSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof ListQuery>;
      const statuses = csv(q.status) as TicketStatus[] | undefined;
      const priorities = csv(q.priority) as Priority[] | undefined;
      for (const s of statuses ?? []) if (!isStatus(s)) throw validationError(`unknown status "${s}"`, { field: 'status' });
      for (const p of priorities ?? []) if (!PRIORITIES.includes(p)) throw validationError(`unknown priority "${p}"`, { field: 'priority' });
      if (q.storeId && !isUuid(q.storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
      return listTickets(deps, {
        limit: q.limit ? Number(q.limit) : undefined,
        cursor: q.cursor,
        status: statuses,
        priority: priorities,
        category: csv(q.category),
        language: csv(q.language),
        assignee: q.assignee,
        storeId: q.storeId,
        tag: q.tag,
        q: q.q,
        breached: q.breached === 'true',
        sort: q.sort,
      }, actorOf(req));
    });

    app.get('/tickets/counts', {
      schema: { tags: ['tickets'], summary: 'Ticket counts for the inbox views', response: { 200: Type.Record(Type.String(), Type.Integer()), ...errorResponses } },
      config: { roles: staff },
    }, async (req) => ticketCounts(deps, actorOf(req)));

    app.get('/tickets/:id', {
      schema: { tags: ['tickets'], summary: 'A ticket with its messages and event trail', params: IdParams, response: { 200: TicketDetailSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => getTicket(deps, (req.params as Static<typeof IdParams>).id, actorOf(req)));

    app.patch('/tickets/:id', {
      schema: { tags: ['tickets'], summary: 'Change status, assignee, priority, category or tags', params: IdParams, body: PatchTicketBody, response: { 200: TicketSchema, ...errorResponses } },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req) => updateTicket(deps, (req.params as Static<typeof IdParams>).id, req.body as TicketPatch, actorOf(req)));

    app.post('/tickets/:id/messages', {
      schema: { tags: ['tickets'], summary: 'Reply to the customer, or add an internal note', params: IdParams, body: MessageBody, response: { 201: MessageSchema, ...errorResponses } },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req, reply) => {
      const b = req.body as Static<typeof MessageBody>;
      const m = await addAgentMessage(deps, (req.params as Static<typeof IdParams>).id, b, actorOf(req));
      return reply.code(201).send(m);
    });

    app.post('/tickets/bulk', {
      schema: {
        tags: ['tickets'],
        summary: 'Apply one change to many tickets',
        body: BulkBody,
        response: { 200: Type.Object({ updated: Type.Integer(), failed: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), message: Type.String() })) }), ...errorResponses },
      },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req) => bulkUpdate(deps, req.body as Static<typeof BulkBody>, actorOf(req)));

    // ---- stores ----
    app.get('/stores', {
      schema: { tags: ['stores'], summary: 'List stores', response: { 200: Type.Object({ items: Type.Array(StoreSchema) }), ...errorResponses } },
      config: { roles: staff },
    }, async () => ({ items: (await listStores(deps.db)).map(publicStore) }));

    app.post('/stores', {
      schema: { tags: ['stores'], summary: 'Create a store (brand / shop)', body: CreateStoreBody, response: { 201: StoreSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req, reply) => reply.code(201).send(publicStore(await createStore(deps.db, req.body as StoreInput))));

    app.get('/stores/:id', {
      schema: { tags: ['stores'], params: IdParams, response: { 200: StoreSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      if (!isUuid(id)) throw validationError('id must be a store id');
      return publicStore(await getStore(deps.db, id));
    });

    app.patch('/stores/:id', {
      schema: { tags: ['stores'], params: IdParams, body: PatchStoreBody, response: { 200: StoreSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      if (!isUuid(id)) throw validationError('id must be a store id');
      const store = await updateStore(deps.db, id, req.body as Partial<StoreInput>);
      forgetStores(deps.db);
      return publicStore(store);
    });

    app.get('/stores/:id/sla', {
      schema: { tags: ['stores'], summary: 'SLA targets per priority, in business minutes', params: IdParams, response: { 200: Type.Record(Type.String(), SlaPolicyBody), ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      if (!isUuid(id)) throw validationError('id must be a store id');
      await getStore(deps.db, id);
      return slaPolicies(deps.db, id);
    });

    app.put('/stores/:id/sla/:priority', {
      schema: {
        tags: ['stores'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }), priority: PrioritySchema }),
        body: SlaPolicyBody,
        response: { 200: SlaPolicyBody, ...errorResponses },
      },
      config: { roles: ['admin'] },
    }, async (req) => {
      const { id, priority } = req.params as { id: string; priority: Priority };
      if (!isUuid(id)) throw validationError('id must be a store id');
      await getStore(deps.db, id);
      const body = req.body as Static<typeof SlaPolicyBody>;
      await setSlaPolicy(deps.db, id, priority, body);
      forgetPolicies(id);
      return body;
    });
  };
}
