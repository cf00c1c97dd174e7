// Toasts for every action and a confirm dialog for risky ones.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type ToastKind = 'success' | 'error' | 'info';
interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

interface Feedback {
  toast: (kind: ToastKind, text: string) => void;
  confirm: (text: string) => Promise<boolean>;
}

const FeedbackContext = createContext<Feedback | null>(null);

export function useFeedback(): Feedback {
  const f = useContext(FeedbackContext);
  if (!f) throw new Error('useFeedback outside FeedbackProvider');
  return f;
}

interface PendingConfirm {
  text: string;
  resolve: (ok: boolean) => void;
}

export function FeedbackProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [pending, setPending] = useState<PendingConfirm | null>(null);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((x) => x.id !== id)), []);

  const toast = useCallback(
    (kind: ToastKind, text: string) => {
      const id = nextId.current++;
      setToasts((ts) => [...ts.slice(-4), { id, kind, text }]);
      window.setTimeout(() => dismiss(id), kind === 'error' ? 8000 : 4000);
    },
    [dismiss],
  );

  const confirm = useCallback(
    (text: string) =>
      new Promise<boolean>((resolve) => {
        setPending({ text, resolve });
      }),
    [],
  );

  const value = useMemo(() => ({ toast, confirm }), [toast, confirm]);

  const answer = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };

  return (
    <FeedbackContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite" aria-label={t('toast.region')}>
        {toasts.map((x) => (
          <div key={x.id} className={`toast toast-${x.kind}`} role={x.kind === 'error' ? 'alert' : undefined}>
            <span>{x.text}</span>
            <button type="button" className="toast-close" aria-label={t('toast.close')} onClick={() => dismiss(x.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
      {pending && <ConfirmDialog text={pending.text} onAnswer={answer} />}
    </FeedbackContext.Provider>
  );
}

function ConfirmDialog({ text, onAnswer }: { text: string; onAnswer: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const okRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    okRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onAnswer(false);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onAnswer]);
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text">
        <h2 id="confirm-title">{t('confirm.title')}</h2>
        <p id="confirm-text">{text}</p>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={() => onAnswer(false)}>
            {t('confirm.cancel')}
          </button>
          <button type="button" className="btn btn-primary" ref={okRef} onClick={() => onAnswer(true)}>
            {t('confirm.ok')}
          </button>
        </div>
      </div>
    </div>
  );
}
