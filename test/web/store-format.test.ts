// The pure helpers of the store settings page (web/src/admin/store/format.ts).
import { describe, expect, it } from 'vitest';
import {
  badHourDays,
  boundOf,
  businessDayMinutes,
  businessDays,
  embedSnippet,
  fieldErrors,
  formatMinutes,
  hoursTextToMinutes,
  minutesToHoursText,
  normalizeOrigin,
  parseDecimal,
  parseWhole,
  weeklyOpenMinutes,
} from '../../web/src/admin/store/format.ts';

describe('SLA minutes and hours', () => {
  it('formats business minutes as hours and minutes in the interface language', () => {
    expect(formatMinutes(120, 'en')).toBe('2 hr');
    expect(formatMinutes(90, 'en')).toBe('1 hr 30 min');
    expect(formatMinutes(45, 'en')).toBe('45 min');
    expect(formatMinutes(1440, 'en')).toBe('24 hr');
    expect(formatMinutes(90, 'zh-CN')).toMatch(/^1\s?小时 30\s?分钟$/);
    expect(formatMinutes(-5, 'en')).toBe('—');
  });

  it('round-trips every whole number of minutes through the hours field', () => {
    for (let m = 1; m <= 3000; m++) expect(hoursTextToMinutes(minutesToHoursText(m))).toBe(m);
    expect(minutesToHoursText(120)).toBe('2');
    expect(minutesToHoursText(90)).toBe('1.5');
  });

  it('reads what people type: decimals with point or comma, h:mm, and refuses the rest', () => {
    expect(hoursTextToMinutes('2')).toBe(120);
    expect(hoursTextToMinutes(' 1,5 ')).toBe(90);
    expect(hoursTextToMinutes('1:30')).toBe(90);
    expect(hoursTextToMinutes('0.25')).toBe(15);
    for (const bad of ['', '0', '0.001', '-1', 'abc', '1:75', '1.5h', '2e3']) expect(hoursTextToMinutes(bad), bad).toBeNull();
  });

  it('measures the business day of a store and converts minutes to business days', () => {
    const hours = { '0': [['09:00', '18:00']], '1': [['09:00', '12:00'], ['13:00', '18:00']], '5': [], '6': [] };
    expect(businessDayMinutes(hours)).toBe(Math.round((540 + 480) / 2));
    expect(weeklyOpenMinutes(hours)).toBe(1020);
    expect(businessDayMinutes({ '5': [], '6': [] })).toBeNull();
    expect(businessDays(1440, 540)).toBe(2.7);
    expect(businessDays(1440, null)).toBeNull();
  });

  it('finds the days whose spans the server would refuse', () => {
    expect(badHourDays({ '0': [['09:00', '18:00']], '2': [['18:00', '09:00']], '3': [['9:00', '10:00']], '4': [['10:00', '24:00']] })).toEqual(['2', '3']);
  });
});

describe('field errors from the API', () => {
  it('reads a domain error with a field', () => {
    expect(fieldErrors({ field: 'timezone' }, '"Mars/Base" is not a known time zone')).toEqual({ timezone: '"Mars/Base" is not a known time zone' });
  });

  it('reads schema errors by their top-level property, first one wins', () => {
    const details = {
      context: 'body',
      errors: [
        { path: '/faqThreshold', message: 'must be <= 1', params: { comparison: '<=', limit: 1 } },
        { path: '/faqThreshold', message: 'must be number', params: { type: 'number' } },
        { path: '/businessHours/0/0/1', message: 'must match pattern', params: {} },
        { path: '', message: 'must NOT have additional properties', params: { additionalProperty: 'color' } },
      ],
    };
    expect(fieldErrors(details, 'x')).toEqual({ faqThreshold: 'must be <= 1', businessHours: 'must match pattern', color: 'must NOT have additional properties' });
    expect(boundOf(details, 'faqThreshold')).toEqual({ comparison: '<=', limit: 1 });
    expect(boundOf(details, 'businessHours')).toBeNull();
    expect(fieldErrors(undefined, 'x')).toEqual({});
  });
});

describe('chat widget and numbers', () => {
  it('builds the embed tag from this server and the store id', () => {
    expect(embedSnippet('https://help.example/', 'abc')).toBe('<script src="https://help.example/widget.js" data-store="abc" async></script>');
  });

  it('normalises origins as the server stores them, and refuses paths', () => {
    expect(normalizeOrigin(' HTTPS://Shop.Example/ ')).toBe('https://shop.example');
    expect(normalizeOrigin('http://localhost:8080')).toBe('http://localhost:8080');
    expect(normalizeOrigin('https://shop.example/page')).toBeNull();
    expect(normalizeOrigin('shop.example')).toBeNull();
  });

  it('parses whole numbers and decimals typed in fields', () => {
    expect(parseWhole('14')).toBe(14);
    expect(parseWhole('14.5')).toBeNull();
    expect(parseWhole('')).toBeNull();
    expect(parseDecimal('0,85')).toBe(0.85);
    expect(parseDecimal('.5')).toBe(0.5);
    expect(parseDecimal('1e3')).toBeNull();
    expect(parseDecimal('')).toBeNull();
  });
});
