/**
 * The shop's people by name (`GET /api/v1/people`, admins and managers; no emails): the one
 * directory that names cashiers, refunders and audit actors on every screen. Past staff stay in
 * it (deactivated, not deleted), so old sales and log entries keep their names.
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';

export type Person = Schemas['PersonRead'];

const peopleQuery = {
  queryKey: ['people'] as const,
  queryFn: () => unwrap(api.GET('/api/v1/people')),
  staleTime: 5 * 60_000,
};

/** Everyone, sorted by name. */
export function usePeople() {
  return useQuery(peopleQuery);
}

/** Names by user id. */
export function usePeopleNames() {
  return useQuery({ ...peopleQuery, select: (people: Person[]) => new Map(people.map((person) => [person.id, person.full_name])) });
}
