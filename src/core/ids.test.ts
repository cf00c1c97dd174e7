import { describe, expect, it } from 'vitest';
import { isUuid, uuidv7 } from './ids.ts';

describe('uuidv7', () => {
  it('is a version 7 UUID that carries its millisecond', () => {
    const ms = Date.UTC(2026, 10, 24, 7, 30);
    const id = uuidv7(ms);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });

  it('sorts in creation order within one millisecond and across milliseconds', () => {
    const ms = Date.UTC(2026, 10, 24, 7, 31);
    const made: string[] = [];
    for (let i = 0; i < 2000; i++) made.push(uuidv7(ms + Math.floor(i / 500)));
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });
});
