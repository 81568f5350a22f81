// Calls: the missed ones first (those nobody has called back yet on top), then every call, filtered by direction,
// status and employee. Each call shows when, which way, the number (click-to-call) and its contact, the employee,
// how long, how it ended (and why, when its provider never said), its recording and a Call back button; a caller
// not saved as a contact (the plan's contact limit) says so.
import { get, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can } from '../js/session.js';
import { formatDateTime, formatDuration } from '../js/format.js';
import { empty, heading, pager } from '../js/ui.js';
import { makeTicketButton } from './ticket-actions.js';
import { emptyCalls } from './channel-empty.js';
import { customerNumber, dial, directionClass, employeeName, myLines, phoneLink, recordingPlayer,
  userNames } from '../js/telephony.js';

const VIEWS = ['missed', 'all'];
const DIRECTIONS = ['inbound', 'outbound'];
const STATUSES = ['answered', 'missed', 'busy', 'failed', 'ringing', 'in_progress'];
const PAGE = 50;
const STATUS_BADGE = { answered: 'badge-ok', missed: 'badge-off', busy: 'badge-warn', failed: 'badge-off' };
const COLUMNS = ['calls.when', 'calls.number', 'calls.employee', 'calls.duration', 'calls.statusLabel', 'common.actions'];

// -- who the call was with -----------------------------------------------------------------------------------------
// The list names a call's contact or company (null: the caller may not see it).

function partyName(call) {
  return call.contact?.name || call.company?.name || null;
}

const digits = (text) => String(text || '').replace(/\D/g, '');

function contactLink(call) {
  const name = partyName(call);
  const href = call.contact_id ? `#/contacts/${encodeURIComponent(call.contact_id)}`
    : `#/companies/${encodeURIComponent(call.company?.id || '')}`;
  // A caller nobody knew is a contact named by their number until someone names them: the number shows already.
  const text = !name ? t('calls.contact') : (digits(name) === digits(customerNumber(call)) ? t('calls.unnamedContact') : name);
  return h('a', { class: 'contact-link', href }, text);
}

// -- who has been called back -------------------------------------------------------------------------------------

/** The missed calls of a page that someone has called back since (the API marks them). */
function calledBack(items) {
  return new Set(items.filter((call) => call.callback?.returned_call_id).map((call) => call.id));
}

// -- the rows -----------------------------------------------------------------------------------------------------

function callBackButton(number, lines) {
  if (!lines.length) return h('a', { class: 'button-link small', href: `tel:${number}` }, t('calls.callBack'));
  const button = h('button', { type: 'button', class: 'secondary small', 'data-test': 'call-back' }, t('calls.callBack'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try { await dial({ number }); } finally { button.disabled = false; }
  });
  return button;
}

/** Why an unknown caller was not saved as a contact (the plan's contact limit), with the way to raise it for whoever
 * sees the company's plan. */
function contactSkipped(reason) {
  return h('span', { class: 'call-end-reason call-contact-skipped', 'data-test': 'contact-skipped' },
    t(`calls.contactSkipped.${reason}`),
    can('billing', 'read') ? [' ', h('a', { href: '#/settings/billing' }, t('calls.contactSkipped.upgrade'))] : null);
}

function callRow(call, lines, returned) {
  const number = customerNumber(call);
  const way = t(call.direction === 'outbound' ? 'calls.outgoing' : 'calls.incoming');
  // data-label names each cell where a phone shows the rows as cards (the header is hidden there).
  return h('tr', { 'data-call': call.id, class: returned ? 'called-back' : null },
    h('td', { class: 'call-when' }, h('time', { datetime: call.started_at }, formatDateTime(call.started_at))),
    // A cell's own flex would take it out of the table's rows (their lines then zigzag): the flex is inside it.
    h('td', { class: 'call-party' }, h('div', { class: 'call-party-in' },
      h('span', { class: `icon call-icon ${directionClass(call)}`, role: 'img', 'aria-label': way, title: way }),
      h('span', { class: 'call-who' }, number ? phoneLink(number) : h('span', { class: 'muted' }, t('calls.noNumber')),
        call.contact_id || call.company ? contactLink(call) : null,
        call.contact_skipped ? contactSkipped(call.contact_skipped) : null))),
    h('td', { 'data-label': t('calls.employee') }, employeeName(call.user_id)),
    h('td', { class: 'num', 'data-label': t('calls.duration') }, call.duration_seconds ? formatDuration(call.duration_seconds) : '—'),
    h('td', { 'data-label': t('calls.statusLabel') }, h('span', { class: ['badge', STATUS_BADGE[call.status]] }, t(`calls.status.${call.status}`)),
      returned ? [' ', h('span', { class: 'badge badge-ok' }, t('calls.calledBackBadge'))] : null,
      // Closed by its timer: the provider never said it ended (missed after 10 silent minutes, answered after 4 hours).
      call.end_reason ? h('span', { class: 'call-end-reason' }, t(`calls.endReason.${call.end_reason}`)) : null),
    h('td', { class: 'call-actions' }, h('div', { class: 'call-actions-in' },
      call.recording?.available ? recordingPlayer(call.id) : null,
      number ? callBackButton(number, lines) : null, makeTicketButton({ call_id: call.id }))));
}

