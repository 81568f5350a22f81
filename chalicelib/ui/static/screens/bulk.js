// Bulk actions on the records ticked in a list (contacts, companies, deals): assign, tag, untag, move to the trash,
// through POST /api/v1/<plural>/bulk, which answers an outcome per record; two contacts ticked can also be merged.
import { get, post } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatNumber } from '../js/format.js';
import { can, session } from '../js/session.js';
import { confirmAction, field, form, toast, toastError } from '../js/ui.js';
import { companyUsers, reads } from '../js/users.js';

// The people a record (of a type, its plural: 'deals') can be given to: active, and their role reads that type (the
// API refuses anyone else); an agent who may not list users can only pick themselves.
export function responsibleChoices(plural = null) {
  const me = [[session.user.id, session.user.name]];
  if (!can('users', 'read')) return Promise.resolve(me);
  return companyUsers().then((users) => users.filter((u) => u.status === 'active' && (!plural || reads(u, plural)))
    .map((u) => [u.id, u.name]));
}

/** A record's box to tick, in a 44 px label: a thumb ticks it without aiming at 18 px (#20 item 14). */
export function pickBox(id, name) {
  return h('label', { class: 'pick-wrap' }, h('input', { type: 'checkbox', class: 'pick', value: id,
    'aria-label': t('contacts.bulk.pick', { name }) }));
}

// Ticking records (their boxes: pickBox) feeds the bulk bar; "select all" ticks the records loaded so far.
export function selectionOf(items, bulk) {
  const all = h('input', { type: 'checkbox', id: 'pick-all', class: 'pick-all-box' });
  const boxes = () => [...items.querySelectorAll('input.pick')];
  const ticked = () => boxes().filter((box) => box.checked).map((box) => box.value);
  const sync = () => { const n = ticked().length; bulk.update(n); all.checked = n > 0 && n === boxes().length; };
  items.addEventListener('change', sync);
  all.addEventListener('change', () => { for (const box of boxes()) box.checked = all.checked; sync(); });
  return { ticked, head: h('div', { class: 'pick-all' }, all, h('label', { for: 'pick-all' }, t('contacts.bulk.all'))) };
}

/** May the user do anything in bulk with these records ('contacts', 'companies', 'deals')? */
export function canBulk(plural) {
  return can(plural, 'update') || can(plural, 'delete');
}

function actionChoices(plural) {
  const actions = [];
  if (can(plural, 'update')) actions.push('assign', 'tag', 'untag');
  if (plural === 'contacts' && can(plural, 'update') && can(plural, 'delete')) actions.push('merge');
  if (can(plural, 'delete')) actions.push('delete');
  return actions.map((a) => [a, t(`contacts.bulk.${a}`)]);
}

function tagList(text) {
  return text.split(',').map((tag) => tag.trim()).filter(Boolean);
}

async function runBulk(plural, ids, values) {
  const body = { ids, action: values.action };
  if (values.action === 'assign') body.owner_id = values.owner_id;
  if (values.action === 'tag' || values.action === 'untag') body.tags = tagList(values.tags || '');
  if (values.action === 'delete'
    && !(await confirmAction(t(`${plural}.bulk.deleteConfirm`, { n: ids.length }), t('common.delete')))) return null;
  return post(`/api/v1/${plural}/bulk`, body);
}

function contactName(contact) {
  return [contact.first_name, contact.last_name].filter(Boolean).join(' ')
    || contact.emails?.[0]?.address || contact.phones?.[0]?.number || contact.id;
}

/**
 * Two contacts of one person made one (a parent who wrote to the bot and then filled in the site's form with another
 * number): the one made first is kept, so the lead's first source stays, and the other's phones, e-mails, deals,
 * tasks and history join it (POST /api/v1/contacts/{id}/merge). True when they were merged.
 */
async function mergeTicked(ids) {
  if (ids.length !== 2) {
    toast(t('contacts.bulk.mergeTwo'), 'error');
    return false;
  }
  const [first, second] = await Promise.all(ids.map((id) => get(`/api/v1/contacts/${id}`)));
  const [keep, other] = first.created_at <= second.created_at ? [first, second] : [second, first];
  if (!(await confirmAction(t('contacts.bulk.mergeConfirm', { keep: contactName(keep), other: contactName(other) }),
    t('contacts.bulk.mergeButton')))) return false;
  await post(`/api/v1/contacts/${keep.id}/merge`, { other_id: other.id, version: keep.version,
    other_version: other.version });
  return true;
}

function report(plural, outcomes) {
  const done = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - done;
  toast(failed ? t('contacts.bulk.partly', { done: formatNumber(done), failed: formatNumber(failed) })
    : t(`${plural}.bulk.done`, { n: done }), failed ? 'error' : 'info');
}

/**
 * The bar that acts on the ticked records of a type (its plural: 'contacts'); selection() gives their ids. It
 * stays hidden until a record is ticked, and only then loads the people to assign to.
 */
export function bulkBar(plural, selection, reload) {
  const counter = h('p', { class: 'bulk-count', 'aria-live': 'polite' });
  const target = h('div', { class: 'bulk-target' });
  const action = field({ name: 'action', label: t('contacts.bulk.action'), options: actionChoices(plural) });
  const chosen = () => action.querySelector('select').value;
  const drawTarget = async (kind) => {
    if (kind === 'assign') {
      const users = await responsibleChoices(plural);
      // The action may have changed while the people were loading.
      if (chosen() === 'assign') mount(target, field({ name: 'owner_id', label: t('contacts.responsible'), options: users }));
    } else if (kind === 'tag' || kind === 'untag') {
      mount(target, field({ name: 'tags', label: t('contacts.bulk.tags'), hint: t('contacts.bulk.tagsHint'), autocomplete: 'off' }));
    } else mount(target);
  };
  action.querySelector('select').addEventListener('change', (event) => drawTarget(event.target.value).catch(toastError));
  const bar = form({ className: 'form bulk-bar', submit: t('contacts.bulk.apply'), label: t(`${plural}.bulk.title`),
    onSubmit: async (values) => {
      if (values.action === 'merge') {
        if (await mergeTicked(selection())) {
          await reload();
          toast(t('contacts.bulk.merged'));
        }
        return;
      }
      const answer = await runBulk(plural, selection(), values);
      if (!answer) return;
      // The list is redrawn first, so the message describes what is on screen.
      await reload();
      report(plural, answer.items);
    }, children: [counter, h('div', { class: 'form-grid' }, action, target)] });
  bar.hidden = true;
  let drawn = false;
  return { bar, update: (n) => {
    bar.hidden = n === 0;
    counter.textContent = t(`${plural}.bulk.selected`, { n });
    if (n && !drawn) { drawn = true; drawTarget(chosen()).catch(toastError); }
  } };
}
