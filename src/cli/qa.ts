/**
 * `crossdesk qa score`: JSON lines in, one scored line out per good input line (DESIGN.md,
 * Contracts). Bad lines are reported on stderr with their line number; good ones are kept.
 */
import { readJsonLines } from './io.ts';
import { scoreReply } from '../quality/rubric.ts';
import { DIMENSIONS } from '../quality/types.ts';
import type { ScoreReplyInput, StorePolicy, Weights } from '../quality/types.ts';

export interface QaScoreSummary {
  scored: number;
  bad: number;
}

type Parsed = { ok: true; id: string | number; input: ScoreReplyInput } | { ok: false; reason: string };

function str(r: Record<string, unknown>, key: string, required: boolean): string | undefined | Error {
  const v = r[key];
  if (v === undefined || v === null) return required ? new Error(`"${key}" is required`) : undefined;
  if (typeof v !== 'string') return new Error(`"${key}" must be a string`);
  return v;
}

export function parseQaLine(r: Record<string, unknown>): Parsed {
  const id = r.id;
  if (typeof id !== 'string' && typeof id !== 'number') return { ok: false, reason: '"id" must be a string or a number' };
  const fields: Record<string, string | undefined> = {};
  for (const [key, required] of [
    ['market', true],
    ['language', true],
    ['category', true],
    ['customer_message', false],
    ['reply', true],
  ] as const) {
    const v = str(r, key, required);
    if (v instanceof Error) return { ok: false, reason: v.message };
    fields[key] = v;
  }
  const days = r.days_since_delivery;
  if (days !== undefined && days !== null && (typeof days !== 'number' || !Number.isFinite(days) || days < 0)) {
    return { ok: false, reason: '"days_since_delivery" must be a number >= 0' };
  }
  let weights: Partial<Weights> | undefined;
  if (r.weights !== undefined) {
    if (typeof r.weights !== 'object' || r.weights === null || Array.isArray(r.weights)) return { ok: false, reason: '"weights" must be an object' };
    for (const [k, v] of Object.entries(r.weights)) {
      if (!(DIMENSIONS as readonly string[]).includes(k)) return { ok: false, reason: `"weights": unknown dimension "${k}"` };
      if (typeof v !== 'number' || !(v >= 0)) return { ok: false, reason: `"weights.${k}" must be a number >= 0` };
    }
    weights = r.weights as Partial<Weights>;
  }
  let storePolicy: StorePolicy | undefined;
  const sp = r.store_policy;
  if (sp !== undefined) {
    if (typeof sp !== 'object' || sp === null || Array.isArray(sp)) return { ok: false, reason: '"store_policy" must be an object' };
    const o = sp as Record<string, unknown>;
    if (o.return_window_days !== undefined && typeof o.return_window_days !== 'number') {
      return { ok: false, reason: '"store_policy.return_window_days" must be a number' };
    }
    storePolicy = {
      ...(typeof o.return_window_days === 'number' ? { returnWindowDays: o.return_window_days } : {}),
      ...(o.free_returns === true ? { freeReturns: true } : {}),
    };
  }
  return {
    ok: true,
    id,
    input: {
      market: fields.market as string,
      language: (fields.language as string).toLowerCase(),
      category: fields.category as string,
      customerMessage: fields.customer_message ?? '',
      reply: fields.reply as string,
      ...(typeof days === 'number' ? { daysSinceDelivery: days } : {}),
      ...(weights ? { weights } : {}),
      ...(storePolicy ? { storePolicy } : {}),
    },
  };
}

function write(stream: NodeJS.WritableStream, line: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(line)) resolve();
    else stream.once('drain', () => resolve());
  });
}

/** Scores JSON lines from `input`, writes results to `output`, reports bad lines to `errors`. */
export async function runQaScore(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream,
): Promise<QaScoreSummary> {
  const summary: QaScoreSummary = { scored: 0, bad: 0 };
  const bad = (lineNo: number, reason: string) => {
    summary.bad++;
    errors.write(`line ${lineNo}: ${reason}\n`);
  };
  await readJsonLines(
    input,
    async (record, lineNo) => {
      const parsed = parseQaLine(record);
      if (!parsed.ok) {
        bad(lineNo, parsed.reason);
        return;
      }
      let out: string;
      try {
        const r = scoreReply(parsed.input);
        out = JSON.stringify({
          id: parsed.id,
          labels: r.labels,
          score: r.score,
          critical: r.critical,
          evidence: r.evidence.map((e) => ({ dimension: e.dimension, effect: e.effect, code: e.code, quote: e.quote, en: e.en, zh: e.zh })),
        });
      } catch (e) {
        bad(lineNo, `could not score: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      summary.scored++;
      await write(output, out + '\n');
    },
    (lineNo, reason) => bad(lineNo, reason),
  );
  return summary;
}
