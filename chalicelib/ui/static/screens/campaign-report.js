// The campaigns report on #/reports (#19 with #24): the campaigns started in the period (the company's days) with
// what they sent and what came of it: deliveries, reads, bounces and failures as the providers reported them (#24),
// opens, clicks, replies, unsubscriptions, deals and orders and their revenue.
// One call of GET /api/v1/reports/campaigns, drawn when it answers.
import { get, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatMoney, formatNumber, fromZonedInput } from '../js/format.js';
import { can } from '../js/session.js';
import { empty } from '../js/ui.js';

const percent = (rate) => `${formatNumber(Math.round(rate * 1000) / 10)}%`;

function nextDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function reportTable(rows) {
  const columns = [
    [t('rep.cmp.name'), (r) => h('a', { href: `#/campaigns/${encodeURIComponent(r.id)}` }, r.name)],
    [t('rep.channel'), (r) => t(`rep.cmp.channel.${r.channel}`)],
    [t('rep.cmp.sent'), (r) => formatNumber(r.sent)],
    [t('rep.cmp.delivered'), (r) => `${formatNumber(r.delivered)} (${percent(r.delivery_rate)})`],
    [t('rep.cmp.read'), (r) => (r.channel === 'whatsapp' ? formatNumber(r.read) : '—')],
    [t('rep.cmp.bounced'), (r) => formatNumber(r.bounced + r.undelivered + r.failed)],
    [t('rep.cmp.complained'), (r) => (r.channel === 'email' ? formatNumber(r.complained) : '—')],
    [t('rep.cmp.opened'), (r) => `${formatNumber(r.opened)} (${percent(r.open_rate)})`],
    [t('rep.cmp.clicked'), (r) => `${formatNumber(r.clicked)} (${percent(r.click_rate)})`],
    [t('rep.cmp.replied'), (r) => formatNumber(r.replied)],
    [t('rep.cmp.unsubscribed'), (r) => formatNumber(r.unsubscribed)],
    [t('rep.cmp.conversions'), (r) => formatNumber(r.conversions)],
    [t('rep.cmp.revenue'), (r) => (r.currency ? formatMoney(r.revenue_minor, r.currency) : '—')]];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'report-table' }, h('caption', { class: 'visually-hidden' }, t('rep.cmp')),
    h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([label, cell]) => h('td', { 'data-label': label }, cell(row))))))));
}

/** The report's panel for the days from..to on the company's clock (zone); nothing for a role that may not read
 * campaigns. */
export function campaignsPart({ from, to, zone }) {
  if (!can('campaigns', 'read')) return null;
  const body = h('div', {});
  const panel = h('section', { class: 'panel report', 'data-test': 'report-campaigns' }, h('h2', {}, t('rep.cmp')), body);
  const end = fromZonedInput(`${nextDay(to)}T00:00`, zone); // the last day's end: the next day's midnight, less 1 ms
  const period = { from: fromZonedInput(`${from}T00:00`, zone), to: end && new Date(Date.parse(end) - 1).toISOString() };
  get(`/api/v1/reports/campaigns${query(period)}`).then((report) => {
    mount(body, report.items.length ? reportTable(report.items) : empty(t('rep.empty')));
  }, () => mount(body, empty(t('rep.empty'))));
  return panel;
}
