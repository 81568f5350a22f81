// #/reports (#19): the home dashboard (today's and overdue tasks, this month's new leads and won revenue, the
// funnel) and the reports read from counters (lead sources, managers, communications) for a period, each with a
// chart, a table and its CSV; on a phone and a PC. Charts are uPlot (vendor/uplot.js, MIT), loaded only here.
import { get } from '../js/api.js';
import { h, mount, uid } from '../js/dom.js';
import { has, t } from '../js/i18n.js';
import { browserZone, currencyDigits, formatMoney, formatNumber, zonedInput } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { REPORTS } from '../js/messages-reports.js';
import { can, session } from '../js/session.js';
import { empty, heading, toastError } from '../js/ui.js';
import { companyUsers } from '../js/users.js';
import { ticketsPart } from './ticket-report.js';
import { ordersPart } from './order-report.js';
import { campaignsPart } from './campaign-report.js';

Object.assign(MESSAGES, REPORTS); // this screen's texts load with it, not with the app's first load

let charts = null;

/** uPlot, loaded once, the first time a chart is drawn (a script and a stylesheet of our own origin). */
function loadCharts() {
  if (!charts) {
    charts = new Promise((resolve, reject) => {
      document.head.append(h('link', { rel: 'stylesheet', href: new URL('../vendor/uplot.css', import.meta.url).href }));
      const script = h('script', { src: new URL('../vendor/uplot.js', import.meta.url).href });
      script.addEventListener('load', () => resolve(window.uPlot));
      script.addEventListener('error', () => { charts = null; reject(new Error('charts')); });
      document.head.append(script);
    });
  }
  return charts;
}

const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif'; // uPlot's
const Y_AXIS = 60; // the value axis's width
let measurer = null;

// A bar's label gets its bar's share of the width: a longer one is cut with "…" rather than written over its
// neighbours (on a phone, four lead sources ran into one unreadable line). The table below names each in full.
function fitted(label, room) {
  measurer = measurer || document.createElement('canvas').getContext('2d');
  measurer.font = AXIS_FONT;
  if (measurer.measureText(label).width <= room) return label;
  let cut = label;
  while (cut && measurer.measureText(`${cut}…`).width > room) cut = cut.slice(0, -1);
  return cut ? `${cut.trimEnd()}…` : '';
}

const WHOLE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000];

/** A bar chart of labelled values (one series), as wide as its box; its table is the accessible form. */
function barChart(title, labels, values) {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': t('rep.chart', { what: title }) });
  if (!labels.length) return box;
  loadCharts().then((uPlot) => {
    const width = Math.max(260, Math.min(box.clientWidth || 600, 900)); // the box's width when drawn
    const xs = labels.map((_, index) => index);
    const bars = uPlot.paths.bars({ size: [0.6, 64, 16] });
    const top = Math.max(1, ...values) * 1.1;
    const whole = values.every(Number.isInteger); // counts (leads, deals, calls) step by whole numbers: no "2.5 leads"
    const plot = new uPlot({ width, height: 220, legend: { show: false }, cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: [0, top] } },
      axes: [{ values: (chart, ticks) => ticks.map((tick) => fitted(labels[tick] ?? '',
        (chart.width - Y_AXIS) / labels.length - 8)), gap: 4, size: 40 },
        { values: (_, ticks) => ticks.map((tick) => formatNumber(tick)), size: Y_AXIS, incrs: whole ? WHOLE_STEPS : undefined }],
      series: [{}, { label: title, paths: bars, points: { show: false }, fill: '#2454d6', stroke: '#1a3fa6' }] },
    [xs, values], box);
    // a phone turned, a window resized: the chart follows its box
    new ResizeObserver(() => { if (box.clientWidth) plot.setSize({ width: Math.max(260, Math.min(box.clientWidth, 900)), height: 220 }); })
      .observe(box);
  }).catch(() => { /* the table below says it all */ });
  return box;
}

function table(caption, columns, rows) {
  // on a phone each row stacks (app.css .report-table), each figure named by its column
  return h('div', { class: 'table-wrap' }, h('table', { class: 'report-table' }, h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([label, cell]) => h('td', { 'data-label': label }, cell(row))))))));
}

/** A table's rows as a CSV file: figures as numbers a spreadsheet reads, amounts (``money``, in minor units from the
 * API) in the currency's units with a point, "46475.00", the currency named in the column's header, revenue_KZT. */
