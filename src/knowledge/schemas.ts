import Type from 'typebox';
import { CATEGORIES } from '../helpdesk/tickets.ts';

const Category = Type.Union(CATEGORIES.map((c) => Type.Literal(c)));
const Language = Type.String({ pattern: '^[a-z]{2}$' });
const Market = Type.String({ pattern: '^[A-Za-z]{2}$' });
const Dir = Type.Union([Type.Literal('ltr'), Type.Literal('rtl')]);
const Limit = Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' }));
const Offset = Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' }));
/** Queries and bodies refuse what they do not name. */
const strict = { additionalProperties: false } as const;
/** What a list can be narrowed by: words (optional: without them it browses), language, category. */
const listFilters = {
  q: Type.Optional(Type.String({ maxLength: 200 })),
  language: Type.Optional(Language),
  category: Type.Optional(Category),
};
/** How a language variant is shown: its language, writing direction and title. */
const shownAs = { language: Type.String(), dir: Dir, title: Type.String() };

/** `{ items: [...] }`, the shape of every list answer here. */
const ItemsOf = <T extends Type.TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

export const TemplateListQuery = Type.Object({ ...listFilters, market: Type.Optional(Market), limit: Limit, offset: Offset }, strict);

export const TemplateHitSchema = Type.Object({
  templateId: Type.String(),
  key: Type.String(),
  category: Type.String(),
  markets: Type.Array(Type.String()),
  ...shownAs,
  body: Type.String(),
  score: Type.Number(),
});
export const TemplateHitList = ItemsOf(TemplateHitSchema);

export const VariantInputSchema = Type.Object(
  {
    language: Language,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 20_000 }),
  },
  strict,
);

export const CreateTemplateBody = Type.Object(
  {
    key: Type.String({ minLength: 2, maxLength: 100 }),
    category: Category,
    markets: Type.Optional(Type.Array(Market, { maxItems: 50 })),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 30 })),
    priority: Type.Optional(Type.Integer({ minimum: -100, maximum: 100 })),
    variants: Type.Array(VariantInputSchema, { minItems: 1, maxItems: 40 }),
  },
  strict,
);

export const PatchTemplateBody = Type.Object(
  {
    category: Type.Optional(Category),
    markets: Type.Optional(Type.Array(Market, { maxItems: 50 })),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 30 })),
    priority: Type.Optional(Type.Integer({ minimum: -100, maximum: 100 })),
    archived: Type.Optional(Type.Boolean()),
    variants: Type.Optional(Type.Array(VariantInputSchema, { maxItems: 40 })),
    removeLanguages: Type.Optional(Type.Array(Language, { maxItems: 40 })),
  },
  { ...strict, minProperties: 1 },
);

export const TemplateSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  category: Type.String(),
  markets: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  priority: Type.Integer(),
  source: Type.Union([Type.Literal('content'), Type.Literal('user')]),
  archived: Type.Boolean(),
  edited: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  variants: Type.Array(
    Type.Object({
      ...shownAs,
      body: Type.String(),
      variables: Type.Array(Type.String()),
      edited: Type.Boolean(),
      updatedAt: Type.String(),
    }),
  ),
});

export const ArticleListQuery = Type.Object(
  { ...listFilters, audience: Type.Optional(Type.Union([Type.Literal('internal'), Type.Literal('public')])), limit: Limit, offset: Offset },
  strict,
);

export const ArticleHitSchema = Type.Object({
  articleId: Type.String(),
  key: Type.String(),
  audience: Type.String(),
  categories: Type.Array(Type.String()),
  ...shownAs,
  summary: Type.String(),
  score: Type.Number(),
});
export const ArticleHitList = ItemsOf(ArticleHitSchema);

export const ArticleSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  audience: Type.String(),
  categories: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  archived: Type.Boolean(),
  updatedAt: Type.String(),
  variants: Type.Array(
    Type.Object({
      ...shownAs,
      summary: Type.String(),
      body: Type.String(),
      html: Type.String(),
      edited: Type.Boolean(),
      updatedAt: Type.String(),
    }),
  ),
});

export const KnowledgeSearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200 }),
    language: Type.Optional(Language),
    category: Type.Optional(Category),
    market: Type.Optional(Market),
    kind: Type.Optional(Type.Union([Type.Literal('template'), Type.Literal('article')])),
    limit: Limit,
  },
  strict,
);

export const KnowledgeHitSchema = Type.Object({
  kind: Type.Union([Type.Literal('template'), Type.Literal('article')]),
  id: Type.String(),
  key: Type.String(),
  language: Type.String(),
  title: Type.String(),
  text: Type.String(),
  score: Type.Number(),
});
export const KnowledgeHitList = ItemsOf(KnowledgeHitSchema);

export const SuggestionsQuery = Type.Object({ limit: Limit, language: Type.Optional(Language) }, strict);

export const SuggestionsSchema = Type.Object({
  language: Type.String(),
  market: Type.String(),
  items: Type.Array(
    Type.Object({
      templateId: Type.String(),
      key: Type.String(),
      category: Type.String(),
      ...shownAs,
      body: Type.String(),
      missing: Type.Array(Type.String()),
      score: Type.Number(),
    }),
  ),
});

export const VariablesSchema = ItemsOf(Type.String());
