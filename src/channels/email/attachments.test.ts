import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { systemClock } from '../../core/clock.ts';
import { MemoryEventBus } from '../../core/events.ts';
import { createStore } from '../../helpdesk/stores.ts';
import { contentDisposition, renderEmailHtml, safeFilename } from './attachments.ts';
import { buildMail } from './fixtures.ts';
import { ingestEmail, type EmailDeps } from './intake.ts';
import { emailSettings } from './settings.ts';

let server: TestServer;
let deps: EmailDeps;
let agent: string;
let ticketId: string;
let messageId: string;

interface AttachmentOut {
  id: string;
  filename: string;
  size: number;
  contentType: string;
  inline: boolean;
  blocked: boolean;
  blockedReason: string | null;
}

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 9)]);
const pdf = Buffer.from('%PDF-1.4\n% a small invoice\n');

beforeAll(async () => {
  server = await startTestServer();
  await createStore(server.db.db, { name: 'Shop', supportEmail: 'support@shop.example', market: 'DE', timezone: 'Europe/Berlin' });
  deps = { db: server.db.db, bus: new MemoryEventBus(), clock: systemClock, settings: { ...emailSettings({}), floodLimitPerHour: 0, maxAttachmentBytes: 100_000 } };
  agent = (await server.tokenFor('agent')).token;
  const r = await ingestEmail(
    deps,
    buildMail({
      messageId: 'att-1@example.net',
      from: 'Lena <lena@example.de>',
      subject: 'Kaputte Tasse',
      html: '<p>Die Tasse ist <b>kaputt</b>.</p><img src="cid:photo-1@x" alt="photo"><img src="https://tracker.example/pixel.gif?u=1&amp;v=2" alt="logo"><script>alert(1)</script>',
      attachments: [
        { filename: 'photo.png', contentType: 'image/png', content: png, inline: true, cid: 'photo-1@x' },
        { filename: '../../Rechnung <März>.pdf', contentType: 'application/pdf', content: pdf },
        { filename: 'setup.exe', contentType: 'application/octet-stream', content: Buffer.from('MZ\x90\x00', 'latin1') },
        { filename: 'page.html', contentType: 'text/html', content: Buffer.from('<script>alert(document.cookie)</script>') },
        { filename: 'huge.bin', contentType: 'application/octet-stream', content: Buffer.alloc(150_000, 1) },
      ],
    }),
  );
  expect(r.status).toBe('created');
  ticketId = r.ticketId!;
});

afterAll(async () => {
  await server?.close();
});

