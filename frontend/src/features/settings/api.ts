/**
 * The organization's settings: read from `['me']` (the app already holds it), changed with
 * `PATCH /api/v1/organization`. Saving refreshes `['me']`, so every screen's money and dates
 * follow the new currency, locale and zone at once.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@orbit/shared/api/client';
import { meKey } from '../../lib/me';
import type { OrganizationUpdate } from './settings-form';

export function useUpdateOrganization() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: OrganizationUpdate) => unwrap(api.PATCH('/api/v1/organization', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: meKey }),
  });
}
