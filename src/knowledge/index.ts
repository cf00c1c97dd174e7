/**
 * Knowledge base: reply templates (macros) and articles per language, CJK-aware search,
 * suggested replies for a ticket. Content lives in content/knowledge/ and is loaded into
 * the database by `syncKnowledge` at start-up; trainers edit it in the app.
 */
export { syncKnowledge, type SyncReport } from './sync.ts';
export { loadKnowledgeLibrary, CORE_LANGUAGES, type KnowledgeLibrary, type TemplateFile, type ArticleFile } from './content.ts';
export { renderTemplate, splitName, TEMPLATE_VARIABLES, type RenderContext, type Rendered } from './variables.ts';
export { searchKnowledge, type KnowledgeHit } from './search.ts';
export { searchTemplates, getTemplate, createTemplate, updateTemplate } from './templates.ts';
export { searchArticles, getArticle } from './articles.ts';
export { suggestionsForTicket, contextForTicket, type ContextProvider, type Suggestion } from './suggestions.ts';
export { checkTemplateVariant, CUSTOMER_PAYS_RETURN, SELLER_PAYS_RETURN } from './compliance.ts';
export { knowledgeRoutes } from './routes.ts';
