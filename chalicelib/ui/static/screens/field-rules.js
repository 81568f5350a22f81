// Field rules of a role (#21 item 10): per field of each record type, editable, read-only or hidden.
// A rule is a permission string `<entity>.<field>:readonly|hidden`; a field without one is editable.
// Record types come in the menu's order, as the permissions grid above lists them.
// Nobody loosens a rule of their own: the grid offers each field only as strict as the user's own rule or stricter.
import { h } from '../js/dom.js';
import { t, has } from '../js/i18n.js';
import { session } from '../js/session.js';
import { entityName, menuRank } from './permissions.js';

const LEVELS = ['edit', 'readonly', 'hidden'];

/** The rule a permission list holds for a field: 'hidden', 'readonly' or 'edit'. */
export function fieldRule(entity, field, permissions = session.permissions) {
  if (permissions.includes(`${entity}.${field}:hidden`)) return 'hidden';
  if (permissions.includes(`${entity}.${field}:readonly`)) return 'readonly';
  return 'edit';
}

/** True when the signed-in user's role may change the field. */
export function canEditField(entity, field) {
  return fieldRule(entity, field) === 'edit';
}

/** True when a permission string is a field rule (not an entity permission). */
export function isFieldRule(permission) {
  return /^[a-z_]+\.[a-z0-9_.]+:(readonly|hidden)$/.test(permission);
}

function fieldLabel(entry) {
  if (entry.custom) return entry.label;
  return has(`fieldName.${entry.field}`) ? t(`fieldName.${entry.field}`) : entry.label;
}

/** The grid element; call .rules() on it to read the chosen rule strings. */
export function fieldRulesGrid(catalog, selected = []) {
  const rows = [];
  const ordered = [...catalog.items].sort((a, b) => menuRank(a.entity) - menuRank(b.entity));
  const sections = ordered.map((entity) => {
    const chosen = entity.fields.filter((entry) => fieldRule(entity.entity, entry.field, selected) !== 'edit').length;
    const body = entity.fields.map((entry) => {
      const floor = LEVELS.indexOf(fieldRule(entity.entity, entry.field));
      const wanted = LEVELS.indexOf(fieldRule(entity.entity, entry.field, selected));
      const current = LEVELS[Math.max(floor, wanted)];
      const select = h('select', { 'aria-label': `${entityName(entity.entity)}: ${fieldLabel(entry)}` },
        LEVELS.slice(floor).map((level) => h('option', { value: level, selected: level === current },
          t(`fieldRules.${level}`))));
      rows.push({ rule: `${entity.entity}.${entry.field}`, select });
      return h('tr', {}, h('th', { scope: 'row' }, fieldLabel(entry),
        entry.sensitive ? h('span', { class: 'badge' }, t('fieldRules.sensitive')) : null), h('td', {}, select));
    });
    return h('details', { class: 'filters', open: chosen > 0 },
      h('summary', {}, entityName(entity.entity), chosen ? ` (${chosen})` : ''),
      h('div', { class: 'table-wrap' }, h('table', { class: 'checklist' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('fieldRules.field')),
          h('th', { scope: 'col' }, t('fieldRules.access')))),
        h('tbody', {}, body))));
  });
  const wrap = h('div', { class: 'field field-rules' }, h('span', { class: 'field-label' }, t('fieldRules.title')),
    h('p', { class: 'hint' }, t('fieldRules.hint')), sections);
  wrap.rules = () => rows.filter(({ select }) => select.value !== 'edit')
    .map(({ rule, select }) => `${rule}:${select.value}`);
  return wrap;
}
