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
  ArticleHitSchema,
  ArticleListQuery,
  ArticleSchema,
  CreateTemplateBody,
  KnowledgeHitSchema,
  KnowledgeSearchQuery,
  PatchTemplateBody,
  SuggestionsQuery,
  SuggestionsSchema,
  TemplateHitSchema,
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

    app.get('/knowledge/search', {
      schema: { tags: ['knowledge'], summary: 'Search templates and articles (CJK-aware)', querystring: KnowledgeSearchQuery, response: { 200: Type.Object({ items: Type.Array(KnowledgeHitSchema) }), ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof KnowledgeSearchQuery>;
      return searchKnowledge(deps.db, { q: q.q, language: q.language, category: q.category, market: q.market, kind: q.kind, limit: num(q.limit) });
    });

    app.get('/knowledge/variables', {
      schema: { tags: ['knowledge'], summary: 'The variables a template may use', response: { 200: VariablesSchema, ...errorResponses } },
      config: { roles: staff },
    }, async () => ({ items: [...TEMPLATE_VARIABLES] }));

    app.get('/knowledge/templates', {
      schema: { tags: ['knowledge'], summary: 'Template variants: search (q) or browse, by language, category and market', querystring: TemplateListQuery, response: { 200: Type.Object({ items: Type.Array(TemplateHitSchema) }), ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof TemplateListQuery>;
      return searchTemplates(deps.db, { q: q.q, language: q.language, category: q.category, market: q.market, limit: num(q.limit), offset: num(q.offset) });
    });

    app.get('/knowledge/templates/:id', {
      schema: { tags: ['knowledge'], summary: 'A template with all its language variants', params: IdParams, response: { 200: TemplateSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => getTemplate(deps.db, (req.params as Static<typeof IdParams>).id));

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

    app.get('/knowledge/articles', {
      schema: { tags: ['knowledge'], summary: 'Articles (how-tos and FAQ): search (q) or browse', querystring: ArticleListQuery, response: { 200: Type.Object({ items: Type.Array(ArticleHitSchema) }), ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof ArticleListQuery>;
      return searchArticles(deps.db, { q: q.q, language: q.language, category: q.category, audience: q.audience, limit: num(q.limit), offset: num(q.offset) });
    });

    app.get('/knowledge/articles/:id', {
      schema: { tags: ['knowledge'], summary: 'An article with its language variants, Markdown and HTML', params: IdParams, response: { 200: ArticleSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => getArticle(deps.db, (req.params as Static<typeof IdParams>).id));
  };
}
