// Admin page: upload a CSV of orders (or a Shopify JSON export) to import. The file is sent
// as the request body of POST /api/v1/imports/orders; the job's progress is polled from
// GET /api/v1/imports/:id and shown as a progress bar, with the counts and the bad rows.
import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { errorText } from '../ui/errorText.ts';
import { useFeedback } from '../ui/feedback.tsx';

interface ImportJob {
  id: string;
  format: 'csv' | 'shopify';
  filename: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  imported: number;
  updated: number;
  unchanged: number;
  failed: number;
  errorCount: number;
  errors: { line: number; reason: string }[];
  errorsTruncated: boolean;
  error: string | null;
}

function csrf(): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === 'cd_csrf') return decodeURIComponent(rest.join('='));
  }
  return null;
}

async function uploadFile(file: File, storeId: string): Promise<ImportJob> {
  const shopify = file.name.toLowerCase().endsWith('.json');
  const q = new URLSearchParams({ filename: file.name.slice(0, 255), format: shopify ? 'shopify' : 'csv' });
  if (storeId) q.set('storeId', storeId);
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': shopify ? 'application/json' : 'text/csv' };
  const token = csrf();
  if (token) headers['X-CSRF-Token'] = token;
  const res = await fetch(`/api/v1/imports/orders?${q.toString()}`, { method: 'POST', headers, credentials: 'same-origin', body: file });
  const data = (await res.json().catch(() => null)) as (ImportJob & { error?: { code: string; message: string } }) | null;
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? `http_${res.status}`, data?.error?.message ?? res.statusText);
  return data as ImportJob;
}

export function ImportPage() {
  const { t } = useTranslation();
  const { toast } = useFeedback();
  const fileId = useId();
  const storeFieldId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [storeId, setStoreId] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stores = useQuery({ queryKey: ['stores'], queryFn: () => api.get<{ items: { id: string; name: string }[] }>('/api/v1/stores'), select: (d) => d.items, staleTime: 5 * 60_000 });
  const job = useQuery({
    queryKey: ['import', jobId],
    queryFn: () => api.get<ImportJob>(`/api/v1/imports/${jobId ?? ''}`),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'done' || q.state.data.status === 'failed') ? false : 500),
  });

  const start = async () => {
    if (!file) return;
    setBusy(true);
    try {
      const j = await uploadFile(file, storeId);
      setJobId(j.id);
    } catch (e) {
      toast('error', errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  const j = job.data;
  const pct = j && j.total > 0 ? Math.min(100, Math.round((100 * j.processed) / j.total)) : 0;
  return (
    <main id="main" className="pane-main admin-page" tabIndex={-1} aria-labelledby="import-title">
      <div className="admin-head">
        <h1 id="import-title" className="pane-heading">
          {t('import.title')}
        </h1>
        <p className="muted">{t('import.intro')}</p>
      </div>
      <section className="admin-card">
        <div className="admin-group">
          <label htmlFor={fileId}>{t('import.file')}</label>
          <input id={fileId} type="file" accept=".csv,text/csv,.json,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <div className="admin-group">
          <label htmlFor={storeFieldId}>{t('import.store')}</label>
          <select id={storeFieldId} className="control" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
            <option value="">{t('import.defaultStore')}</option>
            {(stores.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="admin-actions">
          <button type="button" className="btn btn-primary" disabled={!file || busy} onClick={() => void start()}>
            {busy ? t('import.uploading') : t('import.start')}
          </button>
        </div>
      </section>
      {job.isError && (
        <p className="form-error" role="alert">
          {errorText(job.error, t)}
        </p>
      )}
      {j && (
        <section className="admin-card" aria-live="polite">
          <h2 className="admin-card-title">
            {j.filename ?? t('import.upload')} — {t(`import.status.${j.status}`)}
          </h2>
          <progress max={100} value={pct} aria-label={t('import.progress')} style={{ width: '100%' }} />
          <p>
            {t('import.processed', { processed: j.processed, total: j.total, unit: t(j.format === 'csv' ? 'import.rows' : 'import.orders') })}
          </p>
          <p>{t('import.counts', { imported: j.imported, updated: j.updated, unchanged: j.unchanged, failed: j.failed })}</p>
          {j.error && (
            <p className="form-error" role="alert">
              {j.error}
            </p>
          )}
          {j.errors.length > 0 && (
            <table className="import-errors">
              <caption>{t('import.errorsCaption', { count: j.errorCount })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t(j.format === 'csv' ? 'import.line' : 'import.position')}</th>
                  <th scope="col">{t('import.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {j.errors.map((e, i) => (
                  <tr key={`${e.line}-${i}`}>
                    <td>{e.line}</td>
                    <td>{e.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {j.errorsTruncated && <p className="muted">{t('import.truncated', { shown: j.errors.length, count: j.errorCount })}</p>}
        </section>
      )}
    </main>
  );
}
