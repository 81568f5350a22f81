// A permission checklist (entity x action, with a scope per entity) offering only what the user holds:
// nobody can grant more than they have. The record types come as the app's menu orders them, the rest as Settings
// groups its sections (in the order of their English keys the grid read as random in Russian); each group folds, on a
// phone closed with a line of what it grants (open, the grid was some 7,000 px long).
import { h, uid } from '../js/dom.js';
import { t, has } from '../js/i18n.js';
import { session } from '../js/session.js';

const SCOPES = ['own', 'team', 'all'];
const ACTIONS = ['read', 'create', 'update', 'delete', 'export'];
const SENSITIVE = 'sensitive:read:all';
const GROUPS = [
  ['work', ['tasks', 'contacts', 'companies', 'deals', 'notes', 'conversations', 'tickets', 'kb', 'calls', 'products',
    'orders', 'segments', 'campaigns']],
  ['team', ['users', 'roles', 'teams']],
  ['sales', ['pipelines', 'customfields', 'settings']],
  ['connect', ['integrations', 'api_keys']],
  ['company', ['tenant', 'billing', 'audit']],
];
/** Where a record type stands in the app's menu (Infinity for one the menu does not name): grids list types so. */
export function menuRank(entity) {
  const index = GROUPS[0][1].indexOf(entity);
  return index < 0 ? Infinity : index;
}
const FOLDED = '(max-width: 719px)'; // where the grid stacks (its container query) on a phone's screen

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

/** The held record types by group, in order; one no group names goes last. */
function grouped(byEntity) {
  const known = new Set(GROUPS.flatMap(([, entities]) => entities));
  const groups = GROUPS.map(([key, entities], index) => [key, [
    ...entities, ...(index === GROUPS.length - 1 ? [...byEntity.keys()].filter((entity) => !known.has(entity)) : [])]]);
  return groups.map(([key, entities]) => [key, entities.filter((entity) => byEntity.has(entity))])
    .filter(([, entities]) => entities.length);
}

/** A label for an entity ("contacts" -> "Contacts"). */
export function entityName(entity) {
  return has(`entity.${entity}`) ? t(`entity.${entity}`) : entity;
}

/** What a list of permissions grants, in the reader's words ("Компании: просмотр; Заказы: просмотр, создание"),
 * not the API's codes ("orders:read:all"), in the editor's order; a scope short of all is named ("просмотр (свои)"). */
export function permissionsText(permissions) {
  const byEntity = new Map();
  const unknown = [];
  for (const permission of permissions) {
    const [entity, action, scope] = permission.split(':');
    if (permission === SENSITIVE) continue;
    if (!ACTIONS.includes(action)) { unknown.push(permission); continue; }
    byEntity.set(entity, [...(byEntity.get(entity) || []), [action, scope]]);
  }
  const order = GROUPS.flatMap(([, entities]) => entities); // as the editor lists them
  const rank = (entity) => (order.includes(entity) ? order.indexOf(entity) : order.length);
  const parts = [...byEntity].sort(([a], [b]) => rank(a) - rank(b)).map(([entity, held]) => `${entityName(entity)}: ${held
    .sort(([a], [b]) => ACTIONS.indexOf(a) - ACTIONS.indexOf(b))
    .map(([action, scope]) => t(`action.${action}`).toLowerCase()
      + (scope && scope !== 'all' && has(`scope.${scope}`) ? ` (${t(`scope.${scope}`).toLowerCase()})` : ''))
    .join(', ')}`);
  return [...parts, ...(permissions.includes(SENSITIVE) ? [t('roles.sensitive')] : []), ...unknown].join('; ');
}

function groupTitle(key) {
  return key === 'work' ? t('roles.group.work') : t(`settings.group.${key}`);
}

/** What a group's ticked boxes grant, in a line ("Contacts: view; Deals: all actions"). */
function grantedText(groupRows) {
  const parts = groupRows.map(({ entity, boxes }) => {
    const ticked = boxes.filter((box) => box && box.checked);
    if (!ticked.length) return null;
    const actions = ticked.length === boxes.filter(Boolean).length ? t('roles.allActions')
      : ticked.map((box) => t(`action.${box.value}`).toLowerCase()).join(', ');
    return `${entityName(entity)}: ${actions}`;
  }).filter(Boolean);
  return parts.length ? parts.join('; ') : t('roles.grantedNone');
}

function entityRow(entity, entry, chosen) {
  const scopes = SCOPES.slice(0, entry.scope + 1);
  const current = SCOPES.find((scope) => ACTIONS.some((a) => chosen.has(`${entity}:${a}:${scope}`))) || scopes.at(-1);
  const scopeSelect = h('select', { 'aria-label': `${entityName(entity)}: ${t('roles.scope')}` },
    scopes.map((scope) => h('option', { value: scope, selected: scope === current }, t(`scope.${scope}`))));
  const boxes = ACTIONS.map((action) => (entry.actions.has(action)
    ? h('input', { type: 'checkbox', value: action, 'aria-label': `${entityName(entity)}: ${t(`action.${action}`)}`,
      checked: SCOPES.some((scope) => chosen.has(`${entity}:${action}:${scope}`)) })
    : null));
  // On a phone the grid stacks per record type and the column headings hide: each box shows its action.
  const tr = h('tr', {}, h('th', { scope: 'row' }, entityName(entity)),
    boxes.map((box, i) => h('td', {}, box && h('label', {}, box,
      h('span', { class: 'cell-label', 'aria-hidden': 'true' }, t(`action.${ACTIONS[i]}`))))),
    h('td', {}, scopeSelect));
  return { entity, scopeSelect, boxes, tr };
}

function groupSection(key, entities, byEntity, chosen, open) {
  const groupRows = entities.map((entity) => entityRow(entity, byEntity.get(entity), chosen));
  const summary = h('span', { class: 'permission-granted' }, grantedText(groupRows));
  const table = h('table', { class: 'checklist permission-grid' }, h('caption', { class: 'visually-hidden' }, groupTitle(key)),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('roles.entity')),
      ACTIONS.map((action) => h('th', { scope: 'col' }, t(`action.${action}`))), h('th', { scope: 'col' }, t('roles.scope')))),
    h('tbody', {}, groupRows.map(({ tr }) => tr)));
  table.addEventListener('change', () => { summary.textContent = grantedText(groupRows); });
  const section = h('details', { class: 'permission-group', 'data-group': key, open },
    h('summary', {}, h('span', { class: 'permission-group-head' },
      h('span', { class: 'permission-group-title' }, groupTitle(key)), summary)),
    h('div', { class: 'table-wrap' }, table));
  return { section, groupRows };
}

/** The checklist element; call .permissions() on it to read the chosen strings. */
export function permissionChecklist(selected = []) {
  const chosen = new Set(selected);
  const byEntity = held();
  const open = !window.matchMedia(FOLDED).matches;
  const groups = grouped(byEntity).map(([key, entities]) => groupSection(key, entities, byEntity, chosen, open));
  const rows = groups.flatMap(({ groupRows }) => groupRows);
  const sensitiveId = uid('sensitive');
  const sensitive = session.permissions.includes(SENSITIVE)
    ? h('input', { type: 'checkbox', id: sensitiveId, checked: chosen.has(SENSITIVE) }) : null;
  const wrap = h('div', { class: 'field permission-field' }, h('span', { class: 'field-label' }, t('roles.permissions')),
    groups.map(({ section }) => section),
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
