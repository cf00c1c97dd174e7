import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBulkUpdate } from '../api/hooks.ts';
import { PRIORITIES, STATUSES, type BulkSet, type Priority, type TicketStatus } from '../api/types.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';

export function BulkBar({ ids, meId, onClear }: { ids: string[]; meId: string; onClear: () => void }) {
  const { t } = useTranslation();
  const { toast, confirm } = useFeedback();
  const bulk = useBulkUpdate();
  const [tag, setTag] = useState('');

  const run = (set: BulkSet, after?: () => void) => {
    bulk.mutate(
      { ids, set },
      {
        onSuccess: (r) => {
          if (r.failed.length === 0) toast('success', t('bulk.done', { count: r.updated }));
          else toast('error', t('bulk.partial', { count: r.updated, failed: r.failed.length, message: r.failed[0]?.message ?? '' }));
          after?.();
        },
        onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })),
      },
    );
  };

  const setStatus = async (status: TicketStatus) => {
    const ok = await confirm(t('bulk.confirmStatus', { count: ids.length, status: t(`status.${status}`) }));
    if (ok) run({ status }, onClear);
  };

  const addTag = () => {
    const v = tag.trim();
    if (!v) return;
    run({ addTags: [v] }, () => setTag(''));
  };

  return (
    <div className="bulk-bar" role="toolbar" aria-label={t('bulk.label')}>
      <strong>{t('bulk.selected', { count: ids.length })}</strong>
      <button type="button" className="btn btn-small" disabled={bulk.isPending} onClick={() => run({ assigneeId: meId })}>
        {t('bulk.assignToMe')}
      </button>
      <select
        aria-label={t('bulk.setStatus')}
        value=""
        disabled={bulk.isPending}
        onChange={(e) => {
          const v = e.target.value as TicketStatus;
          if (v) void setStatus(v);
        }}
      >
        <option value="">{t('bulk.setStatus')}…</option>
        {STATUSES.filter((s) => s !== 'new').map((s) => (
          <option key={s} value={s}>
            {t(`status.${s}`)}
          </option>
        ))}
      </select>
      <select
        aria-label={t('bulk.setPriority')}
        value=""
        disabled={bulk.isPending}
        onChange={(e) => {
          const v = e.target.value as Priority;
          if (v) run({ priority: v });
        }}
      >
        <option value="">{t('bulk.setPriority')}…</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {t(`priority.${p}`)}
          </option>
        ))}
      </select>
      <span className="inline-form">
        <input
          type="text"
          aria-label={t('bulk.tag')}
          placeholder={t('bulk.tag')}
          value={tag}
          maxLength={60}
          onChange={(e) => setTag(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') addTag();
          }}
        />
        <button type="button" className="btn btn-small" disabled={bulk.isPending || !tag.trim()} onClick={addTag}>
          {t('bulk.addTag')}
        </button>
      </span>
      <button type="button" className="btn btn-ghost btn-small" onClick={onClear}>
        {t('bulk.clear')}
      </button>
    </div>
  );
}
