import Type from 'typebox';

const Localized = Type.Object({ en: Type.String(), zh: Type.String() });
const Who = Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]), name: Type.Union([Type.String(), Type.Null()]) });

export const PlaybookStepSchema = Type.Object({
  id: Type.String(),
  title: Localized,
  required: Type.Boolean(),
  done: Type.Boolean(),
  doneBy: Type.Optional(Who),
  doneAt: Type.Optional(Type.String({ format: 'date-time' })),
  how: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('manual')])),
  evidence: Type.Optional(Type.String()),
  autoTicks: Type.Boolean(),
  note: Type.Optional(Localized),
  law: Type.Optional(Type.Object({ text: Localized, source: Type.String(), payer: Type.Optional(Type.String()) })),
  skippedReason: Type.Optional(Type.String()),
});

/** The ticket's SOP checklist (GET /tickets/:id → "playbook"). */
export const PlaybookSchema = Type.Object({
  category: Type.String(),
  market: Type.Union([Type.String(), Type.Null()]),
  title: Localized,
  steps: Type.Array(PlaybookStepSchema),
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer(), requiredOpen: Type.Integer() }),
});

export const PlaybookStepParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  stepId: Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z][a-z0-9_]*$' }),
});

export const PlaybookStepBody = Type.Object({ done: Type.Boolean() }, { additionalProperties: false });
