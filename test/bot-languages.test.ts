/**
 * The bot in the languages whose texts came later (nl pl sv tr ru): a customer who writes in
 * Polish or Russian about their own parcel gets the live tracking answer in that language,
 * and a product question is answered from the FAQ article in the customer's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botMessages, managerView, startBotWorld } from './helpers/bot-world.ts';
import type { Database } from '../src/db/index.ts';
import { createTicket, type TicketDeps } from '../src/helpdesk/tickets.ts';
import { BOT_LANGUAGES } from '../src/helpdesk/bot.ts';
import { systemActor } from '../src/helpdesk/visibility.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = new Date('2026-11-20T10:00:00Z');

let database: Database;
let deps: TicketDeps;
let storeId: string;
let errors: unknown[] = [];
const manager = (ticketId: string) => managerView(deps, ticketId);
const longDate = (d: Date, locale: string, timeZone: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(d);

beforeAll(async () => {
  ({ database, deps, storeId, errors } = await startBotWorld({
    start,
    supportEmail: 'help@lumen.example',
    orders: [
      // a Polish parcel: handed to DPD in Łódź two days ago, scanned in Warsaw yesterday
      {
        number: 'CD-30001', currency: 'EUR', placedAt: new Date(start.getTime() - 3 * DAY),
        customer: { email: 'katarzyna.nowak@example.pl', name: 'Katarzyna Nowak', country: 'PL', language: 'pl' },
        address: { line1: 'ul. Marszałkowska 84/92', city: 'Warszawa', postalCode: '00-514' },
        sku: 'LAMP-AUR-WHT-EU', warehouseCode: 'DE-LEJ', paymentMethod: 'card',
        carrier: 'DHL Paket', trackingNumber: '00340434161094077777',
        scans: [
          { at: new Date(start.getTime() - 2 * DAY), location: 'Łódź, PL', description: 'Parcel received.' },
          { at: new Date(start.getTime() - 20 * HOUR), location: 'Warszawa, PL', description: 'At the delivery depot.' },
        ],
      },
      // a Russian parcel on a long way from the Shenzhen warehouse
      {
        number: 'CD-30002', currency: 'USD', placedAt: new Date(start.getTime() - 6 * DAY),
        customer: { email: 'anna.smirnova@example.ru', name: 'Анна Смирнова', country: 'RU', language: 'ru' },
        address: { line1: 'ул. Тверская, д. 7, кв. 12', city: 'Москва', postalCode: '125009' },
        sku: 'BUDS-ECH-BLK-US', warehouseCode: 'CN-SZX', paymentMethod: 'card',
        carrier: 'Cainiao', trackingNumber: 'LP00612345678901',
        scans: [
          { at: new Date(start.getTime() - 5 * DAY), location: 'Shenzhen, CN', description: 'Departed origin.' },
          { at: new Date(start.getTime() - 30 * HOUR), location: 'Москва, RU', description: 'Arrived at sorting centre.' },
        ],
      },
    ],
  }));
});

afterAll(async () => {
  expect(errors).toEqual([]);
  await database?.close();
});

/**
 * An order-status question by e-mail that the bot answers alone: the ticket is in the
 * expected language and carries exactly one bot message, public. Returns the ticket and it.
 */
async function answeredAlone(language: string, question: { subject: string; body: string; customer: { email: string; name: string; country: string } }) {
  const t = await createTicket(deps, { ...question, storeId, channel: 'email' }, systemActor);
  const full = await manager(t.id);
  expect(full.language).toBe(language);
  const bots = botMessages(full);
  expect(bots.map((m) => m.internal), bots.map((m) => m.body).join('\n---\n')).toEqual([false]);
  return { full, body: bots[0].body };
}

