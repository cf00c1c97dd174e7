// Admin page: the IMAP mailboxes polled for customer mail (GET/POST/PATCH/DELETE
// /api/v1/mailboxes, admins only). Each row shows the account, its store and the store's
// SMTP address, the state of the last connection and poll, and the last error; a form adds
// or edits one (errors at their fields, from the page's own checks or the API's 400
// details), "Test connection" signs in once without saving, delete asks first. The password
// is write-only: the API never returns it, the form only replaces it.
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError, api, request } from '../api/client.ts';
import { dateTime } from '../format.ts';
import { errorText } from '../ui/errorText.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { Field, Loading, type FieldProps } from './store/Field.tsx';

type Tls = 'tls' | 'starttls' | 'none';
type Status = 'new' | 'connecting' | 'ok' | 'error' | 'disabled';

export interface Mailbox {
  id: string;
  storeId: string | null;
  name: string;
  host: string;
  port: number;
  tls: Tls;
  tlsVerify: boolean;
  username: string;
  password: 'encrypted' | 'plain';
  folder: string;
  afterFetch: 'seen' | 'move';
  moveTo: string | null;
  useIdle: boolean;
  pollSeconds: number;
  enabled: boolean;
  status: Status;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
  lastConnectedAt: string | null;
  lastPolledAt: string | null;
  messagesFetched: number;
  createdAt: string;
  updatedAt: string;
}

interface StoreRef {
  id: string;
  name: string;
  supportEmail: string | null;
  isDefault?: boolean;
}

interface ProbeResult {
  ok: boolean;
  message: string | null;
  idle: boolean | null;
  messages: number | null;
  unseen: number | null;
  durationMs: number;
}

/** What the form holds: text as typed, so a half-typed number is not lost. */
interface Draft {
  name: string;
  storeId: string;
  host: string;
  port: string;
  tls: Tls;
  tlsVerify: boolean;
  username: string;
  password: string;
  folder: string;
  afterFetch: 'seen' | 'move';
  moveTo: string;
  useIdle: boolean;
  pollSeconds: string;
  enabled: boolean;
}

const FIELDS = ['name', 'storeId', 'host', 'port', 'tls', 'tlsVerify', 'username', 'password', 'folder', 'afterFetch', 'moveTo', 'useIdle', 'pollSeconds', 'enabled'] as const;
type FieldName = (typeof FIELDS)[number];
type Errors = Partial<Record<FieldName | 'form', string>>;

const STATUS_CLASS: Record<Status, string> = { ok: 'status-solved', new: 'status-new', connecting: 'status-pending', error: 'status-open', disabled: 'status-closed' };

const emptyDraft = (): Draft => ({ name: '', storeId: '', host: '', port: '', tls: 'tls', tlsVerify: true, username: '', password: '', folder: 'INBOX', afterFetch: 'seen', moveTo: '', useIdle: true, pollSeconds: '60', enabled: true });

const draftOf = (m: Mailbox): Draft => ({
  name: m.name,
  storeId: m.storeId ?? '',
  host: m.host,
  port: String(m.port),
  tls: m.tls,
  tlsVerify: m.tlsVerify,
  username: m.username,
  password: '',
  folder: m.folder,
  afterFetch: m.afterFetch,
  moveTo: m.moveTo ?? '',
  useIdle: m.useIdle,
  pollSeconds: String(m.pollSeconds),
  enabled: m.enabled,
});

const wholeIn = (s: string, min: number, max: number): number | null => {
  if (!/^\d{1,6}$/.test(s.trim())) return null;
  const n = Number(s.trim());
  return n >= min && n <= max ? n : null;
};

/**
 * Whether the draft points the stored password at another server, port, TLS mode or user (or
 * drops the certificate check): the API then wants the password again, and so does the form.
 */
function leavesSavedServer(d: Draft, m: Mailbox): boolean {
  const port = d.port.trim() ? Number(d.port.trim()) : m.port;
  return d.host.trim().toLowerCase() !== m.host || port !== m.port || d.tls !== m.tls || d.username.trim() !== m.username || (m.tlsVerify && !d.tlsVerify);
}

