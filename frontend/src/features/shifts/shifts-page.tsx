/**
 * The shifts list (/shifts): every register's cash shifts, newest first, filtered by register and
 * status (in the URL), with expected against counted cash and the difference highlighted.
 */
import { getRouteApi } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { Pager } from '@orbit/shared/ui/data-table';
import { Field, NativeSelect } from '@orbit/shared/ui/field';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { RegisterSelect } from '../../lib/register-select';
import { SHIFTS_PAGE_SIZE, useShifts } from './api';
import { ShiftsTable } from './components/shifts-table';
import './i18n';

const route = getRouteApi('/app/shifts');

const STATUSES = ['open', 'closed'] as const;

export function ShiftsPage() {
  const { t } = useTranslation('shifts');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const status = STATUSES.find((value) => value === search.status);
  const shifts = useShifts({ limit: SHIFTS_PAGE_SIZE, offset: search.offset ?? 0, register_id: search.register_id, status });

  const changeSearch = (patch: { register_id?: string; status?: string; offset?: number }) =>
    void navigate({ search: (previous) => ({ ...previous, offset: undefined, ...patch }) });

  return (
    <>
      <PageHeader title={t('list.title')} description={t('list.description')} />
      <section aria-label={t('list.filters')} className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2 sm:p-4 lg:grid-cols-4">
        <RegisterSelect label={t('fields.register')} anyLabel={t('list.anyRegister')} value={search.register_id} onChange={(register_id) => changeSearch({ register_id })} />
        <Field label={t('fields.status')}>
          {(control) => (
            <NativeSelect {...control} value={status ?? ''} onChange={(event) => changeSearch({ status: event.target.value || undefined })}>
              <option value="">{t('list.anyStatus')}</option>
              {STATUSES.map((value) => (
                <option key={value} value={value}>
                  {t(`status.${value}`)}
                </option>
              ))}
            </NativeSelect>
          )}
        </Field>
      </section>
      {shifts.isPending ? (
        <Loading />
      ) : shifts.isError ? (
        <ErrorState error={shifts.error} onRetry={() => void shifts.refetch()} />
      ) : (
        <>
          <ShiftsTable shifts={shifts.data.items} />
          <Pager
            offset={shifts.data.offset}
            count={shifts.data.items.length}
            nextOffset={shifts.data.next_offset}
            limit={SHIFTS_PAGE_SIZE}
            onOffset={(offset) => changeSearch({ offset: offset || undefined })}
          />
        </>
      )}
    </>
  );
}
