/** TypeBox schemas of the drill API (/api/v1/drills, /api/v1/scenarios). See README.md here. */
import Type from 'typebox';
import { Nullable } from '../server/schemas.ts';

const Localized = Type.Object({ en: Type.String(), zh: Type.String() });
const Line = Type.Object({ text: Type.String(), gloss_zh: Type.String() });
const Loose = (props: Record<string, Type.TSchema>) => Type.Object(props, { additionalProperties: true });
/** Tool arguments: scalars for the scenario sandbox; tau2 tools also take lists of item ids. */
const Args = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String())]));

export const ScenarioQuery = Type.Object(
  {
    category: Type.Optional(Type.String({ maxLength: 40 })),
    market: Type.Optional(Type.String({ maxLength: 4 })),
    difficulty: Type.Optional(Type.Union([Type.Literal('easy'), Type.Literal('medium'), Type.Literal('hard')])),
    language: Type.Optional(Type.String({ maxLength: 5 })),
    source: Type.Optional(Type.Union([Type.Literal('library'), Type.Literal('ticket'), Type.Literal('tau2')])),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
    offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
  },
  { additionalProperties: false },
);

export const ScenarioSummarySchema = Type.Object({
  id: Type.String(),
  title: Localized,
  market: Type.String(),
  language: Type.String(),
  category: Type.String(),
  difficulty: Type.String(),
  tags: Type.Array(Type.String()),
  source: Type.String(),
  variants: Type.Array(Type.String()),
});

export const ScenarioListSchema = Type.Object({ items: Type.Array(ScenarioSummarySchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

const ToolInfo = Type.Object({ name: Type.String(), en: Type.String(), zh: Type.String(), args: Type.Array(Type.String()) });

export const PublicScenarioSchema = Type.Object({
  ...ScenarioSummarySchema.properties,
  persona: Type.Object({ name: Type.String(), culture: Type.String(), writes: Type.String(), formality: Nullable(Type.String()) }),
  opening: Line,
  marketRules: Type.Array(Loose({ en: Type.String(), zh: Type.String() })),
  cultureHints: Localized,
  tools: Type.Array(ToolInfo),
});

/** Trainers also get the full scenario (goal, outcomes, expected end state) and its YAML. */
export const ScenarioDetailSchema = Type.Object({
  ...PublicScenarioSchema.properties,
  full: Type.Optional(Type.Unknown()),
  yaml: Type.Optional(Type.String()),
});

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 120 }) }, { additionalProperties: false });

export const StartBody = Type.Object(
  {
    scenarioId: Type.String({ minLength: 1, maxLength: 120 }),
    variant: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    hints: Type.Optional(Type.Boolean()),
    assignmentId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const ToolCallSchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 40 }), arguments: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
  { additionalProperties: false },
);

export const TurnBody = Type.Object(
  { text: Type.Optional(Type.String({ maxLength: 8000 })), tools: Type.Optional(Type.Array(ToolCallSchema, { maxItems: 10 })) },
  { additionalProperties: false },
);

const ToolResultSchema = Type.Object({
  name: Type.String(),
  ok: Type.Boolean(),
  args: Args,
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

const HintSchema = Type.Object({ code: Type.String(), en: Type.String(), zh: Type.String() });

const TranscriptEntrySchema = Type.Object({
  role: Type.String(),
  text: Type.String(),
  gloss_zh: Type.Optional(Type.String()),
  at: Type.String(),
  acts: Type.Optional(Type.Array(Type.String())),
  tools: Type.Optional(Type.Array(ToolResultSchema)),
  reactions: Type.Optional(Type.Array(Type.String())),
});

const StateSchema = Type.Object({ mood: Type.Number(), patience: Type.Integer(), status: Type.String(), agentTurns: Type.Integer() });

const EvidenceSchema = Type.Object({
  dimension: Type.String(),
  quote: Type.String(),
  effect: Type.String(),
  code: Type.String(),
  en: Type.String(),
  zh: Type.String(),
  turn: Type.Optional(Type.Integer()),
});

export const ReportSchema = Type.Object({
  scenarioId: Type.String(),
  variant: Type.String(),
  seed: Type.Integer(),
  score: Type.Number(),
  passed: Type.Boolean(),
  passMark: Type.Number(),
  critical: Type.Array(Type.String()),
  failReasons: Type.Array(Type.String()),
  outcome: Type.Object({
    passed: Type.Boolean(),
    score: Type.Number(),
    endState: Type.Object({
      passed: Type.Boolean(),
      matched: Nullable(Type.String()),
      alternatives: Type.Array(Type.Object({ label: Type.String(), passed: Type.Boolean(), missing: Type.Array(Type.String()), extra: Type.Array(Type.String()) })),
      performed: Type.Array(Type.Object({ name: Type.String(), args: Args })),
    }),
    mustTell: Type.Array(Type.Object({ id: Type.String(), en: Type.String(), zh: Type.String(), told: Type.Boolean(), turn: Type.Optional(Type.Integer()), quote: Type.Optional(Type.String()) })),
    customer: Type.Object({ status: Type.String(), acceptedKind: Nullable(Type.String()), escalation: Nullable(Type.String()), mood: Type.Number(), patience: Type.Integer() }),
  }),
  rubric: Type.Object({ score: Type.Number(), labels: Type.Record(Type.String(), Type.Boolean()) }),
  efficiency: Type.Object({ turns: Type.Integer(), seconds: Type.Integer(), score: Type.Number() }),
  dimensions: Type.Record(Type.String(), Type.Object({ score: Type.Number(), verdict: Type.String(), name: Localized, evidence: Type.Array(EvidenceSchema) })),
  evidence: Type.Array(EvidenceSchema),
  strongReply: Nullable(Type.Object({ text: Type.String(), gloss_zh: Type.String(), source: Type.String() })),
  hints: Type.Array(HintSchema),
  transcript: Type.Array(TranscriptEntrySchema),
  /** tau2 drills: the replay-style outcome check (tau2/drill.ts). */
  tau2: Type.Optional(
    Type.Object({
      taskId: Type.String(),
      dbMatches: Type.Boolean(),
      reason: Nullable(Type.String()),
      differences: Type.Array(Type.String()),
      violations: Type.Array(Type.String()),
      failedCalls: Type.Array(Type.Object({ index: Type.Integer(), name: Type.String(), error: Type.String() })),
      expectedHash: Type.String(),
      actualHash: Type.String(),
      goldWrites: Type.Array(Type.Object({ name: Type.String(), arguments: Type.Record(Type.String(), Type.Unknown()), done: Type.Boolean() })),
      communicateInfo: Type.Array(Type.Object({ fact: Type.String(), told: Type.Boolean(), turn: Type.Optional(Type.Integer()), quote: Type.Optional(Type.String()) })),
      goldActions: Type.Array(Type.Object({ name: Type.String(), arguments: Type.Record(Type.String(), Type.Unknown()) })),
    }),
  ),
});

export const SessionSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  scenario: PublicScenarioSchema,
  variant: Type.String(),
  seed: Type.Integer(),
  hints: Type.Boolean(),
  assignmentId: Nullable(Type.String()),
  status: Type.String(),
  state: StateSchema,
  startedAt: Type.String(),
  endedAt: Nullable(Type.String()),
  transcript: Type.Array(TranscriptEntrySchema),
  startHints: Type.Array(HintSchema),
  sandbox: Type.Object({
    customer: Type.Unknown(),
    order: Type.Unknown(),
    shipments: Type.Array(Type.Unknown()),
    returns: Type.Array(Type.Unknown()),
    refunds: Type.Array(Type.Unknown()),
    claims: Type.Array(Type.Unknown()),
    transferred: Type.Boolean(),
    /** tau2 drills: the authenticated user, the orders looked up, the pending yes, violations so far. */
    tau2: Type.Optional(Type.Unknown()),
  }),
  score: Nullable(Type.Number()),
  passed: Nullable(Type.Boolean()),
});

