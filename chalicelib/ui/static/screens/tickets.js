// #/tickets (#24): the queue (open, mine, done, all; by status, priority, channel; the subject's words) with each
// ticket's SLA countdown or breach, and #/tickets/:id, the card: its details, SLA and rating, status actions, an
// answer (a comment, or a message on its conversation) and its history. On a phone the rows become cards.
import { get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime, formatPhone } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { TICKETS } from '../js/messages-tickets.js';
import { can, session } from '../js/session.js';
import { empty, field, form, heading, openModal, pager, toast, toastError } from '../js/ui.js';
import { phoneLink, userNames } from '../js/telephony.js';
import { canEditField } from './field-rules.js';
import { recordPicker } from './pickers.js';
import { companyUsers, ownerRow, personName, scopeOf, trashButton, within } from './records.js';
import { reads } from '../js/users.js';

Object.assign(MESSAGES, TICKETS); // this screen's texts load with it, not with the app's first load

export const CHANNELS = ['web', 'email', 'whatsapp', 'telegram', 'sms', 'phone', 'manual'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'];
const VIEWS = ['active', 'mine', 'done', 'all'];
const PAGE = 50;
const PRIORITY_BADGE = { urgent: 'badge-off', high: 'badge-warn' };
const NEXT = { new: ['open', 'pending', 'resolved', 'closed'], open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'], resolved: ['closed', 'open'], closed: ['open'] };

// -- the SLA clock --------------------------------------------------------------------------------------------------

/** "2 h 05 min" from milliseconds. */
function span(ms) {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const ru = document.documentElement.lang === 'ru';
  const parts = [days ? `${days} ${ru ? 'д' : 'd'}` : null, hours ? `${hours} ${ru ? 'ч' : 'h'}` : null,
    !days && rest ? `${rest} ${ru ? 'мин' : 'min'}` : null];
  return parts.filter(Boolean).join(' ');
}

/** The clock that runs now (first response until answered, then resolution until resolved), or null. */
function runningTarget(sla, status) {
  if (!['new', 'open', 'pending'].includes(status)) return null;
  if (!sla.first_response_at && sla.first_response_due) return ['first_response', sla.first_response_due];
  if (sla.paused_at) return ['paused', sla.paused_at]; // waiting on the customer: the resolution clock is stopped
  return sla.resolution_due ? ['resolution', sla.resolution_due] : null;
}

/** The ticket's SLA as a badge: missed, a countdown, or nothing once it is done. */
export function slaBadge(ticket) {
  const sla = ticket.sla || {};
  if ((sla.breached || []).length) {
    return h('span', { class: 'badge badge-off sla-breached', 'data-test': 'sla-breached',
      title: sla.breached.map((target) => t(`tk.breach.${target}`)).join(', ') }, t('tk.breached'));
  }
  const running = runningTarget(sla, ticket.status);
  if (!running) return null;
  if (running[0] === 'paused') {
    const kept = sla.resolution_left_seconds;
    return h('span', { class: 'badge sla-paused', 'data-test': 'sla-paused',
      title: kept == null ? t('tk.pausedSince', { at: formatDateTime(running[1]) })
        : t('tk.pausedLeft', { time: span(kept * 1000) }) }, t('tk.paused'));
  }
  const left = new Date(running[1]).getTime() - Date.now();
  const label = left >= 0 ? t('tk.dueIn', { time: span(left) }) : t('tk.overdueBy', { time: span(left) });
  const soon = left < 3600000;
  return h('span', { class: ['badge', 'sla-clock', left < 0 ? 'badge-off' : soon ? 'badge-warn' : null],
    'data-test': 'sla-clock', title: `${t(running[0] === 'first_response' ? 'tk.firstResponse' : 'tk.resolution')}: `
      + formatDateTime(running[1]) }, label);
}

function priorityBadge(priority) {
  return h('span', { class: ['badge', PRIORITY_BADGE[priority]] }, t(`tk.priority.${priority}`));
}

// -- the queue ------------------------------------------------------------------------------------------------------

function chosenFilters(params) {
  const pick = (name, allowed) => (allowed.includes(params.get(name)) ? params.get(name) : '');
  return { status: pick('status', STATUSES), priority: pick('priority', PRIORITIES), channel: pick('channel', CHANNELS),
    q: (params.get('q') || '').slice(0, 100) };
}

function viewTabs(current) {
  return h('nav', { 'aria-label': t('tk.views') }, h('ul', { class: 'tabs' }, VIEWS.map((view) =>
    h('li', {}, h('a', { href: `#/tickets${query({ view: view === 'active' ? '' : view })}`,
      'aria-current': view === current ? 'page' : null }, t(`tk.view.${view}`))))));
}

function filterBar(view, chosen, navigate) {
  const go = (changes) => navigate(`/tickets${query({ view: view === 'active' ? '' : view, ...chosen, ...changes })}`);
  const pick = (name, options) => h('div', { class: 'field' }, h('label', { for: `tk-${name}` }, t(`tk.${name}`)),
    h('select', { id: `tk-${name}`, onChange: (event) => go({ [name]: event.target.value }) },
      [['', t('tk.any')], ...options.map((value) => [value, t(`tk.${name}.${value}`)])]
        .map(([value, text]) => h('option', { value, selected: value === (chosen[name] || '') }, text))));
  const search = h('input', { type: 'search', id: 'tk-q', value: chosen.q, maxlength: 100, placeholder: t('tk.search') });
  const searchForm = h('form', { class: 'field', role: 'search', onSubmit: (event) => {
    event.preventDefault();
    go({ q: search.value.trim() });
  } }, h('label', { for: 'tk-q', class: 'visually-hidden' }, t('tk.search')), search);
  return h('div', { class: 'list-tools ticket-filters' }, searchForm, pick('status', STATUSES),
    pick('priority', PRIORITIES), pick('channel', CHANNELS));
}

// Whom each request is from, beside its subject (as Zendesk and Freshdesk list the requester): the contact's name as
// it is now (the server names it for whoever may read the ticket, field rules aside) and the channel it came by.
function customerCell(ticket) {
  const who = ticket.contact_name ? h('span', { 'data-test': 'ticket-customer' }, ticket.contact_name)
    : h('span', { class: 'muted' }, t(ticket.contact_id ? 'tk.contactHidden' : 'tk.noContact'));
  return h('td', { class: 'ticket-customer', 'data-label': t('tk.customer') }, who,
    h('span', { class: 'muted' }, ` · ${t(`tk.channel.${ticket.channel}`)}`));
}

function ticketRow(ticket, names) {
  const href = `#/tickets/${encodeURIComponent(ticket.id)}`;
  return h('tr', { 'data-ticket': ticket.id },
    h('td', { class: 'ticket-subject' }, h('a', { href }, ticket.subject || t('title.tickets.card'))),
    customerCell(ticket),
    h('td', { 'data-label': t('tk.status') }, h('span', { class: 'badge' }, t(`tk.status.${ticket.status}`))),
    h('td', { 'data-label': t('tk.priority') }, priorityBadge(ticket.priority)),
    h('td', { 'data-label': t('tk.sla') }, slaBadge(ticket) || '—'),
    h('td', { 'data-label': t('tk.assignee') }, names.get(ticket.owner_id) || '—'));
}

function ticketTable() {
  const body = h('tbody', {});
  const columns = ['tk.subject', 'tk.customer', 'tk.status', 'tk.priority', 'tk.sla', 'tk.assignee'];
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'ticket-table' },
    h('thead', {}, h('tr', {}, columns.map((key) => h('th', { scope: 'col' }, t(key))))), body));
  return { body, table };
}

