/**
 * A value that follows another after a pause: search boxes ask the server once the person
 * stops typing, not on every key.
 */
import { useEffect, useState } from 'react';

export function useDebouncedValue<T>(value: T, milliseconds: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), milliseconds);
    return () => clearTimeout(timer);
  }, [value, milliseconds]);
  return settled;
}
