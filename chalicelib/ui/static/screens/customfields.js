// Settings → Custom fields: the definitions per entity; create, edit, delete (archive).
import { ApiError, del, get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can } from '../js/session.js';
import { confirmAction, empty, field, form, heading, keyFollowsName, toast, toastError } from '../js/ui.js';
import { settingsTabs } from './settings-nav.js';

export const ENTITIES = ['contact', 'company', 'deal', 'product'];
const TYPES = ['text', 'long_text', 'number', 'money', 'date', 'datetime', 'select', 'multiselect', 'bool', 'phone',
  'email', 'url'];
const CHOICES = new Set(['select', 'multiselect']);

function entityTabs(current) {
  return h('nav', { 'aria-label': t('custom.entity') }, h('ul', { class: 'tabs tabs-sub' }, ENTITIES.map((entity) =>
    h('li', {}, h('a', { href: `#/settings/custom-fields${query({ entity })}`, 'aria-current': entity === current ? 'page' : null },
      t(`custom.entity.${entity}`))))));
}

/** "value" or "value | label" per line, as options. */
function parseOptions(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const [value, ...rest] = line.split('|');
    const label = rest.join('|').trim();
    return { value: value.trim(), label: label || value.trim() };
  });
}

function optionsText(options) {
  return (options || []).map((o) => (o.label === o.value ? o.value : `${o.value} | ${o.label}`)).join('\n');
}

function optionsField(value, hidden) {
  const wrap = field({ name: 'options', label: t('custom.options'), type: 'textarea', value, hint: t('custom.optionsHint') });
  wrap.hidden = hidden;
  return wrap;
}

function flags(definition) {
  return [definition.required && t('custom.required'), definition.sensitive && t('custom.sensitive'),
    definition.filterable && t('custom.filterable')].filter(Boolean).map((flag) => [h('span', { class: 'badge' }, flag), ' ']);
}

function editForm(definition, reload) {
  const choice = CHOICES.has(definition.type);
  return form({ submit: t('common.save'), label: t('custom.editTitle', { label: definition.label }), onSubmit: async (values) => {
    const body = { version: definition.version, label: values.label, required: values.required,
      position: Number(values.position) || 0 };
    if (choice) { body.options = parseOptions(values.options); body.filterable = values.filterable; }
    try {
      await patch(`/api/v1/custom-fields/${encodeURIComponent(definition.id)}`, body);
    } catch (error) {
      if (error.status === 409 && error.code === 'version_conflict') { toast(t('common.conflict'), 'error'); await reload(); return; }
      throw error;
    }
    toast(t('common.saved'));
    await reload();
  }, children: h('div', { class: 'form-grid' },
    field({ name: 'label', label: t('custom.label'), value: definition.label, required: true, maxlength: '120' }),
    field({ name: 'position', label: t('custom.position'), type: 'number', min: '0', max: '10000', value: definition.position }),
    field({ name: 'required', label: t('custom.required'), type: 'checkbox', value: definition.required }),
    choice ? field({ name: 'filterable', label: t('custom.filterable'), type: 'checkbox', value: definition.filterable,
      disabled: definition.sensitive }) : null,
    choice ? optionsField(optionsText(definition.options), false) : null) });
}

function definitionItem(definition, reload) {
  const remove = can('customfields', 'delete') ? h('button', { type: 'button', class: 'secondary small', onClick: async () => {
    if (!(await confirmAction(t('custom.deleteConfirm', { label: definition.label }), t('common.delete')))) return;
    try { await del(`/api/v1/custom-fields/${encodeURIComponent(definition.id)}`); toast(t('common.deleted')); await reload(); } catch (error) {
      toastError(error);
    }
  } }, t('common.delete')) : null;
  const edit = can('customfields', 'update') ? h('details', { class: 'inline-edit' },
    h('summary', {}, t('custom.edit')), editForm(definition, reload)) : null;
  return h('li', { 'data-field': definition.key }, h('div', { class: 'grow' },
    h('div', { class: 'title' }, definition.label, ' ', h('span', { class: 'meta mono' }, definition.key)),
    h('div', { class: 'meta' }, t(`custom.type.${definition.type}`),
      definition.options.length ? ` · ${definition.options.map((o) => o.label).join(', ')}` : ''),
    h('div', {}, flags(definition)), edit), remove);
}

function createForm(entity, reload) {
  const options = optionsField('', true);
  const typeField = field({ name: 'type', label: t('custom.typeLabel'), value: 'text',
    options: TYPES.map((type) => [type, t(`custom.type.${type}`)]) });
  const filterable = field({ name: 'filterable', label: t('custom.filterable'), type: 'checkbox', hint: t('custom.filterableHint') });
  filterable.hidden = true;
  const label = field({ name: 'label', label: t('custom.label'), required: true, maxlength: '120' });
  const key = field({ name: 'key', label: t('custom.key'), required: true, pattern: '[a-z][a-z0-9_]{1,39}', hint: t('custom.keyHint') });
  keyFollowsName(label, key);
  typeField.querySelector('select').addEventListener('change', (event) => {
    options.hidden = !CHOICES.has(event.target.value);
    filterable.hidden = options.hidden;
  });
  return form({ submit: t('custom.create'), label: t('custom.createTitle'), onSubmit: async (values, formEl) => {
    const choice = CHOICES.has(values.type);
    const parsed = choice ? parseOptions(values.options) : null;
    if (choice && !parsed.length) {
      throw new ApiError(422, { code: 'validation_error', message: t('error.validation_error'),
        details: [{ loc: ['options'], msg: t('custom.optionsNeeded') }] });
    }
    await post('/api/v1/custom-fields', { entity, key: values.key, label: values.label, type: values.type,
      required: values.required, sensitive: values.sensitive, options: parsed, filterable: choice && values.filterable });
    toast(t('common.saved'));
    formEl.reset();
    await reload();
  }, children: h('div', { class: 'form-grid' },
    label, key, typeField, options,
    field({ name: 'required', label: t('custom.required'), type: 'checkbox' }),
    field({ name: 'sensitive', label: t('custom.sensitive'), type: 'checkbox', hint: t('custom.sensitiveHint') }),
    filterable) });
}

/** #/settings/custom-fields?entity=: one entity's definitions, and a form for a new one. */
export async function customFields(root, { query: params, alive }) {
  const entity = ENTITIES.includes(params.get('entity')) ? params.get('entity') : 'contact';
  const page = await get(`/api/v1/custom-fields${query({ entity })}`);
  if (!alive()) return;
  const reload = () => customFields(root, { query: params, alive });
  const items = page.items.sort((a, b) => a.position - b.position);
  mount(root, heading(t('settings.title')), settingsTabs('custom-fields'), entityTabs(entity),
    h('section', { class: 'panel' }, h('h2', {}, t('custom.listTitle', { entity: t(`custom.entity.${entity}`) })),
      items.length ? h('ul', { class: 'list', 'data-test': 'custom-fields' }, items.map((d) => definitionItem(d, reload)))
        : empty(t('custom.empty'))),
    can('customfields', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('custom.createTitle')),
      createForm(entity, reload)) : null);
}
