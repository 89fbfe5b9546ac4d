/**
 * One customer (/customers/$customerId): contact data, purchase figures as the API keeps them
 * (visits, total spent, last purchase), the purchase history with links to each sale; edit,
 * deactivate (confirmed) or reactivate.
 */
import { getRouteApi, Link } from '@tanstack/react-router';
import { ArrowLeft, Pencil } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { ConfirmDialog } from '@orbit/shared/ui/confirm-dialog';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { Badge, Card, CardTitle, PageHeader, Stat } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useCustomer, useDeactivateCustomer, useUpdateCustomer, type Customer } from './api';
import { CustomerFormDialog } from './components/customer-form-dialog';
import { PurchaseHistory } from './components/purchase-history';
import './i18n';

const route = getRouteApi('/app/customers/$customerId');

function BackLink() {
  const { t } = useTranslation('customers');
  return (
    <Link to="/customers" className="mb-3 inline-flex items-center gap-1 text-sm text-brand-700 underline-offset-4 hover:underline">
      <ArrowLeft aria-hidden="true" className="size-4" />
      {t('detail.back')}
    </Link>
  );
}

export function CustomerPage() {
  const { customerId } = route.useParams();
  const customer = useCustomer(customerId);
  if (customer.isPending) return <Loading />;
  if (customer.isError) {
    return (
      <>
        <BackLink />
        <ErrorState error={customer.error} onRetry={customer.error instanceof ApiError && customer.error.status === 404 ? undefined : () => void customer.refetch()} />
      </>
    );
  }
  return <CustomerView customer={customer.data} key={customer.data.id} />;
}

function ContactRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-0.5 py-2 sm:grid-cols-3">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="text-sm break-words text-slate-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

function CustomerView({ customer }: { customer: Customer }) {
  const { t } = useTranslation('customers');
  const format = useFormat();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const deactivate = useDeactivateCustomer(customer.id);
  const reactivate = useUpdateCustomer(customer.id);
  const none = <span className="text-slate-400">{t('none')}</span>;

  return (
    <>
      <BackLink />
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            {customer.name}
            {customer.is_active ? null : <Badge>{t('common:inactive')}</Badge>}
          </span>
        }
        description={t('fields.since') + ': ' + format.date(customer.created_at)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setEditing(true)}>
              <Pencil aria-hidden="true" />
              {t('edit.button')}
            </Button>
            {customer.is_active ? (
              <Button
                variant="danger"
                onClick={() => {
                  deactivate.reset();
                  setConfirming(true);
                }}
              >
                {t('deactivate.button')}
              </Button>
            ) : (
              <Button
                disabled={reactivate.isPending}
                onClick={() =>
                  reactivate.mutate({ is_active: true }, { onSuccess: () => toast(t('reactivate.done', { name: customer.name })), onError: (error) => toast(error.message, { tone: 'error' }) })
                }
              >
                {t('reactivate.button')}
              </Button>
            )}
          </>
        }
      />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card aria-labelledby="contact-title" className="lg:col-span-2">
          <CardTitle id="contact-title">{t('detail.contact')}</CardTitle>
          <dl className="mt-2 divide-y divide-slate-100">
            <ContactRow label={t('fields.taxId')}>{customer.tax_id ?? none}</ContactRow>
            <ContactRow label={t('fields.email')}>{customer.email ? <a href={`mailto:${customer.email}`} className="text-brand-700 hover:underline">{customer.email}</a> : none}</ContactRow>
            <ContactRow label={t('fields.phone')}>{customer.phone ? <a href={`tel:${customer.phone}`} className="text-brand-700 hover:underline">{customer.phone}</a> : none}</ContactRow>
            <ContactRow label={t('fields.address')}>{customer.address || none}</ContactRow>
            <ContactRow label={t('fields.notes')}>{customer.notes ? <span className="whitespace-pre-line">{customer.notes}</span> : none}</ContactRow>
          </dl>
        </Card>
        <section aria-label={t('detail.stats')} className="grid grid-cols-2 gap-4 lg:grid-cols-1">
          <Stat label={t('fields.visits')} value={format.number(customer.visits)} />
          <Stat label={t('fields.totalSpent')} value={format.money(customer.total_spent)} />
          <Stat
            className="col-span-2 lg:col-span-1"
            label={t('fields.lastPurchase')}
            value={customer.last_purchase_at ? <time dateTime={customer.last_purchase_at}>{format.date(customer.last_purchase_at)}</time> : t('detail.never')}
          />
        </section>
      </div>
      <div className="mt-4">
        <PurchaseHistory customerId={customer.id} />
      </div>

      {editing ? <CustomerFormDialog customer={customer} onClose={() => setEditing(false)} /> : null}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={t('deactivate.title', { name: customer.name })}
        description={t('deactivate.description')}
        confirmLabel={t('deactivate.confirm')}
        pending={deactivate.isPending}
        error={deactivate.error}
        onConfirm={() =>
          deactivate.mutate(undefined, {
            onSuccess: () => {
              toast(t('deactivate.done', { name: customer.name }));
              setConfirming(false);
            },
          })
        }
      />
    </>
  );
}
