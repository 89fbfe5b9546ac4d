/**
 * The shop's registers (with their open shift), for every screen that filters or labels by
 * register. One query key, `['registers']`, so a change made anywhere refreshes every screen.
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';

export type Register = Schemas['RegisterRead'];

export const registersKey = ['registers'] as const;

export function useRegisters() {
  return useQuery({ queryKey: registersKey, queryFn: () => unwrap(api.GET('/api/v1/registers')), staleTime: 60_000 });
}

/** Register codes by id, for labelling rows that carry only a register id. */
export function registerCodes(registers: Register[] | undefined): Map<string, string> {
  return new Map((registers ?? []).map((register) => [register.id, register.code]));
}
