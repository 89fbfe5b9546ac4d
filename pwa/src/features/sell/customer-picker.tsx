/**
 * Picking the sale's customer from the pulled list (by name, tax id, email or phone), or creating
 * one on the till: the new customer is a document of the queue (`recordCustomer`), pushed before
 * the sales that name them, and can be picked at once, online or not. Fields are checked the way
 * the server decodes them, so a customer made here never stops the queue.
 */
import { UserPlus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge } from '@orbit/shared/ui/surfaces';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { toast } from '@orbit/shared/ui/toast';
import { useLive, useTill } from '../../lib/hooks';
import { runtime } from '../../lib/runtime';
import type { Customer } from '../../offline/db';
import { recordCustomer, type NewCustomer } from '../../offline/journal';
import { normalize } from '../../offline/search';
import './i18n';

type Chosen = Pick<Customer, 'id' | 'name'> | null;

const TAX_ID = /^[0-9A-Za-z\s./-]{0,64}$/;
const PHONE = /^[0-9+\s().-]{0,40}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The form's problems, by field (empty when the server would accept it). */
export function customerProblems(data: NewCustomer): Partial<Record<keyof NewCustomer, 'name' | 'taxId' | 'email' | 'phone'>> {
  const problems: Partial<Record<keyof NewCustomer, 'name' | 'taxId' | 'email' | 'phone'>> = {};
  if (data.name.trim().length < 2 || data.name.length > 200) problems.name = 'name';
  if (data.tax_id && !TAX_ID.test(data.tax_id)) problems.tax_id = 'taxId';
  if (data.email && (data.email.length > 320 || !EMAIL.test(data.email))) problems.email = 'email';
  if (data.phone && !PHONE.test(data.phone)) problems.phone = 'phone';
  return problems;
}

function NewCustomerForm({ onCreated }: { onCreated: (customer: Customer) => void }) {
  const { t } = useTranslation('sell');
  const till = useTill();
  const [data, setData] = useState<NewCustomer>({ name: '', tax_id: null, email: null, phone: null });
  const [tried, setTried] = useState(false);
  const [pending, setPending] = useState(false);
  const problems = customerProblems(data);
  const messages = { name: t('customers.nameRequired'), taxId: t('customers.taxIdInvalid'), email: t('customers.emailInvalid'), phone: t('customers.phoneInvalid') };
  const set = (field: keyof NewCustomer) => (value: string) => setData((current) => ({ ...current, [field]: field === 'name' ? value : value.trim() || null }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!till || Object.keys(problems).length) return;
    setPending(true);
    try {
      const customer = await recordCustomer(till, { ...data, name: data.name.trim() });
      runtime.kick('document');
      toast(t('customers.created', { name: customer.name }));
      onCreated(customer);
    } finally {
      setPending(false);
    }
  };
  const error = (field: keyof NewCustomer) => (tried && problems[field] ? messages[problems[field]!] : undefined);
  return (
    <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" noValidate>
      <Field label={t('customers.name')} error={error('name')} className="sm:col-span-2">
        {(control) => <Input {...control} autoFocus value={data.name} maxLength={200} onChange={(e) => set('name')(e.target.value)} className="h-12" />}
      </Field>
      <Field label={t('customers.taxId')} error={error('tax_id')}>
        {(control) => <Input {...control} value={data.tax_id ?? ''} maxLength={64} onChange={(e) => set('tax_id')(e.target.value)} className="h-12" />}
      </Field>
      <Field label={t('customers.phone')} error={error('phone')}>
        {(control) => <Input {...control} type="tel" value={data.phone ?? ''} maxLength={40} onChange={(e) => set('phone')(e.target.value)} className="h-12" />}
      </Field>
      <Field label={t('customers.email')} error={error('email')} className="sm:col-span-2">
        {(control) => <Input {...control} type="email" value={data.email ?? ''} maxLength={320} onChange={(e) => set('email')(e.target.value)} className="h-12" />}
      </Field>
      <Button type="submit" size="lg" className="sm:col-span-2" disabled={pending}>
        <UserPlus aria-hidden="true" />
        {t('customers.create')}
      </Button>
    </form>
  );
}

export function CustomerPicker({ open, onOpenChange, onChoose }: { open: boolean; onOpenChange: (open: boolean) => void; onChoose: (customer: Chosen) => void }) {
  const { t } = useTranslation('sell');
  const { t: common } = useTranslation();
  const [query, setQuery] = useState('');
  const [creating, setCreating] = useState(false);
  const matches = useLive(async () => {
    const wanted = normalize(query.trim());
    const all = runtime.db.customers.filter((customer) => customer.is_active);
    const found = wanted
      ? await all
          .filter((customer) => [customer.name, customer.tax_id, customer.email, customer.phone].some((field) => field && normalize(field).includes(wanted)))
          .limit(20)
          .toArray()
      : await all.limit(20).toArray();
    return found.sort((a, b) => a.name.localeCompare(b.name));
  }, [query]);
  const choose = (customer: Chosen) => {
    onChoose(customer);
    onOpenChange(false);
    setCreating(false);
    setQuery('');
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('customers.title')} closeLabel={common('close')} className="max-w-2xl">
      {creating ? (
        <NewCustomerForm onCreated={(customer) => choose(customer)} />
      ) : (
        <div className="space-y-3">
          <div className="flex gap-2">
            <label className="flex-1">
              <span className="sr-only">{t('customers.search')}</span>
              <Input autoFocus type="search" placeholder={t('customers.search')} value={query} onChange={(event) => setQuery(event.target.value)} className="h-12" />
            </label>
            <Button variant="secondary" size="lg" onClick={() => setCreating(true)}>
              <UserPlus aria-hidden="true" />
              {t('customers.new')}
            </Button>
          </div>
          <ul className="max-h-80 space-y-1 overflow-y-auto">
            <li>
              <Button variant="ghost" className="h-12 w-full justify-start" onClick={() => choose(null)}>
                {t('customers.none')}
              </Button>
            </li>
            {(matches ?? []).map((customer) => (
              <li key={customer.id}>
                <Button
                  variant="secondary"
                  className="h-auto min-h-12 w-full justify-between py-2 text-left"
                  aria-label={t('customers.choose', { name: customer.name })}
                  onClick={() => choose(customer)}
                >
                  <span className="min-w-0">
                    <span className="block truncate font-medium">{customer.name}</span>
                    <span className="block truncate text-xs text-slate-600">{[customer.tax_id, customer.phone, customer.email].filter(Boolean).join(' · ')}</span>
                  </span>
                  {customer.pending ? <Badge tone="warn">{t('customers.pending')}</Badge> : null}
                </Button>
              </li>
            ))}
          </ul>
          {matches && !matches.length ? <p className="text-sm text-slate-600">{t('customers.noMatch')}</p> : null}
        </div>
      )}
    </Dialog>
  );
}
