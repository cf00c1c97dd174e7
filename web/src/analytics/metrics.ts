// Pure helpers of the analytics dashboard (no React, no i18next): the date range of a
// filter, drill results over a range, percentages and NPS bands. Unit-tested in
// test/web/analytics-metrics.test.ts.

export const RANGES = [7, 30, 90] as const;
export type RangeDays = (typeof RANGES)[number];

const DAY = 86_400_000;

/**
 * The last `days` days up to now, as the API's [from, to) window: `to` just after now (what
 * happened this minute counts), `from` at the start of the first day in UTC.
 */
export function rangeFor(days: number, now: Date): { from: string; to: string } {
  const to = new Date(now.getTime() + 60_000);
  const start = new Date(now.getTime() - (days - 1) * DAY);
  const from = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  return { from: from.toISOString(), to: to.toISOString() };
}

export interface DrillSessionLite {
  userId: string;
  status: string;
  score: number | null;
  passed: boolean | null;
  startedAt: string;
  endedAt: string | null;
}

export interface DrillSummary {
  sessions: number;
  finished: number;
  averageScore: number | null;
  passRate: number | null;
  trainees: number;
  /** Finished drills per score band: 0–49, 50–69, 70–84, 85–100. */
  bands: [number, number, number, number];
}

/** Drills started in [from, to): how many, finished, average score (0–100) and pass rate of the finished ones. */
export function drillSummary(items: DrillSessionLite[], from: string, to: string): DrillSummary {
  const f = Date.parse(from);
  const t = Date.parse(to);
  const inRange = items.filter((s) => {
    const at = Date.parse(s.startedAt);
    return at >= f && at < t;
  });
  const scored = inRange.filter((s) => s.score !== null && s.endedAt !== null);
  const judged = scored.filter((s) => s.passed !== null);
  const bands: [number, number, number, number] = [0, 0, 0, 0];
  for (const s of scored) {
    const v = s.score!;
    bands[v < 50 ? 0 : v < 70 ? 1 : v < 85 ? 2 : 3]++;
  }
  return {
    sessions: inRange.length,
    finished: scored.length,
    averageScore: scored.length ? Math.round((scored.reduce((a, s) => a + s.score!, 0) / scored.length) * 10) / 10 : null,
    passRate: judged.length ? judged.filter((s) => s.passed).length / judged.length : null,
    trainees: new Set(inRange.map((s) => s.userId)).size,
    bands,
  };
}

/** 0.8734 → "87%" (or "87.3%" with one decimal) in the interface language; null → "—". */
export function percent(rate: number | null | undefined, locale: string, digits = 0): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(rate);
}

/** A number in the interface language; null → "—". */
export function num(v: number | null | undefined, locale: string, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v);
}

/** How an NPS reads: ≥ 50 excellent, ≥ 0 good, < 0 poor (the usual bands). */
export function npsBand(score: number | null): 'excellent' | 'good' | 'poor' | 'none' {
  if (score === null || !Number.isFinite(score)) return 'none';
  return score >= 50 ? 'excellent' : score >= 0 ? 'good' : 'poor';
}

/** Pairs with a value above zero, largest first (for pies and bars that should not list zeros). */
export function nonZero<K extends string>(counts: Partial<Record<K, number>>, keys: readonly K[]): Array<[K, number]> {
  return keys.map((k) => [k, counts[k] ?? 0] as [K, number]).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
}
