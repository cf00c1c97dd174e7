import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { request } from '../api/client.ts';
import type { EmailAttachment } from '../api/types.ts';

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * What an e-mail brought beyond its text: attachment chips (download links; blocked ones
 * say why) and the original HTML in a sandboxed frame, remote images held back until the
 * agent loads them.
 */
export function EmailParts({ ticketId, messageId, attachments, hasHtml }: { ticketId: string; messageId: string; attachments?: EmailAttachment[]; hasHtml?: boolean }) {
  const { t } = useTranslation();
  const [showHtml, setShowHtml] = useState(false);
  const [remote, setRemote] = useState<'block' | 'allow'>('block');
  const base = `/api/v1/tickets/${encodeURIComponent(ticketId)}`;
  const html = useQuery({
    queryKey: ['email-html', ticketId, messageId],
    queryFn: () => request<{ remoteImageCount: number }>('GET', `${base}/messages/${encodeURIComponent(messageId)}/html`),
    enabled: showHtml,
    staleTime: 5 * 60_000,
  });
  const files = (attachments ?? []).filter((a) => !(a.inline && a.contentType.startsWith('image/')) || a.blocked);
  const images = (attachments ?? []).filter((a) => a.inline && a.contentType.startsWith('image/') && !a.blocked);
  if (!files.length && !images.length && !hasHtml) return null;
  return (
    <div className="email-parts">
      {(files.length > 0 || images.length > 0) && (
        <ul className="attachment-chips" aria-label={t('email.attachments')}>
          {[...files, ...images].map((a) =>
            a.blocked ? (
              <li key={a.id} className="attachment-chip attachment-blocked" title={t('email.blocked', { reason: a.blockedReason ?? '' })}>
                <span aria-hidden="true">⛔</span> {a.filename} <span className="muted">{size(a.size)}</span>
              </li>
            ) : (
              <li key={a.id} className="attachment-chip">
                <a href={`${base}/attachments/${encodeURIComponent(a.id)}`} download={a.filename} title={t('email.download', { name: a.filename })}>
                  <span aria-hidden="true">📎</span> {a.filename}
                </a>{' '}
                <span className="muted">{size(a.size)}</span>
              </li>
            ),
          )}
        </ul>
      )}
      {hasHtml && (
        <div className="email-html">
          <button type="button" className="link-button" onClick={() => setShowHtml((v) => !v)} aria-expanded={showHtml}>
            {showHtml ? t('email.hideHtml') : t('email.showHtml')}
          </button>
          {showHtml && (
            <>
              {remote === 'block' && (html.data?.remoteImageCount ?? 0) > 0 && (
                <p className="email-remote-note">
                  {t('email.remoteBlocked', { count: html.data?.remoteImageCount ?? 0 })}{' '}
                  <button type="button" className="link-button" onClick={() => setRemote('allow')}>
                    {t('email.loadRemote')}
                  </button>
                </p>
              )}
              <iframe
                className="email-html-frame"
                title={t('email.htmlTitle')}
                sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
                referrerPolicy="no-referrer"
                src={`${base}/messages/${encodeURIComponent(messageId)}/html?format=document&remoteImages=${remote}`}
              />
            </>
          )}
        </div>
      )}
    </div>
  );
}