/** #/tickets?view=&status=&priority=&channel=&q=: the queue, newest change first (cursor pages). */
export async function queue(root, { query: params, navigate, alive }) {
  const view = VIEWS.includes(params.get('view')) ? params.get('view') : 'active';
  const chosen = chosenFilters(params);
  const filters = { ...chosen, view: view === 'mine' ? 'active' : view, owner_id: view === 'mine' ? session.user?.id : '' };
  const path = (cursor) => `/api/v1/tickets${query({ ...filters, limit: PAGE, cursor })}`;
  const [page, names] = await Promise.all([get(path(null)), userNames()]);
  if (!alive()) return;
  const { body, table } = ticketTable();
  page.items.forEach((ticket) => body.append(ticketRow(ticket, names)));
  const more = async (cursor) => {
    const next = await get(path(cursor));
    next.items.forEach((ticket) => body.append(ticketRow(ticket, names)));
    const again = pager(next.next_cursor, more);
    if (again) table.after(again);
  };
  const add = can('tickets', 'create')
    ? h('button', { type: 'button', class: 'primary', 'data-test': 'new-ticket', onClick: async () => newTicket(navigate, await assignees()) },
      t('tk.new'))
    : null;
  const kb = h('a', { class: 'button-link secondary', href: '#/kb' }, t('tk.kb'));
  mount(root, heading(t('title.tickets.queue'), kb, add), viewTabs(view), filterBar(view, chosen, navigate),
    page.items.length ? table : empty(t('tk.empty')), pager(page.next_cursor, more));
}

