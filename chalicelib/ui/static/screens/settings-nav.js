// The tabs of the settings area, shown to those who may use each.
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can } from '../js/session.js';

const TABS = [
  ['profile', null],
  ['security', null],
  ['users', 'users'],
  ['roles', 'roles'],
  ['teams', 'teams'],
  ['api-keys', 'api_keys'],
  ['company', 'tenant'],
];

/** The settings tabs with the current one marked. */
export function settingsTabs(current) {
  return h('nav', { 'aria-label': t('nav.settings') }, h('ul', { class: 'tabs' },
    TABS.filter(([, entity]) => !entity || can(entity, 'read')).map(([key]) =>
      h('li', {}, h('a', { href: `#/settings/${key}`, 'aria-current': key === current ? 'page' : null },
        t(`settings.tab.${key}`))))));
}
