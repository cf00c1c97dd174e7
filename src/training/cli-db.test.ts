/**
 * `drill run` / `drill play` on a scenario drafted from a ticket (stored in the database), and
 * `drill passk`, through the installed command against an embedded database in a temp folder.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { repoRoot } from '../core/paths.ts';
import { ManualClock } from '../core/clock.ts';
import { openDatabase } from '../db/index.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { upsertUser } from '../people/users.ts';
import { scenarioLibrary } from './scenario.ts';
import { endSession, postTurn, startSession } from './store.ts';
import { EXCELLENT } from './fixtures/de-lamp-scripts.ts';

const env = { ...process.env };
delete env.DATABASE_URL;
delete env.DATA_DIR;
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'crossdesk.js'), ...args], { cwd: repoRoot, encoding: 'utf8', input, env, timeout: 150_000 });

describe('drill commands on the database', { timeout: 240_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-db-'));
  const data = path.join(dir, 'data');
  const draftId = 'ticket-draft-lamp-1';

  beforeAll(async () => {
    const d = await openDatabase({ dataDir: data });
    try {
      await migrateToLatest(d.db);
      // a scenario drafted from a ticket: the lamp case under another id, stored as YAML
      const raw = YAML.parse(fs.readFileSync(scenarioLibrary().get('de-damaged-lamp-gift')!.file, 'utf8')) as Record<string, unknown>;
      raw.id = draftId;
      const now = new Date('2026-03-02T09:00:00Z');
      await d.db
        .insertInto('training_scenarios')
        .values({ id: draftId, source: 'ticket', ticket_id: null, created_by: null, category: 'damaged_item', market: 'DE', language: 'de', difficulty: 'hard', title_en: 'Drafted lamp', title_zh: '草稿台灯', yaml: YAML.stringify(raw), created_at: now })
        .execute();
      const { user } = await upsertUser(d.db, { email: 'agent.k@example.com', role: 'agent' });
      const deps = { db: d.db, clock: new ManualClock(now) };
      for (const variant of ['base', 'calm']) {
        const s = await startSession(deps, { scenarioId: draftId, variant, seed: 1 }, { id: user.id, role: 'agent' });
        for (const t of EXCELLENT.turns) await postTurn(deps, s.id, t, { id: user.id, role: 'agent' });
        await endSession(deps, s.id, { id: user.id, role: 'agent' });
      }
    } finally {
      await d.close();
    }
  });

  it('drill run plays a ticket-drafted scenario from --data; without a database it says where to look', () => {
    const script = path.join(dir, 'good.json');
    fs.writeFileSync(script, JSON.stringify(EXCELLENT));
    const r = cli(['--data', data, 'drill', 'run', draftId, '--script', script, '--json']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { scenarioId: string; passed: boolean };
    expect(out.scenarioId).toBe(draftId);
    expect(out.passed).toBe(true);
    const none = cli(['drill', 'run', draftId, '--script', script]);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/--data or --database-url/);
    const missing = cli(['--data', data, 'drill', 'run', 'no-such-draft', '--script', script]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/neither in the library nor in the database/);
  });

  it('drill play reads a ticket-drafted scenario too', () => {
    const r = cli(['--data', data, 'drill', 'play', draftId, '--lang', 'en'], 'Sehr geehrter Herr Weber, es tut mir leid.\n/end\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Lampe/);
  });

  it('drill passk reports the agent pass^k (text and JSON); bad input is a clear error', () => {
    const j = cli(['--data', data, 'drill', 'passk', draftId, '--user', 'agent.k@example.com', '--json']);
    expect(j.stderr).toBe('');
    const p = JSON.parse(j.stdout) as { k: number; passK: number; attempts: number; passes: number; variants: { variant: string }[] };
    expect(p.attempts).toBe(2);
    expect(p.k).toBe(2);
    expect(p.variants.map((v) => v.variant).sort()).toEqual(['base', 'calm']);
    expect(p.passK).toBe(p.passes === 2 ? 1 : 0);
    const t = cli(['--data', data, 'drill', 'passk', draftId, '--user', 'agent.k@example.com', '--k', '1']);
    expect(t.stdout).toMatch(/pass\^1 = [01]/);
    const nobody = cli(['--data', data, 'drill', 'passk', draftId, '--user', 'nobody@example.com']);
    expect(nobody.status).not.toBe(0);
    expect(nobody.stderr).toMatch(/no user with e-mail/);
    const badK = cli(['--data', data, 'drill', 'passk', draftId, '--user', 'agent.k@example.com', '--k', 'x']);
    expect(badK.stderr).toMatch(/--k must be/);
  });
});
