// The Filters panel of the contacts and companies lists (tag, responsible, select custom fields), kept in the address.
import { query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can } from '../js/session.js';
import { field, form, toastError } from '../js/ui.js';
import { definitionsFor } from './custom-values.js';
import { responsibleChoices } from './bulk.js';
import { companyUsers, personName } from './records.js';

const CUSTOM = 'custom.';

/** The filters a list URL carries: tag, owner_id and custom.<key> (only what the API filters on). */
export function listFilters(params) {
  const filters = {};
  for (const [key, value] of params) {
    if (value && (key === 'tag' || key === 'owner_id' || key.startsWith(CUSTOM))) filters[key] = value;
  }
  return filters;
}

function filterFields(filters, users, definitions) {
  const selects = definitions.filter((d) => (d.type === 'select' || d.type === 'multiselect') && d.filterable);
  return h('div', { class: 'form-grid' },
    field({ name: 'tag', label: t('contacts.tag'), value: filters.tag || '', autocomplete: 'off' }),
    field({ name: 'owner_id', label: t('contacts.responsible'), value: filters.owner_id || '',
      options: [['', t('contacts.anyone')], ...users] }),
    selects.map((d) => field({ name: `${CUSTOM}${d.key}`, label: d.label, value: filters[`${CUSTOM}${d.key}`] || '',
      options: [['', t('contacts.anyValue')], ...d.options.map((o) => [o.value, o.label])] })));
}

/**
 * Whose records the list may be narrowed to: the colleagues who can sign in and those deactivated (marked so), whose
 * records stay theirs until handed over: an owner finds a leaver's contacts here, ticks them and assigns them.
 */
function ownerChoices() {
  if (!can('users', 'read')) return responsibleChoices();
  return companyUsers().then((users) => users.filter((u) => u.status !== 'invited').map((u) => [u.id, personName(u)]));
}

/**
 * The Filters panel of a list ('contacts' of entity 'contact'): opened, it loads the people and the select
 * fields (two requests, only when wanted).
 */
export function filtersPanel(params, navigate, plural = 'contacts', entity = 'contact') {
  const filters = listFilters(params);
  const count = Object.keys(filters).length;
  const body = h('div', {});
  const details = h('details', { class: 'panel filters', open: count > 0 },
    h('summary', {}, count ? t('contacts.filtersOn', { n: count }) : t('contacts.filters')), body);
  const draw = async () => {
    const [users, definitions] = await Promise.all([ownerChoices(), definitionsFor(entity)]);
    mount(body, form({ submit: t('contacts.applyFilters'), label: t('contacts.filters'), onSubmit: async (values) => {
      const next = { q: params.get('q') || '' };
      for (const [key, value] of Object.entries(values)) if (value) next[key] = value;
      navigate(`/${plural}${query(next)}`);
    }, children: [filterFields(filters, users, definitions),
      count ? h('p', {}, h('a', { href: `#/${plural}${query({ q: params.get('q') || '' })}` }, t('contacts.clearFilters'))) : null] }));
  };
  const open = () => { if (details.open && !details.dataset.loaded) { details.dataset.loaded = '1'; draw().catch(toastError); } };
  details.addEventListener('toggle', open);
  if (count) open();
  return details;
}
