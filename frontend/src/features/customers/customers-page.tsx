/**
 * The customers list (/customers, admins and managers): the search and the page live in the URL;
 * adding a customer opens them; the CSV holds every customer the search matches.
 */
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { Download, Search, UserPlus } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Pager } from '@orbit/shared/ui/data-table';
import { Field, Input } from '@orbit/shared/ui/field';
import { ErrorState, Loading, useErrorMessage } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { CUSTOMERS_PAGE_SIZE, exportCustomers, useCustomers } from './api';
import { CustomerFormDialog } from './components/customer-form-dialog';
import { CustomersTable } from './components/customers-table';
import './i18n';

const route = getRouteApi('/app/customers');

function SearchForm({ value, onSearch }: { value?: string; onSearch: (q: string | undefined) => void }) {
  const { t } = useTranslation('customers');
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(text.trim() || undefined);
  };
  return (
    <form role="search" aria-label={t('search.label')} onSubmit={submit} className="mb-4 rounded-lg border border-slate-200 bg-white p-3 sm:p-4">
      <Field label={t('search.field')} hint={t('search.hint')} className="max-w-xl">
        {(control) => (
          <div className="flex gap-2">
            <Input {...control} type="search" autoComplete="off" value={text} onChange={(event) => setText(event.target.value)} />
            <Button type="submit" variant="secondary" size="icon" aria-label={t('search.submit')}>
              <Search aria-hidden="true" />
            </Button>
          </div>
        )}
      </Field>
    </form>
  );
}

export function CustomersPage() {
  const { t } = useTranslation('customers');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const goTo = useNavigate();
  const errorMessage = useErrorMessage();
  const customers = useCustomers({ limit: CUSTOMERS_PAGE_SIZE, offset: search.offset ?? 0, search: search.q || undefined });
  const [creating, setCreating] = useState(false);
  const [exporting, setExporting] = useState(false);

  const changeSearch = (patch: { q?: string; offset?: number }) => void navigate({ search: (previous) => ({ ...previous, ...patch }) });
  const runExport = async () => {
    setExporting(true);
    try {
      await exportCustomers(search.q);
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' });
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <>
            <Button variant="secondary" onClick={() => void runExport()} disabled={exporting}>
              <Download aria-hidden="true" />
              {exporting ? t('exporting') : t('export')}
            </Button>
            <Button onClick={() => setCreating(true)}>
              <UserPlus aria-hidden="true" />
              {t('add')}
            </Button>
          </>
        }
      />
      <SearchForm value={search.q} onSearch={(q) => changeSearch({ q, offset: undefined })} />
      {customers.isPending ? (
        <Loading />
      ) : customers.isError ? (
        <ErrorState error={customers.error} onRetry={() => void customers.refetch()} />
      ) : (
        <>
          <CustomersTable customers={customers.data.items} />
          <Pager
            offset={customers.data.offset}
            count={customers.data.items.length}
            nextOffset={customers.data.next_offset}
            limit={CUSTOMERS_PAGE_SIZE}
            onOffset={(offset) => changeSearch({ offset: offset || undefined })}
          />
        </>
      )}
      {creating ? (
        <CustomerFormDialog
          customer={null}
          onClose={() => setCreating(false)}
          onSaved={(customer) => void goTo({ to: '/customers/$customerId', params: { customerId: customer.id } })}
        />
      ) : null}
    </>
  );
}
