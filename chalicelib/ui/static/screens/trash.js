// Settings → Data → Trash: deleted records of every type the user may delete, most recently deleted first; Restore within the
// 30 days, Delete forever for an administrator. One request a type: GET /api/v1/trash/<plural>.
import { get, post, del, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime, formatMoney } from '../js/format.js';
import { can, session } from '../js/session.js';
import { confirmAction, empty, heading, pager, toast, toastError } from '../js/ui.js';
import { dataTabs, settingsTabs } from './settings-nav.js';

const RETENTION_DAYS = 30; // records.types.RecordType.retention: restorable this long, then purged
const DAY = 24 * 60 * 60 * 1000;

/** The record types with a trash, in the order of the app's menu, each with what names one of its records. */
export const TRASH_TYPES = [
  ['contacts', (r) => [r.first_name, r.last_name].filter(Boolean).join(' ')],
  ['companies', (r) => r.name],
  ['deals', (r) => [r.title, r.amount ? formatMoney(r.amount.minor, r.amount.currency) : null].filter(Boolean).join(' · ')],
  ['products', (r) => [r.name, r.sku].filter(Boolean).join(' · ')],
  ['orders', (r) => [r.customer_name, formatMoney(r.total_minor, r.currency)].filter(Boolean).join(' · ')],
  ['tickets', (r) => r.subject],
];

function typeTabs(types, current) {
  return h('nav', { 'aria-label': t('trash.types') }, h('ul', { class: 'tabs tabs-sub' },
    types.map((plural) => h('li', {}, h('a', { href: `#/settings/trash${query({ type: plural })}`,
      'aria-current': plural === current ? 'page' : null }, t(`nav.${plural}`))))));
}

function item(plural, record, nameOf, reload) {
  const deleted = new Date(record.deleted_at);
  const until = new Date(deleted.getTime() + RETENTION_DAYS * DAY);
  const restorable = until.getTime() > Date.now();
  const name = nameOf(record) || t('trash.unnamed');
  const restore = restorable ? h('button', { type: 'button', class: 'secondary small', 'data-test': 'restore',
    'aria-label': `${t('trash.restore')}: ${name}`, onClick: async (event) => {
      event.target.disabled = true;
      try {
        await post(`/api/v1/${plural}/${encodeURIComponent(record.id)}/restore`);
        toast(t('trash.restored', { name }));
      } catch (error) { toastError(error); }
      await reload();
    } }, t('trash.restore')) : null;
  // Purging is for whoever may delete every record of the type (an administrator): the API answers 403 to others.
  const purge = session.permissions.includes(`${plural}:delete:all`) ? h('button', {
    type: 'button', class: 'danger small', 'data-test': 'purge', 'aria-label': `${t('trash.purge')}: ${name}`,
    onClick: async (event) => {
      if (!(await confirmAction(t('trash.purgeConfirm', { name }), t('trash.purge')))) return;
      event.target.disabled = true;
      try {
        await del(`/api/v1/trash/${plural}/${encodeURIComponent(record.id)}`);
        toast(t('trash.purged', { name }));
      } catch (error) { toastError(error); }
      await reload();
    } }, t('trash.purge')) : null;
  return h('li', { 'data-trash': record.id }, h('div', { class: 'grow' },
    h('div', { class: 'title' }, name),
    h('div', { class: 'meta' }, h('time', { datetime: record.deleted_at }, t('trash.deletedAt', { at: formatDateTime(record.deleted_at) })),
      ' · ', restorable ? t('trash.until', { at: formatDateTime(until.toISOString()) }) : t('trash.expired'))),
  h('div', { class: 'row-actions' }, restore, purge));
}

/** #/settings/trash?type=<plural>: one type's deleted records (a sub-tab of Data). */
export async function trash(root, { query: params, navigate, alive }) {
  const types = TRASH_TYPES.filter(([plural]) => can(plural, 'delete')).map(([plural]) => plural);
  const current = types.includes(params.get('type')) ? params.get('type') : types[0];
  const nameOf = TRASH_TYPES.find(([plural]) => plural === current)[1];
  const page = await get(`/api/v1/trash/${current}${query({ limit: 50 })}`);
  if (!alive()) return;
  const reload = () => trash(root, { query: params, navigate, alive });
  const list = h('ul', { class: 'list trash-list' }, page.items.map((r) => item(current, r, nameOf, reload)));
  const more = async (cursor) => {
    const next = await get(`/api/v1/trash/${current}${query({ limit: 50, cursor })}`);
    list.append(...next.items.map((r) => item(current, r, nameOf, reload)));
    const again = pager(next.next_cursor, more);
    if (again) list.after(again);
  };
  mount(root, heading(t('settings.title')), settingsTabs('trash'), dataTabs('trash'), typeTabs(types, current),
    h('p', { class: 'muted' }, t('trash.about', { days: RETENTION_DAYS })),
    page.items.length ? list : empty(t('trash.empty')), pager(page.next_cursor, more));
}
