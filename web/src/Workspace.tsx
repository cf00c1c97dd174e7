import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from './api/client.ts';
import { useLogout } from './api/hooks.ts';
import type { SessionInfo, User } from './api/types.ts';
import { InboxPage } from './inbox/InboxPage.tsx';
import { useLiveEvents, type LiveStatus } from './live/useLiveEvents.ts';
import { LanguageSwitch } from './ui/LanguageSwitch.tsx';
import { useFeedback } from './ui/feedback.tsx';

export function Workspace({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const logout = useLogout();
  const { toast } = useFeedback();
  const live = useLiveEvents(true);
  const qc = useQueryClient();

  // the choice follows the person to other devices (best effort: the local choice already applies)
  const saveLanguage = (uiLanguage: string) => {
    api
      .patch<User>('/api/v1/auth/me', { uiLanguage })
      .then((user) => qc.setQueryData<SessionInfo | null>(['me'], (s) => (s ? { ...s, user: { ...s.user, ...user } } : s)))
      .catch(() => undefined);
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>{t('app.name')}</span>
        </div>
        <LiveIndicator status={live} />
        <div className="topbar-spacer" />
        <span className="shortcuts muted">{t('app.shortcuts')}</span>
        <LanguageSwitch onChange={saveLanguage} />
        <span className="user-chip" title={session.user.email} aria-label={t('topbar.signedInAs', { name: session.user.name })}>
          <span className="avatar" aria-hidden="true">
            {initials(session.user.name)}
          </span>
          <span className="user-name">{session.user.name}</span>
        </span>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => logout.mutate(undefined, { onSuccess: () => toast('info', t('toast.loggedOut')) })}
        >
          {t('topbar.logout')}
        </button>
      </header>
      <InboxPage session={session} />
    </div>
  );
}

function LiveIndicator({ status }: { status: LiveStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`live live-${status}`} role="status" aria-live="polite" data-live={status}>
      <span className="live-dot" aria-hidden="true" />
      {t(`topbar.live.${status}`)}
    </span>
  );
}

function initials(name: string): string {
  const first = name.trim().charAt(0);
  if (/\p{Script=Han}|\p{Script=Hangul}|\p{Script=Hiragana}|\p{Script=Katakana}/u.test(first)) return first;
  const parts = name.trim().split(/\s+/);
  const latin = parts.filter((p) => /^[A-Za-z]/.test(p));
  const letters = latin.length > 1 ? (latin[0]?.[0] ?? '') + (latin[1]?.[0] ?? '') : name.slice(0, 2);
  return letters.toUpperCase();
}
