// The cards' orders (#23): a repeat customer's visits to a car service, each with its total, and what the customer
// has paid in all; a deal's orders. Read when the panel is opened (the card keeps to its two requests), with the
// orders' screen and its texts.
import { get, query } from '../js/api.js';
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatMoney } from '../js/format.js';
import { can } from '../js/session.js';
import { toastError } from '../js/ui.js';

const READ = 200; // the most one request lists: a customer's whole history, however regular
const SHOWN = 20;
const VOID = new Set(['cancelled', 'returned']); // no money kept for these

/** What the customer's orders have paid, per currency ("8 160,00 ₽"; two currencies joined by " · "), and how many
 * orders paid it. */
function paid(orders) {
  const sums = new Map();
  const counted = orders.filter((order) => !VOID.has(order.status) && order.paid_minor > 0);
  for (const order of counted) sums.set(order.currency, (sums.get(order.currency) || 0) + order.paid_minor);
  return { n: counted.length, amount: [...sums].map(([currency, minor]) => formatMoney(minor, currency)).join(' · ') };
}

/** A card's orders panel (a contact's, a deal's), read when opened (the card keeps to its requests), with the orders'
 * screen and its texts: the newest orders matching filter, a link each with its date, status and total; `above` the
 * list (onPage fills it from the page read), `after` the panel; `empty`: the text key for none. */
export function ordersPanel({ filter, test, empty, limit = SHOWN, onPage = null, above = null, after = null }) {
  const list = h('ul', { class: 'list', 'data-test': test, 'aria-busy': 'true' });
  let read = false;
  const open = async () => {
    if (read) return;
    read = true;
    try {
      const [{ orderItem }, page] = await Promise.all([import('./orders.js'),
        get(`/api/v1/orders${query({ ...filter, limit })}`)]);
      if (onPage) onPage(page);
      list.replaceChildren(...(page.items.length ? page.items.slice(0, SHOWN).map(orderItem)
        : [h('li', { class: 'muted' }, t(empty))]));
    } catch (error) { read = false; toastError(error); } finally { list.removeAttribute('aria-busy'); }
  };
  return h('section', { class: 'panel', 'data-links': 'orders' },
    h('details', { onToggle: (event) => { if (event.target.open) open(); } },
      h('summary', {}, t('nav.orders')), above, list), after);
}

/** The contact's panel: her newest orders under what they paid in all. */
export function contactOrdersPanel(contact) {
  if (!can('orders', 'read')) return null;
  const spent = h('p', { class: 'muted', 'data-test': 'contact-paid' });
  const counted = (page) => {
    const total = paid(page.items);
    spent.textContent = total.n ? t(page.next_cursor ? 'orders.contactPaidRecent' : 'orders.contactPaid', total) : '';
  };
  return ordersPanel({ filter: { contact_id: contact.id }, limit: READ, test: 'contact-orders', empty: 'orders.contactNone',
    onPage: counted, above: spent });
}
