// Settings → Data → Trash: deleted records of every type the user may delete, most recently deleted first; Restore within the
// 30 days, Delete forever for an administrator. One request a type: GET /api/v1/trash/<plural>.
import { get, post, del, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { has, t } from '../js/i18n.js';
import { formatDateTime, formatMoney } from '../js/format.js';
import { can, session } from '../js/session.js';
import { confirmAction, empty, heading, pager, toast, toastError } from '../js/ui.js';
import { TRASH_ENTITIES } from '../js/settings-sections.js';
import { dataTabs, settingsTabs } from './settings-nav.js';

const RETENTION_DAYS = 30; // records.types.RecordType.retention: restorable this long, then purged
const DAY = 24 * 60 * 60 * 1000;

/** What names a deleted record of each type (settings-sections' TRASH_ENTITIES, in the app's menu order), and what
 * tells it from another of that name (shown under it). */
const NAMING = {
  contacts: [(r) => [r.first_name, r.last_name].filter(Boolean).join(' '), (r) => r.phone || r.email],
  companies: [(r) => r.name, () => null],
  deals: [(r) => r.title, (r) => (r.amount ? formatMoney(r.amount.minor, r.amount.currency) : null)],
  products: [(r) => r.name, (r) => [r.sku, r.price ? formatMoney(r.price.minor, r.price.currency) : null].filter(Boolean).join(' · ')],
  orders: [(r) => r.customer_name, (r) => formatMoney(r.total_minor, r.currency)],
  tickets: [(r) => r.subject, () => null],
};

function typeTabs(types, current) {
  return h('nav', { 'aria-label': t('trash.types') }, h('ul', { class: 'tabs tabs-sub' },
    types.map((plural) => h('li', {}, h('a', { href: `#/settings/trash${query({ type: plural })}`,
      'aria-current': plural === current ? 'page' : null }, t(`nav.${plural}`))))));
}

function item(plural, record, [nameOf, detailOf], gone) {
  const deleted = new Date(record.deleted_at);
  const until = new Date(deleted.getTime() + RETENTION_DAYS * DAY);
  const restorable = until.getTime() > Date.now();
  const name = nameOf(record) || t('trash.unnamed');
  const li = h('li', { 'data-trash': record.id });
  // A restored or purged record leaves the list at once (no reload); a failure leaves it, its button usable again.
  const act = (work) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try { if (await work()) gone(li); else button.disabled = false; } catch (error) { button.disabled = false; toastError(error); }
  };
  const restore = restorable ? h('button', { type: 'button', class: 'secondary small', 'data-test': 'restore',
    'aria-label': `${t('trash.restore')}: ${name}`, onClick: act(async () => {
      await post(`/api/v1/${plural}/${encodeURIComponent(record.id)}/restore`);
      toast(t('trash.restored', { name }));
      return true;
    }) }, t('trash.restore')) : null;
  // Purging is for whoever may delete every record of the type (an administrator): the API answers 403 to others.
  const purge = session.permissions.includes(`${plural}:delete:all`) ? h('button', {
    type: 'button', class: 'danger small', 'data-test': 'purge', 'aria-label': `${t('trash.purge')}: ${name}`,
    onClick: act(async () => {
      // a contact's or a company's card goes with its history; what was done with the customer stays, and says so
      const confirm = has(`trash.purgeConfirm.${plural}`) ? `trash.purgeConfirm.${plural}` : 'trash.purgeConfirm';
      if (!(await confirmAction(t(confirm, { name }), t('trash.purge')))) return false;
      await del(`/api/v1/trash/${plural}/${encodeURIComponent(record.id)}`);
      toast(t('trash.purged', { name }));
      return true;
    }) }, t('trash.purge')) : null;
  return mount(li, h('div', { class: 'grow' },
    h('div', { class: 'title' }, name),
    h('div', { class: 'meta' }, detailOf(record) ? `${detailOf(record)} · ` : '', h('time', { datetime: record.deleted_at }, t('trash.deletedAt', { at: formatDateTime(record.deleted_at) })),
      ' · ', restorable ? t('trash.until', { at: formatDateTime(until.toISOString()) }) : t('trash.expired'))),
  h('div', { class: 'row-actions' }, restore, purge));
}

/** #/settings/trash?type=<plural>: one type's deleted records (a sub-tab of Data). */
export async function trash(root, { query: params, navigate, alive }) {
  const types = TRASH_ENTITIES.filter((plural) => can(plural, 'delete'));
  const current = types.includes(params.get('type')) ? params.get('type') : types[0];
  const naming = NAMING[current];
  const page = await get(`/api/v1/trash/${current}${query({ limit: 50 })}`);
  if (!alive()) return;
  const list = h('ul', { class: 'list trash-list' });
  const none = empty(t('trash.empty'));
  // Focus moves on to the next record's button (or the heading) when one leaves the list.
  const gone = (li) => {
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    if (!list.children.length) list.replaceWith(none);
    (next?.querySelector('button') || root.querySelector('#page-title'))?.focus();
  };
  const add = (records) => list.append(...records.map((r) => item(current, r, naming, gone)));
  add(page.items);
  const more = async (cursor) => {
    const next = await get(`/api/v1/trash/${current}${query({ limit: 50, cursor })}`);
    add(next.items);
    const again = pager(next.next_cursor, more);
    if (again) list.after(again);
  };
  mount(root, heading(t('settings.title')), settingsTabs('trash'), dataTabs('trash'), typeTabs(types, current),
    h('p', { class: 'muted' }, t('trash.about', { days: RETENTION_DAYS })),
    page.items.length ? list : none, pager(page.next_cursor, more));
}
