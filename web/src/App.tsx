import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { setUnauthorizedHandler } from './api/client.ts';
import { useMe } from './api/hooks.ts';
import { hasStoredLanguage, setUiLanguage } from './i18n/index.ts';
import { LoginPage } from './auth/LoginPage.tsx';
import { Workspace } from './Workspace.tsx';
import { errorText } from './ui/errorText.ts';

export function App() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const me = useMe();

  useEffect(() => {
    setUnauthorizedHandler(() => qc.setQueryData(['me'], null));
    return () => setUnauthorizedHandler(null);
  }, [qc]);

  // The profile's interface language applies unless this device has a choice of its own.
  const profileLanguage = me.data?.user.uiLanguage;
  useEffect(() => {
    if (profileLanguage && !hasStoredLanguage()) setUiLanguage(profileLanguage, false);
  }, [profileLanguage]);

  useEffect(() => {
    document.title = t('app.name');
  }, [t]);

  if (me.isPending) {
    return (
      <div className="splash" role="status">
        <span className="brand-mark" aria-hidden="true" />
        {t('list.loading')}
      </div>
    );
  }
  if (me.isError) {
    return (
      <div className="splash" role="alert">
        <p>{errorText(me.error, t)}</p>
        <button type="button" className="btn" onClick={() => void me.refetch()}>
          {t('list.retry')}
        </button>
      </div>
    );
  }
  if (!me.data) return <LoginPage />;
  return <Workspace session={me.data} />;
}
