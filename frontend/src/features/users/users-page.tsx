/**
 * The users screen (/users, admins): search, role filter and paging live in the URL; actions on
 * a user open one dialog at a time. The server keeps at least one active admin and says so.
 */
import { getRouteApi } from '@tanstack/react-router';
import { UserPlus } from 'lucide-react';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Pager } from '@orbit/shared/ui/data-table';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { useMe } from '../../lib/me';
import { isRole, USERS_PAGE_SIZE, useUsers, type User } from './api';
import { CreateUserDialog } from './components/create-user-dialog';
import { UserActionDialog, type UserAction } from './components/user-dialogs';
import { UsersFilters, type UsersSearch } from './components/users-filters';
import { UsersTable } from './components/users-table';
import './i18n';

const route = getRouteApi('/app/users');

export function UsersPage() {
  const { t } = useTranslation('users');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const me = useMe();
  const users = useUsers({ limit: USERS_PAGE_SIZE, offset: search.offset ?? 0, search: search.q || undefined, role: isRole(search.role) ? search.role : undefined });
  const [creating, setCreating] = useState(false);
  const [acting, setActing] = useState<{ user: User; action: UserAction } | null>(null);
  const onAction = useCallback((user: User, action: UserAction) => setActing({ user, action }), []);

  const changeSearch = (patch: Partial<UsersSearch>) => void navigate({ search: (previous) => ({ ...previous, ...patch }) });

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <Button onClick={() => setCreating(true)}>
            <UserPlus aria-hidden="true" />
            {t('add')}
          </Button>
        }
      />
      <UsersFilters search={search} onChange={(patch) => changeSearch({ ...patch, offset: undefined })} />
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <>
          <UsersTable users={users.data.items} currentUserId={me.data?.user.id} onAction={onAction} />
          <Pager
            offset={users.data.offset}
            count={users.data.items.length}
            nextOffset={users.data.next_offset}
            limit={USERS_PAGE_SIZE}
            onOffset={(offset) => changeSearch({ offset: offset || undefined })}
          />
        </>
      )}
      <CreateUserDialog open={creating} onOpenChange={setCreating} />
      {acting ? <UserActionDialog key={`${acting.user.id}-${acting.action}`} user={acting.user} action={acting.action} onClose={() => setActing(null)} /> : null}
    </>
  );
}
