import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from './html.ts';
import { trimReply } from './trim.ts';
import { classifyAutomatic } from './classify.ts';
import { replySubject } from './outbound.ts';
import { messageIds } from './parse.ts';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] });

describe('sanitizeHtml', () => {
  it('drops scripts, handlers and dangerous links and holds back remote images', () => {
    const out = sanitizeHtml(
      '<html><head><style>p{}</style><script>alert(1)</script></head><body onload="x()"><p onclick="steal()" style="x">Hi <b>there</b></p>' +
        '<a href="javascript:alert(1)">a</a><a href="jav&#x09;ascript:alert(1)">b</a><a href="https://shop.example/x">c</a>' +
        '<img src="http://tracker.example/p.gif" onerror="x()"><img src="cid:logo@x"><iframe src="https://e"></iframe><svg><script>1</script></svg>' +
        '<scr<script>ipt>alert(2)</script><form action="x"><input value="y"></form></body></html>',
    );
    expect(out).not.toMatch(/script|onload|onclick|onerror|javascript|iframe|<svg|style=|<form|<input/i);
    expect(out).toContain('<p>Hi <b>there</b></p>');
    expect(out).toContain('href="https://shop.example/x"');
    expect(out).toContain('data-remote-src="http://tracker.example/p.gif"');
    expect(out).not.toMatch(/\ssrc=/);
    expect(out).toContain('data-cid="logo@x"');
  });
});

describe('trimReply', () => {
  it('cuts quoted history and signatures in several languages', () => {
    expect(trimReply('Still nothing.\n\nOn Mon, 3 Nov 2026 at 10:00, Shop <s@x.y> wrote:\n> Your parcel left.\n')).toBe('Still nothing.');
    expect(trimReply('Toujours rien.\n\nLe lun. 3 nov. 2026 à 10:00, Shop <s@x.y> a écrit :\n> Votre colis')).toBe('Toujours rien.');
    expect(trimReply('Immer noch nichts.\n\nAm Mo., 3. Nov. 2026 um 10:00 Uhr schrieb Shop <s@x.y>:\n> x')).toBe('Immer noch nichts.');
    expect(trimReply('还是没收到。\n\n在 2026年11月3日 10:00，Shop <s@x.y> 写道：\n> 您的包裹')).toBe('还是没收到。');
    expect(trimReply('まだ届きません。\n\n2026年11月3日(月) 10:00 Shop <s@x.y>:\n\n-----Original Message-----\nFrom: Shop')).toBe('まだ届きません。\n\n2026年11月3日(月) 10:00 Shop <s@x.y>:');
    expect(trimReply('Thanks\n\n________________________________\nFrom: Shop <s@x.y>\nSent: Monday\nTo: me\nSubject: x\n\nold')).toBe('Thanks');
    expect(trimReply('Where is it?\n-- \nJohn Smith\n+1 555')).toBe('Where is it?');
    expect(trimReply('Where is it?\n\nSent from my iPhone')).toBe('Where is it?');
    // interleaved answers are kept
    expect(trimReply('> question 1\nanswer 1\n> question 2\nanswer 2')).toBe('> question 1\nanswer 1\n> question 2\nanswer 2');
  });
});

describe('classifyAutomatic', () => {
  it('knows machine mail from people', () => {
    expect(classifyAutomatic(headers({ 'auto-submitted': 'auto-replied' }), {})?.kind).toBe('auto_reply');
    expect(classifyAutomatic(headers({ 'auto-submitted': 'no' }), {})).toBeNull();
    expect(classifyAutomatic(headers({ 'x-autoreply': 'yes' }), {})?.kind).toBe('auto_reply');
    expect(classifyAutomatic(headers({ precedence: 'bulk' }), {})?.kind).toBe('auto_reply');
    expect(classifyAutomatic(headers({ precedence: 'junk' }), {})?.kind).toBe('auto_reply');
    expect(classifyAutomatic(headers({}), { contentType: 'multipart/report; report-type=delivery-status; boundary=x' })?.kind).toBe('bounce');
    expect(classifyAutomatic(headers({}), { fromAddress: 'MAILER-DAEMON@mx.example' })?.kind).toBe('bounce');
    expect(classifyAutomatic(headers({}), { mailFrom: '' })?.kind).toBe('bounce');
    expect(classifyAutomatic(headers({}), { mailFrom: 'a@b.c', fromAddress: 'a@b.c' })).toBeNull();
  });
});

describe('helpers', () => {
  it('makes reply subjects with one prefix and one token', () => {
    expect(replySubject('Re: AW: Where is my order [#CD-12]', 12)).toBe('Re: Where is my order [#CD-12]');
    expect(replySubject('', 3)).toBe('Re: (no subject) [#CD-3]');
  });
  it('reads Message-ID lists', () => {
    expect(messageIds('<a@b> <c@d>\r\n <e@f>')).toEqual(['a@b', 'c@d', 'e@f']);
    expect(messageIds('bare@id')).toEqual(['bare@id']);
    expect(messageIds('')).toEqual([]);
  });
});