async function attachments(): Promise<AttachmentOut[]> {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}`, headers: bearer(agent) });
  expect(res.statusCode, res.body).toBe(200);
  const m = res.json<{ messages: Array<{ id: string; attachments?: AttachmentOut[]; hasHtml?: boolean }> }>().messages[0];
  messageId = m.id;
  expect(m.hasHtml).toBe(true);
  return m.attachments ?? [];
}
const byName = (list: AttachmentOut[], name: string) => list.find((a) => a.filename === name)!;

describe('e-mail attachments and HTML', () => {
  it('lists the attachments on the ticket message', async () => {
    const list = await attachments();
    expect(list.map((a) => [a.filename, a.contentType, a.size, a.blocked])).toEqual([
      ['photo.png', 'image/png', png.length, false],
      ['../../Rechnung <März>.pdf', 'application/pdf', pdf.length, false],
      ['setup.exe', 'application/x-msdownload', 4, true],
      ['page.html', 'text/html', 39, false],
      ['huge.bin', 'application/octet-stream', 150_000, true],
    ]);
    expect(byName(list, 'photo.png').inline).toBe(true);
    expect(byName(list, 'setup.exe').blockedReason).toMatch(/executable/);
    expect(byName(list, 'huge.bin').blockedReason).toMatch(/larger than 100000 bytes/);
  });

  it('downloads an attachment with a safe filename, its type and nosniff', async () => {
    const a = byName(await attachments(), '../../Rechnung <März>.pdf');
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/${a.id}`, headers: bearer(agent) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Rechnung _M_rz_.pdf"; filename*=UTF-8''Rechnung%20_M%C3%A4rz_.pdf`);
    expect(res.rawPayload.equals(pdf)).toBe(true);
  });

  it('serves HTML attachments as bytes, never as a page', async () => {
    const a = byName(await attachments(), 'page.html');
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/${a.id}`, headers: bearer(agent) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('refuses blocked attachments with a clear error, and hides other tickets', async () => {
    const list = await attachments();
    const exe = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/${byName(list, 'setup.exe').id}`, headers: bearer(agent) });
    expect(exe.statusCode).toBe(409);
    expect(exe.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/cannot be downloaded: executable/) as unknown });
    const huge = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/${byName(list, 'huge.bin').id}`, headers: bearer(agent) });
    expect(huge.statusCode).toBe(409);
    // the ticket is assigned to someone else: another agent does not see it or its files
    const owner = await server.tokenFor('agent');
    await server.db.db.updateTable('tickets').set({ assignee_id: owner.userId }).where('id', '=', ticketId).execute();
    try {
      const other = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/${list[1].id}`, headers: bearer(agent) });
      expect(other.statusCode).toBe(404);
      const mine = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/${list[1].id}`, headers: bearer(owner.token) });
      expect(mine.statusCode).toBe(200);
      const html = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/messages/${messageId}/html`, headers: bearer(agent) });
      expect(html.statusCode).toBe(404);
    } finally {
      await server.db.db.updateTable('tickets').set({ assignee_id: null }).where('id', '=', ticketId).execute();
    }
    // an attachment id of another ticket's mail is not found through this ticket
    const other = await ingestEmail(deps, buildMail({ messageId: 'att-2@example.net', from: 'x@example.org', subject: 'other', text: 'x', attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: pdf }] }));
    const foreign = await server.db.db.selectFrom('email_attachments as a').innerJoin('email_messages as e', 'e.id', 'a.email_id').select('a.id').where('e.ticket_id', '=', other.ticketId!).executeTakeFirstOrThrow();
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/${foreign.id}`, headers: bearer(agent) });
    expect(res.statusCode).toBe(404);
  });

  it('shows the HTML with remote images blocked until allowed, cid images from the attachments', async () => {
    const list = await attachments();
    const photo = byName(list, 'photo.png');
    const blocked = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/messages/${messageId}/html`, headers: bearer(agent) });
    expect(blocked.statusCode, blocked.body).toBe(200);
    const b = blocked.json<{ html: string; remoteImages: string; remoteImageCount: number }>();
    expect(b.remoteImages).toBe('block');
    expect(b.remoteImageCount).toBe(1);
    expect(b.html).toContain('<b>kaputt</b>');
    expect(b.html).not.toMatch(/script|alert/);
    expect(b.html).not.toMatch(/ src="https:/);
    expect(b.html).toMatch(/<img src="data:image\/svg\+xml,[^"]+" data-blocked="remote" data-remote-src="https:\/\/tracker\.example\/pixel\.gif\?u=1&amp;v=2"/);
    expect(b.html).toContain(`<img src="/api/v1/tickets/${ticketId}/attachments/${photo.id}?disposition=inline"`);

    const allowed = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/messages/${messageId}/html?remoteImages=allow`, headers: bearer(agent) });
    expect(allowed.json<{ html: string }>().html).toContain('<img src="https://tracker.example/pixel.gif?u=1&amp;v=2" referrerpolicy="no-referrer"');

    const doc = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/messages/${messageId}/html?format=document`, headers: bearer(agent) });
    expect(doc.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(doc.headers['content-security-policy']).toMatch(/default-src 'none'; img-src 'self' data:;/);
    expect(doc.body).toMatch(/^<!doctype html>/);
    const docAllowed = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/messages/${messageId}/html?format=document&remoteImages=allow`, headers: bearer(agent) });
    expect(docAllowed.headers['content-security-policy']).toMatch(/img-src 'self' data: https: http:/);

    const inline = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/${photo.id}?disposition=inline`, headers: bearer(agent) });
    expect(inline.headers['content-disposition']).toMatch(/^inline;/);
    expect(inline.headers['content-type']).toBe('image/png');
    const bad = await server.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/messages/${messageId}/html?remoteImages=sure`, headers: bearer(agent) });
    expect(bad.statusCode).toBe(400);
  });
});

describe('helpers', () => {
  it('makes filenames safe', () => {
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\x\\a<b>.txt')).toBe('a_b_.txt');
    expect(safeFilename('...')).toBe('attachment');
    expect(contentDisposition('attachment', 'résumé.pdf')).toBe(`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`);
  });

  it('renders blocked and allowed remote images', () => {
    const html = '<p>x</p><img data-remote-src="https://a.example/i.png" alt="a"><img data-cid="c1"><img data-cid="missing">';
    const blocked = renderEmailHtml(html, { remoteImages: 'block', cidUrl: (c) => (c === 'c1' ? '/att/1' : null) });
    expect(blocked.remoteImageCount).toBe(1);
    expect(blocked.html).not.toMatch(/ src="https:/);
    expect(blocked.html).toContain('<img src="/att/1" data-cid="c1">');
    expect(blocked.html).toMatch(/data-missing="cid"/);
    expect(renderEmailHtml(html, { remoteImages: 'allow', cidUrl: () => null }).html).toContain('<img src="https://a.example/i.png" referrerpolicy="no-referrer" data-remote-src=');
  });
});
