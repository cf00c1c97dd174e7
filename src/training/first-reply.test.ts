import { describe, expect, it } from 'vitest';
import { DrillEngine } from './drill.ts';
import { measureFirstReplies } from './first-reply.ts';
import { scenarioLibrary } from './scenario.ts';

/** Politeness without substance, per language: no customer may take it as an offer. */
const EMPTY_POLITE: Record<string, string> = {
  en: 'Hello, thank you for your message. Kind regards.',
  de: 'Guten Tag, vielen Dank für Ihre Nachricht. Mit freundlichen Grüßen.',
  fr: 'Bonjour, merci pour votre message. Cordialement.',
  es: 'Hola, gracias por su mensaje. Saludos cordiales.',
  it: 'Buongiorno, grazie per il suo messaggio. Cordiali saluti.',
  pt: 'Olá, obrigado pela sua mensagem. Atenciosamente.',
  nl: 'Hallo, bedankt voor je bericht. Met vriendelijke groet.',
  pl: 'Dzień dobry, dziękujemy za wiadomość. Pozdrawiamy.',
  sv: 'Hej, tack för ditt meddelande. Vänliga hälsningar.',
  tr: 'Merhaba, mesajınız için teşekkürler. Saygılarımızla.',
  ru: 'Здравствуйте, спасибо за ваше сообщение. С уважением.',
  ar: 'مرحباً، شكراً على رسالتك. مع التحية.',
  ja: 'お問い合わせいただきありがとうございます。よろしくお願いいたします。',
  ko: '안녕하세요, 문의해 주셔서 감사합니다. 좋은 하루 보내세요.',
  zh: '您好，感谢您的来信。祝好。',
};

describe('first-reply acceptance of the library (model_reply + expected tools)', () => {
  const m = measureFirstReplies(scenarioLibrary().values());

  it('the simulated customer takes the strong reply at once in ≥ 60 of the scenarios that allow it', () => {
    const missed = m.results.filter((r) => r.status === 'not_accepted').map((r) => `${r.id}: ${r.reason} [${r.acts.join(' ')}]`);
    const na = m.results.filter((r) => r.status === 'not_applicable').map((r) => `${r.id}: ${r.reason}`);
    console.log(`first-reply acceptance: ${m.accepted}/${m.applicable} applicable (${m.total} scenarios)\n  missed:\n    ${missed.join('\n    ') || '-'}\n  not applicable:\n    ${na.join('\n    ') || '-'}`);
    expect(m.total).toBe(scenarioLibrary().size);
    expect(m.accepted).toBeGreaterThanOrEqual(Math.min(60, m.applicable));
    // every scenario that cannot be accepted on a first reply says why
    for (const r of m.results) if (r.status !== 'accepted') expect(r.reason).toBeTruthy();
  });

  it('politeness without substance is accepted by no customer (control)', () => {
    const accepted: string[] = [];
    for (const s of scenarioLibrary().values()) {
      const e = new DrillEngine({ scenario: s, seed: 1, hints: false, startedAt: new Date('2026-01-01T00:00:00Z') });
      const out = e.turn({ text: EMPTY_POLITE[s.language] }, new Date('2026-01-01T00:00:00Z'));
      if (out.customer?.reactions.some((r) => r.startsWith('accepted:'))) accepted.push(s.id);
    }
    expect(accepted).toEqual([]);
  });
});
