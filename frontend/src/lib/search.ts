/**
 * Search parameters of list screens live in the URL (shareable, back/forward work). Each route
 * declares the shape of its parameters with `searchSchema`; values that do not fit are dropped
 * rather than crashing the screen.
 */
type Kind = 'string' | 'number' | 'boolean';
type Value<K extends Kind> = K extends 'string' ? string : K extends 'number' ? number : boolean;
export type SearchOf<S extends Record<string, Kind>> = { [P in keyof S]?: Value<S[P]> };

export function searchSchema<S extends Record<string, Kind>>(shape: S): (raw: Record<string, unknown>) => SearchOf<S> {
  return (raw) => {
    const parsed: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(shape)) {
      const value = raw[name];
      if (value === undefined || value === null || value === '') continue;
      if (kind === 'string') parsed[name] = String(value);
      else if (kind === 'number') {
        const number = Number(value);
        if (Number.isFinite(number)) parsed[name] = number;
      } else if (kind === 'boolean') {
        if (value === true || value === 'true') parsed[name] = true;
        else if (value === false || value === 'false') parsed[name] = false;
      }
    }
    return parsed as SearchOf<S>;
  };
}
