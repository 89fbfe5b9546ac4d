/** The users of one page: name and email, role, status, last sign-in (shop's zone), actions. */
import type { ColumnDef } from '@tanstack/react-table';
import { MoreHorizontal } from 'lucide-react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Menu } from '@orbit/shared/ui/menu';
import { Empty } from '@orbit/shared/ui/states';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { User } from '../api';
import type { UserAction } from './user-dialogs';

export function UsersTable({ users, currentUserId, onAction }: { users: User[]; currentUserId?: string; onAction: (user: User, action: UserAction) => void }) {
  const { t } = useTranslation('users');
  const format = useFormat();
  const columns = useMemo<ColumnDef<User, unknown>[]>(
    () => [
      {
        id: 'name',
        header: t('fields.name'),
        cell: ({ row }) => (
          <div className="min-w-40">
            <p className="font-medium text-slate-900">
              {row.original.full_name}
              {row.original.id === currentUserId ? <span className="ml-1 text-xs font-normal text-slate-500">({t('you')})</span> : null}
            </p>
            <p className="text-xs text-slate-600">{row.original.email}</p>
          </div>
        ),
      },
      { id: 'role', header: t('fields.role'), cell: ({ row }) => <Badge tone={row.original.role === 'admin' ? 'brand' : 'neutral'}>{t(`roles.${row.original.role}`)}</Badge> },
      {
        id: 'status',
        header: t('fields.status'),
        cell: ({ row }) => <Badge tone={row.original.is_active ? 'ok' : 'danger'}>{row.original.is_active ? t('common:active') : t('common:inactive')}</Badge>,
      },
      {
        id: 'lastLogin',
        header: t('fields.lastLogin'),
        cell: ({ row }) =>
          row.original.last_login_at ? <time dateTime={row.original.last_login_at}>{format.dateTime(row.original.last_login_at)}</time> : <span className="text-slate-500">{t('never')}</span>,
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common:actions')}</span>,
        cell: ({ row }) => {
          const user = row.original;
          return (
            <Menu
              trigger={
                <Button variant="ghost" size="icon" aria-label={t('actionsFor', { name: user.full_name })}>
                  <MoreHorizontal aria-hidden="true" />
                </Button>
              }
              items={[
                { label: t('actions.role'), onSelect: () => onAction(user, 'role') },
                { label: t('actions.password'), onSelect: () => onAction(user, 'password') },
                { label: t('actions.pin'), onSelect: () => onAction(user, 'pin') },
                user.is_active
                  ? { label: t('actions.deactivate'), onSelect: () => onAction(user, 'deactivate'), danger: true }
                  : { label: t('actions.reactivate'), onSelect: () => onAction(user, 'reactivate') },
              ]}
            />
          );
        },
      },
    ],
    [t, format, currentUserId, onAction],
  );
  return <DataTable columns={columns} rows={users} caption={t('caption')} rowKey={(user) => user.id} empty={<Empty title={t('empty')}>{t('emptyHint')}</Empty>} />;
}
