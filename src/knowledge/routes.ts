import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import Type from 'typebox';
import { actorOf } from '../server/auth.ts';
import { errorResponses, IdParams } from '../server/schemas.ts';
import { getArticle, searchArticles } from './articles.ts';
import { searchKnowledge } from './search.ts';
import { suggestionsForTicket, type SuggestionDeps } from './suggestions.ts';
import { createTemplate, getTemplate, searchTemplates, updateTemplate, type PatchTemplateInput } from './templates.ts';
import { TEMPLATE_VARIABLES } from './variables.ts';
import {
  ArticleHitList,
  ArticleListQuery,
  ArticleSchema,
  CreateTemplateBody,
  KnowledgeHitList,
  KnowledgeSearchQuery,
  PatchTemplateBody,
  SuggestionsQuery,
  SuggestionsSchema,
  TemplateHitList,
  TemplateListQuery,
  TemplateSchema,
  VariablesSchema,
} from './schemas.ts';

const num = (s?: string) => (s === undefined ? undefined : Number(s));

/** Knowledge base and suggested replies under /api/v1. */
export function knowledgeRoutes(deps: SuggestionDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const staff = ['admin', 'manager', 'trainer', 'agent'] as const;
    const editors = ['admin', 'manager', 'trainer'] as const;

    app.get('/tickets/:id/suggestions', {
      schema: {
        tags: ['knowledge'],
        summary: 'Reply templates for this ticket: its category, the customer language (else English) and market; variables filled',
        params: IdParams,
        querystring: SuggestionsQuery,
        response: { 200: SuggestionsSchema, ...errorResponses },
      },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof SuggestionsQuery>;
      return suggestionsForTicket(deps, (req.params as Static<typeof IdParams>).id, { limit: num(q.limit), language: q.language }, actorOf(req));
    });

    /** A GET for staff that answers `run` of its checked query string. */
    const list = <Q extends Type.TSchema>(url: string, summary: string, querystring: Q, response: Type.TSchema, run: (q: Static<Q>) => Promise<unknown>) =>
      app.get(url, { schema: { tags: ['knowledge'], summary, querystring, response: { 200: response, ...errorResponses } }, config: { roles: staff } }, async (req) => run(req.query as Static<Q>));
    /** A GET for staff of one thing by its id. */
    const byId = (url: string, summary: string, response: Type.TSchema, load: (db: SuggestionDeps['db'], id: string) => Promise<unknown>) =>
      app.get(url, { schema: { tags: ['knowledge'], summary, params: IdParams, response: { 200: response, ...errorResponses } }, config: { roles: staff } }, async (req) => load(deps.db, (req.params as Static<typeof IdParams>).id));

    list('/knowledge/search', 'Search templates and articles (CJK-aware)', KnowledgeSearchQuery, KnowledgeHitList, (q) =>
      searchKnowledge(deps.db, { q: q.q, language: q.language, category: q.category, market: q.market, kind: q.kind, limit: num(q.limit) }));

    app.get('/knowledge/variables', {
      schema: { tags: ['knowledge'], summary: 'The variables a template may use', response: { 200: VariablesSchema, ...errorResponses } },
      config: { roles: staff },
    }, async () => ({ items: [...TEMPLATE_VARIABLES] }));

    list('/knowledge/templates', 'Template variants: search (q) or browse, by language, category and market', TemplateListQuery, TemplateHitList, (q) =>
      searchTemplates(deps.db, { q: q.q, language: q.language, category: q.category, market: q.market, limit: num(q.limit), offset: num(q.offset) }));

    byId('/knowledge/templates/:id', 'A template with all its language variants', TemplateSchema, getTemplate);

    app.post('/knowledge/templates', {
      schema: { tags: ['knowledge'], summary: 'Create a template (trainers, managers, admins)', body: CreateTemplateBody, response: { 201: TemplateSchema, ...errorResponses } },
      config: { roles: editors },
    }, async (req, reply) => {
      const t = await createTemplate(deps.db, req.body as Static<typeof CreateTemplateBody>, { id: actorOf(req).id });
      return reply.code(201).send(t);
    });

    app.patch('/knowledge/templates/:id', {
      schema: { tags: ['knowledge'], summary: 'Change a template, add or replace language variants (kept across content syncs)', params: IdParams, body: PatchTemplateBody, response: { 200: TemplateSchema, ...errorResponses } },
      config: { roles: editors },
    }, async (req) => updateTemplate(deps.db, (req.params as Static<typeof IdParams>).id, req.body as PatchTemplateInput, { id: actorOf(req).id }));

    list('/knowledge/articles', 'Articles (how-tos and FAQ): search (q) or browse', ArticleListQuery, ArticleHitList, (q) =>
      searchArticles(deps.db, { q: q.q, language: q.language, category: q.category, audience: q.audience, limit: num(q.limit), offset: num(q.offset) }));

    byId('/knowledge/articles/:id', 'An article with its language variants, Markdown and HTML', ArticleSchema, getArticle);
  };
}
