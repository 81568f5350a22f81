// #/notifications: my notifications, unread first, each a link to what it is about; mark one or all read. And
// Settings → Notifications: e-mail at once, in a daily digest or never; how long before a task its reminder comes.
import { get, patch, post } from '../js/api.js';
import { setUnread } from '../js/bell.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime } from '../js/format.js';
import { empty, field, form, heading, pager, toast, toastError } from '../js/ui.js';
import { settingsTabs } from './settings-nav.js';

const PATHS = { task: (id) => `#/tasks?task=${id}`, deal: (id) => `#/deals/${id}`, contact: (id) => `#/contacts/${id}`,
  company: (id) => `#/companies/${id}`, call: () => '#/calls', ticket: (id) => `#/tickets/${id}`,
  conversation: (id) => `#/inbox/${id}`, automation: () => '#/settings/automations' };

function target(item) {
  const path = item.subject && PATHS[item.subject.type];
  return path ? path(encodeURIComponent(item.subject.id)) : null;
}

function row(item, onRead) {
  const read = async () => {
    if (item.read) return;
    try {
      await post(`/api/v1/notifications/${encodeURIComponent(item.id)}/read`);
      item.read = true;
      onRead();
    } catch (error) { toastError(error); }
  };
  const where = target(item);
  const title = item.title || item.excerpt || '';
  const text = h('div', {}, h('div', { class: 'title' }, t(`notify.type.${item.type}`)),
    title ? h('div', { class: 'meta' }, title) : null,
    h('div', { class: 'meta small' }, formatDateTime(item.created_at)));
  return h('li', { class: ['notification', item.read ? 'is-read' : 'is-unread'], 'data-test': 'notification' },
    where ? h('a', { href: where, onClick: read }, text) : text,
    item.read ? null : h('span', { class: 'badge badge-ok' }, t('notify.new')),
    item.read ? null : h('button', { type: 'button', class: 'secondary small', onClick: read }, t('notify.markRead')));
}

/** #/notifications. */
export async function list(root, { alive, query }) {
  const unreadOnly = query.get('unread') === 'true';
  const first = await get(`/api/v1/notifications?limit=30${unreadOnly ? '&unread=true' : ''}`);
  if (!alive()) return;
  setUnread(first.unread);
  const items = [...first.items];
  const reload = () => list(root, { alive, query });
  const listEl = h('ul', { class: 'notifications' });
  const draw = () => listEl.replaceChildren(...items.map((item) => row(item, () => {
    setUnread(items.filter((one) => !one.read).length);
    draw();
  })));
  draw();
  const more = h('div', {});
  const loadMore = async (cursor) => {
    const page = await get(`/api/v1/notifications?limit=30${unreadOnly ? '&unread=true' : ''}&cursor=${encodeURIComponent(cursor)}`);
    items.push(...page.items);
    draw();
    more.replaceChildren(pager(page.next_cursor, loadMore) || '');
  };
  more.replaceChildren(pager(first.next_cursor, loadMore) || '');
  const readAll = h('button', { type: 'button', class: 'secondary', 'data-test': 'read-all', onClick: async () => {
    try { await post('/api/v1/notifications/read-all'); toast(t('notify.allRead')); setUnread(0); await reload(); } catch (error) {
      toastError(error);
    }
  } }, t('notify.readAll'));
  const filter = h('a', { href: unreadOnly ? '#/notifications' : '#/notifications?unread=true', class: 'button-link small' },
    unreadOnly ? t('bell.label') : t('notify.unreadOnly'));
  const fresh = () => { if (alive()) reload(); };
  window.addEventListener('crm:notification', fresh, { once: true });
  mount(root, heading(t('title.notifications.list'), filter, first.unread ? readAll : null),
    items.length ? listEl : empty(t('notify.empty')), more);
}

/** #/settings/notifications. */
export async function settings(root, { alive }) {
  const current = await get('/api/v1/notifications/settings');
  if (!alive()) return;
  const modes = ['immediate', 'digest', 'off'].map((mode) => [mode, t(`notify.email.${mode}`)]);
  mount(root, heading(t('settings.title')), settingsTabs('notifications'), h('section', { class: 'panel' },
    h('p', { class: 'muted' }, t('notify.settingsIntro')),
    form({ submit: t('common.save'), label: t('settings.tab.notifications'), onSubmit: async (values) => {
      const saved = await patch('/api/v1/notifications/settings', { version: current.version, email: values.email,
        reminder_minutes: Number(values.reminder_minutes), digest_hour: Number(values.digest_hour) });
      Object.assign(current, saved);
      toast(t('common.saved'));
    }, children: [
      field({ name: 'email', label: t('notify.email'), type: 'select', value: current.email, options: modes }),
      field({ name: 'reminder_minutes', label: t('notify.reminder'), type: 'number', value: String(current.reminder_minutes),
        min: '0', max: '10080', required: true }),
      field({ name: 'digest_hour', label: t('notify.digestHour'), type: 'number', value: String(current.digest_hour),
        min: '0', max: '23', required: true }),
    ] })));
}
