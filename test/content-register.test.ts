/**
 * One form of address per language in everything the customer reads from us: the bot's
 * answers, the survey e-mail and page, the reply templates and the public articles. Dutch
 * uses the formal "u", German "Sie", French "vous" (the usual choice of a shop's customer
 * service towards customers it does not know). A file that slips into "je", "du" or "tu"
 * fails here with the place and the words.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'content');

interface Register {
  informal: RegExp;
  formal: RegExp;
}

// pronouns and possessives only (verb forms alone are too ambiguous to test by pattern),
// as whole words in Unicode terms ("Êtes" is not "tes"); case-sensitive where a capital
// would be the formal form
const words = (alternatives: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'gu');
const REGISTERS: Record<string, Register> = {
  nl: { informal: words('[Jj]e|[Jj]ij|[Jj]ou|[Jj]ouw|[Jj]ullie'), formal: words('[Uu]|[Uu]w') },
  de: { informal: words('[Dd]u|dich|dir|[Dd]ein(?:e[nmrs]?)?|euch|euer|eure[nmrs]?'), formal: words('Sie|Ihnen|Ihr(?:e[nmrs]?)?') },
  fr: {
    informal: new RegExp(`${words('[Tt]u|[Tt]oi|[Tt]on|[Tt]a|[Tt]es|[Tt]e').source}|(?<![\\p{L}\\p{N}])[Tt]['’](?=[aeiouyhéèêà])`, 'gu'),
    formal: words('[Vv]ous|[Vv]otre|[Vv]os'),
  },
};

interface Text {
  where: string;
  language: string;
  text: string;
}

/** The customer-facing texts of one language (template placeholders removed). */
function texts(): Text[] {
  const out: Text[] = [];
  const strip = (s: string) => s.replace(/\{\{[^}]*\}\}|\{[a-z_]+\}/g, ' ');
  const strings = (v: unknown, where: string, language: string): void => {
    if (typeof v === 'string') out.push({ where, language, text: strip(v) });
    else if (Array.isArray(v)) v.forEach((x, i) => strings(x, `${where}[${i}]`, language));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'language') strings(x, `${where}.${k}`, language);
  };
  for (const dir of ['bot', 'surveys']) {
    for (const f of fs.readdirSync(path.join(root, dir))) {
      const language = /^([a-z]{2})\.yaml$/.exec(f)?.[1];
      if (!language || !(language in REGISTERS)) continue;
      strings(parse(fs.readFileSync(path.join(root, dir, f), 'utf8')), `${dir}/${f}`, language);
    }
  }
  const templates = path.join(root, 'knowledge', 'templates');
  for (const f of fs.readdirSync(templates).filter((x) => x.endsWith('.yaml'))) {
    const doc = parse(fs.readFileSync(path.join(templates, f), 'utf8')) as { templates?: Array<{ key: string; variants?: Record<string, unknown> }> };
    for (const tpl of doc.templates ?? []) {
      for (const [language, variant] of Object.entries(tpl.variants ?? {})) {
        if (language in REGISTERS) strings(variant, `knowledge/templates/${f} ${tpl.key}.${language}`, language);
      }
    }
  }
  const articles = path.join(root, 'knowledge', 'articles');
  for (const f of fs.readdirSync(articles)) {
    const language = /\.([a-z]{2})\.md$/.exec(f)?.[1];
    if (!language || !(language in REGISTERS)) continue;
    // the front matter's tags and summary are for agents; the body is what customers read
    const body = fs.readFileSync(path.join(articles, f), 'utf8').replace(/^---[\s\S]*?\n---\n/, '');
    out.push({ where: `knowledge/articles/${f}`, language, text: body });
  }
  return out;
}

describe('form of address in customer-facing content', () => {
  const all = texts();

  it('finds the content it checks', () => {
    for (const language of Object.keys(REGISTERS)) {
      const mine = all.filter((x) => x.language === language);
      expect(mine.some((x) => x.where.startsWith('bot/')), `${language}: bot`).toBe(true);
      expect(mine.some((x) => x.where.startsWith('surveys/')), `${language}: surveys`).toBe(true);
    }
    expect(all.some((x) => x.where.startsWith('knowledge/templates/') && x.language === 'de')).toBe(true);
  });

  it('never uses the informal form (nl: u, de: Sie, fr: vous)', () => {
    const slips = all.flatMap((x) => [...x.text.matchAll(REGISTERS[x.language]!.informal)].map((m) => `${x.where} [${x.language}] "${m[0]}" in: ${x.text.slice(Math.max(0, (m.index ?? 0) - 30), (m.index ?? 0) + 30).replace(/\s+/g, ' ')}`));
    expect(slips).toEqual([]);
  });

  it('addresses the customer formally in each file', () => {
    for (const language of Object.keys(REGISTERS)) {
      for (const dir of ['bot', 'surveys']) {
        const joined = all
          .filter((x) => x.language === language && x.where.startsWith(`${dir}/`))
          .map((x) => x.text)
          .join('\n');
        expect([...joined.matchAll(REGISTERS[language]!.formal)].length, `${dir}/${language}.yaml`).toBeGreaterThan(0);
      }
    }
  });

  it('the patterns catch the informal forms they are meant for', () => {
    const hit = (language: string, s: string) => [...s.matchAll(REGISTERS[language]!.informal)].length > 0;
    expect(hit('nl', 'Hoe tevreden ben je over de hulp?')).toBe(true);
    expect(hit('nl', 'Hoe tevreden bent u over de hulp? Een kopje koffie.')).toBe(false);
    expect(hit('de', 'Wie zufrieden bist du mit deiner Bestellung?')).toBe(true);
    expect(hit('de', 'Wie zufrieden sind Sie mit Ihrer Bestellung? Die Dirndl sind da.')).toBe(false);
    expect(hit('fr', "Es-tu satisfait ? Je t'envoie ton colis.")).toBe(true);
    expect(hit('fr', 'Êtes-vous satisfait de votre colis ? Tenez-nous au courant.')).toBe(false);
  });
});
