// The tickets report on #/reports (#24): volumes, SLA compliance and CSAT for the period, by priority, channel,
// assignee or day, read from the counters each ticket write keeps; its own call, drawn when it answers.
import { get, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatNumber } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { TICKETS } from '../js/messages-tickets.js';
import { can } from '../js/session.js';
import { empty } from '../js/ui.js';

Object.assign(MESSAGES, TICKETS);

const GROUPS = ['priority', 'channel', 'owner_id', 'day'];
const share = (value) => (value === null || value === undefined ? '—' : `${Math.round(value * 100)}%`);
const minutes = (seconds) => (seconds === null || seconds === undefined ? '—' : formatNumber(Math.round(seconds / 60)));

function keyName(by, key, users) {
  if (key === null || key === undefined) return t('tk.rep.total');
  if (by === 'priority') return t(`tk.priority.${key}`);
  if (by === 'channel') return t(`tk.channel.${key}`);
  if (by === 'owner_id') return users.find((user) => user.id === key)?.name || key;
  return key;
}

function reportTable(report, users) {
  const columns = [[t(`tk.rep.by.${report.by}`), (r) => keyName(report.by, r.key, users)],
    [t('tk.rep.created'), (r) => formatNumber(r.created)], [t('tk.rep.firstOnTime'), (r) => share(r.first_response_on_time)],
    [t('tk.rep.avgFirst'), (r) => minutes(r.avg_first_response_seconds)], [t('tk.rep.resolved'), (r) => formatNumber(r.resolved)],
    [t('tk.rep.resolvedOnTime'), (r) => share(r.resolution_on_time)], [t('tk.rep.reopened'), (r) => formatNumber(r.reopened)],
    [t('tk.rep.breaches'), (r) => formatNumber(r.breaches)],
    [t('tk.rep.csat'), (r) => (r.csat_average === null ? '—' : r.csat_average.toFixed(2))],
    [t('tk.rep.csatGood'), (r) => share(r.csat_good_share)]];
  const rows = [...report.items, report.total];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'report-table' }, h('caption', { class: 'visually-hidden' }, t('tk.report')),
    h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, rows.map((row) => h('tr', { class: row.key === null ? 'total' : null },
      columns.map(([label, cell]) => h('td', { 'data-label': label }, cell(row))))))));
}

/** The report's panel (empty until its numbers arrive; nothing for a role that may not read tickets). */
export function ticketsPart({ from, to, users }) {
  if (!can('tickets', 'read')) return null;
  const body = h('div', {});
  const panel = h('section', { class: 'panel report', 'data-test': 'report-tickets' }, h('h2', {}, t('tk.report')));
  const select = h('select', { id: 'tk-rep-by' }, GROUPS.map((by) => h('option', { value: by }, t(`tk.rep.by.${by}`))));
  const load = async () => {
    try {
      const report = await get(`/api/v1/reports/tickets${query({ from, to, by: select.value })}`);
      mount(body, report.total.created || report.items.length ? reportTable(report, users) : empty(t('rep.empty')));
    } catch { mount(body, empty(t('rep.empty'))); }
  };
  select.addEventListener('change', load);
  panel.append(h('div', { class: 'field report-by' }, h('label', { for: 'tk-rep-by' }, t('tk.rep.by')), select), body);
  load();
  return panel;
}
