// Markets page (`#/markets`, `#/markets/DE`): every market's rules in force, each with its
// legal source; trainers, managers and admins edit them (consumer rules, hours, holidays,
// cultural guidance, peaks), see what differs from the file's default and revert to it, and read
// the history of who changed what. Agents read the same page without the edit controls.
import { Fragment, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { Role } from '../api/types.ts';
import { ApiError } from '../api/client.ts';
import { errorText } from '../ui/errorText.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { dateTime } from '../format.ts';
import { Field } from '../admin/store/Field.tsx';
import {
  belongsTo,
  canEditMarkets,
  changedBody,
  DAYS,
  draftOf,
  duplicatePeak,
  emptyPeak,
  errorField,
  GUIDE_KEYS,
  hoursText,
  PAYERS,
  REASONS,
  REFUND_FROM,
  RESTOCKING,
  useMarketHistory,
  useMarketList,
  useMarketView,
  useRevertMarket,
  useSaveMarket,
  WITHDRAWAL_FROM,
  type Draft,
  type HistoryEntry,
  type MarketView,
} from './api.ts';

function codeFromHash(): string {
  const m = /^#\/markets\/([A-Za-z]{2})\b/.exec(window.location.hash);
  return m ? m[1].toUpperCase() : '';
}

export function MarketsPage({ role }: { role: Role }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const list = useMarketList();
  const [code, setCode] = useState(codeFromHash);
  useEffect(() => {
    const onHash = () => {
      if (window.location.hash.startsWith('#/markets')) setCode(codeFromHash());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const items = list.data?.items ?? [];
  const selected = code || items.find((m) => m.code === 'DE')?.code || items[0]?.code || '';
  const canEdit = canEditMarkets(role);

  return (
    <main id="main" className="pane-main admin-page markets-page" tabIndex={-1} aria-labelledby="markets-title">
      <div className="admin-head">
        <h1 id="markets-title" className="pane-heading">
          {t('markets.title')}
        </h1>
        <p className="muted">{canEdit ? t('markets.intro') : t('markets.introReadOnly')}</p>
      </div>
      {list.isPending && <p role="status">{t('list.loading')}</p>}
      {list.isError && (
        <p className="form-error" role="alert">
          {errorText(list.error, t)}
        </p>
      )}
      <div className="markets-layout">
        <nav aria-label={t('markets.list')} className="markets-list">
          <ul>
            {items.map((m) => (
              <li key={m.code}>
                <a href={`#/markets/${m.code}`} aria-current={m.code === selected ? 'page' : undefined} className="markets-item">
                  <span className="markets-code">{m.code}</span> {zh ? m.name.zh : m.name.en}
                  {m.overridden.length > 0 && <span className="markets-badge">{t('markets.edited')}</span>}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {selected && <MarketDetail key={selected} code={selected} canEdit={canEdit} />}
      </div>
    </main>
  );
}

function MarketDetail({ code, canEdit }: { code: string; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const q = useMarketView(code);
  const [editing, setEditing] = useState(false);
  if (q.isPending) return <p role="status">{t('list.loading')}</p>;
  if (q.isError)
    return (
      <p className="form-error" role="alert">
        {errorText(q.error, t)}
      </p>
    );
  const m = q.data;
  return (
    <section className="markets-detail" aria-labelledby="market-heading" data-testid="market-detail">
      <div className="markets-detail-head">
        <h2 id="market-heading">
          {zh ? m.name.zh : m.name.en} ({m.code})
        </h2>
        <span className="muted">
          {m.currency} · {m.languages.join(', ')} · {m.timezone}
        </span>
        <span className="muted" data-testid="market-version">
          {m.version === 0
            ? t('markets.fromFile')
            : t('markets.versionBy', { version: m.version, name: m.updatedBy?.name ?? '—', at: m.updatedAt ? dateTime(m.updatedAt, i18n.language) : '—' })}
        </span>
        {canEdit && !editing && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing(true)}>
            {t('markets.edit')}
          </button>
        )}
      </div>
      {m.problem && (
        <p className="form-error" role="alert">
          {t('markets.problem', { message: m.problem })}
        </p>
      )}
      {editing ? <EditForm market={m} onDone={() => setEditing(false)} /> : <RulesView m={m} />}
      <DiffView m={m} canEdit={canEdit && !editing} />
      <HistoryView code={code} />
    </section>
  );
}

// ---------------------------------------------------------------------------------------
// Reading

function Rule({ label, children, source, note, edited }: { label: string; children: ReactNode; source: string; note?: string; edited: boolean }) {
  const { t } = useTranslation();
  return (
    <div className={`markets-rule${edited ? ' is-edited' : ''}`}>
      <dt>
        {label}
        {edited && <span className="markets-badge">{t('markets.edited')}</span>}
      </dt>
      <dd>
        <div className="markets-rule-text">{children}</div>
        <cite className="settings-source">
          {t('markets.source')}: {source}
        </cite>
        {note && <p className="markets-note">{note}</p>}
      </dd>
    </div>
  );
}

function unitDays(t: TFunction, days: number, business: boolean) {
  return business ? t('markets.businessDays', { count: days }) : t('market.days', { count: days });
}

function RulesView({ m }: { m: MarketView }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const c = m.consumer;
  const edited = (f: string) => m.overridden.includes(f);
  const guide = zh ? m.culture.zh : m.culture.en;
  return (
    <div className="markets-rules" data-testid="market-rules">
      <h3>{t('markets.consumer')}</h3>
      <dl>
        <Rule label={t('market.withdrawal')} source={c.withdrawal.source} note={c.withdrawal.note} edited={edited('consumer.withdrawal')}>
          <span data-testid="rule-withdrawal">
            {c.withdrawal.from === 'none' || c.withdrawal.days <= 0
              ? t('market.noWithdrawal')
              : t('markets.withdrawalText', { period: unitDays(t, c.withdrawal.days, c.withdrawal.businessDays), from: t(`markets.withdrawalFrom.${c.withdrawal.from}`) })}
          </span>
        </Rule>
        <Rule label={t('market.guarantee')} source={c.legalGuarantee.source} note={c.legalGuarantee.note} edited={edited('consumer.legalGuarantee')}>
          {c.legalGuarantee.months ? t('market.months', { count: c.legalGuarantee.months }) : t('market.noFixed')}
        </Rule>
        <Rule label={t('market.returnShipping')} source={c.returnShipping.source} note={c.returnShipping.note} edited={edited('consumer.returnShipping')}>
          <ul className="markets-payers">
            {REASONS.map((r) => (
              <li key={r}>
                {t(`markets.reason.${r}`)}: <strong>{t(`order.payerName.${c.returnShipping[r]}`, { defaultValue: c.returnShipping[r] })}</strong>
              </li>
            ))}
          </ul>
        </Rule>
        <Rule label={t('market.refund')} source={c.refund.source} note={c.refund.note} edited={edited('consumer.refund')}>
          {c.refund.days === null
            ? t('market.noFixed')
            : c.refund.days === 0
              ? t('markets.refundNow')
              : t('markets.refundText', { period: unitDays(t, c.refund.days, c.refund.businessDays), from: t(`markets.refundFrom.${c.refund.from}`) })}
        </Rule>
        <Rule label={t('markets.restockingFee')} source={c.restockingFee.source} note={c.restockingFee.note} edited={edited('consumer.restockingFee')}>
          {t(`markets.restocking.${c.restockingFee.allowed}`, { defaultValue: c.restockingFee.allowed })}
        </Rule>
      </dl>

      <h3>
        {t('markets.hours')} {edited('businessHours') && <span className="markets-badge">{t('markets.edited')}</span>}
      </h3>
      <table className="settings-hours-table">
        <tbody>
          {DAYS.map((d) => (
            <tr key={d}>
              <th scope="row">{t(`markets.day.${d}`)}</th>
              <td>{m.businessHours[d]?.length ? hoursText(m.businessHours[d]) : <span className="muted">{t('markets.closed')}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {t('markets.holidaysFrom', { country: m.holidayCountry, zone: m.timezone })}
        {m.holidayNote ? ` ${m.holidayNote}` : ''}
      </p>
      <h3>
        {t('markets.extraHolidays')} {edited('extraHolidays') && <span className="markets-badge">{t('markets.edited')}</span>}
      </h3>
      {m.extraHolidays.length === 0 ? (
        <p className="muted">{t('markets.none')}</p>
      ) : (
        <ul>
          {m.extraHolidays.map((h) => (
            <li key={h.date}>
              {h.date} · {zh ? h.name.zh : h.name.en} <cite className="settings-source">{h.source}</cite>
            </li>
          ))}
        </ul>
      )}

      <h3>
        {t('markets.culture')} · {m.culture.address} {(edited('culture.en') || edited('culture.zh') || edited('culture.address')) && <span className="markets-badge">{t('markets.edited')}</span>}
      </h3>
      <dl className="facts">
        {GUIDE_KEYS.map((k) => (
          <Fragment key={k}>
            <dt>{t(`markets.guide.${k}`)}</dt>
            <dd>{guide[k]}</dd>
          </Fragment>
        ))}
      </dl>
      {guide.tips.length > 0 && (
        <ul>
          {guide.tips.map((tip, i) => (
            <li key={i}>{tip}</li>
          ))}
        </ul>
      )}
      {m.peaks.length > 0 && (
        <>
          <h3>{t('markets.peaks')}</h3>
          <ul>
            {m.peaks.map((p) => (
              <li key={p.id}>
                {p.from ? `${p.from}${p.to && p.to !== p.from ? ` – ${p.to}` : ''} · ` : ''}
                {zh ? p.zh : p.en}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** A field's value as short lines of text (for the diff and the history). */
function valueLines(value: unknown): string[] {
  if (value === null || value === undefined) return ['—'];
  if (Array.isArray(value)) {
    if (value.length === 0) return ['—'];
    return value.map((v) => (typeof v === 'object' && v !== null ? Object.values(v as Record<string, unknown>).map((x) => (typeof x === 'object' && x !== null ? Object.values(x).join(' / ') : String(x))).join(' · ') : String(v)));
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      if (Array.isArray(v)) return `${k}: ${v.length ? v.map((x) => (Array.isArray(x) ? x.join('-') : String(x))).join(', ') : '—'}`;
      return `${k}: ${v === null ? '—' : String(v)}`;
    });
  }
  return [String(value)];
}

const fieldKey = (f: string) => f.replace(/\./g, '_');

/** One changed field: its name, the value before (struck through) and after. */
function ChangeRow({ field, before, after }: { field: string; before: unknown; after: unknown }) {
  const { t } = useTranslation();
  return (
    <tr>
      <th scope="row">{t(`markets.fields.${fieldKey(field)}`, { defaultValue: field })}</th>
      {[before, after].map((v, col) => (
        <td key={col} className={col === 0 ? 'markets-old' : 'markets-new'}>
          {valueLines(v).map((l, i) => (
            <div key={i}>{l}</div>
          ))}
        </td>
      ))}
    </tr>
  );
}

function DiffView({ m, canEdit }: { m: MarketView; canEdit: boolean }) {
  const { t } = useTranslation();
  const { toast, confirm } = useFeedback();
  const revert = useRevertMarket(m.code);
  if (m.overridden.length === 0) return null;
  const onRevert = async () => {
    if (!(await confirm(t('markets.revertConfirm', { code: m.code })))) return;
    revert.mutate(m.version, {
      onSuccess: () => toast('success', t('markets.reverted')),
      onError: (e) => toast('error', errorText(e, t)),
    });
  };
  return (
    <section className="markets-diff admin-card settings-wide" aria-labelledby="market-diff" data-testid="market-diff">
      <h3 id="market-diff">{t('markets.diffTitle')}</h3>
      <table className="settings-table">
        <thead>
          <tr>
            <th scope="col">{t('markets.field')}</th>
            <th scope="col">{t('markets.default')}</th>
            <th scope="col">{t('markets.now')}</th>
          </tr>
        </thead>
        <tbody>
          {m.overridden.map((f) => (
            <ChangeRow key={f} field={f} before={m.defaults[f]} after={currentValue(m, f)} />
          ))}
        </tbody>
      </table>
      {canEdit && (
        <div className="admin-actions">
          <button type="button" className="btn" disabled={revert.isPending} onClick={() => void onRevert()}>
            {t('markets.revert')}
          </button>
        </div>
      )}
    </section>
  );
}

function currentValue(m: MarketView, field: string): unknown {
  const [head, tail] = field.split('.');
  const top = (m as unknown as Record<string, unknown>)[head];
  return tail ? (top as Record<string, unknown> | undefined)?.[tail] : top;
}

function HistoryView({ code }: { code: string }) {
  const { t, i18n } = useTranslation();
  const q = useMarketHistory(code);
  const items: HistoryEntry[] = q.data?.items ?? [];
  return (
    <section className="markets-history" aria-labelledby="market-history" data-testid="market-history">
      <h3 id="market-history">{t('markets.history')}</h3>
      {q.isError && (
        <p className="form-error" role="alert">
          {errorText(q.error, t)}
        </p>
      )}
      {q.isSuccess && items.length === 0 && <p className="muted">{t('markets.noHistory')}</p>}
      <ol className="markets-history-list">
        {items.map((h) => (
          <li key={h.version}>
            <details>
              <summary>
                <strong>v{h.version}</strong> · {t(`markets.action.${h.action}`)} · {h.actor?.name ?? '—'} · <time dateTime={h.at}>{dateTime(h.at, i18n.language)}</time> ·{' '}
                {h.changed.map((f) => t(`markets.fields.${fieldKey(f)}`, { defaultValue: f })).join(', ') || t('markets.none')}
              </summary>
              <table className="settings-table">
                <tbody>
                  {h.changed.map((f) => (
                    <ChangeRow key={f} field={f} before={h.before[f]} after={h.after[f]} />
                  ))}
                </tbody>
              </table>
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}

// ---------------------------------------------------------------------------------------
// Editing

function EditForm({ market, onDone }: { market: MarketView; onDone: () => void }) {
  const { t } = useTranslation();
  const { toast } = useFeedback();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(market));
  const [base, setBase] = useState<MarketView>(market);
  const save = useSaveMarket(market.code);
  const [error, setError] = useState<unknown>(null);
  const errPath = errorField(error);
  const errAt = (key: string) => (belongsTo(errPath, key) && error instanceof Error ? error.message : undefined);
  const conflict = error instanceof ApiError && error.code === 'version_conflict';
  /** An error about the list of peaks as a whole (e.g. too many), not one of them. */
  const peaksError = errPath === 'peaks' && error instanceof Error ? error.message : undefined;
  const { fields } = changedBody(base, draft);

  const set = (fn: (d: Draft) => void) =>
    setDraft((d) => {
      const next = structuredClone(d);
      fn(next);
      return next;
    });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const { body, fields: changed } = changedBody(base, draft);
    if (!changed.length) return;
    // the API keeps peaks by position; a second peak with the same ID is a mistake: say it at the field
    const dup = duplicatePeak(draft);
    if (dup >= 0) {
      setError(new ApiError(400, 'validation_error', t('markets.peakIdTaken', { id: draft.peaks[dup].id.trim() }), { field: `peaks[${dup}].id` }));
      return;
    }
    setError(null);
    save.mutate(body, {
      onSuccess: () => {
        toast('success', t('markets.saved'));
        onDone();
        // back to the top of the market: the rules just saved
        document.getElementById('market-heading')?.scrollIntoView({ block: 'start' });
      },
      onError: (err) => {
        setError(err);
        // someone saved in between: fetch their version so it can be taken
        if (err instanceof ApiError && err.code === 'version_conflict') void qc.invalidateQueries({ queryKey: ['market', market.code] });
      },
    });
  };

  // someone saved in between: start again from their version (the message says so)
  const takeLatest = () => {
    setBase(market);
    setDraft(draftOf(market));
    setError(null);
  };

  const text = (key: string, label: string, value: string, onChange: (v: string) => void, opts: { long?: boolean; hint?: string; inputMode?: 'numeric' } = {}) => (
    <Field label={label} error={errAt(key)} hint={opts.hint} className={opts.long ? 'settings-span-all' : undefined}>
      {(p) => (opts.long ? <textarea {...p} rows={2} value={value} onChange={(e) => onChange(e.target.value)} /> : <input {...p} inputMode={opts.inputMode} value={value} onChange={(e) => onChange(e.target.value)} />)}
    </Field>
  );
  const select = (key: string, label: string, value: string, values: readonly string[], prefix: string, onChange: (v: string) => void) => (
    <Field label={label} error={errAt(key)}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {values.map((v) => (
            <option key={v} value={v}>
              {t(`${prefix}.${v}`, { defaultValue: v })}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const check = (key: string, label: string, value: boolean, onChange: (v: boolean) => void) => (
    <Field label={label} error={errAt(key)}>
      {(p) => <input {...p} type="checkbox" checked={value} onChange={(e) => onChange(e.target.checked)} />}
    </Field>
  );
  const sourced = (key: string, d: { source: string; note: string }, apply: (fn: (x: { source: string; note: string }) => void) => void) => (
    <>
      {text(`${key}.source`, t('markets.sourceLabel'), d.source, (v) => apply((x) => (x.source = v)), { long: true })}
      {text(`${key}.note`, t('markets.noteLabel'), d.note, (v) => apply((x) => (x.note = v)), { long: true, hint: t('markets.noteHint') })}
    </>
  );

  return (
    <form className="markets-form admin-card settings-card settings-wide" onSubmit={onSubmit} aria-labelledby="market-edit-title" noValidate>
      <h3 id="market-edit-title">{t('markets.editTitle', { code: market.code })}</h3>
      {error !== null && (
        <div className="form-error" role="alert" data-testid="market-error">
          <p>{conflict ? t('markets.conflict', { name: ((error as ApiError).details as { updatedBy?: { name?: string } } | undefined)?.updatedBy?.name ?? '—' }) : errorText(error, t)}</p>
          {conflict && (
            <button type="button" className="btn btn-small" onClick={takeLatest} disabled={market.version === base.version}>
              {t('markets.takeLatest')}
            </button>
          )}
        </div>
      )}

      <fieldset className="settings-grid">
        <legend>{t('market.withdrawal')}</legend>
        {text('consumer.withdrawal.days', t('markets.days'), draft.withdrawal.days, (v) => set((d) => void (d.withdrawal.days = v)), { inputMode: 'numeric' })}
        {select('consumer.withdrawal.from', t('markets.from'), draft.withdrawal.from, WITHDRAWAL_FROM, 'markets.withdrawalFrom', (v) => set((d) => void (d.withdrawal.from = v)))}
        {check('consumer.withdrawal.businessDays', t('markets.countBusinessDays'), draft.withdrawal.businessDays, (v) => set((d) => void (d.withdrawal.businessDays = v)))}
        {sourced('consumer.withdrawal', draft.withdrawal, (fn) => set((d) => fn(d.withdrawal)))}
      </fieldset>

      <fieldset className="settings-grid">
        <legend>{t('market.guarantee')}</legend>
        {text('consumer.legalGuarantee.months', t('markets.months'), draft.guarantee.months, (v) => set((d) => void (d.guarantee.months = v)), { inputMode: 'numeric', hint: t('markets.emptyNoPeriod') })}
        {sourced('consumer.legalGuarantee', draft.guarantee, (fn) => set((d) => fn(d.guarantee)))}
      </fieldset>

      <fieldset className="settings-grid">
        <legend>{t('market.returnShipping')}</legend>
        {REASONS.map((r) => (
          <span key={r} className="markets-contents">
            {select(`consumer.returnShipping.${r}`, t(`markets.reason.${r}`), draft.shipping[r], PAYERS, 'order.payerName', (v) => set((d) => void (d.shipping[r] = v as (typeof PAYERS)[number])))}
          </span>
        ))}
        {sourced('consumer.returnShipping', draft.shipping, (fn) => set((d) => fn(d.shipping)))}
      </fieldset>

      <fieldset className="settings-grid">
        <legend>{t('market.refund')}</legend>
        {text('consumer.refund.days', t('markets.days'), draft.refund.days, (v) => set((d) => void (d.refund.days = v)), { inputMode: 'numeric', hint: t('markets.emptyNoDeadline') })}
        {select('consumer.refund.from', t('markets.from'), draft.refund.from, REFUND_FROM, 'markets.refundFrom', (v) => set((d) => void (d.refund.from = v)))}
        {check('consumer.refund.businessDays', t('markets.countBusinessDays'), draft.refund.businessDays, (v) => set((d) => void (d.refund.businessDays = v)))}
        {sourced('consumer.refund', draft.refund, (fn) => set((d) => fn(d.refund)))}
      </fieldset>

      <fieldset className="settings-grid">
        <legend>{t('markets.restockingFee')}</legend>
        {select('consumer.restockingFee.allowed', t('markets.allowed'), draft.restocking.allowed, RESTOCKING, 'markets.restocking', (v) => set((d) => void (d.restocking.allowed = v)))}
        {sourced('consumer.restockingFee', draft.restocking, (fn) => set((d) => fn(d.restocking)))}
      </fieldset>

      <fieldset className="settings-grid">
        <legend>{t('markets.hours')}</legend>
        {DAYS.map((day) => (
          <span key={day} className="markets-contents">
            {text(`businessHours.${day}`, t(`markets.day.${day}`), draft.hours[day], (v) => set((d) => void (d.hours[day] = v)), { hint: day === 'mon' ? t('markets.hoursHint') : undefined })}
          </span>
        ))}
      </fieldset>

      <fieldset className="settings-plain">
        <legend>{t('markets.extraHolidays')}</legend>
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">{t('markets.date')}</th>
              <th scope="col">{t('markets.nameEn')}</th>
              <th scope="col">{t('markets.nameZh')}</th>
              <th scope="col">{t('markets.sourceLabel')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('markets.remove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {draft.holidays.map((h, i) => {
              const err = errAt(`extraHolidays[${i}]`);
              const cell = (k: 'date' | 'en' | 'zh' | 'source', label: string) => (
                <td className={err ? 'has-error' : undefined}>
                  <input aria-label={`${label} ${i + 1}`} aria-invalid={err ? true : undefined} value={h[k]} placeholder={k === 'date' ? 'YYYY-MM-DD' : undefined} onChange={(e) => set((d) => void (d.holidays[i][k] = e.target.value))} />
                </td>
              );
              return (
                <tr key={i}>
                  {cell('date', t('markets.date'))}
                  {cell('en', t('markets.nameEn'))}
                  {cell('zh', t('markets.nameZh'))}
                  {cell('source', t('markets.sourceLabel'))}
                  <td>
                    <button type="button" className="btn btn-small" onClick={() => set((d) => void d.holidays.splice(i, 1))}>
                      {t('markets.remove')}
                    </button>
                    {err && <span className="settings-field-error">{err}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button type="button" className="btn btn-small" onClick={() => set((d) => void d.holidays.push({ date: '', en: '', zh: '', source: '' }))}>
          {t('markets.addHoliday')}
        </button>
      </fieldset>

      <fieldset className="settings-grid">
        <legend>{t('markets.culture')}</legend>
        {text('culture.address', t('markets.address'), draft.address, (v) => set((d) => void (d.address = v)))}
        {(['en', 'zh'] as const).map((lang) => (
          <span key={lang} className="markets-contents">
            {GUIDE_KEYS.map((k) => (
              <span key={k} className="markets-contents">
                {text(`culture.${lang}.${k}`, `${t(`markets.guide.${k}`)} (${lang === 'en' ? 'English' : '中文'})`, draft.guides[lang][k], (v) => set((d) => void (d.guides[lang][k] = v)), { long: k === 'directness' || k === 'apology' })}
              </span>
            ))}
            {text(`culture.${lang}.tips`, `${t('markets.tips')} (${lang === 'en' ? 'English' : '中文'})`, draft.guides[lang].tips, (v) => set((d) => void (d.guides[lang].tips = v)), { long: true, hint: t('markets.tipsHint') })}
          </span>
        ))}
      </fieldset>

      <fieldset className="settings-plain" data-testid="market-peaks-form">
        <legend>{t('markets.peaks')}</legend>
        {peaksError && <p className="settings-field-error">{peaksError}</p>}
        {draft.peaks.length === 0 && <p className="muted">{t('markets.none')}</p>}
        {draft.peaks.map((peak, i) => (
          <fieldset key={i} className="settings-grid">
            <legend>
              {t('markets.peakN', { n: i + 1 })}
              {peak.id.trim() ? ` · ${peak.id.trim()}` : ''}
            </legend>
            {text(`peaks[${i}].id`, t('markets.peakId'), peak.id, (v) => set((d) => void (d.peaks[i].id = v)), { hint: t('markets.peakIdHint') })}
            {text(`peaks[${i}].from`, t('markets.peakFrom'), peak.from, (v) => set((d) => void (d.peaks[i].from = v)), { hint: t('markets.peakDatesHint') })}
            {text(`peaks[${i}].to`, t('markets.peakTo'), peak.to, (v) => set((d) => void (d.peaks[i].to = v)))}
            {text(`peaks[${i}].en`, t('markets.peakEn'), peak.en, (v) => set((d) => void (d.peaks[i].en = v)), { long: true })}
            {text(`peaks[${i}].zh`, t('markets.peakZh'), peak.zh, (v) => set((d) => void (d.peaks[i].zh = v)), { long: true })}
            {text(`peaks[${i}].note`, t('markets.noteLabel'), peak.note, (v) => set((d) => void (d.peaks[i].note = v)), { long: true, hint: t('markets.noteHint') })}
            <div className="settings-span-all">
              <button type="button" className="btn btn-small" onClick={() => set((d) => void d.peaks.splice(i, 1))}>
                {t('markets.removePeak')}
              </button>
            </div>
          </fieldset>
        ))}
        <button type="button" className="btn btn-small" onClick={() => set((d) => void d.peaks.push(emptyPeak()))}>
          {t('markets.addPeak')}
        </button>
      </fieldset>

      <div className="admin-actions">
        <button type="submit" className="btn btn-primary" disabled={!fields.length || save.isPending}>
          {save.isPending ? t('settings.saving') : t('markets.save')}
        </button>
        <button type="button" className="btn" onClick={onDone} disabled={save.isPending}>
          {t('markets.cancel')}
        </button>
        {fields.length > 0 && <span className="muted">{t('markets.unsaved', { fields: fields.map((f) => t(`markets.fields.${fieldKey(f)}`, { defaultValue: f })).join(', ') })}</span>}
      </div>
    </form>
  );
}