/** Whom the caller may give a new ticket to: the active colleagues within their scope whose role reads tickets (the
 * API refuses anyone else: cannot_read_tickets), themselves included; none (the caller's own ticket, no choice to
 * show) for an agent, or where nobody else is within reach. */
async function assignees() {
  const scope = scopeOf('tickets', 'create');
  if (!scope || scope === 'own' || !canEditField('tickets', 'owner_id')) return [];
  const users = await companyUsers();
  const choices = users.filter((u) => u.status === 'active' && within(scope, u.id, u.team_id)
    && (u.id === session.user.id || reads(u, 'tickets')));
  return choices.some((u) => u.id !== session.user.id) ? choices : [];
}

// A ticket for a colleague (taken on the phone for the agent who knows the order) was the caller's until reassigned
// on its card: the dialog names the assignee, who gets the ticket (and its conversation, as a reassignment does).
function newTicket(navigate, people) {
  const options = (name, list) => list.map((value) => [value, t(`tk.${name}.${value}`)]);
  const assignee = people.length ? field({ name: 'owner_id', label: t('tk.assignee'), value: session.user.id,
    options: people.map((u) => [u.id, personName(u)]) }) : null;
  const dialog = h('dialog', { class: 'dialog', 'aria-label': t('tk.newTitle') });
  const el = form({ submit: t('tk.create'), label: t('tk.newTitle'), children: [
    h('h2', {}, t('tk.newTitle')),
    field({ name: 'subject', label: t('tk.subject'), required: true, maxlength: 200 }),
    field({ name: 'description', label: t('tk.description'), type: 'textarea', rows: 3, maxlength: 10000 }),
    field({ name: 'priority', label: t('tk.priority'), value: 'normal', options: options('priority', PRIORITIES) }),
    field({ name: 'channel', label: t('tk.channel'), value: 'manual', options: options('channel', CHANNELS) }),
    assignee,
    // Whose request it is: a ticket opened by hand (a customer on the phone) had no way to name its contact.
    recordPicker({ type: 'contact', name: 'contact_id', label: t('picker.contact') }),
  ], onSubmit: async (values) => {
    const made = await post('/api/v1/tickets', { subject: values.subject, description: values.description || null,
      priority: values.priority, channel: values.channel, contact_id: values.contact_id || null,
      owner_id: values.owner_id || null });
    dialog.close();
    toast(t('tk.created'), 'ok');
    navigate(`/tickets/${made.id}`);
  } });
  dialog.append(el, h('button', { type: 'button', class: 'secondary', onClick: () => dialog.close() }, t('kb.close')));
  openModal(dialog, () => {});
}

// -- the card -------------------------------------------------------------------------------------------------------

