import { lazy, Suspense, useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from './api/client.ts';
import { useLogout } from './api/hooks.ts';
import type { SessionInfo, User } from './api/types.ts';
import { InboxPage } from './inbox/InboxPage.tsx';
import { RoutingRulesPage } from './admin/RoutingRules.tsx';
import { ImportPage } from './admin/ImportPage.tsx';
import { TrainingPage } from './training/TrainingPage.tsx';
import { StoreSettingsPage } from './admin/StoreSettings.tsx';
import { MarketsPage } from './markets/MarketsPage.tsx';
import { MailboxSettingsPage } from './admin/MailboxSettings.tsx';
// the dashboard brings ECharts: loaded when it is first opened, not with the inbox
const AnalyticsPage = lazy(() => import('./analytics/AnalyticsPage.tsx').then((m) => ({ default: m.AnalyticsPage })));
import { useLiveEvents, type LiveStatus } from './live/useLiveEvents.ts';
import { LanguageSwitch } from './ui/LanguageSwitch.tsx';
import { useFeedback } from './ui/feedback.tsx';

export function Workspace({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const logout = useLogout();
  const { toast } = useFeedback();
  const live = useLiveEvents(true);
  const qc = useQueryClient();
  const page = usePage();
  const canSeeRules = session.user.role === 'admin' || session.user.role === 'manager';
  const canSeeAnalytics = canSeeRules || session.user.role === 'trainer';

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
        <nav aria-label={t('topbar.admin')}>
          <a className="btn btn-ghost" href="#/" aria-current={page === 'inbox' ? 'page' : undefined}>
            {t('topbar.inbox')}
          </a>
          <a className="btn btn-ghost" href="#/training" aria-current={page === 'training' ? 'page' : undefined}>
            {t('topbar.training')}
          </a>
          {canSeeRules && (
            <a className="btn btn-ghost" href="#/admin/routing" aria-current={page === 'routing' ? 'page' : undefined}>
              {t('topbar.routing')}
            </a>
          )}
          {canSeeRules && (
            <a className="btn btn-ghost" href="#/admin/import" aria-current={page === 'import' ? 'page' : undefined}>
              {t('import.nav')}
            </a>
          )}
          {canSeeRules && (
            <a className="btn btn-ghost" href="#/admin/store" aria-current={page === 'settings' ? 'page' : undefined}>
              {t('settings.nav')}
            </a>
          )}
          {session.user.role === 'admin' && (
            <a className="btn btn-ghost" href="#/admin/mailboxes" aria-current={page === 'mailboxes' ? 'page' : undefined}>
              {t('mailboxes.nav')}
            </a>
          )}
          <a className="btn btn-ghost" href="#/markets" aria-current={page === 'markets' ? 'page' : undefined}>
            {t('markets.nav')}
          </a>
          {canSeeAnalytics && (
            <a className="btn btn-ghost" href="#/analytics" aria-current={page === 'analytics' ? 'page' : undefined}>
              {t('analytics.nav')}
            </a>
          )}
        </nav>
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
      {page === 'routing' && canSeeRules ? (
        <RoutingRulesPage canEdit={session.user.role === 'admin'} />
      ) : page === 'import' && canSeeRules ? (
        <ImportPage />
      ) : page === 'settings' && canSeeRules ? (
        <StoreSettingsPage role={session.user.role} />
      ) : page === 'mailboxes' && session.user.role === 'admin' ? (
        <MailboxSettingsPage />
      ) : page === 'analytics' && canSeeAnalytics ? (
        <Suspense fallback={<main id="main" className="pane-main admin-page"><p role="status">{t('list.loading')}</p></main>}>
          <AnalyticsPage role={session.user.role} />
        </Suspense>
      ) : page === 'markets' ? (
        <MarketsPage role={session.user.role} />
      ) : page === 'training' ? (
        <TrainingPage session={session} />
      ) : (
        <InboxPage session={session} />
      )}
    </div>
  );
}

type Page = 'inbox' | 'routing' | 'training' | 'import' | 'settings' | 'analytics' | 'mailboxes' | 'markets';

/** Which page the address shows: `#/admin/routing` the routing rules, `#/training…` the training ground, anything else the inbox. */
function usePage(): Page {
  const read = (): Page => (window.location.hash === '#/admin/routing' ? 'routing' : window.location.hash === '#/admin/import' ? 'import' : window.location.hash.startsWith('#/admin/store') ? 'settings' : window.location.hash === '#/admin/mailboxes' ? 'mailboxes' : window.location.hash === '#/analytics' ? 'analytics' : window.location.hash.startsWith('#/markets') ? 'markets' : window.location.hash.startsWith('#/training') ? 'training' : 'inbox');
  const [page, setPage] = useState<Page>(read);
  useEffect(() => {
    // in-page anchors (the skip link's #main) leave the page as it is
    const onHash = () => {
      if (window.location.hash === '' || window.location.hash.startsWith('#/')) setPage(read());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return page;
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
