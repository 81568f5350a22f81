// API keys: create (the secret is shown once), list, revoke.
import { del, get, post } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime } from '../js/format.js';
import { can } from '../js/session.js';
import { confirmAction, copyButton, empty, field, form, heading, toast, toastError } from '../js/ui.js';
import { permissionChecklist, permissionsText } from './permissions.js';
import { settingsTabs } from './settings-nav.js';

function keyRow(key, reload) {
  const revoked = Boolean(key.revoked_at);
  const revoke = !revoked && can('api_keys', 'delete') ? h('button', { type: 'button', class: 'secondary small',
    onClick: async () => {
      if (!(await confirmAction(t('keys.revokeConfirm', { name: key.name }), t('keys.revoke')))) return;
      try { await del(`/api/v1/api-keys/${encodeURIComponent(key.id)}`); toast(t('keys.revoked')); await reload(); } catch (error) {
        toastError(error);
      }
    } }, t('keys.revoke')) : null;
  return h('tr', {},
    h('td', {}, h('div', { class: 'title' }, key.name), h('div', { class: 'meta mono' }, `${key.prefix}…`)),
    h('td', { class: 'small', 'data-test': 'api-key-permissions' }, permissionsText(key.permissions)),
    h('td', { class: 'small' }, formatDateTime(key.created_at)),
    h('td', { class: 'small' }, key.last_used_at ? formatDateTime(key.last_used_at) : t('users.never')),
    h('td', {}, revoked ? h('span', { class: 'badge badge-off' }, t('keys.revokedBadge')) : h('span', { class: 'badge badge-ok' },
      t('keys.active'))),
    h('td', {}, revoke));
}

function secretPanel(created) {
  return h('div', { class: 'secret-box', role: 'alert' }, h('p', {}, h('strong', {}, t('keys.secretOnce'))),
    h('code', { class: 'mono', 'data-test': 'api-key-secret' }, created.secret), copyButton(created.secret));
}

/** #/settings/api-keys. */
export async function apiKeys(root, { alive }) {
  const list = await get('/api/v1/api-keys');
  if (!alive()) return;
  const reload = () => apiKeys(root, { alive });
  const secretSlot = h('div', {});
  const table = list.items.length ? h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'visually-hidden' }, t('settings.tab.api-keys')),
    h('thead', {}, h('tr', {}, ['keys.name', 'roles.permissions', 'keys.created', 'keys.lastUsed', 'users.status',
      'common.actions'].map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, list.items.map((key) => keyRow(key, reload))))) : empty(t('keys.empty'));
  const checklist = permissionChecklist([]);
  const create = can('api_keys', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('keys.createTitle')),
    form({ submit: t('keys.create'), label: t('keys.createTitle'), onSubmit: async (values, formEl) => {
      const created = await post('/api/v1/api-keys', { name: values.name, permissions: checklist.permissions() });
      await reload();
      root.querySelector('.secret-slot')?.replaceChildren(secretPanel(created));
      root.querySelector('[data-test="api-key-secret"]')?.scrollIntoView({ block: 'center' });
      formEl.reset();
    }, children: [field({ name: 'name', label: t('keys.name'), required: true }), checklist] })) : null;
  secretSlot.className = 'secret-slot';
  mount(root, heading(t('settings.title')), settingsTabs('api-keys'), h('p', { class: 'muted' }, t('keys.intro')),
    secretSlot, table, create);
}