function target(label, due, done) {
  if (!due) return null;
  const late = done ? new Date(done) > new Date(due) : false;
  return h('div', { class: 'sla-target' }, h('dt', {}, label),
    h('dd', {}, formatDateTime(due), ' ', done ? h('span', { class: ['badge', late ? 'badge-warn' : 'badge-ok'] },
      t(late ? 'tk.late' : 'tk.met')) : null));
}

function entryText(entry, names) {
  const data = entry.data || {};
  if (entry.kind === 'assigned') { // whom the ticket was given to, and who gave it (where the reader may know them)
    const name = (id) => (id === session.user.id ? session.user.name : names.get(id));
    const to = name(data.to) || t('owner.someone');
    const by = entry.actor_id && entry.actor_id !== data.to ? name(entry.actor_id) : null;
    return by ? t('tk.entry.assignedBy', { name: to, by }) : t('tk.entry.assigned', { name: to });
  }
  if (entry.kind === 'status') {
    return t('tk.entry.status', { from: t(`tk.status.${data.from}`), to: t(`tk.status.${data.to}`) });
  }
  if (entry.kind === 'sla_breached') return t('tk.entry.sla_breached', { target: t(`tk.breach.${data.target}`) });
  if (entry.kind === 'csat') return t('tk.entry.csat', { score: data.score });
  const key = `tk.entry.${entry.kind}`;
  return MESSAGES[key] ? t(key) : entry.summary;
}

function timeline(entries, names) {
  return h('ol', { class: 'timeline ticket-timeline', 'data-test': 'ticket-timeline' }, entries.map((entry) =>
    h('li', { class: `entry entry-${entry.kind}` }, h('div', { class: 'entry-head' }, h('strong', {}, entryText(entry, names)), ' ',
      h('time', { datetime: entry.at }, formatDateTime(entry.at))),
    entry.data?.text ? h('p', { class: 'entry-text' }, entry.data.text) : null,
    entry.kind === 'csat' && entry.data?.comment ? h('p', { class: 'entry-text' }, entry.data.comment) : null)));
}

function statusActions(ticket, reload) {
  if (!can('tickets', 'update')) return null;
  return h('div', { class: 'ticket-actions', 'data-test': 'ticket-actions' }, (NEXT[ticket.status] || []).map((next) => {
    const reopen = next === 'open' && ['resolved', 'closed'].includes(ticket.status);
    const button = h('button', { type: 'button', class: next === 'resolved' || next === 'closed' ? 'primary' : 'secondary',
      'data-status': next }, t(reopen ? 'tk.to.reopen' : `tk.to.${next}`));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await post(`/api/v1/tickets/${encodeURIComponent(ticket.id)}/status`, { version: ticket.version, status: next });
        await reload();
      } catch (error) { toastError(error); button.disabled = false; }
    });
    return button;
  }));
}

function answerBox(ticket, reload) {
  if (!can('tickets', 'update')) return null;
  // A message to the customer only where the caller may answer on the conversation (it was handed with the ticket;
  // one a colleague took back leaves a comment, not a send refused as 'not found').
  const answerable = ticket.conversation_id && ticket.reached_via?.answerable;
  const elsewhere = ticket.conversation_id && !answerable
    ? h('p', { class: 'hint', 'data-test': 'reply-comment-only' }, t('tk.commentOnly')) : null;
  const via = answerable ? field({ name: 'via', label: t('tk.replyVia'), value: 'conversation',
    options: [['conversation', t('tk.via.toCustomer')], ['comment', t('tk.via.comment')]] }) : null;
  const el = form({ className: 'form ticket-reply', submit: t('tk.send'), label: t('tk.reply'), children: [
    field({ name: 'text', label: t('tk.reply'), type: 'textarea', rows: 3, required: true, maxlength: 4096,
      'data-test': 'ticket-reply-text' }), via, elsewhere,
  ], onSubmit: async (values) => {
    if (!values.text) return;
    await post(`/api/v1/tickets/${encodeURIComponent(ticket.id)}/replies`, { text: values.text, via: values.via || 'comment' });
    toast(t('tk.sent'), 'ok');
    await reload();
  } });
  // An article of the knowledge base into the answer, as in the inbox's reply box (the card had none).
  if (can('kb', 'read')) {
    const text = el.querySelector('textarea[name=text]');
    el.querySelector('.form-actions').append(h('button', { type: 'button', class: 'secondary', 'data-test': 'kb-insert',
      onClick: async () => (await import('./ticket-actions.js')).pickArticle(text) }, t('kb.insert')));
  }
  return el;
}

