// The tabs of the settings area, shown to those who may use each.
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can } from '../js/session.js';

// [tab, entity, action]: a tab shows to those who may take that action on the entity.
const TABS = [
  ['profile', null],
  ['security', null],
  ['users', 'users', 'read'],
  ['roles', 'roles', 'read'],
  ['teams', 'teams', 'read'],
  ['custom-fields', 'customfields', 'create'],
  ['pipelines', 'pipelines', 'create'],
  ['integrations', 'integrations', 'read'],
  ['api-keys', 'api_keys', 'read'],
  ['audit', 'audit', 'read'],
  ['data', null, null, () => can('contacts', 'export') || can('tenant', 'export')],
  ['company', 'tenant', 'read'],
  ['billing', 'billing', 'read'],
];

/** The settings tabs with the current one marked. */
export function settingsTabs(current) {
  return h('nav', { 'aria-label': t('nav.settings') }, h('ul', { class: 'tabs' },
    TABS.filter(([, entity, action, check]) => (check ? check() : !entity || can(entity, action))).map(([key]) =>
      h('li', {}, h('a', { href: `#/settings/${key}`, 'aria-current': key === current ? 'page' : null },
        t(`settings.tab.${key}`))))));
}
