// One drill: it looks like a real ticket (conversation in the middle, the customer and the
// order on the right with the tools), plus the coaching hints; once ended, the report.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { countryName, languageName } from '../format.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';
import { openDrill, useEndDrill, useReport, useSession, useTurn, type Hint, type Session, type ToolInfo, type TranscriptEntry } from './api.ts';
import { DrillReport } from './DrillReport.tsx';
import { Tau2Context, ToolResultView } from './Tau2Panel.tsx';

export function DrillView({ id }: { id: string }) {
  const { t } = useTranslation();
  const session = useSession(id);
  const ended = session.data ? session.data.status !== 'active' : false;
  const report = useReport(id, ended);
  if (session.isLoading) return <p className="muted">{t('drill.loading')}</p>;
  if (session.error || !session.data) return <p role="alert">{session.error ? errorText(session.error, t) : ''}</p>;
  if (ended) {
    return report.data ? <DrillReport report={report.data} session={session.data} /> : <p className="muted">{t('drill.scoring')}</p>;
  }
  return <ActiveDrill s={session.data} />;
}

function ActiveDrill({ s }: { s: Session }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const { toast, confirm } = useFeedback();
  const turn = useTurn(s.id);
  const end = useEndDrill(s.id);
  const [text, setText] = useState('');
  const [hints, setHints] = useState<Hint[]>(s.startHints);
  const [showGloss, setShowGloss] = useState(true);
  const [tool, setTool] = useState<ToolInfo | null>(null);
  const endRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // (newer browsers return a promise from scrollIntoView: not a cleanup function)
    void endRef.current?.scrollIntoView({ block: 'end' });
  }, [s.transcript.length]);

  const send = (tools?: Array<{ name: string; arguments: Record<string, unknown> }>) => {
    const body = text.trim();
    if (!body && !tools?.length) {
      toast('info', t('reply.empty'));
      return;
    }
    turn.mutate(
      { ...(body ? { text: body } : {}), ...(tools ? { tools } : {}) },
      {
        onSuccess: (r) => {
          if (body) setText('');
          setTool(null);
          if (r.hints.length) setHints((h) => [...r.hints, ...h].slice(0, 8));
          for (const x of r.tools) if (!x.ok) toast('error', `${x.name}: ${x.error?.message ?? ''}`);
          if (r.ended) void end.mutateAsync().catch(() => undefined);
        },
        onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })),
      },
    );
  };
  const mood = Math.round(s.state.mood * 100);
  return (
    <div className="drill" data-testid="drill">
      <div className="drill-main">
        <div className="ticket-header">
          <button type="button" className="btn btn-ghost btn-small" onClick={() => openDrill(null)}>
            ← {t('drill.library')}
          </button>
          <h1 className="ticket-subject">
            <span className="badge">{t('drill.practice')}</span> <bdi>{zh ? s.scenario.title.zh : s.scenario.title.en}</bdi>
          </h1>
          <div className="drill-state" aria-live="polite">
            <span>
              {t('drill.mood')}{' '}
              <meter min={0} max={100} low={40} high={70} optimum={0} value={mood} aria-label={t('drill.mood')}>
                {mood}
              </meter>
            </span>
            <span>{t('drill.patience', { count: s.state.patience })}</span>
            <span>{t('drill.turns', { count: s.state.agentTurns })}</span>
            <label className="inline">
              <input type="checkbox" checked={showGloss} onChange={(e) => setShowGloss(e.target.checked)} /> {t('drill.showGloss')}
            </label>
          </div>
        </div>
        <div className="thread" role="log" aria-label={t('drill.conversation')}>
          {s.transcript.map((e, i) => (
            <Entry key={i} e={e} language={s.scenario.language} showGloss={showGloss} />
          ))}
          <div ref={endRef} />
        </div>
        <form
          className="reply-box"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <textarea
            id="drill-reply"
            dir="auto"
            rows={4}
            value={text}
            aria-label={t('drill.yourReply', { language: languageName(s.scenario.language, i18n.language) })}
            placeholder={t('drill.yourReply', { language: languageName(s.scenario.language, i18n.language) })}
            maxLength={8000}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                send();
              }
            }}
          />
          <div className="reply-actions">
            <button
              type="button"
              className="btn btn-ghost"
              disabled={end.isPending}
              onClick={() => {
                void confirm(t('drill.endConfirm')).then((ok) => {
                  if (ok) end.mutate(undefined, { onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })) });
                });
              }}
            >
              {t('drill.end')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={turn.isPending}>
              {turn.isPending ? t('reply.sending') : t('reply.send')}
            </button>
          </div>
        </form>
      </div>
      <aside className="pane-context drill-side" aria-label={t('drill.context')}>
        {s.sandbox.tau2 && <Tau2Context tau2={s.sandbox.tau2} />}
        <section hidden={!!s.sandbox.tau2}>
          <h2>{t('drill.customer')}</h2>
          <dl className="facts">
            <dt>{t('context.name')}</dt>
            <dd>{s.scenario.persona.name}</dd>
            <dt>{t('context.country')}</dt>
            <dd>{countryName(s.scenario.market, i18n.language)}</dd>
            <dt>{t('context.language')}</dt>
            <dd>{languageName(s.scenario.language, i18n.language)}</dd>
            {s.sandbox.customer?.email && (
              <>
                <dt>{t('context.email')}</dt>
                <dd className="break">{s.sandbox.customer.email}</dd>
              </>
            )}
          </dl>
        </section>
        {s.sandbox.order && (
          <section data-testid="drill-order">
            <h2>{t('order.title')}</h2>
            <p>
              <strong>{s.sandbox.order.number}</strong> · {s.sandbox.order.status} · {s.sandbox.order.total} {s.sandbox.order.currency} · {s.sandbox.order.paymentMethod}
            </p>
            <ul className="order-items">
              {s.sandbox.order.items.map((it) => (
                <li key={it.sku}>
                  {it.qty} × {it.name} <span className="muted">({it.sku})</span> — {it.price}
                  {it.returned > 0 && <span className="muted"> · {t('order.returned', { count: it.returned })}</span>}
                </li>
              ))}
            </ul>
            {s.sandbox.shipments.map((sh, i) => (
              <p key={i} className="muted">
                {sh.carrier} {sh.tracking} · {sh.status}
              </p>
            ))}
            {s.sandbox.refunds.length > 0 && <p className="muted">{t('drill.refunded', { amount: s.sandbox.refunds.reduce((n, r) => n + r.amount, 0) })}</p>}
            {s.sandbox.returns.map((r) => (
              <p key={r.rma} className="muted">
                RMA {r.rma} · {r.sku} × {r.qty} · {t('order.payer', { payer: t(`order.payerName.${r.paidBy === 'customer' ? 'buyer' : r.paidBy}`, { defaultValue: r.paidBy }) })}
              </p>
            ))}
          </section>
        )}
        <section aria-labelledby="drill-tools">
          <h2 id="drill-tools">{t('drill.tools')}</h2>
          <div className="order-actions">
            {s.scenario.tools.map((x) => (
              <button key={x.name} type="button" className={`btn btn-small${tool?.name === x.name ? ' active' : ''}`} title={zh ? x.zh : x.en} onClick={() => setTool(tool?.name === x.name ? null : x)}>
                {zh ? x.zh : x.en}
              </button>
            ))}
          </div>
          {tool && (
            <ToolForm
              key={tool.name}
              tool={tool}
              orderNumber={s.sandbox.order?.number ?? ''}
              prefill={s.sandbox.tau2 ? { order_id: s.sandbox.tau2.orders.at(-1)?.order_id ?? '', user_id: s.sandbox.tau2.user?.user_id ?? '' } : undefined}
              stringsOnly={!!s.sandbox.tau2}
              pending={turn.isPending}
              onRun={(args) => send([{ name: tool.name, arguments: args }])}
            />
          )}
        </section>
        {s.hints && (
          <section aria-labelledby="drill-hints" className="hints">
            <h2 id="drill-hints">{t('drill.hintsTitle')}</h2>
            {hints.length === 0 ? (
              <p className="muted">{t('drill.noHints')}</p>
            ) : (
              <ul data-testid="drill-hints">
                {hints.map((h, i) => (
                  <li key={`${h.code}-${i}`}>{zh ? h.zh : h.en}</li>
                ))}
              </ul>
            )}
            <details>
              <summary>{t('drill.culture')}</summary>
              <p>{zh ? s.scenario.cultureHints.zh : s.scenario.cultureHints.en}</p>
              <ul>
                {s.scenario.marketRules.map((r, i) => (
                  <li key={i}>{zh ? r.zh : r.en}</li>
                ))}
              </ul>
            </details>
          </section>
        )}
      </aside>
    </div>
  );
}

