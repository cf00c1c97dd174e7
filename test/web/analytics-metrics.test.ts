// The pure helpers of the analytics dashboard (web/src/analytics/metrics.ts).
import { describe, expect, it } from 'vitest';
import { drillSummary, nonZero, npsBand, percent, rangeFor, type DrillSessionLite } from '../../web/src/analytics/metrics.ts';

describe('analytics helpers', () => {
  it('turns "last N days" into the API window, starting at midnight UTC of the first day', () => {
    const now = new Date('2026-11-24T05:30:00Z');
    expect(rangeFor(7, now)).toEqual({ from: '2026-11-18T00:00:00.000Z', to: '2026-11-24T05:31:00.000Z' });
    expect(rangeFor(1, now).from).toBe('2026-11-24T00:00:00.000Z');
    expect(rangeFor(90, now).from).toBe('2026-08-27T00:00:00.000Z');
  });

  it('summarises drills started in the window: finished, average score, pass rate, score bands', () => {
    const s = (userId: string, startedAt: string, score: number | null, passed: boolean | null): DrillSessionLite => ({ userId, status: score === null ? 'active' : 'ended', score, passed, startedAt, endedAt: score === null ? null : startedAt });
    const items = [
      s('a', '2026-11-20T10:00:00Z', 90, true),
      s('a', '2026-11-21T10:00:00Z', 60, false),
      s('b', '2026-11-22T10:00:00Z', 75, true),
      s('b', '2026-11-22T11:00:00Z', null, null),
      s('c', '2026-10-01T10:00:00Z', 10, false), // before the window
    ];
    const r = drillSummary(items, '2026-11-18T00:00:00Z', '2026-11-24T00:00:00Z');
    expect(r).toEqual({ sessions: 4, finished: 3, averageScore: 75, passRate: 2 / 3, trainees: 2, bands: [0, 1, 1, 1] });
    expect(drillSummary([], 'x', 'y')).toMatchObject({ sessions: 0, averageScore: null, passRate: null });
  });

  it('formats rates and reads NPS bands', () => {
    expect(percent(0.8734, 'en')).toBe('87%');
    expect(percent(0.8734, 'en', 1)).toBe('87.3%');
    expect(percent(null, 'en')).toBe('—');
    expect(percent(0.5, 'zh-CN')).toBe('50%');
    expect([npsBand(60), npsBand(0), npsBand(-12), npsBand(null)]).toEqual(['excellent', 'good', 'poor', 'none']);
  });

  it('keeps non-zero counts, largest first', () => {
    expect(nonZero({ open: 3, new: 0, solved: 7 }, ['new', 'open', 'solved', 'closed'] as const)).toEqual([
      ['solved', 7],
      ['open', 3],
    ]);
  });
});
