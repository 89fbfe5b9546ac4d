/**
 * What the benchmark reads of the SPA's screens, in one place. Each export is a self-contained
 * function (no closure: it is sent to the page as source) run in the page against the DOM.
 *
 * The dashboard's headline figures are cards labelled by their heading (`Tickets` in both
 * languages, `Today's revenue` / `Ingresos de hoy`); the value is the card's `[data-kpi-value]`.
 */

/** The dashboard's revenue and tickets cards show values (rendered only once the summary is in). */
export function dashboardReady() {
  const values = [...document.querySelectorAll('[data-kpi-value]')].map((node) => node.textContent.trim());
  return values.length >= 2 && values.every((text) => /\d/.test(text));
}

/** The number on the dashboard's tickets card, or null while it is not shown. */
export function readTickets() {
  for (const heading of document.querySelectorAll('h2')) {
    if (!/^(tickets|boletas)$/i.test(heading.textContent.trim())) continue;
    const card = heading.closest('[aria-labelledby]') ?? heading.parentElement;
    const digits = (card.querySelector('[data-kpi-value]')?.textContent ?? '').replace(/\D/g, '');
    return digits ? Number(digits) : null;
  }
  return null;
}
