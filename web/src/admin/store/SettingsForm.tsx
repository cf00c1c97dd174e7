// The frame and the field rows the store settings sections share: the card form with its
// title, the save handlers (field errors + toasts), a draft of a loaded setting, and rows for
// an input, a select and a checkbox (each a labelled Field with its hint and error).
import { useEffect, useMemo, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { useStoreSetting } from './api.ts';
import { Field, useFormErrors, useSaveToasts } from './Field.tsx';

/** A settings section: a form that submits only when it may and has changes. */
export function SettingsCard({
  titleId,
  title,
  intro,
  canEdit,
  dirty,
  onSubmit,
  children,
}: {
  titleId: string;
  title: ReactNode;
  intro?: ReactNode;
  canEdit: boolean;
  dirty: boolean;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <form
      className="admin-card settings-card"
      noValidate
      aria-labelledby={titleId}
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit && dirty) onSubmit();
      }}
    >
      <h2 id={titleId} className="admin-card-title">
        {title}
      </h2>
      {intro && <p className="muted">{intro}</p>}
      {children}
    </form>
  );
}

/**
 * The field errors of a section and the callbacks of its save: on success the errors go and
 * a toast says so; on failure the API's field errors land at the fields and a toast points there.
 */
export function useSaveForm() {
  const toasts = useSaveToasts();
  const form = useFormErrors();
  const { clear, fromApi } = form;
  const saveCallbacks = {
    onSuccess: () => {
      clear();
      toasts.saved();
    },
    onError: (e: unknown) => {
      fromApi(e);
      toasts.failed(e);
    },
  };
  return { ...form, saveCallbacks };
}

/**
 * An editable draft of a setting loaded from GET /stores/:id/<path>: null while it loads,
 * reset whenever the loaded value changes (after a save, too). `toDraft` must be stable.
 */
export function useSettingDraft<S, D>(storeId: string, path: string, toDraft: (s: S) => D) {
  const query = useStoreSetting<S>(storeId, path);
  const initial = useMemo(() => (query.data ? toDraft(query.data) : null), [query.data, toDraft]);
  const [draft, setDraft] = useState<D | null>(initial);
  useEffect(() => setDraft(initial), [initial]);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  return { query, initial, draft, setDraft, dirty };
}

type RowProps = { label: ReactNode; error?: string; hint?: ReactNode };

/** A row with one input; the other input attributes (type, min, max, step…) pass through. */
export function InputRow({ label, error, hint, value, onValue, ...input }: RowProps & { value: string; onValue: (v: string) => void } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => <input {...p} {...input} value={value} onChange={(e) => onValue(e.target.value)} />}
    </Field>
  );
}

/** A row with a select of `options`; the current value stays selectable when it is not one of them. */
export function SelectRow({ label, error, hint, value, onValue, options, optionLabel }: RowProps & { value: string; onValue: (v: string) => void; options: readonly string[]; optionLabel: (option: string) => string }) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onValue(e.target.value)}>
          {[...new Set([...options, value])].map((x) => (
            <option key={x} value={x}>
              {optionLabel(x)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** An on/off switch of a section, as a labelled checkbox. */
export function CheckRow({ label, checked, onChecked, className = 'admin-check' }: { label: ReactNode; checked: boolean; onChecked: (v: boolean) => void; className?: string }) {
  return (
    <label className={className}>
      <input type="checkbox" checked={checked} onChange={(e) => onChecked(e.target.checked)} />
      {label}
    </label>
  );
}
