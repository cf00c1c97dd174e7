// The store's return policy next to what the market's law requires, with the API's
// warnings (where the policy is less generous than the law) shown prominently in the
// interface language with their legal source. GET/PUT /stores/:id/return-policy
// (admins and managers write).
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useMarket, usePutSetting, useStoreSetting, type MarketDetail, type PolicyView, type PolicyWarning, type ReturnPolicy, type StoreFull } from './api.ts';
import { Field, Loading, SaveBar, useFormErrors, useSaveToasts } from './Field.tsx';
import { parseDecimal, parseWhole } from './format.ts';

interface Draft {
  returnWindowDays: string;
  returnWindowFrom: 'delivery' | 'order';
  changeOfMindPayer: 'buyer' | 'seller';
  faultyPayer: 'buyer' | 'seller';
  restockingFeePercent: string;
  refundWithinDays: string;
  warrantyMonths: string;
}

function draftOf(p: ReturnPolicy): Draft {
  return {
    returnWindowDays: String(p.returnWindowDays),
    returnWindowFrom: p.returnWindowFrom ?? 'delivery',
    changeOfMindPayer: p.buyerPaysReturnForChangeOfMind ? 'buyer' : 'seller',
    faultyPayer: p.buyerPaysReturnWhenFaulty ? 'buyer' : 'seller',
    restockingFeePercent: String(p.restockingFeePercent),
    refundWithinDays: p.refundWithinDays === undefined ? '' : String(p.refundWithinDays),
    warrantyMonths: p.warrantyMonths === undefined ? '' : String(p.warrantyMonths),
  };
}

