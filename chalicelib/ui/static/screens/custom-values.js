// Custom field values on the contact, company and deal cards: shown (sensitive ones masked) and edited.
import { ApiError, get, query } from '../js/api.js';
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { amountInput, formatDate, formatDateTime, formatMoney, intlLocale, parseMoney } from '../js/format.js';
import { can, session } from '../js/session.js';
import { field } from '../js/ui.js';

const MASK = '\u2022\u2022\u2022\u2022';
const PREFIX = 'custom.';

/** The live custom field definitions of an entity ("contact", "company", "deal"), in their order. */
export async function definitionsFor(entity) {
  if (!can('customfields', 'read')) return [];
  const page = await get(`/api/v1/custom-fields${query({ entity })}`);
  return page.items.filter((d) => !d.archived).sort((a, b) => a.position - b.position);
}

function optionLabel(definition, value) {
  return definition.options.find((o) => o.value === value)?.label ?? value;
}

/** A stored value as text for a person. */
export function customText(definition, value) {
  if (value === null || value === undefined || value === '') return '';
  if (definition.sensitive && value === MASK) return MASK;
  switch (definition.type) {
    case 'money': return formatMoney(value.minor, value.currency);
    // a year (2016) or a code is no count of thousands: grouped from five digits (87 000), as Russian typesetting does
    case 'number': return new Intl.NumberFormat(intlLocale(), { useGrouping: 'min2' }).format(value);
    case 'date': return formatDate(value);
    case 'datetime': return formatDateTime(value);
    case 'bool': return value ? t('common.yes') : t('common.no');
    case 'select': return optionLabel(definition, value);
    case 'multiselect': return value.map((v) => optionLabel(definition, v)).join(', ');
    default: return String(value);
  }
}

/** Rows [label, value, definition] for a card's property list. */
export function customRows(definitions, custom) {
  return definitions.filter((d) => custom && custom[d.key] !== undefined && custom[d.key] !== null)
    .map((d) => [d.label, customText(d, custom[d.key]), d]);
}

function localDateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function moneyInput(definition, value, name, label) {
  const currency = value?.currency || session.tenant?.currency || 'USD';
  const amount = value ? amountInput(value.minor, currency) : '';
  return h('div', { class: 'form-grid' },
    field({ name, label, value: amount, inputmode: 'decimal', 'data-custom': definition.key, 'data-type': 'money' }),
    field({ name: `${name}.currency`, label: `${label}: ${t('company.currency')}`, value: currency, maxlength: '3' }));
}

function multiInput(definition, value, name, label) {
  const chosen = new Set(value || []);
  return h('fieldset', { 'data-custom': definition.key, 'data-type': 'multiselect' },
    h('legend', {}, label), definition.options.map((option) => {
      const box = field({ name: `${name}.${option.value}`, label: option.label, type: 'checkbox',
        value: chosen.has(option.value) });
      box.querySelector('input').dataset.option = option.value;
      return box;
    }));
}

/** The inputs of one definition, filled with the current value (a masked value is never put back). */
export function customInput(definition, value) {
  const name = `${PREFIX}${definition.key}`;
  const label = definition.required ? `${definition.label} *` : definition.label;
  const masked = definition.sensitive && value === MASK;
  const common = { name, label, 'data-custom': definition.key, 'data-type': definition.type };
  const hint = masked ? t('custom.keepMasked') : null;
  switch (definition.type) {
    case 'long_text': return field({ ...common, type: 'textarea', value: masked ? '' : value, hint });
    case 'number': return field({ ...common, inputmode: 'decimal', value: masked ? '' : value, hint });
    case 'money': return masked ? field({ ...common, hint, value: '' }) : moneyInput(definition, value, name, label);
    case 'date': return field({ ...common, type: 'date', value: masked ? '' : value, hint });
    case 'datetime': return field({ ...common, type: 'datetime-local', value: masked ? '' : localDateTime(value), hint });
    case 'bool': return field({ ...common, type: 'checkbox', value: Boolean(value) });
    case 'select': return field({ ...common, value: masked ? '' : value, hint,
      options: [['', '—'], ...definition.options.map((o) => [o.value, o.label])] });
    case 'multiselect': return multiInput(definition, value, name, label);
    case 'phone': return field({ ...common, type: 'tel', value: masked ? '' : value, hint });
    case 'email': return field({ ...common, type: 'email', value: masked ? '' : value, hint });
    case 'url': return field({ ...common, type: 'url', value: masked ? '' : value, hint });
    default: return field({ ...common, value: masked ? '' : value, hint });
  }
}

/** A fieldset with the inputs of every definition. */
export function customInputs(definitions, custom) {
  if (!definitions.length) return null;
  return h('fieldset', { class: 'custom-fields' }, h('legend', {}, t('custom.title')),
    h('div', { class: 'form-grid' }, definitions.map((d) => customInput(d, custom?.[d.key]))));
}

function badNumber(key) {
  return new ApiError(422, { code: 'validation_error', message: t('error.validation_error'),
    details: [{ loc: ['custom', key], msg: t('custom.badNumber') }] });
}

function readOne(formEl, definition, before) {
  const name = `${PREFIX}${definition.key}`;
  const control = formEl.querySelector(`[name="${CSS.escape(name)}"]`);
  if (definition.type === 'multiselect') {
    return [...formEl.querySelectorAll(`[name^="${CSS.escape(name)}."]`)].filter((box) => box.checked)
      .map((box) => box.dataset.option);
  }
  if (definition.type === 'bool') return control.checked;
  const text = control.value.trim();
  if (definition.sensitive && before === MASK && text === '') return undefined; // kept as it is
  if (text === '') return null;
  if (definition.type === 'number') {
    const number = Number(text.replace(',', '.'));
    if (!Number.isFinite(number)) throw badNumber(definition.key);
    return number;
  }
  if (definition.type === 'money') {
    const currency = (formEl.querySelector(`[name="${CSS.escape(`${name}.currency`)}"]`)?.value || '').trim().toUpperCase();
    const minor = parseMoney(text, currency);
    if (minor === null) throw badNumber(definition.key);
    return { minor, currency };
  }
  if (definition.type === 'datetime') return new Date(text).toISOString();
  return text;
}

/** The custom values a form holds, for the API (changed or not; masked ones left out when untouched). */
export function collectCustom(formEl, definitions, before = {}) {
  const values = {};
  for (const definition of definitions) {
    const previous = before?.[definition.key];
    const value = readOne(formEl, definition, previous);
    // Leaving an empty field empty sends nothing: a record older than a required field stays editable.
    const unchanged = (value === null || (Array.isArray(value) && !value.length) || value === false)
      && (previous === undefined || previous === null);
    if (value !== undefined && !unchanged) values[definition.key] = value;
  }
  return values;
}

/**
 * The required custom inputs of a create form, fetched when the person first reaches the form rather
 * than with the screen (a list or board then needs one request fewer). load() resolves to the definitions.
 */
export function requiredLater(entity) {
  let loading = null;
  const slot = h('div', { class: 'custom-slot' });
  const load = () => {
    loading = loading || definitionsFor(entity).then((all) => {
      const required = all.filter((d) => d.required);
      slot.replaceChildren(...[customInputs(required, {})].filter(Boolean));
      return required;
    }, (error) => { loading = null; throw error; });
    return loading;
  };
  return { slot, load, watch: (formEl) => formEl.addEventListener('focusin', () => load().catch(() => {}), { once: true }) };
}
