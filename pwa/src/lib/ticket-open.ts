/**
 * Whether a sale is in progress in this tab (a ticket with lines, or a payment being taken): the
 * updater only installs a new version when none is, so a reload never interrupts a sale.
 */
import { createStore } from './store';

const ticketOpen = createStore(false);

export const setTicketOpen = ticketOpen.set;
export const useTicketOpen = ticketOpen.use;
