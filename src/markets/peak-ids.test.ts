import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { MarketFileError, marketToInput, validateMarket, type Peak } from './model.ts';
import { mergeMarket, yamlMarkets } from './registry.ts';

/**
 * A peak's id names it (the edit form keys its rows by it and refuses a repeated one): the
 * validator of files and edits refuses a second peak with an id already used, spaces around
 * it not counting, and names the field.
 */
const peak = (id: string, en = `Peak ${id}`): Peak => ({ id, en, zh: `高峰 ${id}` });

describe('peak ids in the market validator', () => {
  const de = () => yamlMarkets().get('DE')!;
  const withPeaks = (peaks: unknown[]) => ({ ...marketToInput(de()), peaks });

  it('accepts distinct ids and refuses a repeated one with the field of the second', () => {
    expect(validateMarket(withPeaks([peak('a'), peak('b')]), 'DE.yaml').peaks.map((p) => p.id)).toEqual(['a', 'b']);
    const fail = (peaks: unknown[]) => {
      try {
        validateMarket(withPeaks(peaks), 'DE.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(MarketFileError);
        return { field: (e as MarketFileError).field, problem: (e as MarketFileError).problem };
      }
      return null;
    };
    expect(fail([peak('a'), peak('b'), peak('a', 'again')])).toEqual({ field: 'peaks[2].id', problem: '"a" is already the id of peaks[0]: each peak needs its own id' });
    expect(fail([peak('obon'), peak(' obon ')])?.field).toBe('peaks[1].id');
    expect(fail([peak('   ')])).toMatchObject({ field: 'peaks[0].id', problem: 'must be a non-empty text' });
  });

  it('refuses an edit with a repeated id as a validation error naming the field', () => {
    expect(() => mergeMarket(de(), { peaks: [peak('x'), peak('x')] })).toThrow(expect.objectContaining({ code: 'validation_failed', details: { field: 'peaks[1].id', market: 'DE' } }));
  });

  it('every market file has distinct peak ids', () => {
    for (const m of yamlMarkets().values()) expect(new Set(m.peaks.map((p) => p.id.trim())).size, m.code).toBe(m.peaks.length);
  });
});

describe('PUT /api/v1/markets/:code with a repeated peak id', () => {
  let s: TestServer;
  let trainer: string;
  beforeAll(async () => {
    s = await startTestServer();
    ({ token: trainer } = await s.tokenFor('trainer'));
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });
  const put = (payload: object) => s.app.inject({ method: 'PUT', url: '/api/v1/markets/JP', headers: bearer(trainer), payload });

  it('is a 400 in the error shape with the field in details, and stores nothing', async () => {
    const r = await put({ version: 0, peaks: [peak('golden-week'), peak('obon'), peak('golden-week', 'Golden Week again')] });
    expect(r.statusCode).toBe(400);
    const body = r.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code: 'validation_failed', details: { field: 'peaks[2].id', market: 'JP' } });
    expect(body.error.message).toBe('JP: peaks[2].id "golden-week" is already the id of peaks[0]: each peak needs its own id');
    const jp = (await s.app.inject({ method: 'GET', url: '/api/v1/markets/JP', headers: bearer(trainer) })).json();
    expect(jp).toMatchObject({ version: 0, overridden: [] });
    // the same peaks with their own ids are taken
    const ok = await put({ version: 0, peaks: [peak('golden-week'), peak('obon'), peak('golden-week-2')] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().peaks.map((p: Peak) => p.id)).toEqual(['golden-week', 'obon', 'golden-week-2']);
  });
});