// Whom the ticket is from, for whoever handles it (as Zendesk shows the requester): the name, number and address even
// when the contact is a colleague's (its card then stays closed: the name is no link to a 'not found'), and the
// conversation it came through with its handle. What the role may not read is not in the answer at all.
function customerRows(ticket, row, link) {
  const contact = ticket.contact || {};
  const via = ticket.reached_via;
  const name = ticket.contact_name;
  const who = name ? (contact.readable ? link('contacts', ticket.contact_id, name)
    : h('span', { 'data-test': 'contact-name' }, name))
    : ticket.contact_id && h('span', { class: 'muted', 'data-test': 'contact-hidden' }, t('tk.contactHidden'));
  const channel = via?.channel || ticket.channel;
  const chat = channel === 'email' ? t('tk.chatByEmail') : t('tk.chatOn', { channel: t(`tk.channel.${channel}`) });
  const handle = via?.handle ? (['whatsapp', 'sms'].includes(channel) ? formatPhone(via.handle) : via.handle) : null;
  // Named as the inbox and the orders list name them, not a link reading "Conversation" again; a link only where the
  // caller may open the thread.
  const thread = ticket.conversation_id && (via?.readable ? link('inbox', ticket.conversation_id, chat) : h('span', {}, chat));
  const contactId = contact.readable ? ticket.contact_id : null;
  const called = ticket.call_id && via?.handle && via.handle !== contact.phone; // the number the call came from
  return [
    row(t('tk.contact'), who),
    row(t('tk.phone'), contact.phone ? phoneLink(contact.phone, { contactId }) : null),
    row(t('tk.email'), contact.email ? h('a', { href: `mailto:${contact.email}` }, contact.email) : null),
    row(t('tk.conversation'), thread ? h('span', { 'data-test': 'reached-via' }, thread,
      handle ? h('span', { class: 'muted' }, ` · ${handle}`) : null) : null),
    row(t('tk.call'), called ? h('span', { 'data-test': 'reached-via' }, phoneLink(via.handle, { contactId })) : null),
  ];
}

/** Whom the ticket is from, in one line above the answer box, where the details panel is below it (a phone): the
 * name, a number to call (else the e-mail) and the channel, so an agent sees whom they answer without scrolling. */
function whoLine(ticket) {
  const contact = ticket.contact || {};
  const via = ticket.reached_via;
  const phone = contact.phone || (via?.handle && ['whatsapp', 'sms', 'phone'].includes(via.channel) ? via.handle : null);
  if (!ticket.contact_name && !phone && !contact.email) return null;
  const reach = phone ? phoneLink(phone, { contactId: contact.readable ? ticket.contact_id : null })
    : (contact.email ? h('a', { href: `mailto:${contact.email}` }, contact.email) : null);
  return h('p', { class: 'ticket-who', 'data-test': 'ticket-who' }, ticket.contact_name ? h('strong', {}, ticket.contact_name) : null,
    reach ? [ticket.contact_name ? ' · ' : '', reach] : null, ` · ${t(`tk.channel.${via?.channel || ticket.channel}`)}`);
}

