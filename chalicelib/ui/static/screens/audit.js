// Settings → Audit log: the trail with filters, each change's before → after, revert; the sensitive-read log.
import { ApiError, get, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t, has } from '../js/i18n.js';
import { MESSAGES } from '../js/messages.js';
import { AUDIT } from '../js/messages-audit.js';
import { formatDateTime } from '../js/format.js';
import { can } from '../js/session.js';
import { confirmAction, empty, field, heading, pager, toast, toastError } from '../js/ui.js';
import { settingsTabs } from './settings-nav.js';
import { noteText } from './mentions.js';
import { companyUsers } from '../js/users.js';

Object.assign(MESSAGES, AUDIT); // this screen's texts load with it, not with the app's first load

// The filters offer every record type and action the log may name: each has its words in the catalogue.
const keysOf = (prefix) => Object.keys(MESSAGES).filter((key) => key.startsWith(`${prefix}.`))
  .map((key) => key.slice(prefix.length + 1));
const byLabel = (prefix) => keysOf(prefix).map((key) => [key, label(prefix, key)])
  .sort(([, a], [, b]) => a.localeCompare(b));

function label(prefix, key) {
  return has(`${prefix}.${key}`) ? t(`${prefix}.${key}`) : key;
}

function subTabs(current) {
  return h('nav', { 'aria-label': t('audit.views') }, h('ul', { class: 'tabs tabs-sub' },
    [['changes', '/settings/audit'], ['reads', '/settings/audit/reads']].map(([key, path]) =>
      h('li', {}, h('a', { href: `#${path}`, 'aria-current': key === current ? 'page' : null }, t(`audit.tab.${key}`))))));
}

// A note's text names whom it mentions as the API stores it, `@<user id>`: shown "@Name" as the note is.
const MENTIONING = { note: 'text' };

function shown(value, mentions = null) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  if (mentions && typeof value === 'string') return noteText(value, mentions);
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return h('span', { class: 'mono' }, text);
}

/** A change's fields, before → after; users' names (id -> name, read once by the screen) name a note's mentions. */
function diffTable(record, users) {
  const changes = record.changes;
  const names = Object.keys(changes || {});
  if (!names.length) return null;
  const mentions = (name) => (MENTIONING[record.entity] === name ? users : null);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'diff' },
    h('thead', {}, h('tr', {}, ['audit.field', 'audit.before', 'audit.after'].map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, names.map((name) => h('tr', {}, h('th', { scope: 'row', class: 'mono' }, name),
      h('td', { class: 'before' }, shown(changes[name]?.before, mentions(name))),
      h('td', { class: 'after' }, shown(changes[name]?.after, mentions(name))))))));
}

async function revert(record, reload) {
  if (!(await confirmAction(t('audit.revertConfirm'), t('audit.revert')))) return;
  const path = `/api/v1/audit/${encodeURIComponent(record.id)}/revert`;
  try {
    await post(path, { force: false });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'changed_since') { toastError(error); return; }
    if (!(await confirmAction(t('audit.changedSince'), t('audit.revertAnyway')))) return;
    try { await post(path, { force: true }); } catch (forced) { toastError(forced); return; }
  }
  toast(t('audit.reverted'));
  await reload();
}

// An order that set a deal's amount, by its number ("заказ № 154"): read once per order on the screen, shown by its
// id's tail meanwhile, and for a reader who may not read it.
const orderNumbers = new Map();
function orderLink(id) {
  const link = h('a', { href: `#/orders/${encodeURIComponent(id)}` }, t('audit.byOrder', { number: id.slice(-6) }));
  if (!can('orders', 'read')) return link;
  if (!orderNumbers.has(id)) {
    orderNumbers.set(id, get(`/api/v1/orders/${encodeURIComponent(id)}`).then((found) => found.number, () => null));
  }
  orderNumbers.get(id).then((number) => { if (number) link.textContent = t('audit.byOrder', { number }); });
  return link;
}

