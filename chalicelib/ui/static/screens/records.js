// Pieces shared by the contact, company and deal cards: the timeline, links and the note form.
import { del, get, patch, post } from '../js/api.js';
import { h } from '../js/dom.js';
import { t, has } from '../js/i18n.js';
import { browserZone, formatDateTime, formatMoney, formatZonedDateTime } from '../js/format.js';
import { can, session } from '../js/session.js';
import { confirmAction, empty, field, form, toast, toastError } from '../js/ui.js';
import { callLine } from '../js/telephony.js';
import { entryWords, kindText } from './timeline-text.js';
import { mentionBox, noteText } from './mentions.js';
import { companyUsers as everyone } from '../js/users.js';
import { canEditField } from './field-rules.js';
import { placeLink } from '../js/maps.js';

const LINK_PATHS = { deal: 'deals', task: 'tasks', company: 'companies', contact: 'contacts' };

function entryText(entry) {
  const data = entry.data || {};
  return data.text || data.body || null;
}

/** One timeline entry (a call in the interface's words, with its recording's player; others worded from their data). */
export function timelineEntry(entry) {
  const kind = kindText(entry.kind);
  const when = h('div', { class: 'when' }, h('time', { datetime: entry.at }, formatDateTime(entry.at)), ' · ', kind);
  if (entry.kind === 'call' && entry.data) return h('li', { 'data-entry': entry.id, class: 'entry-call' }, when, callLine(entry.data));
  if (entry.kind === 'note' && entryText(entry)) return h('li', { 'data-entry': entry.id, 'data-kind': 'note' }, when, noteText(entryText(entry)));
  const words = entryWords(entry, entry.subject?.type);
  if (words) return h('li', { 'data-entry': entry.id, 'data-kind': entry.kind }, when, words);
  const text = entryText(entry);
  return h('li', { 'data-entry': entry.id }, when, entry.summary ? h('div', {}, entry.summary) : null,
    text && text !== entry.summary ? h('p', {}, text) : null);
}

/** The timeline of a record (newest first) with an empty state. */
export function timelineList(entries) {
  const list = h('ol', { class: 'timeline' }, entries.map(timelineEntry));
  return { list, view: entries.length ? list : empty(t('timeline.empty')) };
}

/**
 * Links a card shows (deals, tasks, companies), grouped by kind; takes {kind: [...]} or [{kind, ...}].
 * The kinds in always get a panel even when empty, saying so.
 */
export function linkGroups(links, always = []) {
  const groups = new Map();
  if (Array.isArray(links)) {
    for (const link of links) {
      const kind = String(link.kind || '').toLowerCase();
      groups.set(kind, [...(groups.get(kind) || []), link]);
    }
  } else {
    for (const [kind, items] of Object.entries(links || {})) groups.set(kind, items || []);
  }
  for (const kind of always) if (!groups.has(kind)) groups.set(kind, []);
  return [...groups].filter(([kind, items]) => items.length || always.includes(kind)).map(([kind, items]) =>
    h('section', { class: 'panel', 'data-links': kind }, h('h2', {}, has(`links.${kind}`) ? t(`links.${kind}`) : kind),
      items.length ? h('ul', { class: 'list' }, items.map((link) => linkItem(kind, link)))
        : h('p', { class: 'muted' }, has(`links.none.${kind}`) ? t(`links.none.${kind}`) : t('links.none'))));
}

function linkMeta(summary) {
  const amount = summary.amount && typeof summary.amount === 'object'
    ? formatMoney(summary.amount.minor, summary.amount.currency) : null;
  const status = summary.status && has(`deals.status.${summary.status}`) ? t(`deals.status.${summary.status}`) : null;
  // A task's due time on the company's clock, as the Tasks screen shows it (a card said 01:40 for a task due at 22:40)
  const due = summary.due_at ? formatZonedDateTime(summary.due_at, session.tenant?.timezone || browserZone()) : null;
  return [summary.stage_name, amount, status, due, summary.done ? t('tasks.done') : null].filter(Boolean).join(' · ');
}

