/**
 * The ticket in progress, kept by this tab outside the sell screen: switching to the shift, the
 * queue or refunds, or locking the till for another cashier, leaves it as it was. A ticket with
 * lines counts as a sale in progress (no update installs meanwhile).
 */
import { createStore } from '../../lib/store';
import { setTicketOpen } from '../../lib/ticket-open';
import { EMPTY_TICKET, ticketReducer, type TicketAction, type TicketState } from './ticket-state';

const ticket = createStore<TicketState>(EMPTY_TICKET);

export const useTicket = ticket.use;

export function dispatchTicket(action: TicketAction): void {
  ticket.set(ticketReducer(ticket.get(), action));
  setTicketOpen(ticket.get().lines.length > 0);
}
