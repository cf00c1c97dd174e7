import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/core/paths.ts';
import { randomToken } from '../src/core/ids.ts';
import { WsClient } from './helpers/ws-client.ts';

/**
 * `crossdesk serve --workers N`: N app processes on one port (node:cluster), each a full app
 * node on the same PostgreSQL. Run as a user would (node bin/crossdesk.js) against a
 * database of its own on the DATABASE_URL server.
 */

const bin = path.join(repoRoot, 'bin', 'crossdesk.js');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: repoRoot, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function withoutDatabase(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.WORKERS;
  return env;
}

describe('serve --workers: bad values', { timeout: 120_000 }, () => {
  it('refuses workers on the embedded database and values that are not a count, in one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-workers-'));
    try {
      const embedded = await run(['serve', '--workers', '2', '--data', dir, '--port', '0', '--smtp-port', '0'], withoutDatabase());
      expect(embedded.code).not.toBe(0);
      expect(embedded.stderr.trim()).toMatch(/^crossdesk: --workers needs PostgreSQL/);
      expect(embedded.stderr).not.toMatch(/^\s+at /m);
      for (const bad of ['0', 'two', '1.5', '65']) {
        const r = await run(['serve', '--workers', bad, '--data', dir, '--port', '0', '--smtp-port', '0'], withoutDatabase());
        expect(r.code, bad).not.toBe(0);
        expect(r.stderr.trim(), bad).toBe(`crossdesk: --workers must be a whole number from 1 to 64, got "${bad}"`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('serve --workers 2 on PostgreSQL', { timeout: 240_000 }, () => {
  const dbName = `crossdesk_workers_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const dbUrl = () => {
    const u = new URL(url as string);
    u.pathname = `/${dbName}`;
    return u.toString();
  };
  let server: ChildProcess | undefined;

  afterAll(async () => {
    if (server?.exitCode === null) server.kill('SIGKILL');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  it('serves from two processes, fans live events out between them, and stops them all on SIGTERM', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();

    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const env = { ...withoutDatabase(), DATABASE_URL: dbUrl(), IMAP_POLL: '0' };
    const started = spawn(process.execPath, [bin, 'serve', '--workers', '2', '--port', String(port), '--host', '127.0.0.1', '--smtp-port', '0'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = started;
    let out = '';
    started.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    started.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < 1200 && !/running at/.test(out) && started.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/crossdesk is running at http:\/\/localhost:\d+ {2}\(2 worker processes, database: PostgreSQL, events: postgres/);

    // two worker processes under the primary
    const children = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === started.pid && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('serve');
        } catch {
          return false;
        }
      });
    expect(children).toHaveLength(2);

    const tokenRun = await run(['token', 'create', '--email', 'workers@example.com', '--role', 'agent'], env);
    expect(tokenRun.code, tokenRun.stderr).toBe(0);
    const token = tokenRun.stdout.trim().split('\n').at(-1) as string;

    // one websocket (one connection: one worker); tickets over fresh connections, which the
    // primary hands to the workers in turn: the events of both workers must reach it
    const ws = await WsClient.open(`ws://127.0.0.1:${port}/api/v1/events?token=${token}`);
    await ws.next((m) => m.type === 'hello');
    const post = (i: number) =>
      new Promise<{ status: number; body: { id: string; number: number } }>((resolve, reject) => {
        const body = JSON.stringify({ subject: `Parcel ${i}`, body: `Wo ist mein Paket? Bestellung ${1000 + i}`, customer: { email: `kunde${i}@example.de` } });
        const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/tickets', method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { id: string; number: number } }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const created = [];
    for (let i = 0; i < 6; i++) created.push(await post(i));
    expect(created.map((c) => c.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(created.map((c) => c.body.number)).size).toBe(6);
    for (const c of created) await ws.next((m) => m.type === 'ticket.created' && m.ticketId === c.body.id, `ticket.created of ${c.body.id}`);
    ws.ws.close();

    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    // the workers stopped with it
    await new Promise((r) => setTimeout(r, 500));
    for (const pid of children) expect(fs.existsSync(`/proc/${pid}`), `worker ${pid}`).toBe(false);
  });
});