// Who acted, by name: a user, an integration or an automation rule by theirs; the CRM's own workers by what they
// do (the retention, the scheduler); a deal's amount set from its orders by the order, linked.
function actorName(record, names) {
  const kind = label('audit.actorKind', record.actor_kind);
  const name = names.get(record.actor_id);
  if (record.actor_kind === 'webhook' || record.actor_kind === 'automation') {
    return name ? t('audit.actorNamed', { kind, name }) : `${kind} ${record.actor_id}`;
  }
  if (name) return name;
  if (record.actor_kind !== 'system') return `${kind} ${record.actor_id}`;
  const order = /^order:(.+)$/.exec(record.actor_id);
  if (order) return h('span', {}, `${kind}: `, orderLink(order[1]));
  if (record.source === 'campaign_link') return t('audit.systemActor.recipient'); // its id is the contact's
  return has(`audit.systemActor.${record.actor_id}`) ? t(`audit.systemActor.${record.actor_id}`)
    : `${kind} ${record.actor_id}`;
}

function recordItem(record, names, reload) {
  const who = actorName(record, names);
  // The server marks what a revert can never put back (sign-ins, calls, merges, masked values): no button there.
  const undo = can('audit', 'update') && record.revertable ? h('button', { type: 'button', class: 'secondary small',
    'aria-label': `${t('audit.revert')}: ${label('audit.entity', record.entity)} ${record.entity_id}`,
    onClick: () => revert(record, reload) }, t('audit.revert')) : null;
  return h('li', { 'data-audit': record.id }, h('div', { class: 'grow' },
    h('div', { class: 'title' }, `${label('audit.action', record.action)} · ${label('audit.entity', record.entity)}`,
      h('span', { class: 'meta mono' }, ` ${record.entity_id}`)),
    h('div', { class: 'meta' }, h('time', { datetime: record.at }, formatDateTime(record.at)), ' · ', who,
      ` · ${label('audit.src', record.source)}`,
      record.reverted_audit_id ? ` · ${t('audit.revertOf')}` : ''),
    diffTable(record, names)), undo);
}

function filterForm(params, users, navigate, path) {
  const el = h('form', { class: 'filters', role: 'search', 'aria-label': t('audit.filters'), onSubmit: (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const toIso = (v) => (v ? new Date(v).toISOString() : '');
    navigate(`${path}${query({ entity: data.get('entity'), entity_id: data.get('entity_id'), actor: data.get('actor'),
      action: data.get('action'), from: toIso(data.get('from')), to: toIso(data.get('to')) })}`);
  } }, h('div', { class: 'form-grid filter-grid' },
    field({ name: 'entity', label: t('audit.entityLabel'), value: params.get('entity') || '',
      options: [['', t('audit.any')], ...byLabel('audit.entity')] }),
    field({ name: 'entity_id', label: t('audit.entityId'), value: params.get('entity_id') || '' }),
    field({ name: 'actor', label: t('audit.actor'), value: params.get('actor') || '',
      options: [['', t('audit.any')], ...users.map((u) => [u.id, u.name])] }),
    path.endsWith('reads') ? null : field({ name: 'action', label: t('audit.actionLabel'), value: params.get('action') || '',
      options: [['', t('audit.any')], ...byLabel('audit.action')] }),
    path.endsWith('reads') ? null : field({ name: 'from', label: t('audit.from'), type: 'datetime-local', value: localInput(params.get('from')) }),
    path.endsWith('reads') ? null : field({ name: 'to', label: t('audit.to'), type: 'datetime-local', value: localInput(params.get('to')) })),
  h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'secondary' }, t('audit.apply'))));
  return el;
}

function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function verifyButton() {
  const out = h('p', { role: 'status', class: 'verify-result' });
  const button = h('button', { type: 'button', class: 'secondary', onClick: async () => {
    button.disabled = true;
    try {
      const report = await get('/api/v1/audit/verify');
      out.className = `verify-result notice ${report.ok ? 'notice-ok' : ''}`;
      out.textContent = report.ok ? t('audit.verifyOk', { n: report.chains.length, count: report.chains.length })
        : t('audit.verifyBroken', { list: report.chains.filter((c) => !c.ok).map((c) => `${c.entity} ${c.entity_id}`).join(', ') });
    } catch (error) { toastError(error); } finally { button.disabled = false; }
  } }, t('audit.verify'));
  return h('div', { class: 'verify' }, button, out);
}

