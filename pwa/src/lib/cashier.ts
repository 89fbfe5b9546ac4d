/**
 * Who is at the till: the cashier who unlocked it with their PIN, in this tab's memory only (a
 * reload locks the till). Locking forgets them; the next PIN unlocks the next cashier, with no
 * reload and nothing else lost.
 */
import type { Actor } from '../offline/journal';
import { createStore } from './store';

export interface UnlockedCashier extends Actor {
  role: string;
}

const cashier = createStore<UnlockedCashier | null>(null);

export const unlock = (who: UnlockedCashier) => cashier.set(who);
export const lock = () => cashier.set(null);
export const currentCashier = cashier.get;
export const useCashier = cashier.use;
