/**
 * Persistent storage: without it a browser short of space may evict the till's IndexedDB, queue
 * and all. The till asks once set up (and at each start until granted) and shows when refused.
 */

export type Persistence = 'granted' | 'denied' | 'unsupported';

export interface StorageLike {
  persisted?: () => Promise<boolean>;
  persist?: () => Promise<boolean>;
}

export async function requestPersistence(storage: StorageLike | undefined = globalThis.navigator?.storage): Promise<Persistence> {
  if (!storage?.persist || !storage.persisted) return 'unsupported';
  try {
    if (await storage.persisted()) return 'granted';
    return (await storage.persist()) ? 'granted' : 'denied';
  } catch {
    return 'denied';
  }
}