/** The page's own checks, before anything is sent. */
function checkDraft(d: Draft, current: Mailbox | null, t: TFunction): Errors {
  const creating = current === null;
  const e: Errors = {};
  if (!d.host.trim()) e.host = t('mailboxes.error.required');
  else if (/\s|\//.test(d.host.trim())) e.host = t('mailboxes.error.host');
  if (d.port.trim() && wholeIn(d.port, 1, 65535) === null) e.port = t('mailboxes.error.port');
  if (!d.username.trim()) e.username = t('mailboxes.error.required');
  if (creating && !d.password) e.password = t('mailboxes.error.required');
  else if (current && !d.password && leavesSavedServer(d, current)) e.password = t('mailboxes.error.passwordAgain');
  if (!d.folder.trim()) e.folder = t('mailboxes.error.required');
  if (d.afterFetch === 'move' && !d.moveTo.trim()) e.moveTo = t('mailboxes.error.moveTo');
  else if (d.afterFetch === 'move' && d.moveTo.trim() === d.folder.trim()) e.moveTo = t('mailboxes.error.moveToSame');
  if (wholeIn(d.pollSeconds, 5, 86400) === null) e.pollSeconds = t('mailboxes.error.pollSeconds');
  return e;
}

/** The body of a create (everything) or of a change (only what differs; the password only when typed). */
function bodyOf(d: Draft, current: Mailbox | null): Record<string, unknown> {
  const full: Record<string, unknown> = {
    name: d.name.trim(),
    storeId: d.storeId || null,
    host: d.host.trim(),
    ...(d.port.trim() ? { port: Number(d.port.trim()) } : {}),
    tls: d.tls,
    tlsVerify: d.tlsVerify,
    username: d.username.trim(),
    folder: d.folder.trim(),
    afterFetch: d.afterFetch,
    moveTo: d.afterFetch === 'move' ? d.moveTo.trim() : null,
    useIdle: d.useIdle,
    pollSeconds: Number(d.pollSeconds.trim()),
    enabled: d.enabled,
  };
  if (d.password) full.password = d.password;
  if (!current) return full;
  const before: Record<string, unknown> = { ...bodyOf(draftOf(current), null) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(full)) if (k === 'password' || JSON.stringify(v) !== JSON.stringify(before[k])) out[k] = v;
  return out;
}

/** The fields a test connection needs (with the stored password when none is typed). */
function probeBodyOf(d: Draft, current: Mailbox | null): Record<string, unknown> {
  const body: Record<string, unknown> = { host: d.host.trim(), tls: d.tls, tlsVerify: d.tlsVerify, username: d.username.trim(), folder: d.folder.trim() };
  if (d.port.trim()) body.port = Number(d.port.trim());
  if (d.password) body.password = d.password;
  if (current && !d.port.trim()) body.port = current.port;
  return body;
}

/** Field errors out of the API's 400: `details.field` (domain checks) or the schema's error path. */
export function apiFieldErrors(e: unknown): Errors {
  if (!(e instanceof ApiError) || e.status !== 400) return {};
  const d = e.details as { field?: unknown; errors?: Array<{ path?: unknown; params?: { missingProperty?: unknown } }> } | null | undefined;
  let field: string | null = typeof d?.field === 'string' ? d.field : null;
  const first = d?.errors?.[0];
  if (!field && typeof first?.path === 'string' && first.path) field = first.path.replace(/^\//, '').split('/')[0] ?? null;
  if (!field && typeof first?.params?.missingProperty === 'string') field = first.params.missingProperty;
  if (field && (FIELDS as readonly string[]).includes(field)) return { [field]: e.message } as Errors;
  return { form: e.message };
}

function useMailboxes() {
  return useQuery({ queryKey: ['mailboxes'], queryFn: () => api.get<{ items: Mailbox[] }>('/api/v1/mailboxes'), select: (d) => d.items, refetchInterval: 15_000 });
}

function useStores() {
  return useQuery({ queryKey: ['stores'], queryFn: () => api.get<{ items: StoreRef[] }>('/api/v1/stores'), select: (d) => d.items, staleTime: 5 * 60_000 });
}

function probeText(r: ProbeResult, t: TFunction): string {
  if (!r.ok) return t('mailboxes.test.failed', { message: r.message ?? '' });
  const parts = [t('mailboxes.test.ok', { count: r.messages ?? 0, unseen: r.unseen ?? 0 })];
  parts.push(r.idle ? t('mailboxes.test.idle') : t('mailboxes.test.noIdle'));
  return parts.join(' ');
}

export function MailboxSettingsPage() {
  const { t, i18n } = useTranslation();
  const mailboxes = useMailboxes();
  const stores = useStores();
  const qc = useQueryClient();
  const { toast, confirm } = useFeedback();
  // null: no form; 'new': adding; an id: editing that mailbox
  const [editing, setEditing] = useState<string | null>(null);
  const formRef = useRef<HTMLDivElement>(null);

  const storeOf = (id: string | null): StoreRef | undefined => (id ? stores.data?.find((s) => s.id === id) : stores.data?.find((s) => s.isDefault));

  const remove = useMutation({
    mutationFn: (m: Mailbox) => request<null>('DELETE', `/api/v1/mailboxes/${encodeURIComponent(m.id)}`),
    onSuccess: (_r, m) => {
      toast('success', t('mailboxes.deleted', { name: m.name }));
      if (editing === m.id) setEditing(null);
      void qc.invalidateQueries({ queryKey: ['mailboxes'] });
    },
    onError: (e) => toast('error', errorText(e, t)),
  });

  const test = useMutation({
    mutationFn: (m: Mailbox) => request<ProbeResult>('POST', `/api/v1/mailboxes/${encodeURIComponent(m.id)}/test`, {}),
    onSuccess: (r, m) => toast(r.ok ? 'success' : 'error', `${m.name}: ${probeText(r, t)}`),
    onError: (e) => toast('error', errorText(e, t)),
  });

  const askDelete = async (m: Mailbox) => {
    if (await confirm(t('mailboxes.confirmDelete', { name: m.name }))) remove.mutate(m);
  };

  const openForm = (id: string) => {
    setEditing(id);
    window.setTimeout(() => {
      formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
    }, 0);
  };

  const current = editing && editing !== 'new' ? (mailboxes.data?.find((m) => m.id === editing) ?? null) : null;
  const locale = i18n.language;

  return (
    <main id="main" className="pane-main admin-page" tabIndex={-1} aria-labelledby="mailboxes-title">
      <div className="admin-head">
        <h1 id="mailboxes-title" className="pane-heading">
          {t('mailboxes.title')}
        </h1>
        <p className="muted">{t('mailboxes.intro')}</p>
      </div>
      <div className="admin-actions">
        <button type="button" className="btn btn-primary" onClick={() => openForm('new')} disabled={editing === 'new'}>
          {t('mailboxes.add')}
        </button>
      </div>
      <Loading query={mailboxes} />
      {mailboxes.data && mailboxes.data.length === 0 && <p className="muted">{t('mailboxes.empty')}</p>}
      {mailboxes.data && mailboxes.data.length > 0 && (
        <table className="settings-table mailbox-table" data-testid="mailbox-table">
          <caption className="visually-hidden">{t('mailboxes.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('mailboxes.col.mailbox')}</th>
              <th scope="col">{t('mailboxes.col.store')}</th>
              <th scope="col">{t('mailboxes.col.smtp')}</th>
              <th scope="col">{t('mailboxes.col.imap')}</th>
              <th scope="col">{t('mailboxes.col.status')}</th>
              <th scope="col">{t('mailboxes.col.lastError')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('mailboxes.col.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mailboxes.data.map((m) => {
              const store = storeOf(m.storeId);
              return (
                <tr key={m.id} data-mailbox={m.name}>
                  <th scope="row">
                    <div>{m.name}</div>
                    <div className="muted" style={{ fontWeight: 400 }}>
                      {m.username}
                    </div>
                  </th>
                  <td>{m.storeId ? (store?.name ?? m.storeId) : t('mailboxes.defaultStore', { name: store?.name ?? '—' })}</td>
                  <td>{store?.supportEmail ?? <span className="muted">{t('mailboxes.noSmtp')}</span>}</td>
                  <td>
                    <div>
                      {m.host}:{m.port} · {t(`mailboxes.tls.${m.tls}`)}
                      {!m.tlsVerify && m.tls !== 'none' ? ` · ${t('mailboxes.noVerify')}` : ''}
                    </div>
                    <div className="muted">
                      {t('mailboxes.user')}: {m.username} · {m.folder}
                    </div>
                    <div className="muted">{m.password === 'encrypted' ? t('mailboxes.passwordEncrypted') : t('mailboxes.passwordPlain')}</div>
                  </td>
                  <td>
                    <span className={`badge ${STATUS_CLASS[m.status]}`} data-testid="mailbox-status">
                      {t(`mailboxes.status.${m.status}`)}
                    </span>
                    <div className="muted">{m.useIdle ? t('mailboxes.idleOn', { seconds: m.pollSeconds }) : t('mailboxes.pollEvery', { seconds: m.pollSeconds })}</div>
                    <div className="muted">{t('mailboxes.lastPoll', { when: m.lastPolledAt ? dateTime(m.lastPolledAt, locale) : t('mailboxes.never') })}</div>
                    <div className="muted">{t('mailboxes.fetched', { count: m.messagesFetched })}</div>
                  </td>
                  <td>
                    {m.lastError ? (
                      <>
                        <div className="form-error" data-testid="mailbox-error">
                          {m.lastError}
                        </div>
                        <div className="muted">
                          {dateTime(m.lastErrorAt, locale)}
                          {m.failures > 1 ? ` · ${t('mailboxes.failures', { count: m.failures })}` : ''}
                        </div>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <div className="row-actions admin-actions">
                      <button type="button" className="btn btn-small" onClick={() => openForm(m.id)} aria-label={t('mailboxes.editNamed', { name: m.name })}>
                        {t('mailboxes.edit')}
                      </button>
                      <button type="button" className="btn btn-small" disabled={test.isPending && test.variables?.id === m.id} onClick={() => test.mutate(m)} aria-label={t('mailboxes.testNamed', { name: m.name })}>
                        {test.isPending && test.variables?.id === m.id ? t('mailboxes.testing') : t('mailboxes.test.button')}
                      </button>
                      <button type="button" className="btn btn-small" disabled={remove.isPending} onClick={() => void askDelete(m)} aria-label={t('mailboxes.deleteNamed', { name: m.name })}>
                        {t('mailboxes.delete')}
                      </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {editing && (editing === 'new' || current) && (
        <div ref={formRef}>
          <MailboxForm key={editing} current={current} stores={stores.data ?? []} onDone={() => setEditing(null)} />
        </div>
      )}
    </main>
  );
}

function MailboxForm({ current, stores, onDone }: { current: Mailbox | null; stores: StoreRef[]; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { toast } = useFeedback();
  const titleId = useId();
  const [draft, setDraft] = useState<Draft>(() => (current ? draftOf(current) : emptyDraft()));
  const [errors, setErrors] = useState<Errors>({});
  const [probe, setProbe] = useState<ProbeResult | null>(null);
  const creating = current === null;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    setProbe(null);
  };

  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      creating ? request<Mailbox>('POST', '/api/v1/mailboxes', body) : request<Mailbox>('PATCH', `/api/v1/mailboxes/${encodeURIComponent(current.id)}`, body),
    onSuccess: (m) => {
      toast('success', creating ? t('mailboxes.created', { name: m.name }) : t('mailboxes.saved', { name: m.name }));
      void qc.invalidateQueries({ queryKey: ['mailboxes'] });
      onDone();
    },
    onError: (e) => {
      const fields = apiFieldErrors(e);
      setErrors(fields);
      toast('error', Object.keys(fields).some((k) => k !== 'form') ? t('mailboxes.checkFields') : errorText(e, t));
    },
  });

  const tester = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      request<ProbeResult>('POST', creating ? '/api/v1/mailboxes/test' : `/api/v1/mailboxes/${encodeURIComponent(current.id)}/test`, body),
    onSuccess: (r) => setProbe(r),
    onError: (e) => {
      setProbe(null);
      const fields = apiFieldErrors(e);
      setErrors(fields);
      if (!Object.keys(fields).some((k) => k !== 'form')) toast('error', errorText(e, t));
    },
  });

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    const errs = checkDraft(draft, current, t);
    setErrors(errs);
    if (Object.keys(errs).length) {
      toast('error', t('mailboxes.checkFields'));
      return;
    }
    const body = bodyOf(draft, current);
    if (!creating && Object.keys(body).length === 0) {
      onDone();
      return;
    }
    save.mutate(body);
  };

  const runTest = () => {
    const errs = checkDraft(draft, current, t);
    // the schedule fields do not matter to a test
    delete errs.pollSeconds;
    delete errs.moveTo;
    setErrors(errs);
    if (Object.keys(errs).length) return;
    tester.mutate(probeBodyOf(draft, current));
  };

  const text = (k: 'name' | 'host' | 'port' | 'username' | 'folder' | 'moveTo' | 'pollSeconds', extra: { hint?: ReactNode; inputMode?: 'numeric'; placeholder?: string; autoComplete?: string } = {}) => (
    <FormField name={k} label={t(`mailboxes.field.${k}`)} error={errors[k]} hint={extra.hint}>
      {(p) => (
        <input
          {...p}
          type="text"
          value={draft[k]}
          inputMode={extra.inputMode}
          placeholder={extra.placeholder}
          autoComplete={extra.autoComplete ?? 'off'}
          spellCheck={false}
          onChange={(e) => set(k, e.target.value)}
        />
      )}
    </FormField>
  );

  const check = (k: 'tlsVerify' | 'useIdle' | 'enabled') => (
    <label className="admin-check">
      <input type="checkbox" name={k} checked={draft[k]} onChange={(e) => set(k, e.target.checked)} />
      {t(`mailboxes.field.${k}`)}
    </label>
  );

  return (
    <form className="admin-card mailbox-form" aria-labelledby={titleId} onSubmit={submit} noValidate style={{ maxWidth: 900 }}>
      <h2 id={titleId} className="admin-card-title">
        {creating ? t('mailboxes.newTitle') : t('mailboxes.editTitle', { name: current.name })}
      </h2>
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <fieldset className="settings-grid">
        <legend className="visually-hidden">{t('mailboxes.account')}</legend>
        {text('host', { placeholder: 'imap.example.com' })}
        {text('port', { inputMode: 'numeric', hint: t('mailboxes.portHint') })}
        <FormField name="tls" label={t('mailboxes.field.tls')} error={errors.tls}>
          {(p) => (
            <select {...p} value={draft.tls} onChange={(e) => set('tls', e.target.value as Tls)}>
              {(['tls', 'starttls', 'none'] as const).map((x) => (
                <option key={x} value={x}>
                  {t(`mailboxes.tls.${x}`)}
                </option>
              ))}
            </select>
          )}
        </FormField>
        {text('username', { autoComplete: 'off', placeholder: 'support@shop.example' })}
        <FormField name="password" label={t('mailboxes.field.password')} error={errors.password} hint={creating ? t('mailboxes.passwordHintNew') : current.password === 'encrypted' ? t('mailboxes.passwordHintKept') : t('mailboxes.passwordHintKeptPlain')}>
          {(p) => <input {...p} type="password" value={draft.password} autoComplete="new-password" placeholder={creating ? '' : t('mailboxes.passwordUnchanged')} onChange={(e) => set('password', e.target.value)} />}
        </FormField>
        {text('folder')}
        <div className="settings-field">{check('tlsVerify')}</div>
      </fieldset>
      <fieldset className="settings-grid">
        <legend className="visually-hidden">{t('mailboxes.handling')}</legend>
        {text('name', { hint: t('mailboxes.nameHint') })}
        <FormField name="storeId" label={t('mailboxes.field.storeId')} error={errors.storeId} hint={t('mailboxes.storeHint')}>
          {(p) => (
            <select {...p} value={draft.storeId} onChange={(e) => set('storeId', e.target.value)}>
              <option value="">{t('mailboxes.anyStore')}</option>
              {stores.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                  {s.supportEmail ? ` · ${s.supportEmail}` : ''}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField name="afterFetch" label={t('mailboxes.field.afterFetch')} error={errors.afterFetch}>
          {(p) => (
            <select {...p} value={draft.afterFetch} onChange={(e) => set('afterFetch', e.target.value as 'seen' | 'move')}>
              <option value="seen">{t('mailboxes.afterFetch.seen')}</option>
              <option value="move">{t('mailboxes.afterFetch.move')}</option>
            </select>
          )}
        </FormField>
        {draft.afterFetch === 'move' && text('moveTo', { placeholder: 'Archive' })}
        {text('pollSeconds', { inputMode: 'numeric', hint: t('mailboxes.pollHint') })}
        <div className="settings-field">
          {check('useIdle')}
          {check('enabled')}
        </div>
      </fieldset>
      {probe && (
        <p role="status" data-testid="mailbox-test-result" className={probe.ok ? 'muted' : 'form-error'}>
          {probeText(probe, t)}
        </p>
      )}
      <div className="admin-actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? t('settings.saving') : creating ? t('mailboxes.create') : t('settings.save')}
        </button>
        <button type="button" className="btn" disabled={tester.isPending} onClick={runTest}>
          {tester.isPending ? t('mailboxes.testing') : t('mailboxes.test.button')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDone}>
          {t('mailboxes.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The store settings' labelled field (hint, error, screen-reader wiring), with the control's `name` set too. */
function FormField({ name, children, ...field }: { name: string; label: ReactNode; error?: string; hint?: ReactNode; children: (p: FieldProps & { name: string }) => ReactNode }) {
  return <Field {...field}>{(p) => children({ ...p, name })}</Field>;
}
