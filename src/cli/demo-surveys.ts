/**
 * Demo history for the analytics dashboard: CSAT/NPS surveys of solved demo tickets, sent an
 * hour after the solve and answered by about half of the customers, through the survey
 * module's own functions (sendSurvey, answerSurvey), so the numbers are computed exactly as
 * for real surveys. The demo's customers have example addresses: the "mailer" here delivers
 * nothing, it only lets the survey be recorded as sent, as it would have been.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { ManualClock } from '../core/clock.ts';
import { answerSurvey, getSurveySettings, putSurveySettings, sendSurvey, type SurveyDeps } from '../helpdesk/surveys.ts';

/** At most this many surveys: enough for charts, few enough to keep the demo seed fast. */
export const DEMO_SURVEYS_MAX = 60;

/** Weights of CSAT scores 1…5 (after-sales: mostly content, a tail of unhappy customers). */
const CSAT_WEIGHTS = [0.07, 0.06, 0.12, 0.3, 0.45];

const COMMENTS: Record<number, string[]> = {
  1: ['Nobody answered my actual question.', 'Zu langsam, ich warte immer noch.', '返信が遅すぎます。'],
  2: ['Took far too long.', '退款太慢了。'],
  3: ['OK in the end.', 'Ça a pris du temps, mais c’est réglé.'],
  4: ['Thanks for the quick help.', 'Danke, schnell erledigt.'],
  5: ['Great service, thank you!', '客服很耐心，谢谢！', 'Muy amables, gracias.', 'とても丁寧な対応でした。'],
};

function weighted(rand: () => number, weights: number[]): number {
  let r = rand();
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

export async function seedDemoSurveys(db: Kysely<DB>, opts: { now: Date; rand: () => number; max?: number }): Promise<{ sent: number; answered: number }> {
  const { now, rand } = opts;
  const clock = new ManualClock(now);
  const deps: SurveyDeps = { db, clock, mailer: { deliver: async () => ({}) }, publicUrl: 'http://localhost:3000', fromFallback: 'support@crossdesk.demo' };
  const solved = await db
    .selectFrom('tickets')
    .select(['id', 'store_id', 'solved_at'])
    .where('status', 'in', ['solved', 'closed'])
    .where('solved_at', 'is not', null)
    .orderBy('solved_at')
    .execute();
  // the demo stores ask NPS in every third survey (default: every tenth), so NPS has answers to show
  for (const storeId of new Set(solved.map((t) => t.store_id))) await putSurveySettings({ db, clock }, storeId, { npsEvery: 3 });
  const delays = new Map<string, number>();
  let sent = 0;
  let answered = 0;
  for (const t of solved) {
    if (sent >= (opts.max ?? DEMO_SURVEYS_MAX)) break;
    // about four in five solved tickets had a survey (no e-mail address, surveys off…)
    if (rand() < 0.2) continue;
    if (!delays.has(t.store_id)) delays.set(t.store_id, (await getSurveySettings(db, t.store_id)).delayMinutes);
    const sendAt = t.solved_at!.getTime() + delays.get(t.store_id)! * 60_000;
    if (sendAt >= now.getTime()) continue;
    clock.set(new Date(sendAt));
    const out = await sendSurvey(deps, { ticketId: t.id, solvedAt: t.solved_at!.toISOString() });
    if (out.status !== 'sent' || !out.surveyId) continue;
    sent++;
    if (rand() >= 0.55) continue;
    const answerAt = Math.min(sendAt + (0.2 + rand() * 30) * 3_600_000, now.getTime() - 60_000);
    const row = await db.selectFrom('surveys').select(['token', 'kind']).where('id', '=', out.surveyId).executeTakeFirstOrThrow();
    const score = weighted(rand, CSAT_WEIGHTS) + 1;
    // NPS follows satisfaction, with some spread
    const nps = row.kind === 'csat_nps' ? Math.max(0, Math.min(10, Math.round(score * 2.2 - 1 + (rand() - 0.3) * 2.5))) : undefined;
    const comment = rand() < 0.35 ? COMMENTS[score][Math.floor(rand() * COMMENTS[score].length)] : undefined;
    clock.set(new Date(answerAt));
    await answerSurvey({ db, clock }, row.token, { score, nps, comment });
    answered++;
  }
  return { sent, answered };
}
