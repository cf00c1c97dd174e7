// Translation in the ticket view: the customer's words first, the translation under them;
// a reply written in Chinese or English, previewed and sent in the customer's language.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Message, TicketDetail } from '../api/types.ts';
import { languageName } from '../format.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';

export interface TranslationFailure {
  code: string;
  message: string;
  retryAfter?: number;
  customerLanguage?: string;
}
export interface TranslationItem {
  messageId: string;
  ok: boolean;
  text?: string;
  provider?: string;
  cached?: boolean;
  sameLanguage?: boolean;
  error?: TranslationFailure;
}
interface TranslationsResult {
  to: string;
  provider: string;
  available: boolean;
  items: TranslationItem[];
  originals: Array<{ messageId: string; text: string; language: string }>;
}
interface PreviewResult {
  ok: boolean;
  text?: string;
  provider?: string;
  customerLanguage: string | null;
  sameLanguage?: boolean;
  error?: TranslationFailure;
}

/** The agent's working language for translation: the UI language, zh or en. */
export function agentLanguage(uiLanguage: string): 'zh' | 'en' {
  return uiLanguage.startsWith('zh') ? 'zh' : 'en';
}

export function useTranslationStatus() {
  return useQuery({
    queryKey: ['translation-status'],
    queryFn: () => api.get<{ provider: string; available: boolean; reason: string | null }>('/api/v1/translation/status'),
    staleTime: 5 * 60_000,
  });
}

/** Translations of the ticket's customer messages (kept on the server once made). */
export function useTicketTranslations(ticket: TicketDetail, to: string, enabled: boolean) {
  const count = ticket.messages.length;
  return useQuery({
    queryKey: ['translations', ticket.id, to, count],
    queryFn: () => api.post<TranslationsResult>(`/api/v1/tickets/${encodeURIComponent(ticket.id)}/translations`, { to }),
    enabled,
    staleTime: Infinity,
  });
}

/** Under a message: its translation (customer) or what the agent wrote before translating. */
export function MessageTranslation({ message, item, original }: { message: Message; item?: TranslationItem; original?: { text: string; language: string } }) {
  const { t, i18n } = useTranslation();
  const [hidden, setHidden] = useState(false);
  if (original) {
    return (
      <div className="message-translation original">
        <span className="translation-label">{t('translation.original', { language: languageName(original.language, i18n.language) })}</span>
        <div dir="auto" lang={original.language}>
          {original.text}
        </div>
      </div>
    );
  }
  if (!item || message.authorType !== 'customer' || item.sameLanguage) return null;
  if (!item.ok) {
    return item.error?.code === 'no_provider' ? null : (
      <div className="message-translation failed" role="note">
        {t('translation.failed', { message: item.error?.message ?? '' })}
      </div>
    );
  }
  return (
    <div className="message-translation">
      <button type="button" className="btn btn-ghost btn-small translation-toggle" aria-expanded={!hidden} onClick={() => setHidden((h) => !h)}>
        {hidden ? t('translation.show') : t('translation.label', { provider: item.provider })}
      </button>
      {!hidden && (
        <div dir="auto" className="translation-text">
          {item.text}
        </div>
      )}
    </div>
  );
}

/**
 * Above the thread: what the agent needs to know about language. Without a provider it says
 * which language the reply must be in and points to the reply templates in that language.
 */
export function LanguageNotice({ ticket, available }: { ticket: TicketDetail; available: boolean | undefined }) {
  const { t, i18n } = useTranslation();
  const lang = ticket.language ?? ticket.customer.language;
  if (!lang || lang === agentLanguage(i18n.language) || available === undefined) return null;
  return (
    <p className={`language-notice${available ? '' : ' warn'}`} role="note" data-testid="language-notice">
      {available
        ? t('translation.noticeAvailable', { language: languageName(lang, i18n.language) })
        : t('translation.noticeNone', { language: languageName(lang, i18n.language) })}
    </p>
  );
}

/**
 * The reply box's translation step: the agent's draft (zh/en) → a preview in the customer's
 * language that the agent may edit → send. The draft is never lost on a provider error.
 */
export function TranslatePreview({ ticketId, draft, customerLanguage, onSent }: { ticketId: string; draft: string; customerLanguage: string; onSent: () => void }) {
  const { t, i18n } = useTranslation();
  const { toast } = useFeedback();
  const qc = useQueryClient();
  const from = agentLanguage(i18n.language);
  const [preview, setPreview] = useState<{ text: string; provider: string; source: string } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const ask = useMutation({
    mutationFn: () => api.post<PreviewResult>(`/api/v1/tickets/${encodeURIComponent(ticketId)}/reply-preview`, { text: draft, from }),
    onSuccess: (r) => {
      if (r.ok && r.text !== undefined) {
        setPreview({ text: r.text, provider: r.provider ?? '', source: draft });
        setFailure(null);
      } else {
        setPreview(null);
        setFailure(r.error?.message ?? t('translation.unknownError'));
      }
    },
    onError: (e) => setFailure(errorText(e, t)),
  });
  const send = useMutation({
    mutationFn: (p: { text: string; provider: string; source: string }) =>
      api.post<Message>(`/api/v1/tickets/${encodeURIComponent(ticketId)}/translated-replies`, { text: p.text, original: { text: p.source, language: from }, provider: p.provider }),
    onSuccess: () => {
      setPreview(null);
      toast('success', t('reply.sent'));
      void qc.invalidateQueries({ queryKey: ['ticket', ticketId] });
      void qc.invalidateQueries({ queryKey: ['translations', ticketId] });
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      onSent();
    },
    onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })),
  });
  const target = languageName(customerLanguage, i18n.language);
  return (
    <div className="translate-preview" data-testid="translate-preview">
      {!preview && (
        <button type="button" className="btn btn-small" disabled={!draft.trim() || ask.isPending} onClick={() => ask.mutate()}>
          {ask.isPending ? t('translation.translating') : t('translation.preview', { language: target })}
        </button>
      )}
      {failure && (
        <p className="translation-failed" role="alert">
          {failure}
        </p>
      )}
      {preview && (
        <div className="preview-box">
          <label className="translation-label" htmlFor="reply-preview">
            {t('translation.previewLabel', { language: target, provider: preview.provider })}
          </label>
          <textarea id="reply-preview" dir="auto" lang={customerLanguage} rows={4} value={preview.text} onChange={(e) => setPreview({ ...preview, text: e.target.value })} />
          {preview.source !== draft && <p className="muted">{t('translation.stale')}</p>}
          <div className="reply-actions">
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setPreview(null)}>
              {t('translation.discard')}
            </button>
            <button type="button" className="btn btn-primary" disabled={!preview.text.trim() || send.isPending} onClick={() => send.mutate(preview)}>
              {send.isPending ? t('reply.sending') : t('translation.send', { language: target })}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
