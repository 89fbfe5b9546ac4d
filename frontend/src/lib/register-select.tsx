/** A labelled select of the shop's registers ("any register" first), for list filters. */
import { Field, NativeSelect } from '@orbit/shared/ui/field';
import { useRegisters } from './registers';

export function RegisterSelect({ label, anyLabel, value, onChange }: { label: string; anyLabel: string; value: string | undefined; onChange: (registerId: string | undefined) => void }) {
  const registers = useRegisters();
  return (
    <Field label={label}>
      {(control) => (
        <NativeSelect {...control} value={value ?? ''} onChange={(event) => onChange(event.target.value || undefined)}>
          <option value="">{anyLabel}</option>
          {(registers.data ?? []).map((register) => (
            <option key={register.id} value={register.id}>
              {register.code} · {register.name}
            </option>
          ))}
        </NativeSelect>
      )}
    </Field>
  );
}