function filtersOf(params, keys) {
  return Object.fromEntries(keys.map((key) => [key, params.get(key)]).filter(([, v]) => v));
}

async function userNames() {
  try { return await companyUsers(); } catch { return []; }
}

async function ruleNames() {
  if (!can('settings', 'read')) return [];
  try { return (await get('/api/v1/automations?limit=200')).items; } catch { return []; }
}

async function integrationNames() {
  if (!can('integrations', 'read')) return [];
  try { return (await get('/api/v1/integrations?limit=200')).items; } catch { return []; }
}

/** #/settings/audit?entity=&actor=&action=&from=&to=: the audit trail, newest first. */
export async function changes(root, { query: params, navigate, alive }) {
  const filters = filtersOf(params, ['entity', 'entity_id', 'actor', 'action', 'from', 'to']);
  const [page, users, hooks, rules] = await Promise.all([get(`/api/v1/audit${query({ ...filters, limit: 50 })}`),
    userNames(), integrationNames(), ruleNames()]);
  if (!alive()) return;
  const names = new Map([...users, ...hooks, ...rules].map((u) => [u.id, u.name]));
  const reload = () => changes(root, { query: params, navigate, alive });
  const list = h('ul', { class: 'list audit-list' }, page.items.map((r) => recordItem(r, names, reload)));
  const more = async (cursor) => {
    const next = await get(`/api/v1/audit${query({ ...filters, limit: 50, cursor })}`);
    list.append(...next.items.map((r) => recordItem(r, names, reload)));
    const again = pager(next.next_cursor, more);
    if (again) list.after(again);
  };
  mount(root, heading(t('settings.title')), settingsTabs('audit'), subTabs('changes'),
    filterForm(params, users, navigate, '/settings/audit'), verifyButton(),
    page.items.length ? list : empty(t('audit.empty')), pager(page.next_cursor, more));
}

function readItem(read, names) {
  return h('tr', {}, h('td', { class: 'small' }, formatDateTime(read.at)),
    h('td', {}, names.get(read.actor_id) || read.actor_id),
    h('td', {}, `${label('audit.entity', read.entity)} `, h('span', { class: 'mono small' }, read.entity_id)),
    h('td', { class: 'mono' }, read.field), h('td', { class: 'small' }, label('audit.src', read.source)));
}

/** #/settings/audit/reads: who read sensitive values in clear. */
export async function reads(root, { query: params, navigate, alive }) {
  const filters = filtersOf(params, ['entity', 'entity_id', 'actor']);
  const [page, users] = await Promise.all([get(`/api/v1/audit/reads${query({ ...filters, limit: 50 })}`), userNames()]);
  if (!alive()) return;
  const names = new Map(users.map((u) => [u.id, u.name]));
  const body = h('tbody', {}, page.items.map((r) => readItem(r, names)));
  const table = h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'visually-hidden' }, t('audit.tab.reads')),
    h('thead', {}, h('tr', {}, ['audit.when', 'audit.actor', 'audit.entityLabel', 'audit.field', 'audit.source']
      .map((key) => h('th', { scope: 'col' }, t(key))))), body));
  const more = async (cursor) => {
    const next = await get(`/api/v1/audit/reads${query({ ...filters, limit: 50, cursor })}`);
    body.append(...next.items.map((r) => readItem(r, names)));
    const again = pager(next.next_cursor, more);
    if (again) table.after(again);
  };
  mount(root, heading(t('settings.title')), settingsTabs('audit'), subTabs('reads'),
    filterForm(params, users, navigate, '/settings/audit/reads'),
    page.items.length ? table : empty(t('audit.readsEmpty')), pager(page.next_cursor, more));
}