function callTable(caption) {
  const body = h('tbody', {});
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'call-table' }, h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, COLUMNS.map((key) => h('th', { scope: 'col', class: key === 'calls.duration' ? 'num' : null }, t(key))))),
    body));
  return { body, table };
}

// -- the screen ---------------------------------------------------------------------------------------------------

function viewTabs(current, userId) {
  return h('nav', { 'aria-label': t('calls.views') }, h('ul', { class: 'tabs' }, VIEWS.map((view) =>
    h('li', {}, h('a', { href: `#/calls${query({ view: view === 'missed' ? '' : view, user_id: userId })}`,
      'aria-current': view === current ? 'page' : null }, t(`calls.view.${view}`))))));
}

const capitalized = (text) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

function filterBar(view, chosen, names, navigate) {
  const go = (changes) => navigate(`/calls${query({ view: view === 'missed' ? '' : view, ...chosen, ...changes })}`);
  const pick = (name, label, options) => h('div', { class: 'field' }, h('label', { for: `calls-${name}` }, label),
    h('select', { id: `calls-${name}`, onChange: (event) => go({ [name]: event.target.value }) },
      [['', t('calls.any')], ...options].map(([value, text]) => h('option', { value, selected: value === (chosen[name] || '') }, text))));
  const people = [...names].sort((a, b) => a[1].localeCompare(b[1]));
  const picks = [view === 'all' ? pick('direction', t('calls.direction'), DIRECTIONS.map((d) => [d, t(`calls.direction.${d}`)])) : null,
    view === 'all' ? pick('status', t('calls.statusLabel'), STATUSES.map((s) => [s, capitalized(t(`calls.status.${s}`))])) : null,
    people.length > 1 ? pick('user_id', t('calls.employee'), people) : null].filter(Boolean);
  return picks.length ? h('div', { class: 'list-tools call-filters' }, picks) : null;
}

function chosenFilters(params) {
  const direction = params.get('direction');
  const status = params.get('status');
  const userId = params.get('user_id');
  return { direction: DIRECTIONS.includes(direction) ? direction : '', status: STATUSES.includes(status) ? status : '',
    user_id: /^[0-9A-Z]{26}$/.test(userId || '') ? userId : '' };
}

/** What an empty list says: no missed calls, none matching, or (no filter) why there are none for this reader. */
async function noCalls(view, filtered) {
  if (view === 'missed') return empty(t('calls.noMissed'));
  if (filtered) return empty(t('calls.noMatch'));
  return emptyCalls();
}

/** #/calls?view=missed|all&direction=&status=&user_id=: missed calls first, then all calls (cursor pages). */
export async function calls(root, { query: params, navigate, alive }) {
  const view = VIEWS.includes(params.get('view')) ? params.get('view') : 'missed';
  const chosen = chosenFilters(params);
  const filters = view === 'missed' ? { direction: 'inbound', status: 'missed', user_id: chosen.user_id } : chosen;
  const path = (cursor) => `/api/v1/calls${query({ ...filters, limit: PAGE, cursor })}`;
  const [page, lines, names] = await Promise.all([get(path(null)), myLines(), userNames()]);
  const returned = view === 'missed' ? calledBack(page.items) : new Set();
  const filtered = Boolean(chosen.direction || chosen.status || chosen.user_id);
  const none = page.items.length ? null : await noCalls(view, filtered);
  if (!alive()) return;
  const open = callTable(t(view === 'missed' ? 'calls.toCallBack' : 'calls.view.all'));
  const done = callTable(t('calls.calledBack'));
  const doneSection = h('section', { class: 'called-back-section', hidden: true }, h('h2', {}, t('calls.calledBack')), done.table);
  const place = (items, back) => {
    for (const call of items) (back.has(call.id) ? done : open).body.append(callRow(call, lines, back.has(call.id)));
    open.table.hidden = !open.body.children.length;
    doneSection.hidden = !done.body.children.length;
  };
  place(page.items, returned);
  const more = async (cursor) => {
    const next = await get(path(cursor));
    place(next.items, view === 'missed' ? calledBack(next.items) : new Set());
    const again = pager(next.next_cursor, more);
    if (again) doneSection.after(again);
  };
  const allBack = view === 'missed' && page.items.length && !open.body.children.length
    ? h('p', { class: 'notice notice-ok' }, t('calls.allCalledBack')) : null;
  mount(root, heading(t('nav.calls')), viewTabs(view, chosen.user_id), filterBar(view, chosen, names, navigate),
    none || [allBack, open.table, doneSection], pager(page.next_cursor, more));
}
