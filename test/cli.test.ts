import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/core/paths.ts';
import { openDatabase } from '../src/db/index.ts';
import { buildApp } from '../src/server/app.ts';
import { MemoryEventBus } from '../src/core/events.ts';
import { systemClock } from '../src/core/clock.ts';

/**
 * `crossdesk user create` and `crossdesk token create`, run as a user would (node
 * bin/crossdesk.js, no build step) against an embedded database in a temporary folder.
 */

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const bin = path.join(repoRoot, 'bin', 'crossdesk.js');

function crossdesk(args: string[]): Promise<Run> {
  // the embedded database of --data, whatever the test run itself uses
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.CROSSDESK_DEBUG;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: repoRoot, env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A user-facing failure: a non-zero exit and one line on stderr, never a stack trace. */
function expectCleanFailure(r: Run, message: RegExp) {
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.trim().split('\n').filter((l) => !/^npm warn/i.test(l));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/Error:/);
}

describe('crossdesk user create / token create', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-cli-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a user, updates it on a second run, and issues a token the API accepts', async () => {
    const first = await crossdesk(['user', 'create', '--email', 'Lin@Example.com', '--password', 'first-password', '--role', 'agent', '--name', 'Lin', '--data', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^created agent lin@example\.com \([0-9a-f-]{36}\)$/m);
    const id = /\(([0-9a-f-]{36})\)/.exec(first.stdout)![1];

    const second = await crossdesk(['user', 'create', '--email', 'lin@example.com', '--password', 'second-password', '--role', 'manager', '--data', dir]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^updated manager lin@example\\.com \\(${id}\\)$`, 'm'));

    const token = await crossdesk(['token', 'create', '--email', 'lin@example.com', '--data', dir]);
    expect(token.code, token.stderr).toBe(0);
    const raw = token.stdout.trim();
    expect(raw).toMatch(/^cdt_\S{20,}$/);

    // a token for a new address creates that user with the given role
    const fresh = await crossdesk(['token', 'create', '--email', 'bot@example.com', '--role', 'trainer', '--name', 'ci', '--data', dir]);
    expect(fresh.code, fresh.stderr).toBe(0);
    const freshToken = fresh.stdout.trim();
    expect(freshToken).toMatch(/^cdt_/);
    expect(freshToken).not.toBe(raw);

    // open the same data folder as the server would and use what the CLI made
    const d = await openDatabase({ dataDir: dir });
    const bus = new MemoryEventBus();
    const app = await buildApp({ db: d.db, dbKind: d.kind, bus, clock: systemClock });
    try {
      const me = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${raw}` } });
      expect(me.statusCode, me.body).toBe(200);
      expect(me.json().user).toMatchObject({ id, email: 'lin@example.com', role: 'manager', name: 'Lin' });
      const bot = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${freshToken}` } });
      expect(bot.json().user).toMatchObject({ email: 'bot@example.com', role: 'trainer' });
      // the second run changed the password
      const login = (password: string) => app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'lin@example.com', password } });
      expect((await login('first-password')).statusCode).toBe(401);
      expect((await login('second-password')).statusCode).toBe(200);
      const users = await d.db.selectFrom('users').select(['email', 'password_hash']).execute();
      expect(users.map((u) => u.email).sort()).toEqual(['bot@example.com', 'lin@example.com']);
      expect(users.find((u) => u.email === 'lin@example.com')!.password_hash).toMatch(/^scrypt\$/);
    } finally {
      await app.close();
      await bus.close();
      await d.close();
    }
  });

  it('a bad role fails with one clear line and no stack trace', async () => {
    const r = await crossdesk(['user', 'create', '--email', 'x@example.com', '--password', 'long-enough', '--role', 'superuser', '--data', dir]);
    expectCleanFailure(r, /^crossdesk: --role must be one of admin, manager, trainer, agent$/);
    const t = await crossdesk(['token', 'create', '--email', 'y@example.com', '--role', 'root', '--data', dir]);
    expectCleanFailure(t, /--role must be one of/);
  });

  it('bad input to user create fails cleanly and creates nothing', async () => {
    const short = await crossdesk(['user', 'create', '--email', 'short@example.com', '--password', 'short', '--role', 'agent', '--data', dir]);
    expectCleanFailure(short, /password must be at least 8 characters/);
    const email = await crossdesk(['user', 'create', '--email', 'not-an-address', '--password', 'long-enough', '--role', 'agent', '--data', dir]);
    expectCleanFailure(email, /not a valid e-mail address/);
    const missing = await crossdesk(['user', 'create', '--email', 'm@example.com', '--role', 'agent', '--data', dir]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--password/);
    expect(missing.stderr).not.toMatch(/^\s+at /m);

    const d = await openDatabase({ dataDir: dir });
    try {
      const made = await d.db.selectFrom('users').select('email').where('email', 'in', ['short@example.com', 'not-an-address', 'm@example.com', 'x@example.com', 'y@example.com']).execute();
      expect(made).toEqual([]);
    } finally {
      await d.close();
    }
  });
});
