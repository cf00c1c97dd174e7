// Suggested replies (templates in the customer's language, variables filled from the ticket
// and its order) and the market's rules and cultural hint for this customer (issue 4).
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { TicketDetail } from '../api/types.ts';
import { languageName } from '../format.ts';
import { errorText } from '../ui/errorText.ts';
import { insertIntoReply } from './drafts.ts';

interface Suggestion {
  templateId: string;
  key: string;
  category: string;
  language: string;
  dir: 'ltr' | 'rtl';
  title: string;
  body: string;
  missing: string[];
  score: number;
}
interface Suggestions {
  language: string;
  market: string;
  items: Suggestion[];
}

export function useSuggestions(ticket: TicketDetail) {
  return useQuery({
    queryKey: ['suggestions', ticket.id, ticket.category, ticket.language, ticket.orderId],
    queryFn: () => api.get<Suggestions>(`/api/v1/tickets/${encodeURIComponent(ticket.id)}/suggestions?limit=4`),
    staleTime: 60_000,
  });
}

export function SuggestionsPanel({ ticket }: { ticket: TicketDetail }) {
  const { t, i18n } = useTranslation();
  const q = useSuggestions(ticket);
  return (
    <section aria-labelledby="ctx-suggestions" className="suggestions-panel">
      <h2 id="ctx-suggestions">
        {t('suggest.title')}
        {q.data && <span className="muted"> · {languageName(q.data.language, i18n.language)}</span>}
      </h2>
      {q.isLoading && <p className="muted">{t('suggest.loading')}</p>}
      {q.error && <p role="alert">{errorText(q.error, t)}</p>}
      {q.data && q.data.items.length === 0 && <p className="muted">{t('suggest.none')}</p>}
      <ul className="suggestions" data-testid="suggestions">
        {q.data?.items.map((s) => (
          <li key={s.templateId}>
            <details>
              <summary>
                <bdi>{s.title}</bdi>
              </summary>
              <div className="suggestion-body" dir={s.dir} lang={s.language}>
                {s.body}
              </div>
            </details>
            {s.missing.length > 0 && (
              <p className="warn" role="note">
                {t('suggest.missing', { vars: s.missing.join(', ') })}
              </p>
            )}
            <button type="button" className="btn btn-small" onClick={() => insertIntoReply(ticket.id, s.body)}>
              {t('suggest.use')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface MarketInfo {
  code: string;
  name: { en: string; zh: string };
  consumer: {
    withdrawal: { days: number; from: string; source: string };
    legalGuarantee: { months: number | null; source: string };
    returnShipping: { faulty: string; damaged: string; wrong_item: string; change_of_mind: string; source: string };
    refund: { days: number | null; source: string };
  };
  culture: { address: string; en: CultureGuide; zh: CultureGuide };
}
interface CultureGuide {
  directness: string;
  formality: string;
  apology: string;
  greeting: string;
  signOff: string;
  tips: string[];
}

export function MarketPanel({ ticket }: { ticket: TicketDetail }) {
  const { t, i18n } = useTranslation();
  const sug = useSuggestions(ticket);
  const code = (ticket.customer.country ?? sug.data?.market ?? '').toUpperCase();
  const q = useQuery({
    queryKey: ['market', code],
    queryFn: () => api.get<MarketInfo>(`/api/v1/markets/${encodeURIComponent(code)}`),
    enabled: /^[A-Z]{2}$/.test(code),
    staleTime: 10 * 60_000,
    retry: false,
  });
  if (!q.data) return null;
  const m = q.data;
  const zh = i18n.language.startsWith('zh');
  const guide = zh ? m.culture.zh : m.culture.en;
  const payer = (p: string) => t(`order.payerName.${p}`, { defaultValue: p });
  return (
    <section aria-labelledby="ctx-market" className="market-panel" data-testid="market-panel">
      <h2 id="ctx-market">{t('market.title', { name: zh ? m.name.zh : m.name.en })}</h2>
      <dl className="facts">
        <dt>{t('market.withdrawal')}</dt>
        <dd title={m.consumer.withdrawal.source}>{m.consumer.withdrawal.days > 0 ? t('market.days', { count: m.consumer.withdrawal.days }) : t('market.noWithdrawal')}</dd>
        <dt>{t('market.guarantee')}</dt>
        <dd title={m.consumer.legalGuarantee.source}>{m.consumer.legalGuarantee.months ? t('market.months', { count: m.consumer.legalGuarantee.months }) : t('market.noFixed')}</dd>
        <dt>{t('market.returnShipping')}</dt>
        <dd title={m.consumer.returnShipping.source}>
          {t('market.payers', { faulty: payer(m.consumer.returnShipping.faulty), mind: payer(m.consumer.returnShipping.change_of_mind) })}
        </dd>
        <dt>{t('market.refund')}</dt>
        <dd title={m.consumer.refund.source}>{m.consumer.refund.days !== null ? t('market.days', { count: m.consumer.refund.days }) : t('market.noFixed')}</dd>
      </dl>
      <details className="culture">
        <summary>
          {t('market.culture')} · {m.culture.address}
        </summary>
        <p>{guide.directness}</p>
        <p>{guide.apology}</p>
        <p>
          <span className="muted">{t('market.greeting')}:</span> {guide.greeting}
        </p>
        <p>
          <span className="muted">{t('market.signOff')}:</span> {guide.signOff}
        </p>
        <ul>
          {guide.tips.map((tip, i) => (
            <li key={i}>{tip}</li>
          ))}
        </ul>
      </details>
    </section>
  );
}