function Entry({ e, language, showGloss }: { e: TranscriptEntry; language: string; showGloss: boolean }) {
  const { t } = useTranslation();
  const customer = e.role === 'customer';
  return (
    <article className={`message ${customer ? 'message-customer' : e.role === 'agent' ? 'message-agent' : 'message-system'}`}>
      <header className="message-head">
        <span className="message-author">{t(`drill.role.${e.role}`, { defaultValue: e.role })}</span>
        {e.acts && e.acts.length > 0 && <span className="muted acts">{e.acts.map((a) => t(`drill.act.${a}`, { defaultValue: a })).join(' · ')}</span>}
      </header>
      {e.text && (
        <div className="message-body" dir="auto" lang={customer ? language : undefined}>
          {e.text}
        </div>
      )}
      {customer && showGloss && e.gloss_zh && (
        <div className="message-translation" lang="zh">
          <span className="translation-label">{t('drill.gloss')}</span>
          {e.gloss_zh}
        </div>
      )}
      {e.tools?.map((x, i) => (
        <ToolResultView key={i} name={x.name} ok={x.ok} result={x.result} error={x.error} />
      ))}
    </article>
  );
}

function ToolForm({
  tool,
  orderNumber,
  prefill,
  stringsOnly,
  pending,
  onRun,
}: {
  tool: ToolInfo;
  orderNumber: string;
  /** Values to start with (tau2: the last order looked up, the user id). */
  prefill?: Record<string, string>;
  /** tau2 tools take text only (a zip code stays "02134"); `name[]` arguments are lists. */
  stringsOnly?: boolean;
  pending: boolean;
  onRun: (args: Record<string, unknown>) => void;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<string, string>>(() => {
    const init: Record<string, string> = {};
    if (tool.args.some((a) => a.replace('?', '') === 'order')) init.order = orderNumber;
    for (const [k, v] of Object.entries(prefill ?? {})) if (v && tool.args.includes(k)) init[k] = v;
    return init;
  });
  return (
    <form
      className="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        const args: Record<string, unknown> = {};
        for (const raw of tool.args) {
          const k = raw.replace('?', '').replace('[]', '');
          const v = values[k]?.trim();
          if (raw.endsWith('[]')) {
            args[k] = (v ?? '').split(/[\s,]+/).filter(Boolean);
            continue;
          }
          if (stringsOnly) {
            args[k] = values[k] ?? '';
            continue;
          }
          if (!v) continue;
          args[k] = v === 'true' ? true : v === 'false' ? false : /^-?\d+(\.\d+)?$/.test(v) && k !== 'order' && k !== 'postcode' ? Number(v) : v;
        }
        onRun(args);
      }}
    >
      {tool.args.map((raw) => {
        const k = raw.replace('?', '').replace('[]', '');
        const optional = raw.endsWith('?') || (stringsOnly && k === 'address2');
        const isList = raw.endsWith('[]');
        return (
          <label key={k}>
            {k}
            {optional ? ` (${t('drill.optional')})` : ''}
            {isList ? ` (${t('drill.tau2.listHint')})` : ''}{' '}
            <input name={k} value={values[k] ?? ''} required={!optional} maxLength={isList ? 400 : 200} onChange={(e) => setValues({ ...values, [k]: e.target.value })} />
          </label>
        );
      })}
      <button type="submit" className="btn btn-primary btn-small" disabled={pending}>
        {t('drill.runTool')}
      </button>
    </form>
  );
}
