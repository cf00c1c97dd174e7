import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { actorOf } from '../server/auth.ts';
import { errorResponses } from '../server/schemas.ts';
import { PlaybookSchema, PlaybookStepBody, PlaybookStepParams } from './playbook-schemas.ts';
import { setPlaybookStep, type PlaybookDeps } from './playbook-store.ts';

/** Ticking playbook steps by hand, under /api/v1. */
export function playbookRoutes(deps: PlaybookDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/tickets/:id/playbook/steps/:stepId', {
      schema: {
        tags: ['tickets'],
        summary: 'Tick or untick a playbook step by hand; answers with the checklist',
        params: PlaybookStepParams,
        body: PlaybookStepBody,
        response: { 200: PlaybookSchema, ...errorResponses },
      },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req) => {
      const p = req.params as Static<typeof PlaybookStepParams>;
      const b = req.body as Static<typeof PlaybookStepBody>;
      return setPlaybookStep(deps, { ticketId: p.id, stepId: p.stepId, done: b.done }, actorOf(req));
    });
  };
}
