import { useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { useSendMessage, useUpdateTicket, useUsers } from '../api/hooks.ts';
import { PRIORITIES, TRANSITIONS, type Message, type Priority, type TicketDetail, type TicketStatus, type User } from '../api/types.ts';
import { dateTime, languageName, relativeTime } from '../format.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';
import { SlaCountdown, StatusBadge } from './badges.tsx';
import { offerPlaybookOverride } from './PlaybookPanel.tsx';
import { draftListeners, drafts } from './drafts.ts';
import { EmailParts } from '../email/EmailParts.tsx';
import { agentLanguage, LanguageNotice, MessageTranslation, TranslatePreview, useTicketTranslations, useTranslationStatus, type TranslationItem } from './translation.tsx';
import { agentTyped, VisitorTyping } from '../chat/typing.tsx';

interface Props {
  ticket: TicketDetail;
  me: User;
  now: number;
  replyRef: RefObject<HTMLTextAreaElement | null>;
  onBack: () => void;
  onPrev: (() => void) | null;
  onNext: (() => void) | null;
}

export function TicketView({ ticket, me, now, replyRef, onBack, onPrev, onNext }: Props) {
  const { t, i18n } = useTranslation();
  const translation = useTranslationStatus();
  const available = translation.data?.available;
  const hasOriginals = ticket.messages.some((m) => m.authorType === 'agent');
  const translations = useTicketTranslations(ticket, agentLanguage(i18n.language), available === true || (available === false && hasOriginals));
  const items = new Map((translations.data?.items ?? []).map((x) => [x.messageId, x]));
  const originals = new Map((translations.data?.originals ?? []).map((x) => [x.messageId, x]));
  return (
    <div className="ticket-view">
      <div className="ticket-header">
        <div className="ticket-nav">
          <button type="button" className="btn btn-ghost btn-small" onClick={onBack}>
            ← {t('ticket.back')}
          </button>
          <span className="nav-arrows">
            <button type="button" className="btn btn-ghost btn-small" aria-label={t('ticket.prev')} disabled={!onPrev} onClick={() => onPrev?.()}>
              ↑
            </button>
            <button type="button" className="btn btn-ghost btn-small" aria-label={t('ticket.next')} disabled={!onNext} onClick={() => onNext?.()}>
              ↓
            </button>
          </span>
        </div>
        <h1 className="ticket-subject">
          <span className="ticket-number">#{ticket.number}</span> <bdi>{ticket.subject}</bdi>
        </h1>
        <div className="ticket-meta">
          <StatusBadge status={ticket.status} />
          <span className="muted">
            {ticket.customer.name || ticket.customer.email} · {t('ticket.via', { channel: ticket.channel })} ·{' '}
            {relativeTime(ticket.createdAt, document.documentElement.lang, now)}
          </span>
          <span className="sla-block">
            <span className="muted">{t('sla.label')}</span> <SlaCountdown sla={ticket.sla} now={now} status={ticket.status} />
          </span>
        </div>
        <TicketControls ticket={ticket} me={me} />
      </div>
      <LanguageNotice ticket={ticket} available={available} />
      <Thread messages={ticket.messages} translations={items} originals={originals} />
      {ticket.channel === 'chat' && <VisitorTyping ticketId={ticket.id} />}
      <ReplyBox ticketId={ticket.id} replyRef={replyRef} customerLanguage={ticket.language ?? ticket.customer.language} canTranslate={available === true} />
    </div>
  );
}

function TicketControls({ ticket, me }: { ticket: TicketDetail; me: User }) {
  const { t } = useTranslation();
  const { toast } = useFeedback();
  const update = useUpdateTicket(ticket.id);
  const users = useUsers();
  const [newTag, setNewTag] = useState('');

  const onError = (e: unknown) => toast('error', t('toast.error', { message: errorText(e, t) }));

  const statusOptions: TicketStatus[] = [ticket.status, ...TRANSITIONS[ticket.status]];
  const assignees = [...(users.data ?? [])];
  if (ticket.assignee && !assignees.some((u) => u.id === ticket.assignee?.id)) {
    assignees.push({ id: ticket.assignee.id, name: ticket.assignee.name, email: '', role: 'agent', teamId: null, languages: [], timezone: '', active: true });
  }
  if (!assignees.some((u) => u.id === me.id)) {
    assignees.unshift({ id: me.id, name: me.name, email: me.email, role: me.role, teamId: me.teamId, languages: me.languages, timezone: me.timezone, active: true });
  }

  const saveTags = (tags: string[]) =>
    update.mutate({ tags }, { onSuccess: () => toast('success', t('toast.tagsSaved')), onError });

  const addTag = () => {
    const v = newTag.trim();
    if (!v || ticket.tags.includes(v)) {
      setNewTag('');
      return;
    }
    saveTags([...ticket.tags, v]);
    setNewTag('');
  };

  return (
    <div className="ticket-controls">
      <div className="control">
        <label htmlFor="ticket-status">{t('ticket.status')}</label>
        <select
          id="ticket-status"
          value={ticket.status}
          disabled={update.isPending || statusOptions.length === 1}
          onChange={(e) => {
            const status = e.target.value as TicketStatus;
            update.mutate(
              { status },
              {
                onSuccess: () => toast('success', t('toast.statusChanged', { status: t(`status.${status}`) })),
                // required playbook steps open: the playbook panel asks for a reason instead
                onError: (e) => {
                  if (!offerPlaybookOverride(ticket.id, e)) onError(e);
                },
              },
            );
          }}
        >
          {statusOptions.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="control">
        <label htmlFor="ticket-assignee">{t('ticket.assignee')}</label>
        <select
          id="ticket-assignee"
          value={ticket.assigneeId ?? ''}
          disabled={update.isPending}
          onChange={(e) => {
            const id = e.target.value || null;
            const name = assignees.find((u) => u.id === id)?.name ?? '';
            update.mutate(
              { assigneeId: id },
              {
                onSuccess: () => toast('success', id ? t('toast.assigned', { name }) : t('toast.unassigned')),
                onError,
              },
            );
          }}
        >
          <option value="">{t('ticket.unassigned')}</option>
          {assignees.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
      <div className="control">
        <label htmlFor="ticket-priority">{t('ticket.priority')}</label>
        <select
          id="ticket-priority"
          value={ticket.priority}
          disabled={update.isPending}
          onChange={(e) => {
            const priority = e.target.value as Priority;
            update.mutate(
              { priority },
              { onSuccess: () => toast('success', t('toast.priorityChanged', { priority: t(`priority.${priority}`) })), onError },
            );
          }}
        >
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {t(`priority.${p}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="control control-tags" role="group" aria-label={t('ticket.tags')}>
        <span>{t('ticket.tags')}</span>
        <div className="tags">
          {ticket.tags.length === 0 && <span className="muted">{t('ticket.noTags')}</span>}
          {ticket.tags.map((tag) => (
            <span key={tag} className="tag">
              {tag}
              <button
                type="button"
                className="tag-remove"
                aria-label={t('ticket.removeTag', { tag })}
                disabled={update.isPending}
                onClick={() => saveTags(ticket.tags.filter((x) => x !== tag))}
              >
                ×
              </button>
            </span>
          ))}
          <input
            type="text"
            className="tag-input"
            aria-label={t('ticket.newTag')}
            placeholder={t('ticket.newTag')}
            value={newTag}
            maxLength={60}
            onChange={(e) => setNewTag(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addTag();
              }
            }}
          />
          <button type="button" className="btn btn-small" disabled={!newTag.trim() || update.isPending} onClick={addTag}>
            {t('ticket.addTag')}
          </button>
        </div>
      </div>
    </div>
  );
}

function Thread({
  messages,
  translations,
  originals,
}: {
  messages: Message[];
  translations: Map<string, TranslationItem>;
  originals: Map<string, { text: string; language: string }>;
}) {
  const { t, i18n } = useTranslation();
  const endRef = useRef<HTMLDivElement>(null);
  const lastId = messages[messages.length - 1]?.id;
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [lastId]);
  return (
    <div className="thread" role="log" aria-label={t('ticket.thread')} aria-live="polite">
      {messages.length === 0 && <p className="muted">{t('ticket.noMessages')}</p>}
      {messages.map((m) => {
        const who = m.authorName || t(`author.${m.authorType}`);
        const kind = m.internal ? 'internal' : m.authorType;
        return (
          <article
            key={m.id}
            className={`message message-${kind}${m.authorType === 'bot' ? ' message-from-bot' : ''}`}
            aria-label={`${who} · ${m.internal ? t('ticket.internal') : t(`author.${m.authorType}`)}`}
          >
            <header className="message-head">
              <span className="message-author">{who}</span>
              <span className={`author-type author-${kind}`}>{m.internal ? t('ticket.internal') : t(`author.${m.authorType}`)}</span>
              {m.authorType === 'bot' && <span className="author-type author-bot">{m.internal ? t('bot.handOff') : t('bot.automatic')}</span>}
              {m.language && m.authorType === 'customer' && <span className="muted">{languageName(m.language, i18n.language)}</span>}
              <time className="muted" dateTime={m.createdAt}>
                {dateTime(m.createdAt, i18n.language)}
              </time>
            </header>
            <div className="message-body" lang={m.language ?? undefined} dir="auto">
              {m.body}
            </div>
            <MessageTranslation message={m} item={translations.get(m.id)} original={originals.get(m.id)} />
            {m.ticketId && (m.attachments?.length || m.hasHtml) ? <EmailParts ticketId={m.ticketId} messageId={m.id} attachments={m.attachments} hasHtml={m.hasHtml} /> : null}
          </article>
        );
      })}
      <div ref={endRef} />
    </div>
  );
}


function ReplyBox({
  ticketId,
  replyRef,
  customerLanguage,
  canTranslate,
}: {
  ticketId: string;
  replyRef: RefObject<HTMLTextAreaElement | null>;
  customerLanguage: string | null;
  canTranslate: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { toast } = useFeedback();
  const send = useSendMessage(ticketId);
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const key = `${ticketId}:${mode}`;
  const [, rerender] = useState(0);
  useEffect(() => {
    const l = () => {
      setMode('reply');
      rerender((n) => n + 1);
    };
    draftListeners.add(l);
    return () => {
      draftListeners.delete(l);
    };
  }, []);
  const body = drafts.get(key) ?? '';
  const setBody = (v: string) => {
    if (v) drafts.set(key, v);
    else drafts.delete(key);
    rerender((n) => n + 1);
  };

  const submit = () => {
    const text = body.trim();
    if (!text) {
      toast('info', t('reply.empty'));
      return;
    }
    const internal = mode === 'note';
    send.mutate(
      { body: text, internal },
      {
        onSuccess: () => {
          setBody('');
          toast('success', internal ? t('reply.noteSaved') : t('reply.sent'));
        },
        onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })),
      },
    );
  };

  const label = mode === 'reply' ? t('reply.replyLabel') : t('reply.noteLabel');
  return (
    <form
      className={`reply-box reply-${mode}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="reply-modes" role="group" aria-label={t('reply.mode')}>
        <button type="button" className={`mode${mode === 'reply' ? ' active' : ''}`} aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          {t('reply.reply')}
        </button>
        <button type="button" className={`mode${mode === 'note' ? ' active' : ''}`} aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          {t('reply.note')}
        </button>
        {mode === 'reply' && customerLanguage && <span className="muted reply-lang">{languageName(customerLanguage, i18n.language)}</span>}
      </div>
      <textarea
        id="reply-body"
        dir="auto"
        ref={replyRef}
        aria-label={label}
        placeholder={mode === 'reply' ? t('reply.replyPlaceholder') : t('reply.notePlaceholder')}
        value={body}
        rows={4}
        onChange={(e) => {
          setBody(e.target.value);
          if (mode === 'reply' && e.target.value.trim()) agentTyped(ticketId);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
      />
      {mode === 'reply' && canTranslate && customerLanguage && customerLanguage !== agentLanguage(i18n.language) && (
        <TranslatePreview ticketId={ticketId} draft={body} customerLanguage={customerLanguage} onSent={() => setBody('')} />
      )}
      <div className="reply-actions">
        <button type="submit" className={`btn ${mode === 'reply' ? 'btn-primary' : 'btn-note'}`} disabled={send.isPending}>
          {send.isPending ? t('reply.sending') : mode === 'reply' ? t('reply.send') : t('reply.saveNote')}
        </button>
      </div>
    </form>
  );
}
