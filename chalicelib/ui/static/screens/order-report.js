// The orders report on #/reports (#23): per currency, the revenue of orders confirmed in the period, what was
// cancelled or returned, payments received and the average time from an order to its payment; per day beneath.
// Read from the counters each order write keeps; its own call, drawn when it answers.
import { get, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatMoney, formatNumber } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { ORDERS } from '../js/messages-orders.js';
import { can, session } from '../js/session.js';
import { companyUsers } from '../js/users.js';
import { empty } from '../js/ui.js';

Object.assign(MESSAGES, ORDERS);

const days = (seconds) => (seconds === null || seconds === undefined ? '—' : formatNumber(Math.round(seconds / 8640) / 10));

function reportTable(caption, columns, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'report-table' }, h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([label, cell]) => h('td', { 'data-label': label }, cell(row))))))));
}

/** The report's panel (empty until its numbers arrive; nothing for a role that may not read orders). */
export function ordersPart({ from, to }) {
  if (!can('orders', 'read')) return null;
  const body = h('div', {});
  const panel = h('section', { class: 'panel report', 'data-test': 'report-orders' }, h('h2', {}, t('orders.report')), body);
  const money = (row, name) => formatMoney(row[name], row.currency);
  const totals = [[t('orders.currency'), (r) => r.currency], [t('orders.report.confirmed'), (r) => formatNumber(r.confirmed)],
    [t('orders.report.revenue'), (r) => money(r, 'revenue')], [t('orders.report.closed'), (r) => money(r, 'closed_amount')],
    [t('orders.report.received'), (r) => money(r, 'received')], [t('orders.report.paidOrders'), (r) => formatNumber(r.paid_orders)],
    [t('orders.report.toPayment'), (r) => days(r.avg_seconds_to_payment)]];
  const perDay = [[t('orders.report.day'), (r) => r.day], [t('orders.report.created'), (r) => formatNumber(r.created)],
    [t('orders.report.revenue'), (r) => money(r, 'revenue')], [t('orders.report.received'), (r) => money(r, 'received')]];
  // a car service's revenue by master: each owner's orders, most revenue first, named as Settings → Users names them
  const names = new Map();
  const byOwner = [[t('orders.report.owner'), (r) => names.get(r.owner_id) || '—'],
    [t('orders.report.confirmed'), (r) => formatNumber(r.confirmed)], [t('orders.report.revenue'), (r) => money(r, 'revenue')],
    [t('orders.report.received'), (r) => money(r, 'received')], [t('orders.report.paidOrders'), (r) => formatNumber(r.paid_orders)]];
  Promise.all([get(`/api/v1/reports/orders${query({ from, to })}`), companyUsers().catch(() => [])]).then(([report, users]) => {
    for (const user of users) names.set(user.id, user.name);
    if (session.user) names.set(session.user.id, session.user.name);
    mount(body, report.totals.length ? [reportTable(t('orders.report'), totals, report.totals),
      report.owners?.length ? [h('h3', {}, t('orders.report.byOwner')), reportTable(t('orders.report.byOwner'), byOwner, report.owners)] : null,
      h('details', {}, h('summary', {}, t('orders.report.byDay')), reportTable(t('orders.report.byDay'), perDay, report.items))]
      : empty(t('rep.empty')));
  }, () => mount(body, empty(t('rep.empty'))));
  return panel;
}
