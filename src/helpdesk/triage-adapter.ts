import type { TriageFn } from './tickets.ts';
import { triageMessage } from './triage.ts';

/** Triage of an inbound customer message, shaped for ticket creation. */
export const triageForTickets: TriageFn = (input) => {
  const r = triageMessage(input);
  return {
    language: r.language,
    category: r.category,
    sentiment: r.sentiment,
    angry: r.angry,
    priority: r.priority,
    reasons: r.reasons.filter((x) => x.weight > 0 || x.code === 'threat' || x.code === 'insult').map(({ code, en, zh }) => ({ code, en, zh })),
    // for the bot after intake, so it need not triage the message again
    confidence: r.confidence,
    orderNumbers: r.entities.orderNumbers,
  };
};
