import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { uuidv7 } from '../core/ids.ts';
import { LABEL_LINK_DAYS, linkSigningSecret, returnLabelLinks } from './public-label.ts';
import { trackingUrl, UNIVERSAL_TRACKER } from './suggestion-context.ts';

const NOW = new Date('2026-11-24T10:00:00Z');
const DAY = 86_400_000;
const SECRET = 'unit-test-secret-0123456789abcdef';

describe('signed label links', () => {
  const links = returnLabelLinks({ publicUrl: 'https://help.shop.example/desk/', secret: SECRET });
  const id = uuidv7();

  it('builds the public URL and checks its own token', () => {
    const url = links.url(id, NOW);
    expect(url.startsWith(`https://help.shop.example/desk/public/returns/${id}/label.pdf?t=`)).toBe(true);
    const t = new URL(url).searchParams.get('t')!;
    const ok = links.check(id, t, NOW);
    expect(ok.ok).toBe(true);
    // valid to the end of the UTC day LABEL_LINK_DAYS later
    expect(ok.ok && ok.expiresAt.toISOString()).toBe('2026-12-25T00:00:00.000Z');
    expect(LABEL_LINK_DAYS).toBe(30);
  });

  it('gives the same link all day, so a suggestion does not change under the agent', () => {
    expect(links.token(id, new Date('2026-11-24T00:00:01Z'))).toBe(links.token(id, new Date('2026-11-24T23:59:59Z')));
    expect(links.token(id, NOW)).not.toBe(links.token(id, new Date(NOW.getTime() + DAY)));
  });

  it('refuses another return, another key, a changed expiry or signature, and malformed tokens', () => {
    const t = links.token(id, NOW);
    expect(links.check(uuidv7(), t, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(returnLabelLinks({ publicUrl: 'https://x.example', secret: `${SECRET}-other` }).check(id, t, NOW)).toEqual({ ok: false, reason: 'invalid' });
    const [exp, mac] = t.split('.');
    expect(links.check(id, `${(parseInt(exp, 36) + 86_400).toString(36)}.${mac}`, NOW).ok).toBe(false);
    expect(links.check(id, `${exp}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`, NOW).ok).toBe(false);
    for (const bad of ['', '.', exp, `${exp}.`, `${exp}.${mac}x`, `${exp.toUpperCase()}.${mac}`, `${t} `]) expect(links.check(id, bad, NOW), bad).toEqual({ ok: false, reason: 'invalid' });
    expect(links.check('not-a-uuid', t, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses every one-character change of the signature (also in the last character’s unused bits)', () => {
    for (let d = 0; d < 20; d++) {
      const t = links.token(id, new Date(NOW.getTime() + d * DAY));
      const [exp, mac] = t.split('.');
      for (let i = 0; i < mac.length; i++) {
        for (const c of ['A', 'B', 'Q', 'g', 'w', '_']) {
          if (mac[i] === c) continue;
          const changed = `${exp}.${mac.slice(0, i)}${c}${mac.slice(i + 1)}`;
          expect(links.check(id, changed, NOW).ok, changed).toBe(false);
        }
      }
    }
  });

  it('says expired (not invalid) for a genuine link past its day', () => {
    const t = links.token(id, NOW);
    expect(links.check(id, t, new Date('2026-12-24T23:59:59Z')).ok).toBe(true);
    expect(links.check(id, t, new Date('2026-12-25T00:00:00Z'))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('needs a real secret', () => {
    expect(() => returnLabelLinks({ publicUrl: 'https://x.example', secret: 'short' })).toThrow(/at least 16/);
  });
});

describe('the link key', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-linkkey-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is CROSSDESK_SECRET_KEY when set, else one made once in the data folder and kept', () => {
    expect(linkSigningSecret({ secretKey: 'from-the-environment-0123456789', dataDir: dir })).toBe('from-the-environment-0123456789');
    expect(fs.existsSync(path.join(dir, 'link-signing.key'))).toBe(false);
    const data = path.join(dir, 'data');
    const a = linkSigningSecret({ dataDir: data });
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(path.join(data, 'link-signing.key')).mode & 0o777).toBe(0o600);
    expect(linkSigningSecret({ dataDir: data })).toBe(a);
    expect(fs.readdirSync(data)).toEqual(['link-signing.key']);
  });

  it('keeps the server up on a read-only data folder, with a warning', () => {
    const spy = vi.spyOn(fs, 'mkdirSync').mockImplementation(() => {
      throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
    });
    try {
      const warnings: string[] = [];
      const k = linkSigningSecret({ dataDir: path.join(dir, 'readonly') }, (m) => warnings.push(m));
      expect(k.length).toBeGreaterThanOrEqual(32);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/EROFS.*CROSSDESK_SECRET_KEY/);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a damaged key file instead of signing with it', () => {
    const data = path.join(dir, 'bad');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'link-signing.key'), 'x\n');
    expect(() => linkSigningSecret({ dataDir: data })).toThrow(/no usable key/);
  });
});

describe('PUBLIC_URL', () => {
  it('defaults to localhost on the port, drops a trailing slash and refuses what is not an http(s) URL', () => {
    expect(loadConfig({}).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://help.shop.example/' }).publicUrl).toBe('https://help.shop.example');
    expect(loadConfig({ PUBLIC_URL: 'https://shop.example/support/' }).publicUrl).toBe('https://shop.example/support');
    expect(() => loadConfig({ PUBLIC_URL: 'help.shop.example' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://help.shop.example' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'https://help.shop.example/?x=1' })).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ CROSSDESK_SECRET_KEY: 'k'.repeat(32) }).secretKey).toBe('k'.repeat(32));
  });
});

describe('tracking pages', () => {
  it('links each carrier to its public page, and others to the universal tracker', () => {
    expect(trackingUrl('UPS', '1Z999AA10123456784')).toBe('https://www.ups.com/track?tracknum=1Z999AA10123456784');
    expect(trackingUrl('USPS', '9400 1118 9922 3197 4284 90')).toBe('https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490');
    expect(trackingUrl('FedEx Ground', '123456789012')).toBe('https://www.fedex.com/fedextrack/?trknbr=123456789012');
    expect(trackingUrl('DHL Paket', '00340434161094042557')).toBe('https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=00340434161094042557');
    expect(trackingUrl('DHL Express', '1234567890')).toBe('https://www.dhl.com/global-en/home/tracking.html?tracking-id=1234567890&submit=1');
    expect(trackingUrl('dhl', '1234567890')).toContain('www.dhl.com');
    expect(trackingUrl('4PX', '4PX3000123456789CN')).toBe('https://track.4px.com/#/result/0/4PX3000123456789CN');
    expect(trackingUrl('Cainiao', 'LP00123456789012')).toBe('https://global.cainiao.com/detail.htm?mailNoList=LP00123456789012');
    expect(trackingUrl('AliExpress Standard Shipping', 'LP00123456789012')).toContain('global.cainiao.com');
    expect(trackingUrl('YunExpress', 'YT2212345678901234')).toBe('https://www.yuntrack.com/parcelTracking?id=YT2212345678901234');
    const universal = (n: string) => UNIVERSAL_TRACKER.replace('{n}', n);
    for (const c of ['China Post', 'EMS', '中国邮政', 'Yanwen', '燕文', 'Postal (UPU)', 'SF Express', 'unknown', '', null]) {
      expect(trackingUrl(c, 'RR123456785CN'), String(c)).toBe(universal('RR123456785CN'));
    }
    // not mistaken for another carrier by a shared prefix
    expect(trackingUrl('USPS', '1')).not.toContain('ups.com');
    expect(trackingUrl('DHL Paket International', '1')).toContain('dhl.de');
    expect(trackingUrl('Royal Mail', 'AB123456789GB')).toBe('https://www.royalmail.com/track-your-item#/tracking-results/AB123456789GB');
  });

  it('encodes what it puts into the address', () => {
    expect(trackingUrl('UPS', 'A&B=C#D')).toBe('https://www.ups.com/track?tracknum=A%26B%3DC%23D');
  });
});
