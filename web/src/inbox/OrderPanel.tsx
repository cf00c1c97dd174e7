// The order beside the conversation: items, payment, shipment with tracking events, returns
// with their labels, and the after-sales actions one click away (issue 4).
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import i18n, { type TFunction } from 'i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, qs, request } from '../api/client.ts';
import type { TicketDetail } from '../api/types.ts';
import { dateTime } from '../format.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';

interface OrderSummary {
  id: string;
  number: string;
  currency: string;
  total: string;
  status: string;
  fulfillmentStatus: string;
  placedAt: string;
}
interface Shipment {
  id: string;
  carrier: string;
  trackingNumber: string | null;
  /** The carrier's tracking page when the shop platform gave one (absent from older servers). */
  trackingUrl?: string | null;
  status: string;
  deliveredAt: string | null;
  events: Array<{ at: string; status: string; location: string | null; description: string }>;
}
export interface OrderDetail extends OrderSummary {
  market: string;
  financialStatus: string;
  returnTerms: { market: string; daysSinceDelivery: number | null; withdrawalDays: number; withdrawalOpen: boolean; storeWindowDays: number; storeWindowOpen: boolean; whoPaysShipping: Record<string, string>; source: string };
  items: Array<{ id: string; sku: string; title: string; options: Record<string, string>; quantity: number; unitPrice: string; returnedQuantity: number }>;
  payments: Array<{ id: string; method: string; amount: string; refunded: string; refundable: string; currency: string }>;
  totals: { paid: string; refunded: string; refundable: string };
  shipment: Shipment | null;
  returns: Array<{ id: string; rma: string; reason: string; whoPaysShipping: string; carrier: string; trackingNumber: string; status: string; labelUrl: string; createdAt: string }>;
  refunds: Array<{ id: string; amount: string; currency: string; status: string; createdAt: string }>;
  actions: Array<{ id: string; type: string; createdAt: string }>;
}

type ActionName = 'return' | 'exchange' | 'refund' | 'reship' | 'cancel' | 'claim';
const ACTIONS: readonly ActionName[] = ['return', 'exchange', 'refund', 'reship', 'cancel', 'claim'];
const RETURN_REASONS = ['damaged', 'faulty', 'wrong_item', 'change_of_mind'] as const;
type ReturnReason = (typeof RETURN_REASONS)[number];

/** The return reason a ticket's category suggests (the agent can still change it). */
const REASON_BY_CATEGORY: Record<string, ReturnReason> = {
  damaged_item: 'damaged',
  defective_item: 'faulty',
  wrong_item: 'wrong_item',
  return_request: 'change_of_mind',
  exchange_request: 'change_of_mind',
};
export function returnReasonFor(category: string | null | undefined): ReturnReason {
  return (category && REASON_BY_CATEGORY[category]) || 'damaged';
}

interface ExchangeOptions {
  items: Array<{
    orderItemId: string;
    sku: string;
    alternatives: Array<{ variantId: string; sku: string; title: string; options: Record<string, string> | null; price: string; priceDifference: string; available: number }>;
  }>;
}

/** Who pays return shipping per reason under the market's law ('store_policy': the law leaves it to the store). */
interface MarketLaw {
  consumer: { returnShipping: Record<string, string> };
}

function money(amount: string, currency: string, lng: string): string {
  const n = Number(amount);
  if (!Number.isFinite(n)) return `${amount} ${currency}`;
  try {
    return new Intl.NumberFormat(lng, { style: 'currency', currency }).format(n);
  } catch {
    return `${amount} ${currency}`;
  }
}

