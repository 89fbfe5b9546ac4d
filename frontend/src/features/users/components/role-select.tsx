/** The role of a user, with a line on what the chosen role may do. */
import { useTranslation } from 'react-i18next';
import { Field, NativeSelect } from '@orbit/shared/ui/field';
import { isRole, ROLES, type Role } from '../api';

export function RoleSelect({ value, onChange, error }: { value: Role; onChange: (role: Role) => void; error?: string }) {
  const { t } = useTranslation('users');
  return (
    <Field label={t('fields.role')} error={error} hint={t(`roleHints.${value}`)}>
      {(control) => (
        <NativeSelect {...control} value={value} onChange={(event) => isRole(event.target.value) && onChange(event.target.value)}>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {t(`roles.${role}`)}
            </option>
          ))}
        </NativeSelect>
      )}
    </Field>
  );
}
