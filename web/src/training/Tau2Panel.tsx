// tau2 retail drills in the web app: the context pane (the account once the customer is
// identified, the orders looked up, whether the customer's yes is pending) and the report's
// outcome check (database against the gold outcome, process rules, facts told, gold actions).
import { useTranslation } from 'react-i18next';
import type { Report, Tau2Order, Tau2SandboxView } from './api.ts';

const money = (n: number) => `$${n.toFixed(2)}`;

export function Tau2Context({ tau2 }: { tau2: Tau2SandboxView }) {
  const { t } = useTranslation();
  const u = tau2.user;
  return (
    <>
      <section data-testid="tau2-account">
        <h2>{t('drill.tau2.user')}</h2>
        {!u ? (
          <p className="muted">{t('drill.tau2.notAuthenticated')}</p>
        ) : (
          <dl className="facts">
            <dt>{t('context.name')}</dt>
            <dd>
              {u.name.first_name} {u.name.last_name} <span className="muted">({u.user_id})</span>
            </dd>
            <dt>{t('context.email')}</dt>
            <dd className="break">{u.email}</dd>
            <dt>{t('drill.tau2.address')}</dt>
            <dd>
              {[u.address.address1, u.address.address2, u.address.city, u.address.state, u.address.zip, u.address.country].filter(Boolean).join(', ')}
            </dd>
            <dt>{t('drill.tau2.payment')}</dt>
            <dd>
              <ul className="plain">
                {Object.values(u.payment_methods).map((pm) => (
                  <li key={pm.id}>
                    <code>{pm.id}</code> {pm.brand ?? ''} {pm.last_four ? `…${pm.last_four}` : ''}
                    {pm.balance !== undefined ? ` · ${money(pm.balance)}` : ''}
                  </li>
                ))}
              </ul>
            </dd>
            <dt>{t('drill.tau2.orders')}</dt>
            <dd>{u.orders.join(', ')}</dd>
          </dl>
        )}
        {tau2.confirmed && <p className="pass">{t('drill.tau2.confirmed')}</p>}
        {tau2.violations.length > 0 && (
          <div className="critical" role="alert">
            <strong>{t('drill.tau2.violations')}</strong>
            <ul>
              {tau2.violations.map((v, i) => (
                <li key={i}>{v}</li>
              ))}
            </ul>
          </div>
        )}
      </section>
      <section data-testid="tau2-orders">
        <h2>{t('drill.tau2.ordersSeen')}</h2>
        {tau2.orders.length === 0 && <p className="muted">{t('drill.tau2.noOrders')}</p>}
        {tau2.orders.map((o) => (
          <Tau2OrderCard key={o.order_id} o={o} />
        ))}
      </section>
    </>
  );
}

function Tau2OrderCard({ o }: { o: Tau2Order }) {
  return (
    <div className="tau2-order">
      <p>
        <strong>{o.order_id}</strong> · {o.status}
      </p>
      <ul className="order-items">
        {o.items.map((it, i) => (
          <li key={`${it.item_id}-${i}`}>
            {it.name} <span className="muted">({it.item_id})</span> — {money(it.price)}
            <br />
            <span className="muted">{Object.entries(it.options).map(([k, v]) => `${k}: ${v}`).join(' · ')}</span>
          </li>
        ))}
      </ul>
      <p className="muted">
        {o.payment_history.map((p, i) => (
          <span key={i}>
            {p.transaction_type} {money(p.amount)} ({p.payment_method_id}){i < o.payment_history.length - 1 ? '; ' : ''}
          </span>
        ))}
      </p>
    </div>
  );
}

export function Tau2Outcome({ r }: { r: NonNullable<Report['tau2']> }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="report-tau2" data-testid="tau2-outcome">
      <h2 id="report-tau2">{t('drill.tau2.outcomeTitle')}</h2>
      <p className={r.dbMatches ? 'pass' : 'fail'}>
        {r.dbMatches ? `✓ ${t('drill.tau2.dbMatches')}` : `✗ ${t('drill.tau2.dbDiffers', { reason: r.reason ?? '' })}`}
      </p>
      {r.differences.length > 1 && (
        <details>
          <summary>{t('drill.tau2.differences', { count: r.differences.length })}</summary>
          <ul>
            {r.differences.map((d, i) => (
              <li key={i}>
                <code>{d}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
      {r.violations.length > 0 && (
        <>
          <p>{t('drill.tau2.violations')}</p>
          <ul>
            {r.violations.map((v, i) => (
              <li key={i} className="fail">
                ✗ {v}
              </li>
            ))}
          </ul>
        </>
      )}
      {r.communicateInfo.length > 0 && (
        <>
          <p>{t('drill.tau2.facts')}</p>
          <ul>
            {r.communicateInfo.map((c, i) => (
              <li key={i} className={c.told ? 'pass' : 'fail'}>
                {c.told ? '✓' : '✗'} {c.fact}
                {c.quote && (
                  <>
                    {' '}
                    — <q dir="auto">{c.quote}</q>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <details>
        <summary>{t('drill.tau2.goldActions')}</summary>
        <ol>
          {r.goldActions.map((a, i) => (
            <li key={i}>
              <code>
                {a.name} {JSON.stringify(a.arguments)}
              </code>
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}

/** A tool's result in the conversation (tau2 drills: the trainee reads lookups here). */
export function ToolResultView({ name, ok, result, error }: { name: string; ok: boolean; result?: unknown; error?: { message: string } }) {
  if (!ok || result === undefined) {
    return (
      <div className={`tool-result ${ok ? 'ok' : 'refused'}`}>
        {ok ? '✓' : '✗'} {name}
        {error ? ` — ${error.message}` : ''}
      </div>
    );
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result, null, 2);
  return (
    <details className="tool-result ok">
      <summary>✓ {name}</summary>
      <pre className="tool-json">{text}</pre>
    </details>
  );
}
