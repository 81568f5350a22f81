// A permission checklist (entity x action, with a scope per entity) offering only what the user holds:
// nobody can grant more than they have.
import { h, uid } from '../js/dom.js';
import { t, has } from '../js/i18n.js';
import { session } from '../js/session.js';

const SCOPES = ['own', 'team', 'all'];
const ACTIONS = ['read', 'create', 'update', 'delete', 'export'];
const SENSITIVE = 'sensitive:read:all';

function held() {
  const byEntity = new Map();
  for (const permission of session.permissions) {
    const [entity, action, scope] = permission.split(':');
    if (permission === SENSITIVE || !ACTIONS.includes(action)) continue;
    const entry = byEntity.get(entity) || { actions: new Set(), scope: 0 };
    entry.actions.add(action);
    entry.scope = Math.max(entry.scope, SCOPES.indexOf(scope));
    byEntity.set(entity, entry);
  }
  return byEntity;
}

/** A label for an entity ("contacts" -> "Contacts"). */
export function entityName(entity) {
  return has(`entity.${entity}`) ? t(`entity.${entity}`) : entity;
}

/** The checklist element; call .permissions() on it to read the chosen strings. */
export function permissionChecklist(selected = []) {
  const chosen = new Set(selected);
  const rows = [];
  const table = h('table', { class: 'checklist permission-grid' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('roles.entity')),
      ACTIONS.map((action) => h('th', { scope: 'col' }, t(`action.${action}`))), h('th', { scope: 'col' }, t('roles.scope')))),
    h('tbody', {}, [...held()].map(([entity, entry]) => {
      const scopes = SCOPES.slice(0, entry.scope + 1);
      const current = SCOPES.find((scope) => ACTIONS.some((a) => chosen.has(`${entity}:${a}:${scope}`))) || scopes.at(-1);
      const scopeSelect = h('select', { 'aria-label': `${entityName(entity)}: ${t('roles.scope')}` },
        scopes.map((scope) => h('option', { value: scope, selected: scope === current }, t(`scope.${scope}`))));
      const boxes = ACTIONS.map((action) => (entry.actions.has(action)
        ? h('input', { type: 'checkbox', value: action, 'aria-label': `${entityName(entity)}: ${t(`action.${action}`)}`,
          checked: SCOPES.some((scope) => chosen.has(`${entity}:${action}:${scope}`)) })
        : null));
      rows.push({ entity, scopeSelect, boxes });
      // On a phone the grid stacks per record type and the column headings hide: each box shows its action.
      return h('tr', {}, h('th', { scope: 'row' }, entityName(entity)),
        boxes.map((box, i) => h('td', {}, box && h('label', {}, box,
          h('span', { class: 'cell-label', 'aria-hidden': 'true' }, t(`action.${ACTIONS[i]}`))))),
        h('td', {}, scopeSelect));
    })));
  const sensitiveId = uid('sensitive');
  const sensitive = session.permissions.includes(SENSITIVE)
    ? h('input', { type: 'checkbox', id: sensitiveId, checked: chosen.has(SENSITIVE) }) : null;
  const wrap = h('div', { class: 'field permission-field' }, h('span', { class: 'field-label' }, t('roles.permissions')),
    h('div', { class: 'table-wrap' }, table),
    sensitive && h('div', { class: 'choice' }, sensitive, h('label', { for: sensitiveId }, t('roles.sensitive'))),
  );
  wrap.permissions = () => {
    const result = [];
    for (const { entity, scopeSelect, boxes } of rows) {
      for (const box of boxes) if (box && box.checked) result.push(`${entity}:${box.value}:${scopeSelect.value}`);
    }
    if (sensitive && sensitive.checked) result.push(SENSITIVE);
    return result;
  };
  return wrap;
}
