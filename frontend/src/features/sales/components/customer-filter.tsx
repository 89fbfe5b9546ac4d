/**
 * Filter by customer: search the customers by name, tax id, email or phone and pick one; the
 * chosen customer shows as a removable chip. The search waits for a pause in typing.
 */
import { X } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Input, Label } from '@orbit/shared/ui/field';
import { useCustomer, useCustomerSearch } from '../api';

function useDebounced<T>(value: T, milliseconds: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), milliseconds);
    return () => clearTimeout(timer);
  }, [value, milliseconds]);
  return settled;
}

export function CustomerFilter({ customerId, onChange }: { customerId: string | undefined; onChange: (customerId: string | undefined) => void }) {
  const { t } = useTranslation('sales');
  const id = useId();
  const [text, setText] = useState('');
  const search = useDebounced(text.trim(), 250);
  const results = useCustomerSearch(search);
  const chosen = useCustomer(customerId);

  if (customerId) {
    return (
      <div className="space-y-1">
        <p id={id} className="text-sm font-medium text-slate-700">
          {t('fields.customer')}
        </p>
        <div className="flex h-10 items-center justify-between gap-2 rounded-md border border-brand-100 bg-brand-50 px-3 text-sm" aria-labelledby={id} role="group">
          <span className="truncate">{chosen.data?.name ?? (chosen.isError ? t('filters.unknownCustomer') : t('filters.loadingCustomer'))}</span>
          <Button variant="ghost" size="sm" className="h-7 px-1" aria-label={t('filters.removeCustomer')} onClick={() => onChange(undefined)}>
            <X aria-hidden="true" />
          </Button>
        </div>
      </div>
    );
  }

  const open = search.length > 0 && text.trim().length > 0;
  const items = results.data?.items ?? [];
  return (
    <div className="relative space-y-1">
      <Label htmlFor={id}>{t('fields.customer')}</Label>
      <Input
        id={id}
        type="search"
        value={text}
        placeholder={t('filters.customerPlaceholder')}
        autoComplete="off"
        aria-controls={open ? `${id}-results` : undefined}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => event.key === 'Escape' && setText('')}
      />
      {open ? (
        <ul id={`${id}-results`} aria-label={t('filters.customerResults')} className="absolute z-20 mt-1 max-h-64 w-full overflow-y-auto rounded-md border border-slate-200 bg-white py-1 shadow-lg">
          {results.isPending ? (
            <li className="px-3 py-2 text-sm text-slate-600">{t('common:loading')}</li>
          ) : items.length === 0 ? (
            <li className="px-3 py-2 text-sm text-slate-600">{t('filters.noCustomer')}</li>
          ) : (
            items.map((customer) => (
              <li key={customer.id}>
                <button
                  type="button"
                  className="block w-full px-3 py-2 text-left text-sm hover:bg-slate-100 focus-visible:bg-slate-100"
                  onClick={() => {
                    setText('');
                    onChange(customer.id);
                  }}
                >
                  <span className="font-medium">{customer.name}</span>
                  {customer.tax_id || customer.email ? <span className="block text-xs text-slate-600">{customer.tax_id ?? customer.email}</span> : null}
                </button>
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}