function csvDownload(name, columns, rows, { money = [], currency = null } = {}) {
  const quote = (value) => {
    let text = value === null || value === undefined ? '' : String(value);
    if (/^[=+\-@]/.test(text)) text = `'${text}`; // a spreadsheet would run it as a formula
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const digits = currencyDigits(currency);
  const cell = (row, key) => (money.includes(key) && typeof row[key] === 'number'
    ? (row[key] / 10 ** digits).toFixed(digits) : row[key]);
  const header = ([key]) => (money.includes(key) && currency ? `${key}_${currency}` : key);
  const lines = [columns.map(header).join(','), ...rows.map((row) => columns.map(([key]) => quote(cell(row, key))).join(','))];
  const url = URL.createObjectURL(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' }));
  const link = h('a', { href: url, download: `${name}.csv`, class: 'button-link small' }, t('rep.csv'));
  return link;
}

function card(label, value, test, href = null) {
  const body = [h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-label' }, label)];
  return href ? h('a', { class: 'kpi', href, 'data-test': test }, body) : h('div', { class: 'kpi', 'data-test': test }, body);
}

/** The task tiles (GET /api/v1/reports/tasks, one Query): open tasks due on the company's today, and overdue ones (due
 * time passed, today's included, as the Tasks screen marks them and the managers report counts them), of whom the
 * role sees: an agent's own, a manager's team's, an owner's everyone's; each says whose and opens the Tasks list. */
function taskCards(counts) {
  if (!counts) return [];
  const whose = counts.whose === 'own' ? '' : '&assignee=everyone';
  return [card(t(`rep.today.${counts.whose}`), formatNumber(counts.today), 'kpi-today', `#/tasks?view=today${whose}`),
    card(t(`rep.overdue.${counts.whose}`), formatNumber(counts.overdue), 'kpi-overdue', `#/tasks?view=overdue${whose}`)];
}

// A figure there is none of (no reply to time, a ratio of nothing, an amount the role may not see) reads as a dash: an
// empty cell looked like a missing label on a phone's card. The CSV keeps it empty.
const NONE = '—';
const minutes = (seconds) => (seconds === null || seconds === undefined ? NONE : formatNumber(Math.round(seconds / 60)));

function userName(users, id) {
  if (!id) return t('rep.nobody');
  const user = users.find((one) => one.id === id);
  if (!user) return id;
  // one who left is marked as Settings -> Users marks them: their figures stay, nobody takes them for a colleague
  return user.status === 'deactivated' ? t('owner.inactive', { name: user.name || user.email }) : (user.name || user.email);
}

/** A lead source as people call it: a channel by its name ("Telegram: Shop bot", "Calls"); a utm_source or a form's
 * name as it came. The CSV keeps the counters' own keys. */
function sourceName(source) {
  const [kind, ...rest] = String(source || '').split(':');
  if (!has(`rep.sourceKind.${kind}`)) return source;
  return rest.length ? `${t(`rep.sourceKind.${kind}`)}: ${rest.join(':')}` : t(`rep.sourceKind.${kind}`);
}

/** A communications channel by its name (the inbox's for messengers). */
function channelName(channel) {
  if (has(`inbox.channel.${channel}`)) return t(`inbox.channel.${channel}`);
  return has(`rep.sourceKind.${channel}`) ? t(`rep.sourceKind.${channel}`) : channel;
}

function sourcesPart(report) {
  const columns = [['source', (r) => sourceName(r.source)], ['leads', (r) => formatNumber(r.leads)], ['deals', (r) => formatNumber(r.deals)],
    ['won', (r) => formatNumber(r.won)], ['revenue', (r) => formatMoney(r.revenue, report.currency)]];
  const labels = { source: t('rep.source'), leads: t('rep.leads'), deals: t('rep.deals'), won: t('rep.won'), revenue: t('rep.revenue') };
  const rows = report.items;
  return h('section', { class: 'panel report', 'data-test': 'report-sources' }, h('h2', {}, t('rep.sources')),
    rows.length ? [barChart(t('rep.leads'), rows.map((r) => sourceName(r.source)), rows.map((r) => r.leads)),
      table(t('rep.sources'), columns.map(([key, cell]) => [labels[key], cell]), rows),
      csvDownload(`sources-${report.from}-${report.to}`, columns, rows,
        { money: ['revenue'], currency: report.currency })] : empty(t('rep.empty')));
}

function managersPart(report, users) {
  const rows = report.items.map((row) => ({ ...row, name: userName(users, row.user_id) }));
  const columns = [['name', t('rep.user'), (r) => r.name], ['won', t('rep.won'), (r) => formatNumber(r.won)],
    ['lost', t('rep.lost'), (r) => formatNumber(r.lost)], ['revenue', t('rep.revenue'), (r) => formatMoney(r.revenue, report.currency)],
    ['tasks_done', t('rep.tasksDone'), (r) => formatNumber(r.tasks_done)], ['tasks_overdue', t('rep.tasksOverdue'), (r) => formatNumber(r.tasks_overdue)],
    ['calls', t('rep.calls'), (r) => formatNumber(r.calls)], ['missed_calls', t('rep.missed'), (r) => formatNumber(r.missed_calls)],
    ['messages', t('rep.messages'), (r) => formatNumber(r.messages)], ['avg_response_seconds', t('rep.response'), (r) => minutes(r.avg_response_seconds)]];
  return h('section', { class: 'panel report', 'data-test': 'report-managers' }, h('h2', {}, t('rep.managers')),
    rows.length ? [barChart(t('rep.revenue'), rows.map((r) => r.name), rows.map((r) => r.revenue / 100)),
      table(t('rep.managers'), columns.map(([, label, cell]) => [label, cell]), rows),
      csvDownload(`managers-${report.from}-${report.to}`, columns.map(([key]) => [key]), rows,
        { money: ['revenue'], currency: report.currency })] : empty(t('rep.empty')));
}

function communicationsPart(report) {
  const rows = report.items;
  const columns = [['channel', t('rep.channel'), (r) => channelName(r.channel)], ['direction', t('rep.direction'), (r) => (r.direction ? t(`rep.${r.direction}`) : NONE)],
    ['calls', t('rep.calls'), (r) => formatNumber(r.calls)], ['answered', t('rep.answered'), (r) => formatNumber(r.answered)],
    ['missed', t('rep.missed'), (r) => formatNumber(r.missed)], ['talk_seconds', t('rep.talk'), (r) => minutes(r.talk_seconds)],
    ['messages', t('rep.messages'), (r) => formatNumber(r.messages)], ['avg_response_seconds', t('rep.response'), (r) => minutes(r.avg_response_seconds)]];
  return h('section', { class: 'panel report', 'data-test': 'report-communications' }, h('h2', {}, t('rep.communications')),
    rows.length ? [barChart(t('rep.calls'), rows.map((r) => `${channelName(r.channel)} ${r.direction ? t(`rep.${r.direction}`) : ''}`), rows.map((r) => r.calls + r.messages)),
      table(t('rep.communications'), columns.map(([, label, cell]) => [label, cell]), rows),
      csvDownload(`communications-${report.from}-${report.to}`, columns.map(([key]) => [key]), rows)] : empty(t('rep.empty')));
}

function funnelPart(funnel) {
  const stages = funnel?.stages || [];
  const percent = (ratio) => (ratio === null || ratio === undefined ? NONE : `${Math.round(ratio * 100)}%`);
  const hours = (seconds) => (seconds === null || seconds === undefined ? NONE : formatNumber(Math.round(seconds / 360) / 10));
  const money = (minor) => (minor === undefined ? NONE : formatMoney(minor, funnel.currency)); // left out: the amount is hidden from the role
  const columns = [['stage', t('rep.stage'), (s) => s.stage.name], ['entered', t('rep.entered'), (s) => formatNumber(s.entered)],
    ['conversion', t('rep.conversion'), (s) => percent(s.conversion)], ['step_conversion', t('rep.stepConversion'), (s) => percent(s.step_conversion)],
    ['avg_seconds_in_stage', t('rep.timeInStage'), (s) => hours(s.avg_seconds_in_stage)], ['value', t('rep.value'), (s) => money(s.value)],
    ['won', t('rep.won'), (s) => formatNumber(s.won)], ['lost', t('rep.lost'), (s) => formatNumber(s.lost)]];
  const reasons = funnel?.lost_reasons || [];
  const flat = stages.map((s) => ({ ...s, stage: s.stage.name }));
  return h('section', { class: 'panel report', 'data-test': 'report-funnel' }, h('h2', {}, t('rep.funnel')),
    stages.length ? [barChart(t('rep.entered'), stages.map((s) => s.stage.name), stages.map((s) => s.entered)),
      table(t('rep.funnel'), columns.map(([, label, cell]) => [label, cell]), stages),
      reasons.length ? table(t('rep.lostReasons'), [[t('rep.lostReason'), (r) => r.reason], [t('rep.lost'), (r) => formatNumber(r.lost)]], reasons) : null,
      csvDownload(`funnel-${funnel.from}-${funnel.to}`, columns.map(([key]) => [key]), flat,
        { money: ['value'], currency: funnel.currency })] : empty(t('rep.empty')));
}

/** The first and the last day (YYYY-MM-DD) of the calendar month before the one a day is in: at a month's end the
 * owner reads the month just closed with one click, not two dates picked by hand. */
export function monthBefore(day) {
  const [year, month] = String(day).split('-').map(Number);
  if (!Number.isInteger(year) || !(month >= 1 && month <= 12)) return null; // a period typed into the address badly
  const iso = (date) => date.toISOString().slice(0, 10);
  return [iso(new Date(Date.UTC(year, month - 2, 1))), iso(new Date(Date.UTC(year, month - 1, 0)))];
}

/** #/reports. */
export async function dashboard(root, { alive, query, navigate }) {
  // The company's today and month (its time zone's clock, as the counters keep their days), wherever the browser is.
  const zone = session.tenant?.timezone || browserZone();
  const today = zonedInput(new Date(), zone).slice(0, 10);
  const to = query.get('to') || today;
  const from = query.get('from') || `${today.slice(0, 8)}01`;
  const period = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const seesCalls = can('calls', 'read');
  const [sources, managers, communications, funnel, taskCounts, users] = await Promise.all([
    get(`/api/v1/reports/sources?${period}`), get(`/api/v1/reports/managers?${period}`),
    seesCalls ? get(`/api/v1/reports/communications?${period}`) : Promise.resolve({ items: [], from, to }),
    get(`/api/v1/reports/funnel?${period}`).catch(() => null),
    can('tasks', 'read') ? get('/api/v1/reports/tasks') : null, // a role that reads no tasks has no task tiles
    companyUsers().then((items) => ({ items }), () => ({ items: [] })),
  ]);
  if (!alive()) return;
  const leads = sources.items.reduce((sum, row) => sum + row.leads, 0);
  const revenue = sources.items.reduce((sum, row) => sum + row.revenue, 0);
  const before = monthBefore(from);
  const fromId = uid('rep-from');
  const toId = uid('rep-to');
  const picker = h('form', { class: 'report-period', onSubmit: (event) => {
    event.preventDefault();
    navigate(`/reports?from=${encodeURIComponent(event.target.elements.from.value)}&to=${encodeURIComponent(event.target.elements.to.value)}`);
  } }, h('label', { for: fromId }, t('rep.from')), h('input', { id: fromId, name: 'from', type: 'date', value: from }),
  h('label', { for: toId }, t('rep.to')), h('input', { id: toId, name: 'to', type: 'date', value: to }),
  h('button', { type: 'submit', class: 'secondary small' }, t('rep.show')),
  h('span', { class: 'report-months' },
    before ? [h('a', { href: `#/reports?from=${before[0]}&to=${before[1]}`, 'data-test': 'rep-month-before' },
      t('rep.monthBefore')), ' · '] : null, h('a', { href: '#/reports', 'data-test': 'rep-this-month' }, t('rep.thisMonth'))));
  try {
    mount(root, heading(t('title.reports.dashboard')), picker,
      h('div', { class: 'kpis' }, taskCards(taskCounts),
        card(t('rep.leads'), formatNumber(leads), 'kpi-leads'), card(t('rep.revenue'), formatMoney(revenue, sources.currency), 'kpi-revenue')),
      funnelPart(funnel), sourcesPart(sources), managersPart(managers, users.items),
      seesCalls ? communicationsPart(communications) : null, ticketsPart({ from, to, users: users.items }),
      ordersPart({ from, to }), campaignsPart({ from, to, zone }));
  } catch (error) { toastError(error); }
}
