import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { applyVariant, CATEGORIES, loadScenarioDir, parseScenario, resolveRelative, scenariosDir, validateScenario, variantIds } from './scenario.ts';

const lamp = () => YAML.parse(fs.readFileSync(path.join(scenariosDir, 'de-damaged-lamp-gift.yaml'), 'utf8')) as Record<string, unknown>;

describe('scenario schema', () => {
  it('every file of the library is valid (ids unique, equal to file names)', () => {
    const { scenarios, issues } = loadScenarioDir();
    expect(issues).toEqual([]);
    expect(scenarios.length).toBeGreaterThanOrEqual(3);
    for (const s of scenarios) expect(CATEGORIES).toContain(s.category);
  });

  it('names the file and the field of each problem', () => {
    const raw = lamp();
    (raw.persona as Record<string, unknown>).mood = 3;
    ((raw.facts as Record<string, Record<string, unknown[]>>).order.items[0] as Record<string, unknown>).price = 'x';
    (raw as Record<string, unknown>).surprise = true;
    const { scenario, issues } = validateScenario(raw, 'content/scenarios/de-damaged-lamp-gift.yaml');
    expect(scenario).toBeUndefined();
    const fields = issues.map((i) => i.field);
    expect(fields).toContain('persona.mood');
    expect(fields).toContain('facts.order.items[0].price');
    expect(fields).toContain('(root).surprise');
    expect(issues.every((i) => i.file === 'content/scenarios/de-damaged-lamp-gift.yaml')).toBe(true);
  });

  it('checks cross-field rules: totals, stock of ordered SKUs, expected actions on the order, accept/reject overlap', () => {
    const raw = lamp();
    const facts = raw.facts as Record<string, Record<string, unknown>>;
    facts.order.total = 10;
    facts.stock = {};
    const out = raw.outcomes as Record<string, { kind: string }[]>;
    out.rejects.push({ kind: 'reship' });
    const es = raw.expected_end_state as { one_of: { actions: { args: Record<string, unknown> }[] }[] };
    es.one_of[0].actions[0].args.order = '#9999';
    const { issues } = validateScenario(raw, 'x.yaml');
    const msgs = issues.map((i) => `${i.field}: ${i.message}`).join('\n');
    expect(msgs).toMatch(/facts\.order\.total: is 10 but the items/);
    expect(msgs).toMatch(/facts\.stock: has no entry for the ordered SKU LAMP-OAK-01/);
    expect(msgs).toMatch(/outcomes: kind reship is both accepted and rejected/);
    expect(msgs).toMatch(/expected_end_state\.one_of\[0\]\.actions\[0\]\.args\.order/);
  });

  it('reports bad YAML and a directory of files with all problems, not just the first', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scen-'));
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'id: [unclosed');
    fs.writeFileSync(path.join(dir, 'other-name.yaml'), YAML.stringify(lamp()));
    const { scenarios, issues } = loadScenarioDir(dir);
    expect(scenarios).toEqual([]);
    expect(issues.find((i) => i.file.endsWith('broken.yaml'))?.field).toBe('(yaml)');
    expect(issues.find((i) => i.file.endsWith('other-name.yaml'))?.message).toMatch(/must equal the file name/);
    fs.rmSync(dir, { recursive: true });
  });

  it('resolves relative times and applies variants', () => {
    expect(resolveRelative('-12d', new Date('2026-01-13T00:00:00Z')).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(resolveRelative('+3h', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T03:00:00.000Z');
    const s = parseScenario(fs.readFileSync(path.join(scenariosDir, 'de-damaged-lamp-gift.yaml'), 'utf8'), 'de-damaged-lamp-gift.yaml');
    expect(variantIds(s)).toEqual(['base', 'en-speaker', 'calm', 'furious']);
    const en = applyVariant(s, 'en-speaker');
    expect(en.language).toBe('en');
    expect(en.opening[0].text).toMatch(/Your lamp arrived/);
    expect(applyVariant(s, 'calm').persona.mood).toBeLessThan(s.persona.mood);
    expect(applyVariant(s, 'furious').persona.patience).toBeLessThan(s.persona.patience);
    expect(() => applyVariant(s, 'nope')).toThrow(/no variant nope/);
  });
});
