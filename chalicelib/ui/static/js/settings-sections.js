// The sections of the settings area, in groups, each shown to those who may use it. One entry in SECTIONS adds a
// section: its route (main.js reads this list), its place in the menu (screens/settings-nav.js) and who sees it.
import { can } from './session.js';

// What Settings → Data offers (screens/data.js): an import of the records one may create, an export of those one may
// export, the owner's export of the whole company. An agent imports their own contacts: the section is theirs too.
const DATA_ENTITIES = ['contacts', 'companies', 'deals', 'products'];

// Settings → Data → Trash (screens/trash.js): for whoever may delete records of a type with a trash (agents may not).
export const TRASH_ENTITIES = ['contacts', 'companies', 'deals', 'products', 'orders', 'tickets'];

export function mayUseTrash() {
  return TRASH_ENTITIES.some((entity) => can(entity, 'delete'));
}

function mayUseData() {
  return DATA_ENTITIES.some((entity) => can(entity, 'create') || can(entity, 'export')) || can('tenant', 'export');
}

/** The groups in menu order; a group's title is `settings.group.<key>`. */
export const GROUPS = ['you', 'team', 'sales', 'connect', 'company'];

/**
 * key: #/settings/<key> and the title `settings.tab.<key>`; group: one of GROUPS; screen, show: the module under
 * screens/ and its export that draws the section; may: [entity, action] the user needs (none: everyone); check: a
 * test of its own instead; limitedOk: open to a session that must first change its password or enrol a second factor;
 * within: a section reached from another's sub-tabs (the trash, from Data), not listed in the menu on its own.
 */
export const SECTIONS = [
  { key: 'profile', group: 'you', screen: 'settings', show: 'profile', limitedOk: true },
  { key: 'security', group: 'you', screen: 'settings', show: 'security', limitedOk: true },
  { key: 'notifications', group: 'you', screen: 'notifications', show: 'settings' },
  { key: 'users', group: 'team', screen: 'people', show: 'users', may: ['users', 'read'] },
  { key: 'roles', group: 'team', screen: 'people', show: 'roles', may: ['roles', 'read'] },
  { key: 'teams', group: 'team', screen: 'people', show: 'teams', may: ['teams', 'read'] },
  { key: 'pipelines', group: 'sales', screen: 'pipelines', show: 'pipelines', may: ['pipelines', 'create'] },
  { key: 'custom-fields', group: 'sales', screen: 'customfields', show: 'customFields', may: ['customfields', 'create'] },
  { key: 'automations', group: 'sales', screen: 'automations', show: 'automations', may: ['settings', 'update'] },
  { key: 'service', group: 'sales', screen: 'ticket-settings', show: 'settings', may: ['settings', 'update'] },
  { key: 'integrations', group: 'connect', screen: 'integrations', show: 'integrations', may: ['integrations', 'read'] },
  { key: 'api-keys', group: 'connect', screen: 'apikeys', show: 'apiKeys', may: ['api_keys', 'read'] },
  { key: 'company', group: 'company', screen: 'settings', show: 'company', may: ['tenant', 'read'] },
  { key: 'billing', group: 'company', screen: 'billing', show: 'billing', may: ['billing', 'read'] },
  { key: 'requisites', group: 'company', screen: 'document-settings', show: 'requisites', may: ['settings', 'read'] },
  { key: 'documents', group: 'company', screen: 'document-settings', show: 'templates', may: ['settings', 'read'] },
  { key: 'data', group: 'company', screen: 'data', show: 'data', check: mayUseData },
  { key: 'audit', group: 'company', screen: 'audit', show: 'changes', may: ['audit', 'read'] },
  { key: 'trash', group: 'company', screen: 'trash', show: 'trash', check: mayUseTrash, within: 'data' },
];

/** The sections this user may open. */
export function visibleSections() {
  return SECTIONS.filter((section) => (section.check ? section.check() : !section.may || can(...section.may)));
}

/** The app's routes for the sections: [path, screen module, export, options], as main.js lists them. */
export function settingsRoutes() {
  return SECTIONS.map((section) => [`/settings/${section.key}`, section.screen, section.show,
    { nav: 'settings', limitedOk: Boolean(section.limitedOk), title: `settings.tab.${section.key}` }]);
}