function newKey(): string {
  return `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function OrderPanel({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const [picked, setPicked] = useState<string | null>(null);
  const orderId = ticket.orderId ?? picked;
  const others = useQuery({
    queryKey: ['orders-of', ticket.customer.email],
    queryFn: () => api.get<{ items: OrderSummary[] }>(`/api/v1/orders${qs({ customerEmail: ticket.customer.email, limit: 5 })}`),
    enabled: !ticket.orderId,
  });
  return (
    <section aria-labelledby="ctx-order" className="order-panel">
      <h2 id="ctx-order">{t('order.title')}</h2>
      {orderId ? (
        <OrderView orderId={orderId} ticketId={ticket.id} category={ticket.category} />
      ) : others.isLoading ? (
        <p className="muted">{t('order.loading')}</p>
      ) : others.data && others.data.items.length > 0 ? (
        <>
          <p className="muted">{t('order.notLinked')}</p>
          <ul className="order-choices">
            {others.data.items.map((o) => (
              <li key={o.id}>
                <button type="button" className="btn btn-ghost btn-small" onClick={() => setPicked(o.id)}>
                  {o.number} · {o.status}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">{t('order.none')}</p>
      )}
    </section>
  );
}

/** The href of a carrier's tracking page, only for an absolute http(s) URL (the server checks too). */
function trackingHref(url: string | null | undefined): string | null {
  return typeof url === 'string' && /^https?:\/\/[^\s]/i.test(url) ? url : null;
}

/** A tracking number, as a link to the carrier's page (new tab) when there is a safe one. */
function TrackingNumber({ number, url }: { number: string | null; url: string | null | undefined }) {
  const { t } = useTranslation();
  if (!number) return null;
  const href = trackingHref(url);
  if (!href) return <>{number}</>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" aria-label={t('order.trackingLink', { number })}>
      {number}
    </a>
  );
}

function OrderView({ orderId, ticketId, category }: { orderId: string; ticketId: string; category: string | null }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const [open, setOpen] = useState<ActionName | null>(null);
  const order = useQuery({ queryKey: ['order', orderId], queryFn: () => api.get<OrderDetail>(`/api/v1/orders/${encodeURIComponent(orderId)}`) });
  if (order.isLoading) return <p className="muted">{t('order.loading')}</p>;
  if (order.error || !order.data) return <p role="alert">{t('order.error', { message: order.error ? errorText(order.error, t) : '' })}</p>;
  const o = order.data;
  const s = o.shipment;
  return (
    <div data-testid="order-panel">
      <p className="order-head">
        <strong>{o.number}</strong> · {money(o.total, o.currency, lng)} · <span className="badge">{t(`order.status.${o.status}`, { defaultValue: o.status })}</span>
      </p>
      <ul className="order-items">
        {o.items.map((it) => (
          <li key={it.id}>
            {it.quantity} × <bdi>{it.title}</bdi> <span className="muted">({it.sku})</span> — {money(it.unitPrice, o.currency, lng)}
            {it.returnedQuantity > 0 && <span className="muted"> · {t('order.returned', { count: it.returnedQuantity })}</span>}
          </li>
        ))}
      </ul>
      <p className="muted">
        {t('order.paid', { paid: money(o.totals.paid, o.currency, lng), refunded: money(o.totals.refunded, o.currency, lng) })}
        {o.payments[0] ? ` · ${o.payments[0].method}` : ''}
      </p>
      {s && (
        <div className="shipment">
          {/* the carrier line sits outside <summary>: a link inside the disclosure button would be nested controls */}
          <p>
            {s.carrier} <TrackingNumber number={s.trackingNumber} url={s.trackingUrl} /> · {t(`order.shipment.${s.status}`, { defaultValue: s.status })}
          </p>
          <details open>
            <summary>{t('order.trackingHistory')}</summary>
            <ol className="tracking">
              {s.events
                .slice()
                .sort((x, y) => Date.parse(y.at) - Date.parse(x.at))
                .map((e, i) => (
                  <li key={i}>
                    <time dateTime={e.at}>{dateTime(e.at, lng)}</time> — {e.description}
                    {e.location ? <span className="muted"> · {e.location}</span> : null}
                  </li>
                ))}
            </ol>
          </details>
        </div>
      )}
      <p className="return-terms" data-testid="return-terms">
        {o.returnTerms.daysSinceDelivery === null
          ? t('order.notDelivered')
          : t(o.returnTerms.withdrawalDays > 0 ? 'order.sinceDelivery' : 'order.sinceDeliveryNoLaw', { days: o.returnTerms.daysSinceDelivery, market: o.returnTerms.market, withdrawal: o.returnTerms.withdrawalDays, store: o.returnTerms.storeWindowDays })}
        {' '}
        {o.returnTerms.withdrawalOpen || o.returnTerms.storeWindowOpen ? <span className="ok">{t('order.windowOpen')}</span> : <span className="warn">{t('order.windowClosed')}</span>}
      </p>
      {o.returns.length > 0 && (
        <ul className="returns">
          {o.returns.map((r) => (
            <li key={r.id}>
              RMA <strong>{r.rma}</strong> · {t(`order.reason.${r.reason}`, { defaultValue: r.reason })} · {t('order.payer', { payer: t(`order.payerName.${r.whoPaysShipping}`, { defaultValue: r.whoPaysShipping }) })} ·{' '}
              <a href={`/api/v1/returns/${encodeURIComponent(r.id)}/label.pdf`} target="_blank" rel="noopener noreferrer">
                {t('order.label')}
              </a>
            </li>
          ))}
        </ul>
      )}
      <div className="order-actions" role="group" aria-label={t('order.actions')}>
        {ACTIONS.map((a) => (
          <button key={a} type="button" className={`btn btn-small${open === a ? ' active' : ''}`} aria-expanded={open === a} onClick={() => setOpen(open === a ? null : a)}>
            {t(`order.action.${a}`)}
          </button>
        ))}
      </div>
      {open && <ActionForm key={open} action={open} order={o} ticketId={ticketId} category={category} onDone={() => setOpen(null)} />}
    </div>
  );
}

/** A refused or failed action: the reason in the interface language (and the server's words). */
interface Refusal {
  text: string;
  /** The server's own English message, shown beside a translated reason. */
  original?: string;
}

function amountNumber(v: string): number | null {
  return /^\d{1,12}(\.\d{1,3})?$/.test(v) ? Number(v) : null;
}

/**
 * The reason an action was refused, for the agent: the English interface shows the server's
 * message (the most specific); the Chinese one its own sentence for each refusal the actions
 * give (`details.reason`, with the figures from `details`), else the server's message.
 */
function refusalOf(e: unknown, action: ActionName, order: OrderDetail, t: TFunction, lng: string): Refusal {
  if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500) return { text: errorText(e, t) };
  const d = (e.details && typeof e.details === 'object' ? e.details : {}) as Record<string, unknown>;
  const reason = typeof d.reason === 'string' ? d.reason : null;
  if (lng.startsWith('en') || !reason) return { text: e.message };
  const m = (v: unknown) => (typeof v === 'string' ? money(v, order.currency, lng) : '');
  const params: Record<string, unknown> = {
    ...d,
    number: order.number,
    sku: typeof d.sku === 'string' ? d.sku : Array.isArray(d.skus) ? d.skus.join(', ') : '',
    refundable: m(d.refundable),
    captured: m(d.captured),
    refunded: m(d.refunded),
    action: t(`order.action.${action}`),
  };
  const key = reason === 'return_window_closed' && !(Number(d.statutoryDays) > 0) ? 'return_window_closed_nolaw' : reason;
  if (!i18n.exists(`order.refused.${key}`)) return { text: e.message };
  return { text: t(`order.refused.${key}`, params), original: e.message };
}

function ActionForm({ action, order, ticketId, category, onDone }: { action: ActionName; order: OrderDetail; ticketId: string; category: string | null; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { toast, confirm } = useFeedback();
  const qc = useQueryClient();
  const [reason, setReason] = useState<string>(action === 'return' ? returnReasonFor(category) : '');
  const [amount, setAmount] = useState('');
  const [claimKind, setClaimKind] = useState<'lost' | 'damaged'>('damaged');
  const [swapItem, setSwapItem] = useState('');
  const [swapTo, setSwapTo] = useState('');
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [key] = useState(newKey);
  const items = order.items.filter((i) => i.quantity > i.returnedQuantity).map((i) => ({ orderItemId: i.id, quantity: i.quantity - i.returnedQuantity }));
  const payer = action === 'return' ? order.returnTerms.whoPaysShipping[reason] : undefined;
  const market = order.returnTerms.market;
  const law = useQuery({
    queryKey: ['market', market],
    queryFn: () => api.get<MarketLaw>(`/api/v1/markets/${encodeURIComponent(market)}`),
    enabled: action === 'return' && /^[A-Z]{2}$/.test(market),
    staleTime: 10 * 60_000,
    retry: false,
  });
  const options = useQuery({
    queryKey: ['exchange-options', order.id],
    queryFn: () => api.get<ExchangeOptions>(`/api/v1/orders/${encodeURIComponent(order.id)}/exchange-options`),
    enabled: action === 'exchange',
  });
  const swapItems = options.data?.items ?? [];
  const swapFrom = swapItems.find((i) => i.orderItemId === swapItem) ?? swapItems[0];
  const swapChoice = swapFrom?.alternatives.find((a) => a.variantId === swapTo) ?? swapFrom?.alternatives[0];
  const run = useMutation({
    mutationFn: () => {
      const common = { ticketId, idempotencyKey: key };
      const body: Record<string, unknown> =
        action === 'return'
          ? { ...common, reason, items }
          : action === 'exchange'
            ? { ...common, orderItemId: swapFrom?.orderItemId, variantId: swapChoice?.variantId, reason: reason || 'customer request' }
            : action === 'refund'
              ? { ...common, reason: reason || 'customer request', ...(amount ? { amount } : {}) }
              : action === 'reship'
                ? { ...common, reason: reason || 'reship' }
                : action === 'cancel'
                  ? { ...common, reason: reason || 'customer request', refund: true }
                  : { ...common, kind: claimKind, description: reason || undefined };
      return request<{ result: { labelReady?: boolean } }>('POST', `/api/v1/orders/${encodeURIComponent(order.id)}/actions/${action}`, body);
    },
    onSuccess: (out) => {
      if (action === 'return' && out.result.labelReady === false) toast('info', t('order.labelPending'));
      else toast('success', t(`order.done.${action}`));
      void qc.invalidateQueries({ queryKey: ['order', order.id] });
      void qc.invalidateQueries({ queryKey: ['exchange-options', order.id] });
      void qc.invalidateQueries({ queryKey: ['ticket', ticketId] });
      void qc.invalidateQueries({ queryKey: ['suggestions', ticketId] });
      onDone();
    },
    onError: (e) => {
      const r = refusalOf(e, action, order, t, lng);
      setRefusal(r);
      // a refusal is shown at the form; a fault (network, server) also as a toast
      if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500) toast('error', t('toast.error', { message: r.text }));
    },
  });
  const submit = async () => {
    setRefusal(null);
    if (action === 'refund') {
      // never ask to confirm a refund that cannot be made
      const asked = amount ? amountNumber(amount) : null;
      if (asked !== null && asked > Number(order.totals.refundable)) {
        const refundable = money(order.totals.refundable, order.currency, lng);
        setRefusal({ text: t('order.refused.exceeds_refundable', { refundable, amount: money(amount, order.currency, lng), captured: money(order.totals.paid, order.currency, lng), refunded: money(order.totals.refunded, order.currency, lng) }) });
        return;
      }
    }
    if (action === 'exchange' && !swapChoice) return;
    if (action === 'refund' || action === 'cancel') {
      const what = action === 'refund' ? money(amount || order.totals.refundable, order.currency, lng) : order.number;
      if (!(await confirm(t(`order.confirm.${action}`, { what })))) return;
    }
    run.mutate();
  };
  let fields: ReactNode = null;
  if (action === 'return') {
    const rule = law.data?.consumer.returnShipping[reason];
    const basis = !payer || !rule ? null : rule === 'store_policy' ? 'policy' : rule === payer ? 'law' : 'generous';
    fields = (
      <>
        <label>
          {t('order.reasonLabel')}{' '}
          <select value={reason} onChange={(e) => setReason(e.target.value)}>
            {RETURN_REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`order.reason.${r}`)}
              </option>
            ))}
          </select>
        </label>
        {payer && (
          <p className="muted" data-testid="return-payer">
            {t('order.payer', { payer: t(`order.payerName.${payer}`, { defaultValue: payer }) })}
            {basis && <> · {t(`order.payerBasis.${basis}`, { market })}</>}
          </p>
        )}
      </>
    );
  } else if (action === 'exchange') {
    fields = options.isLoading ? (
      <p className="muted">{t('order.loading')}</p>
    ) : !swapFrom || swapFrom.alternatives.length === 0 ? (
      <p className="muted">{t('order.exchangeNone')}</p>
    ) : (
      <>
        {swapItems.length > 1 && (
          <label>
            {t('order.exchangeItem')}{' '}
            <select
              value={swapFrom.orderItemId}
              onChange={(e) => {
                setSwapItem(e.target.value);
                setSwapTo('');
              }}
            >
              {swapItems.map((i) => (
                <option key={i.orderItemId} value={i.orderItemId}>
                  {i.sku}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('order.exchangeTo', { sku: swapFrom.sku })}{' '}
          <select value={swapChoice?.variantId ?? ''} onChange={(e) => setSwapTo(e.target.value)}>
            {swapFrom.alternatives.map((a) => (
              <option key={a.variantId} value={a.variantId}>
                {[Object.values(a.options ?? {}).join(' / ') || a.title, a.sku].join(' · ')} · {Number(a.priceDifference) === 0 ? t('order.samePrice') : `${Number(a.priceDifference) > 0 ? '+' : '−'}${money(String(Math.abs(Number(a.priceDifference))), order.currency, lng)}`} ·{' '}
                {a.available > 0 ? t('order.inStock', { count: a.available }) : t('order.soldOut')}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('order.reasonLabel')} <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </label>
      </>
    );
  } else if (action === 'refund') {
    fields = (
      <>
        <label>
          {t('order.amountLabel', { max: money(order.totals.refundable, order.currency, lng) })}{' '}
          <input inputMode="decimal" pattern="^\d{1,12}(\.\d{1,2})?$" value={amount} placeholder={order.totals.refundable} onChange={(e) => setAmount(e.target.value.trim())} />
        </label>
        <label>
          {t('order.reasonLabel')} <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </label>
      </>
    );
  } else if (action === 'claim') {
    fields = (
      <>
        <label>
          {t('order.claimKind')}{' '}
          <select value={claimKind} onChange={(e) => setClaimKind(e.target.value as 'lost' | 'damaged')}>
            <option value="damaged">{t('order.claimDamaged')}</option>
            <option value="lost">{t('order.claimLost')}</option>
          </select>
        </label>
        <label>
          {t('order.noteLabel')} <input value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
        </label>
      </>
    );
  } else {
    fields = (
      <label>
        {t('order.reasonLabel')} <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </label>
    );
  }
  return (
    <form
      className="action-form"
      data-testid={`action-form-${action}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {fields}
      {refusal && (
        <div className="action-refusal" role="alert" data-testid="action-refusal">
          <strong>{t('order.refusedTitle')}</strong> {refusal.text}
          {refusal.original && refusal.original !== refusal.text && (
            <p className="muted" lang="en">
              {refusal.original}
            </p>
          )}
        </div>
      )}
      <div className="reply-actions">
        <button type="button" className="btn btn-ghost btn-small" onClick={onDone}>
          {t('confirm.cancel')}
        </button>
        <button type="submit" className="btn btn-primary btn-small" disabled={run.isPending || (action === 'exchange' && !swapChoice)}>
          {run.isPending ? t('order.working') : t(`order.submit.${action}`)}
        </button>
      </div>
    </form>
  );
}
