/**
 * A new password with the strength hint of `passwordStrength` under it (announced politely as
 * it changes). The server's refusal, when there is one, replaces the hint.
 */
import { useTranslation } from 'react-i18next';
import { cn } from '@orbit/shared/ui/cn';
import { Field, Input } from '@orbit/shared/ui/field';
import { passwordStrength } from '../password-strength';

const METER = { empty: 'w-0', weak: 'w-1/3 bg-danger', fair: 'w-2/3 bg-warn', strong: 'w-full bg-ok' } as const;

export function PasswordField({ label, value, onChange, personal, error }: { label: string; value: string; onChange: (value: string) => void; personal: string[]; error?: string }) {
  const { t } = useTranslation('users');
  const { strength, problem } = passwordStrength(value, personal);
  const hint =
    strength === 'empty' ? (
      t('strength.empty')
    ) : (
      <span aria-live="polite">
        {t('strength.label', { level: t(`strength.${strength}`) })}
        {problem ? ` — ${t(`strength.${problem}`)}` : ''}
      </span>
    );
  return (
    <div>
      <Field label={label} error={error} hint={hint}>
        {(control) => <Input {...control} type="text" autoComplete="new-password" spellCheck={false} value={value} onChange={(event) => onChange(event.target.value)} required />}
      </Field>
      <div aria-hidden="true" className="mt-1 h-1 rounded bg-slate-200">
        <div data-strength={strength} className={cn('h-1 rounded transition-all', METER[strength])} />
      </div>
    </div>
  );
}