function linkItem(kind, link) {
  const summary = link.summary || {};
  // A contact's link names it by its first and last names (a company's card listed its contacts by id).
  const person = [summary.first_name, summary.last_name].filter(Boolean).join(' ');
  const label = summary.title || summary.name || person || summary.email || link.id;
  const path = LINK_PATHS[kind];
  return h('li', {}, h('div', { class: 'grow' }, path && kind !== 'task'
    ? h('a', { href: `#/${path}/${encodeURIComponent(link.id)}`, class: 'title' }, label) : h('span', { class: 'title' }, label),
  // A showing on the buyer's deal: its address opens in the phone's map, as on the Tasks screen.
  kind === 'task' && summary.location ? h('div', { class: 'task-place', 'data-test': 'task-place' }, placeLink(summary.location)) : null,
  h('div', { class: 'meta' }, linkMeta(summary), kind === 'task' ? assigneeOf(summary) : null)));
}

// Whom a colleague's task is given to (a clinic's desk reads which doctor a visit is with), named from the company's
// users once they are read; one's own tasks and a name the reader may not list stay unsaid.
function assigneeOf(summary) {
  if (!summary.assignee_id || summary.assignee_id === session.user.id) return null;
  const who = h('span', { class: 'task-who', 'data-test': 'task-who' });
  companyUsers().then((users) => {
    const user = users.find((u) => u.id === summary.assignee_id);
    if (user) who.textContent = ` · ${personName(user)}`;
  });
  return who;
}

/** The add-a-note form (@ mentions a colleague); the new entry is put on top of the timeline at once. */
export function noteForm(subject, timeline) {
  if (!can('notes', 'create')) return null;
  let toApi = (text) => text;
  const el = form({ submit: t('notes.add'), label: t('notes.title'), onSubmit: async (values, formEl) => {
    const note = await post('/api/v1/notes', { subject, text: toApi(values.text) });
    formEl.reset();
    toast(t('common.saved'));
    timeline.list.prepend(timelineEntry({ id: note.id, kind: 'note', at: note.created_at, summary: note.text,
      data: { text: note.text } }));
    if (!timeline.list.isConnected) timeline.view.replaceWith(timeline.list);
  }, children: [field({ name: 'text', label: t('notes.text'), type: 'textarea', required: true, maxlength: '10000',
    hint: can('users', 'read') ? t('mention.hint') : null })] });
  toApi = mentionBox(el.querySelector('textarea[name=text]'));
  return el;
}

// -- the responsible person (owner) of a contact, company or deal --------------------------------------------

const SCOPES = ['all', 'team', 'own'];

/** The widest scope the signed-in user holds for entity/action ('all', 'team', 'own'), or null. */
export function scopeOf(entity, action) {
  return SCOPES.find((scope) => session.permissions.includes(`${entity}:${action}:${scope}`)) || null;
}

/** True when a record of that owner and team lies within scope (as the API's permissions.may_touch decides). */
export function within(scope, ownerId, teamId) {
  if (scope === 'all') return true;
  const me = session.user.id;
  if (scope === 'team') return ownerId === me || (Boolean(session.user.team_id) && teamId === session.user.team_id);
  return scope === 'own' && ownerId === me;
}

/** The company's users (every status, to name a deactivated owner), read once a session for all screens (js/users.js);
 * one who may not list users knows only themselves. */
export function companyUsers() {
  return everyone().then((list) => (list.length ? list : [{ ...session.user }]), () => [{ ...session.user }]);
}

export function personName(user) {
  if (!user) return t('owner.someone');
  return user.status === 'deactivated' ? t('owner.inactive', { name: user.name }) : user.name;
}