export function ReturnPolicySection({ store, canEdit }: { store: StoreFull; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const view = useStoreSetting<PolicyView>(store.id, 'return-policy');
  const market = useMarket(view.data?.market ?? store.market);
  const put = usePutSetting<PolicyView, ReturnPolicy>(store.id, 'return-policy');
  const toasts = useSaveToasts();
  const { errors, setErrors, fromApi, clear } = useFormErrors();
  const initial = useMemo(() => (view.data ? draftOf(view.data.policy) : null), [view.data]);
  const [draft, setDraft] = useState<Draft | null>(initial);
  useEffect(() => setDraft(initial), [initial]);

  if (!view.data || !draft || !initial) return <Loading query={view} />;
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const zh = i18n.language.startsWith('zh');
  const warnings = view.data.warnings;
  const warningFor = (field: string) => warnings.find((w) => w.field === field);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => (d ? { ...d, [k]: v } : d));
  const law = market.data?.consumer;
  const lawDays = law && law.withdrawal.from !== 'none' ? law.withdrawal.days : null;
  const typedDays = parseWhole(draft.returnWindowDays);

  const submit = () => {
    const errs: Record<string, string> = {};
    const days = parseWhole(draft.returnWindowDays);
    const fee = parseDecimal(draft.restockingFeePercent);
    const refund = draft.refundWithinDays.trim() === '' ? undefined : parseWhole(draft.refundWithinDays);
    const warranty = draft.warrantyMonths.trim() === '' ? undefined : parseWhole(draft.warrantyMonths);
    if (days === null) errs.returnWindowDays = t('settings.error.whole');
    if (fee === null) errs.restockingFeePercent = t('settings.error.number');
    if (refund === null) errs.refundWithinDays = t('settings.error.whole');
    if (warranty === null) errs.warrantyMonths = t('settings.error.whole');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const body: ReturnPolicy = {
      returnWindowDays: days!,
      returnWindowFrom: draft.returnWindowFrom,
      buyerPaysReturnForChangeOfMind: draft.changeOfMindPayer === 'buyer',
      buyerPaysReturnWhenFaulty: draft.faultyPayer === 'buyer',
      restockingFeePercent: fee!,
      ...(refund !== undefined && refund !== null ? { refundWithinDays: refund } : {}),
      ...(warranty !== undefined && warranty !== null ? { warrantyMonths: warranty } : {}),
    };
    put.mutate(body, {
      onSuccess: (v) => {
        clear();
        if (v.warnings.length) toasts.savedWithWarnings(v.warnings.length);
        else toasts.saved();
      },
      onError: (e) => {
        fromApi(e);
        toasts.failed(e);
      },
    });
  };

  const warnText = (w: PolicyWarning | undefined) => (w ? (zh ? w.localized.zh : w.localized.en) : undefined);
  const payerOptions = (
    <>
      <option value="buyer">{t('settings.returns.buyer')}</option>
      <option value="seller">{t('settings.returns.seller')}</option>
    </>
  );

  return (
    <form
      className="admin-card settings-card"
      noValidate
      aria-labelledby="settings-returns-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit && dirty) submit();
      }}
    >
      <h2 id="settings-returns-title" className="admin-card-title">
        {t('settings.tab.returns')}
        {!view.data.custom && <span className="muted"> · {t('settings.returns.default')}</span>}
      </h2>
      {warnings.length > 0 ? (
        <div className="settings-warnings" role="alert" data-testid="policy-warnings">
          <h3>{t('settings.returns.warningsTitle', { count: warnings.length, market: marketLabel(market.data, view.data.market, zh) })}</h3>
          <ul>
            {warnings.map((w) => (
              <li key={`${w.code}:${w.field}`} data-code={w.code}>
                <span lang={zh ? 'zh-CN' : 'en'}>{warnText(w)}</span>
                <cite className="settings-source">
                  {t('settings.returns.source')}: {w.source}
                </cite>
              </li>
            ))}
          </ul>
          <p className="muted">{t('settings.returns.lawApplies')}</p>
        </div>
      ) : (
        <p className="settings-ok" role="status" data-testid="policy-ok">
          {t('settings.returns.compliant', { market: marketLabel(market.data, view.data.market, zh) })}
        </p>
      )}
      <fieldset className="settings-grid" disabled={!canEdit}>
        <legend className="visually-hidden">{t('settings.tab.returns')}</legend>
        <Field
          label={t('settings.returns.window')}
          error={errors.returnWindowDays}
          warning={warnText(warningFor('returnWindowDays'))}
          hint={lawDays !== null ? t(typedDays !== null && typedDays < lawDays ? 'settings.returns.lawMinBelow' : 'settings.returns.lawMin', { days: lawDays, unit: law?.withdrawal.businessDays ? t('settings.returns.businessDaysUnit') : t('settings.returns.daysUnit') }) : undefined}
        >
          {(p) => <input {...p} type="number" min={0} max={3650} step={1} inputMode="numeric" value={draft.returnWindowDays} onChange={(e) => set('returnWindowDays', e.target.value)} />}
        </Field>
        <Field label={t('settings.returns.from')} error={errors.returnWindowFrom} warning={warnText(warningFor('returnWindowFrom'))}>
          {(p) => (
            <select {...p} value={draft.returnWindowFrom} onChange={(e) => set('returnWindowFrom', e.target.value as Draft['returnWindowFrom'])}>
              <option value="delivery">{t('settings.returns.fromDelivery')}</option>
              <option value="order">{t('settings.returns.fromOrder')}</option>
            </select>
          )}
        </Field>
        <Field
          label={t('settings.returns.changeOfMindPayer')}
          error={errors.buyerPaysReturnForChangeOfMind}
          warning={warnText(warningFor('buyerPaysReturnForChangeOfMind'))}
          hint={law ? t('settings.returns.lawPayer', { payer: payerLabel(law.returnShipping.change_of_mind, t) }) : undefined}
        >
          {(p) => (
            <select {...p} value={draft.changeOfMindPayer} onChange={(e) => set('changeOfMindPayer', e.target.value as Draft['changeOfMindPayer'])}>
              {payerOptions}
            </select>
          )}
        </Field>
        <Field
          label={t('settings.returns.faultyPayer')}
          error={errors.buyerPaysReturnWhenFaulty}
          warning={warnText(warningFor('buyerPaysReturnWhenFaulty'))}
          hint={law ? t('settings.returns.lawPayer', { payer: payerLabel(law.returnShipping.faulty, t) }) : undefined}
        >
          {(p) => (
            <select {...p} value={draft.faultyPayer} onChange={(e) => set('faultyPayer', e.target.value as Draft['faultyPayer'])}>
              {payerOptions}
            </select>
          )}
        </Field>
        <Field
          label={t('settings.returns.restockingFee')}
          error={errors.restockingFeePercent}
          warning={warnText(warningFor('restockingFeePercent'))}
          hint={law ? t(`settings.returns.fee.${law.restockingFee.allowed}`, { defaultValue: law.restockingFee.allowed }) : undefined}
        >
          {(p) => <input {...p} type="number" min={0} max={100} step={0.5} inputMode="decimal" value={draft.restockingFeePercent} onChange={(e) => set('restockingFeePercent', e.target.value)} />}
        </Field>
        <Field
          label={t('settings.returns.refundWithin')}
          error={errors.refundWithinDays}
          warning={warnText(warningFor('refundWithinDays'))}
          hint={law && law.refund.days !== null ? t('settings.returns.lawRefund', { days: law.refund.days }) : undefined}
        >
          {(p) => <input {...p} type="number" min={0} max={365} step={1} inputMode="numeric" value={draft.refundWithinDays} onChange={(e) => set('refundWithinDays', e.target.value)} />}
        </Field>
        <Field
          label={t('settings.returns.warranty')}
          error={errors.warrantyMonths}
          warning={warnText(warningFor('warrantyMonths'))}
          hint={law && law.legalGuarantee.months !== null ? t('settings.returns.lawWarranty', { months: law.legalGuarantee.months }) : t('settings.returns.optional')}
        >
          {(p) => <input {...p} type="number" min={0} max={240} step={1} inputMode="numeric" value={draft.warrantyMonths} onChange={(e) => set('warrantyMonths', e.target.value)} />}
        </Field>
      </fieldset>
      {law && (
        <details className="settings-law">
          <summary>{t('settings.returns.lawTitle', { market: marketLabel(market.data, view.data.market, zh) })}</summary>
          <ul>
            <li>
              {lawDays !== null ? t('settings.returns.lawWithdrawal', { days: lawDays }) : t('settings.returns.lawNoWithdrawal')} <cite className="settings-source">{law.withdrawal.source}</cite>
            </li>
            <li>
              {t('settings.returns.lawShipping', { changeOfMind: payerLabel(law.returnShipping.change_of_mind, t), faulty: payerLabel(law.returnShipping.faulty, t) })} <cite className="settings-source">{law.returnShipping.source}</cite>
            </li>
            <li>
              {t(`settings.returns.fee.${law.restockingFee.allowed}`, { defaultValue: law.restockingFee.allowed })} <cite className="settings-source">{law.restockingFee.source}</cite>
            </li>
            {law.refund.days !== null && (
              <li>
                {t('settings.returns.lawRefund', { days: law.refund.days })} <cite className="settings-source">{law.refund.source}</cite>
              </li>
            )}
            {law.legalGuarantee.months !== null && (
              <li>
                {t('settings.returns.lawWarranty', { months: law.legalGuarantee.months })} <cite className="settings-source">{law.legalGuarantee.source}</cite>
              </li>
            )}
          </ul>
        </details>
      )}
      <SaveBar canEdit={canEdit} dirty={dirty} pending={put.isPending} onReset={() => { setDraft(initial); clear(); }} />
    </form>
  );
}

function marketLabel(m: MarketDetail | undefined, code: string, zh: boolean): string {
  return m ? (zh ? m.name.zh : m.name.en) : code;
}

function payerLabel(payer: string, t: TFunction): string {
  return t(`settings.returns.payer.${payer}`, { defaultValue: payer });
}
