// A website form's fields: which contact field each form field fills (settings.field_map), and the
// fields of one received event as the site sent them.
import { get } from '../js/api.js';
import { h, mount, uid } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { toastError } from '../js/ui.js';

const TARGETS = ['first_name', 'last_name', 'name', 'phone', 'email', 'telegram', 'message', 'company', 'address', 'city', 'region',
  'postal_code', 'consent_email', 'consent_sms', 'consent_whatsapp', 'ignore'];

function targetOptions(definitions) {
  return [...TARGETS.map((target) => [target, t(`integrations.target.${target}`)]),
    ...definitions.map((d) => [`custom.${d.key}`, `${t('custom.title')}: ${d.label}`])];
}

function mapRow(formField, target, options) {
  const nameId = uid('map-field');
  const targetId = uid('map-target');
  const row = h('div', { class: 'field-map-row' },
    h('div', { class: 'field' }, h('label', { for: nameId }, t('integrations.formField')),
      h('input', { id: nameId, class: 'map-field', value: formField, maxlength: '100', autocomplete: 'off' })),
    h('div', { class: 'field' }, h('label', { for: targetId }, t('integrations.fills')),
      h('select', { id: targetId, class: 'map-target' }, options.map(([value, text]) =>
        h('option', { value, selected: value === target }, text)))),
    h('button', { type: 'button', class: 'secondary small', 'aria-label': t('integrations.removeMapping'),
      onClick: () => row.remove() }, '×'));
  return row;
}

/**
 * The field map editor: one row per form field, with the built-in English/Russian defaults applying to
 * the fields not listed. Custom fields of contacts are offered as targets too.
 */
export function fieldMapEditor(fieldMap, definitions) {
  const options = targetOptions(definitions.filter((d) => !d.sensitive));
  const rows = h('div', { class: 'field-map-rows' },
    [...Object.entries(fieldMap || {}), ['', 'ignore']].map(([name, target]) => mapRow(name, target, options)));
  return h('fieldset', { class: 'field-map' }, h('legend', {}, t('integrations.fieldMap')),
    h('p', { class: 'hint' }, t('integrations.fieldMapHint')), rows,
    h('button', { type: 'button', class: 'secondary small', onClick: () => {
      const row = mapRow('', 'ignore', options);
      rows.append(row);
      row.querySelector('input').focus();
    } }, t('integrations.addMapping')));
}

/** The field map a form holds: rows with a form field name, in their order. */
export function readFieldMap(formEl) {
  const map = {};
  for (const row of formEl.querySelectorAll('.field-map-row')) {
    const name = row.querySelector('.map-field').value.trim();
    if (name) map[name] = row.querySelector('.map-target').value;
  }
  return map;
}

function payloadList(payload) {
  const entries = Object.entries(payload || {});
  if (!entries.length) return h('p', { class: 'muted' }, t('integrations.noFields'));
  return h('dl', { class: 'props' }, entries.map(([name, value]) => [h('dt', { class: 'mono' }, name),
    h('dd', {}, typeof value === 'string' ? value : JSON.stringify(value))]));
}

/** A "Show fields" toggle under an event: fetches the event once and lists its fields as received. */
export function eventFields(path) {
  const slot = h('div', { class: 'event-payload', hidden: true });
  const button = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false', onClick: async () => {
    const opening = slot.hidden;
    button.setAttribute('aria-expanded', String(opening));
    slot.hidden = !opening;
    if (!opening || slot.dataset.loaded) return;
    try {
      const event = await get(path);
      slot.dataset.loaded = '1';
      mount(slot, payloadList(event.payload));
    } catch (error) { slot.hidden = true; button.setAttribute('aria-expanded', 'false'); toastError(error); }
  } }, t('integrations.showFields'));
  return [button, slot];
}
