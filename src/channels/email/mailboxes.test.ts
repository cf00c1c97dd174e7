import { describe, expect, it } from 'vitest';
import { describeImapError, returnPath } from './imap.ts';
import { secretBox } from './mailboxes.ts';

describe('mailbox passwords at rest', () => {
  it('encrypts with the key, differently each time, and opens only with the same key', () => {
    const box = secretBox('key-one');
    expect(box.encrypting).toBe(true);
    const a = box.seal('pässwörd 密码');
    const b = box.seal('pässwörd 密码');
    expect(a).toMatch(/^v1:/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('pässwörd');
    expect(box.open(a)).toBe('pässwörd 密码');
    expect(() => secretBox('key-two').open(a)).toThrow(/cannot be decrypted .*key/);
    expect(() => secretBox(undefined).open(a)).toThrow(/CROSSDESK_SECRET_KEY is not set/);
    const tampered = `${a.slice(0, -4)}AAAA`;
    expect(() => box.open(tampered)).toThrow(/cannot be decrypted/);
  });

  it('keeps the password as it is without a key, and still opens it once a key is set', () => {
    const plain = secretBox(undefined);
    expect(plain.encrypting).toBe(false);
    const s = plain.seal('secret');
    expect(s.startsWith('plain:')).toBe(true);
    expect(secretBox('later-key').open(s)).toBe('secret');
  });
});

describe('IMAP helpers', () => {
  const row = { host: 'imap.example.com', port: 993, username: 'shop@example.com', folder: 'INBOX' };
  it('says what went wrong in words an admin can act on', () => {
    expect(describeImapError(Object.assign(new Error('Authentication failed'), { authenticationFailed: true, responseText: 'Authentication failed.' }), row)).toBe(
      'authentication failed for user "shop@example.com" at imap.example.com:993: check the user name and password (server said: Authentication failed.)',
    );
    expect(describeImapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), row)).toMatch(/^cannot connect to imap\.example\.com:993: connection refused/);
    expect(describeImapError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), row)).toBe('cannot resolve the host name "imap.example.com"');
    expect(describeImapError(Object.assign(new Error('Command failed'), { serverResponseCode: 'NONEXISTENT', responseText: "Mailbox doesn't exist: Support" }), { ...row, folder: 'Support' })).toMatch(/^folder "Support" does not exist/);
    expect(describeImapError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), row)).toMatch(/^TLS with imap\.example\.com:993 failed/);
  });

  it('reads the envelope sender from Return-Path', () => {
    expect(returnPath(Buffer.from('Return-Path: <a@b.example>\r\nFrom: x@y\r\n\r\nReturn-Path: <no@body>'))).toBe('a@b.example');
    expect(returnPath(Buffer.from('Return-Path: <>\r\nFrom: MAILER-DAEMON@x\r\n\r\nbody'))).toBe('');
    expect(returnPath(Buffer.from('From: x@y\r\n\r\nReturn-Path: <no@body>\r\n'))).toBeUndefined();
  });
});