export const TurnResultSchema = Type.Object({
  sessionId: Type.String(),
  turn: Type.Integer(),
  acts: Type.Array(Type.String()),
  evidence: Type.Record(Type.String(), Type.String()),
  tools: Type.Array(ToolResultSchema),
  customer: Nullable(Type.Object({ text: Type.String(), gloss_zh: Type.String(), reactions: Type.Array(Type.String()) })),
  hints: Type.Array(HintSchema),
  state: StateSchema,
  ended: Type.Boolean(),
  report: Nullable(ReportSchema),
});

export const SessionListQuery = Type.Object(
  {
    userId: Type.Optional(Type.String({ maxLength: 64 })),
    scenarioId: Type.Optional(Type.String({ maxLength: 120 })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
    offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
  },
  { additionalProperties: false },
);

export const SessionListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      userId: Type.String(),
      scenarioId: Type.String(),
      variant: Type.String(),
      status: Type.String(),
      customerStatus: Type.String(),
      turns: Type.Integer(),
      score: Nullable(Type.Number()),
      passed: Nullable(Type.Boolean()),
      startedAt: Type.String(),
      endedAt: Nullable(Type.String()),
    }),
  ),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const AssignBody = Type.Object(
  {
    scenarioId: Type.String({ minLength: 1, maxLength: 120 }),
    userId: Type.String({ maxLength: 64 }),
    variant: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    dueAt: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const AssignmentSchema = Type.Object({
  id: Type.String(),
  scenarioId: Type.String(),
  scenarioTitle: Nullable(Localized),
  variant: Type.String(),
  userId: Type.String(),
  assignedBy: Type.String(),
  note: Nullable(Type.String()),
  dueAt: Nullable(Type.String()),
  status: Type.String(),
  bestScore: Nullable(Type.Number()),
  createdAt: Type.String(),
  completedAt: Nullable(Type.String()),
});

export const AssignmentQuery = Type.Object(
  {
    userId: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(Type.Union([Type.Literal('assigned'), Type.Literal('started'), Type.Literal('passed'), Type.Literal('failed')])),
  },
  { additionalProperties: false },
);

export const PassKQuery = Type.Object(
  { scenarioId: Type.String({ minLength: 1, maxLength: 120 }), userId: Type.Optional(Type.String({ maxLength: 64 })), k: Type.Optional(Type.String({ pattern: '^[1-9][0-9]?$' })) },
  { additionalProperties: false },
);

export const PassKSchema = Type.Object({
  userId: Type.String(),
  scenarioId: Type.String(),
  k: Type.Integer(),
  passK: Type.Number(),
  estimate: Type.Number(),
  attempts: Type.Integer(),
  passes: Type.Integer(),
  variants: Type.Array(Type.Object({ variant: Type.String(), passed: Type.Boolean(), score: Type.Number(), sessionId: Type.String() })),
});

export const FromTicketBody = Type.Object({ ticketId: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const FromTicketSchema = Type.Object({ id: Type.String(), yaml: Type.String(), scenario: ScenarioSummarySchema });
