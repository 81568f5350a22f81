// The contacts list's filters (tag, responsible, select custom fields) and its bulk actions (assign,
// tag, untag, delete) over the contacts ticked on the page, through POST /api/v1/contacts/bulk.
import { get, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatNumber } from '../js/format.js';
import { can, session } from '../js/session.js';
import { confirmAction, field, form, toast, toastError } from '../js/ui.js';
import { definitionsFor } from './custom-values.js';

const CUSTOM = 'custom.';

/** The filters a list URL carries: tag, owner_id and custom.<key> (only what the API filters on). */
export function listFilters(params) {
  const filters = {};
  for (const [key, value] of params) {
    if (value && (key === 'tag' || key === 'owner_id' || key.startsWith(CUSTOM))) filters[key] = value;
  }
  return filters;
}

// The people a contact can be given to; an agent who may not list users can only pick themselves.
let usersLoading = null;
function responsibleChoices() {
  const me = [[session.user.id, session.user.name]];
  if (!can('users', 'read')) return Promise.resolve(me);
  usersLoading = usersLoading || get('/api/v1/users?limit=200').then(
    (page) => page.items.filter((u) => u.status === 'active').map((u) => [u.id, u.name]),
    (error) => { usersLoading = null; throw error; });
  return usersLoading;
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

/** The Filters panel: opened, it loads the people and the select fields (two requests, only when wanted). */
export function filtersPanel(params, navigate) {
  const filters = listFilters(params);
  const count = Object.keys(filters).length;
  const body = h('div', {});
  const details = h('details', { class: 'panel filters', open: count > 0 },
    h('summary', {}, count ? t('contacts.filtersOn', { n: count }) : t('contacts.filters')), body);
  const draw = async () => {
    const [users, definitions] = await Promise.all([responsibleChoices(), definitionsFor('contact')]);
    mount(body, form({ submit: t('contacts.applyFilters'), label: t('contacts.filters'), onSubmit: async (values) => {
      const next = { q: params.get('q') || '' };
      for (const [key, value] of Object.entries(values)) if (value) next[key] = value;
      navigate(`/contacts${query(next)}`);
    }, children: [filterFields(filters, users, definitions),
      count ? h('p', {}, h('a', { href: `#/contacts${query({ q: params.get('q') || '' })}` }, t('contacts.clearFilters'))) : null] }));
  };
  const open = () => { if (details.open && !details.dataset.loaded) { details.dataset.loaded = '1'; draw().catch(toastError); } };
  details.addEventListener('toggle', open);
  if (count) open();
  return details;
}

/** May the user do anything in bulk? */
export function canBulk() {
  return can('contacts', 'update') || can('contacts', 'delete');
}

function actionChoices() {
  const actions = [];
  if (can('contacts', 'update')) actions.push('assign', 'tag', 'untag');
  if (can('contacts', 'delete')) actions.push('delete');
  return actions.map((a) => [a, t(`contacts.bulk.${a}`)]);
}

function tagList(text) {
  return text.split(',').map((tag) => tag.trim()).filter(Boolean);
}

async function runBulk(ids, values) {
  const body = { ids, action: values.action };
  if (values.action === 'assign') body.owner_id = values.owner_id;
  if (values.action === 'tag' || values.action === 'untag') body.tags = tagList(values.tags || '');
  if (values.action === 'delete'
    && !(await confirmAction(t('contacts.bulk.deleteConfirm', { n: ids.length }), t('common.delete')))) return null;
  return post('/api/v1/contacts/bulk', body);
}

function report(outcomes) {
  const done = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - done;
  toast(failed ? t('contacts.bulk.partly', { done: formatNumber(done), failed: formatNumber(failed) })
    : t('contacts.bulk.done', { n: done }), failed ? 'error' : 'info');
}

/**
 * The bar that acts on the ticked contacts; selection() gives their ids. It stays hidden until a
 * contact is ticked, and only then loads the people to assign to.
 */
export function bulkBar(selection, reload) {
  const counter = h('p', { class: 'bulk-count', 'aria-live': 'polite' });
  const target = h('div', { class: 'bulk-target' });
  const action = field({ name: 'action', label: t('contacts.bulk.action'), options: actionChoices() });
  const chosen = () => action.querySelector('select').value;
  const drawTarget = async (kind) => {
    if (kind === 'assign') {
      const users = await responsibleChoices();
      // The action may have changed while the people were loading.
      if (chosen() === 'assign') mount(target, field({ name: 'owner_id', label: t('contacts.responsible'), options: users }));
    } else if (kind === 'tag' || kind === 'untag') {
      mount(target, field({ name: 'tags', label: t('contacts.bulk.tags'), hint: t('contacts.bulk.tagsHint'), autocomplete: 'off' }));
    } else mount(target);
  };
  action.querySelector('select').addEventListener('change', (event) => drawTarget(event.target.value).catch(toastError));
  const bar = form({ className: 'form bulk-bar', submit: t('contacts.bulk.apply'), label: t('contacts.bulk.title'),
    onSubmit: async (values) => {
      const answer = await runBulk(selection(), values);
      if (!answer) return;
      // The list is redrawn first, so the message describes what is on screen.
      await reload();
      report(answer.items);
    }, children: [counter, h('div', { class: 'form-grid' }, action, target)] });
  bar.hidden = true;
  let drawn = false;
  return { bar, update: (n) => {
    bar.hidden = n === 0;
    counter.textContent = t('contacts.bulk.selected', { n });
    if (n && !drawn) { drawn = true; drawTarget(chosen()).catch(toastError); }
  } };
}