/** The owner's name: the signed-in user's own records need no request. */
async function ownerName(ownerId) {
  if (ownerId === session.user.id) return session.user.name;
  return personName((await companyUsers()).find((u) => u.id === ownerId));
}

/** The colleagues picker with its Assign button (arrowing through the list changes nothing until Assign). */
function ownerPicker(record, choices, users, { path, reload }) {
  const id = `owner-${record.id}`;
  const owner = users.find((u) => u.id === record.owner_id);
  const listed = choices.some((u) => u.id === record.owner_id) ? choices : [owner || { id: record.owner_id }, ...choices];
  const select = h('select', { id, name: 'owner_id', 'aria-label': t('contacts.responsible') }, listed.map((u) =>
    h('option', { value: u.id, selected: u.id === record.owner_id, disabled: !choices.includes(u) }, personName(u.name ? u : null))));
  const button = h('button', { type: 'submit', class: 'secondary', disabled: true }, t('owner.assign'));
  select.addEventListener('change', () => { button.disabled = select.value === record.owner_id; });
  const el = h('form', { class: 'owner-pick', onSubmit: async (event) => {
    event.preventDefault();
    const chosen = users.find((u) => u.id === select.value);
    button.disabled = true;
    try {
      await patch(path, { version: record.version, owner_id: select.value });
      toast(t('owner.assigned', { name: chosen ? chosen.name : '' }));
    } catch (error) { toastError(error); }
    await reload();
  } }, select, button);
  return { el, select };
}

/**
 * The card's "Responsible" row ([dt, dd]): the owner by name. Whoever may update the record at their scope also
 * gets Reassign, which reads the company's users (once) and offers the active ones within that scope. entity:
 * 'contacts' | 'companies' | 'deals'; path: the record's PATCH address (sent with the record's version).
 */
export async function ownerRow(entity, record, { path, reload }) {
  const name = await ownerName(record.owner_id);
  const scope = scopeOf(entity, 'update');
  const may = scope && scope !== 'own' && within(scope, record.owner_id, record.team_id) && canEditField(entity, 'owner_id');
  const shown = h('span', { 'data-test': 'owner-name' }, name);
  const dd = h('dd', { 'data-test': 'owner' }, shown);
  if (may) {
    const open = h('button', { type: 'button', class: 'secondary small owner-change', 'aria-label': t('owner.changeLabel', { name }),
      onClick: async () => {
        open.disabled = true;
        const users = await companyUsers();
        // Only a colleague whose role reads this kind of record (the API refuses anyone else: cannot_read_…).
        const choices = users.filter((u) => u.status === 'active' && within(scope, u.id, u.team_id)
          && (!u.reads || u.reads.includes(entity)));
        if (!choices.some((u) => u.id !== record.owner_id)) {
          // A manager in no team may hand records only to themselves: say how that changes, not that nobody is there.
          open.remove();
          toast(t(scope === 'team' && !session.user.team_id ? 'owner.noTeam' : 'owner.nobody'));
          return;
        }
        const picker = ownerPicker(record, choices, users, { path, reload });
        dd.replaceChildren(picker.el);
        picker.select.focus();
      } }, t('owner.change'));
    dd.append(' ', open);
  }
  return [h('dt', {}, t('contacts.responsible')), dd];
}

/** A card's Delete for whoever may delete records of the type (plural): confirmed, then the record waits in the trash
 * (Settings → Data → Trash) and the user goes back to the list at ``back``. */
export function trashButton(plural, record, name, navigate, back) {
  if (!can(plural, 'delete')) return null;
  return h('button', { type: 'button', class: 'secondary', 'data-test': 'trash-record', onClick: async () => {
    if (!(await confirmAction(t('trash.moveConfirm', { name }), t('common.delete')))) return;
    try {
      await del(`/api/v1/${plural}/${encodeURIComponent(record.id)}`);
      toast(t('trash.moved', { name }));
      navigate(back);
    } catch (error) { toastError(error); }
  } }, t('common.delete'));
}
