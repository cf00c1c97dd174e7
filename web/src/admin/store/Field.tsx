// Form pieces shared by the store settings sections: a labelled field with its error (and
// aria wiring), the save/reset bar, and the field errors of a failed save.
import { useCallback, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError } from '../../api/client.ts';
import { errorText } from '../../ui/errorText.ts';
import { useFeedback } from '../../ui/feedback.tsx';
import { boundOf, fieldErrors } from './format.ts';

export interface FieldProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

export function Field({
  label,
  error,
  warning,
  hint,
  children,
  className,
}: {
  label: ReactNode;
  error?: string;
  warning?: ReactNode;
  hint?: ReactNode;
  className?: string;
  children: (props: FieldProps) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', warning ? `${id}-warn` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ');
  return (
    <div className={`settings-field${error ? ' has-error' : ''}${warning ? ' has-warning' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(error ? { 'aria-invalid': true as const } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && (
        <span id={`${id}-hint`} className="settings-hint">
          {hint}
        </span>
      )}
      {warning && (
        <span id={`${id}-warn`} className="settings-field-warning">
          {warning}
        </span>
      )}
      {error && (
        <span id={`${id}-err`} className="settings-field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** Field errors of the last save: from the client's own checks or the API's 400 details. */
export function useFormErrors() {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const fromApi = useCallback(
    (e: unknown) => {
      if (e instanceof ApiError && e.status === 400) setErrors(localizedFieldErrors(e, t));
      else setErrors({});
    },
    [t],
  );
  return { errors, setErrors, fromApi, clear: useCallback(() => setErrors({}), []) };
}

/** The API's field errors, with numeric bounds said in the interface language. */
export function localizedFieldErrors(e: ApiError, t: TFunction): Record<string, string> {
  const raw = fieldErrors(e.details, e.message);
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(raw)) {
    const bound = boundOf(e.details, field);
    out[field] = bound ? t('settings.error.bound', { comparison: bound.comparison, limit: bound.limit }) : message;
  }
  return out;
}

/** Toasts for a save: success, or what went wrong (field errors are shown at the fields). */
export function useSaveToasts() {
  const { t } = useTranslation();
  const { toast } = useFeedback();
  return {
    saved: () => toast('success', t('settings.saved')),
    savedWithWarnings: (count: number) => toast('info', t('settings.savedWithWarnings', { count })),
    failed: (e: unknown) => {
      if (!(e instanceof ApiError) || e.status !== 400) return toast('error', errorText(e, t));
      // the fields say what is wrong; the toast only points at them (or says it when no field is named)
      toast('error', Object.keys(fieldErrors(e.details, e.message)).length ? t('settings.checkFields') : t('settings.fixFields', { message: errorText(e, t) }));
    },
  };
}

export function SaveBar({ canEdit, dirty, pending, onReset }: { canEdit: boolean; dirty: boolean; pending: boolean; onReset: () => void }) {
  const { t } = useTranslation();
  if (!canEdit) return <p className="muted settings-readonly">{t('settings.readOnlySection')}</p>;
  return (
    <div className="admin-actions">
      <button type="submit" className="btn btn-primary" disabled={!dirty || pending}>
        {pending ? t('settings.saving') : t('settings.save')}
      </button>
      <button type="button" className="btn" disabled={!dirty || pending} onClick={onReset}>
        {t('settings.reset')}
      </button>
      {dirty && !pending && <span className="muted">{t('settings.unsaved')}</span>}
    </div>
  );
}

export function Loading({ query }: { query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown } }) {
  const { t } = useTranslation();
  if (query.isPending) return <p role="status">{t('list.loading')}</p>;
  if (query.isError)
    return (
      <p className="form-error" role="alert">
        {errorText(query.error, t)}{' '}
        <button type="button" className="btn btn-small" onClick={() => void query.refetch()}>
          {t('list.retry')}
        </button>
      </p>
    );
  return null;
}