describe('the bot in Polish, Russian and the other later languages', () => {
  it('has texts for all fifteen customer languages', () => {
    expect(BOT_LANGUAGES().sort()).toEqual(expect.arrayContaining(['nl', 'pl', 'sv', 'tr', 'ru', 'en', 'de', 'fr', 'es', 'it', 'ja', 'ko', 'ar', 'pt', 'zh']));
  });

  it('answers a Polish order-status question with the tracking facts, in formal Polish', async () => {
    const { full, body } = await answeredAlone('pl', {
      subject: 'Gdzie jest moja paczka?',
      body: 'Dzień dobry, gdzie jest moje zamówienie CD-30001? Kiedy mogę spodziewać się paczki?',
      customer: { email: 'katarzyna.nowak@example.pl', name: 'Katarzyna Nowak', country: 'PL' },
    });
    expect(body.startsWith('Dzień dobry,')).toBe(true);
    expect(body).toContain('status zamówienia CD-30001');
    expect(body).toContain('Przewoźnik: DHL Paket, numer przesyłki 00340434161094077777');
    const lastScan = longDate(new Date(start.getTime() - 20 * HOUR), 'pl-PL', 'Europe/Warsaw');
    expect(lastScan).toMatch(/listopada/);
    expect(body).toContain(`Ostatnia aktualizacja (${lastScan}): przesyłka w drodze – Warszawa, PL`);
    expect(body).toMatch(/Przewidywana dostawa: między \d+ listopada 2026 a \d+ listopada 2026/);
    expect(body).toContain('odpowiedź automatyczna');
    expect(body).toContain('Zespół obsługi klienta Lumen Home');
    // formal: speaks to "Państwo", never with the informal "ty" forms
    expect(body).toMatch(/Państwa/);
    expect(body).not.toMatch(/\b(twoje|twoja|twój|ciebie)\b/iu);
    expect(full.status).toBe('solved');
  });

  it('answers a Russian order-status question in Russian, with «Вы» and Russian dates', async () => {
    const { full, body } = await answeredAlone('ru', {
      subject: 'Где мой заказ?',
      body: 'Здравствуйте! Подскажите, пожалуйста, где сейчас мой заказ CD-30002 и когда его доставят?',
      customer: { email: 'anna.smirnova@example.ru', name: 'Анна Смирнова', country: 'RU' },
    });
    expect(body.startsWith('Здравствуйте, Анна!')).toBe(true);
    expect(body).toContain('Ваш заказ CD-30002');
    expect(body).toContain('Служба доставки: Cainiao, трек-номер LP00612345678901');
    expect(body).toContain('Отследить посылку: https://global.cainiao.com/detail.htm?mailNoList=LP00612345678901');
    const lastScan = longDate(new Date(start.getTime() - 30 * HOUR), 'ru-RU', 'Europe/Moscow');
    expect(lastScan).toMatch(/ноября 2026/);
    expect(body).toContain(`Последний статус: в пути (Москва, RU, ${lastScan})`);
    // Cainiao: 8–20 days from the hand-over five days ago
    const to = longDate(new Date(start.getTime() + 15 * DAY), 'ru-RU', 'Europe/Moscow');
    expect(body).toMatch(new RegExp(`Ожидаемая доставка: с .+ по ${to.replace(/\./g, '\\.')}`));
    expect(body).toContain('автоматический ответ');
    expect(body).not.toMatch(/\b(тебе|твой|твоя|ты)\b/iu);
    expect(full.status).toBe('solved');
  });

  it('answers product questions from the FAQ in Russian, Korean and Dutch', async () => {
    const cases = [
      { language: 'ru', country: 'RU', name: 'Игорь Петров', body: 'Здравствуйте! Можно ли мыть термокружку в посудомоечной машине?', expect: 'верхней корзине посудомоечной машины', hello: 'Здравствуйте, Игорь!' },
      { language: 'ko', country: 'KR', name: '김민준', body: '안녕하세요. 텀블러를 식기세척기에 넣어도 되나요?', expect: '식기세척기 상단 칸', hello: '김민준 고객님' },
      { language: 'nl', country: 'NL', name: 'Sanne de Vries', body: 'Goedemiddag, mag de thermosbeker in de vaatwasser?', expect: 'bovenste rek van de vaatwasser', hello: 'Beste Sanne,' },
    ];
    for (const c of cases) {
      const t = await createTicket(deps, { subject: c.body.slice(0, 30), body: c.body, customer: { email: `${c.language}@example.test`, name: c.name, country: c.country }, storeId }, systemActor);
      const full = await manager(t.id);
      const bots = botMessages(full);
      expect(bots.map((m) => m.internal), `${c.language}: ${bots.map((m) => m.body).join('\n')}`).toEqual([false]);
      expect(bots[0].body, c.language).toContain(c.expect);
      expect(bots[0].body.startsWith(c.hello), bots[0].body).toBe(true);
    }
  });
});
