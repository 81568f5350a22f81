// What an empty list says, to whom: a list is empty for an agent who sees only their own records while the company
// has plenty, so it says why; it offers to add one only to those who may (the create panel), and the import to those
// who may open Settings → Data. Used by the lists of contacts, companies, deals, products and orders.
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can, session } from '../js/session.js';
import { visibleSections } from '../js/settings-sections.js';
import { openCreatePanel } from './new-record.js';

const SCOPES = ['all', 'team', 'own'];
const IMPORTABLE = new Set(['contacts', 'companies', 'deals', 'products']);

/** The widest scope the user reads entity's records at ('all', 'team' or 'own'; 'all' when the role names none). */
export function readScope(entity) {
  const held = SCOPES.filter((scope) => session.permissions.includes(`${entity}:read:${scope}`));
  return held[0] || 'all';
}

/**
 * The empty state of a list of entity (a permissions entity: contacts, deals ...). subject: the key of its texts
 * (`empty.<subject>.<scope>`, default entity); panel: the list's create panel, opened by its "New …" button; href:
 * where a new one is made instead (orders have a page of their own).
 */
export function emptyList(entity, { subject = entity, panel = null, href = null } = {}) {
  const adding = can(entity, 'create') && (panel || href);
  const add = !adding ? null : href ? h('a', { href, class: 'button-link primary-link', 'data-test': 'empty-new' }, t(`empty.new.${entity}`))
    : h('button', { type: 'button', class: 'primary', 'data-test': 'empty-new', onClick: () => openCreatePanel(panel) },
      t(`empty.new.${entity}`));
  const importing = adding && IMPORTABLE.has(entity) && visibleSections().some((section) => section.key === 'data')
    ? h('a', { href: '#/settings/data' }, t('empty.import')) : null;
  return h('div', { class: 'empty', 'data-test': 'empty-list' }, h('p', {}, t(`empty.${subject}.${readScope(entity)}`)),
    add || importing ? h('p', { class: 'row-actions' }, add, importing) : null);
}