function details(ticket, names, assignee) {
  const row = (label, value) => (value ? h('div', {}, h('dt', {}, label), h('dd', {}, value)) : null);
  const link = (path, id, label) => (id ? h('a', { href: `#/${path}/${encodeURIComponent(id)}` }, label) : null);
  const csat = ticket.csat || {};
  const rating = csat.score ? `${'★'.repeat(csat.score)}${'☆'.repeat(5 - csat.score)} (${csat.score}/5)`
    : `${t('tk.csatNone')}${csat.sent_via ? ` · ${t('tk.csatAsked', { via: t(`tk.via.${csat.sent_via}`) })}` : ''}`;
  return h('dl', { class: 'ticket-details' },
    row(t('tk.status'), h('span', { class: 'badge' }, t(`tk.status.${ticket.status}`))),
    row(t('tk.priority'), priorityBadge(ticket.priority)),
    row(t('tk.channel'), t(`tk.channel.${ticket.channel}`)),
    // Whoever may reassign the ticket (a manager for their team, the owner) picks its assignee here, as on a deal.
    h('div', {}, h('dt', {}, t('tk.assignee')), assignee || h('dd', {}, names.get(ticket.owner_id) || '—')),
    ...customerRows(ticket, row, link),
    row(t('tk.order'), ticket.order_id ? link('orders', ticket.order_id, t('tk.orderNumber', { id: ticket.order_id.slice(-6) })) : null),
    row(t('tk.sla'), slaBadge(ticket)),
    target(t('tk.firstResponse'), ticket.sla.first_response_due, ticket.sla.first_response_at),
    target(t('tk.resolution'), ticket.sla.resolution_due, ticket.sla.resolved_at),
    ['resolved', 'closed'].includes(ticket.status) || csat.score ? row(t('tk.csat'), rating) : null);
}

function editTicket(ticket, reload) {
  const options = PRIORITIES.map((value) => [value, t(`tk.priority.${value}`)]);
  const dialog = h('dialog', { class: 'dialog', 'aria-label': t('tk.edit') });
  const el = form({ submit: t('tk.save'), label: t('tk.edit'), children: [
    field({ name: 'subject', label: t('tk.subject'), value: ticket.subject, required: true, maxlength: 200 }),
    field({ name: 'description', label: t('tk.description'), type: 'textarea', rows: 4, value: ticket.description || '' }),
    field({ name: 'priority', label: t('tk.priority'), value: ticket.priority, options }),
    recordPicker({ type: 'contact', name: 'contact_id', label: t('picker.contact'),
      value: ticket.contact_id ? { id: ticket.contact_id, name: ticket.contact_name || t('tk.contactHidden') } : null }),
  ], onSubmit: async (values) => {
    await patch(`/api/v1/tickets/${encodeURIComponent(ticket.id)}`, { version: ticket.version, subject: values.subject,
      description: values.description || null, priority: values.priority, contact_id: values.contact_id || null });
    dialog.close();
    await reload();
  } });
  dialog.append(el, h('button', { type: 'button', class: 'secondary', onClick: () => dialog.close() }, t('kb.close')));
  openModal(dialog, () => {});
}

/** #/tickets/:id: the ticket's card. */
export async function card(root, { params, navigate, alive }) {
  const load = async () => {
    const [ticket, names] = await Promise.all([get(`/api/v1/tickets/${encodeURIComponent(params.id)}`), userNames()]);
    const [, assignee] = await ownerRow('tickets', ticket, { path: `/api/v1/tickets/${encodeURIComponent(ticket.id)}`,
      reload: load });
    if (!alive()) return;
    const edit = can('tickets', 'update')
      ? h('button', { type: 'button', class: 'secondary', onClick: () => editTicket(ticket, load) }, t('tk.edit')) : null;
    mount(root, heading(ticket.subject, edit, trashButton('tickets', ticket, ticket.subject, navigate, '/tickets')),
      h('p', { class: 'back' }, h('a', { href: '#/tickets' }, `← ${t('title.tickets.queue')}`)), whoLine(ticket),
      h('div', { class: 'ticket-card' },
        h('section', { class: 'panel ticket-main' }, ticket.description ? h('p', { class: 'ticket-description' }, ticket.description) : null,
          statusActions(ticket, load), answerBox(ticket, load),
          h('h2', {}, t('tk.timeline')), timeline(ticket.timeline || [], names)),
        h('aside', { class: 'panel ticket-side' }, details(ticket, names, assignee))));
  };
  await load();
}
