// My tasks: today, overdue, upcoming on the company's clock; complete or reopen in one click, change, add a task.
import { get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { browserZone, formatRelative, formatZonedDateTime, fromZonedInput, zonedInput } from '../js/format.js';
import { can, session } from '../js/session.js';
import { empty, field, form, heading, openModal, optimistic, pager, toast, toastError } from '../js/ui.js';
import { newButton } from './new-record.js';
import { companyUsers, reads } from '../js/users.js';
import { placeLink } from '../js/maps.js';
import { feedDialog, readWeek, weekGrid, weekNav, weekOf } from './task-week.js';

const VIEWS = ['today', 'overdue', 'upcoming', 'week'];
const KINDS = ['todo', 'call', 'meeting', 'email'];
const RELATED_PATHS = { contact: 'contacts', company: 'companies', deal: 'deals' };

function viewTabs(current, assignee) {
  return h('nav', { 'aria-label': t('tasks.views') }, h('ul', { class: 'tabs' }, VIEWS.map((view) =>
    h('li', {}, h('a', { href: `#/tasks${query({ view, assignee })}`, 'aria-current': view === current ? 'page' : null },
      t(`tasks.view.${view}`))))));
}

function relatedLink(related) {
  if (!related || !RELATED_PATHS[related.type]) return null;
  // Named by its record (#20 item 11); a task from before names were kept says what kind of record it is.
  return h('a', { href: `#/${RELATED_PATHS[related.type]}/${encodeURIComponent(related.id)}`, class: 'task-related' },
    related.name || t(`tasks.related.${related.type}`));
}

/** The company's time zone: "today" and due times are on its clock, wherever the browser is (#20 item 4). */
export function companyZone() {
  return session.tenant?.timezone || browserZone();
}

function zoneHint() {
  const zone = companyZone();
  return zone === browserZone() ? null : t('tasks.zoneHint', { zone: zone.replaceAll('_', ' ') });
}

function dueText(task) {
  return task.due_at ? formatZonedDateTime(task.due_at, companyZone()) : t('tasks.noDue');
}

/** One task row: complete or reopen in one click (optimistic; a 409 reloads), and change it in a dialog. */
export function taskItem(task, reload, who = null) {
  const mayChange = can('tasks', 'update');
  const done = () => Boolean(task.done_at);
  const overdue = !done() && task.due_at && new Date(task.due_at) < new Date();
  const label = () => t(done() ? 'tasks.reopen' : 'tasks.complete', { title: task.title });
  const button = h('button', { type: 'button', class: 'complete', 'aria-pressed': done() ? 'true' : 'false',
    'aria-label': label(), title: label(), disabled: !mayChange });
  const row = h('li', { class: done() ? 'task-done' : null, 'data-task': task.id }, button,
    h('div', { class: 'grow' }, h('div', { class: 'title' }, task.title),
      task.description ? h('p', { class: 'task-words', 'data-test': 'task-words' }, task.description) : null,
      // A showing's address: an agent in her car taps it to open the phone's map.
      task.location ? h('p', { class: 'task-place', 'data-test': 'task-place' }, placeLink(task.location)) : null,
      h('div', { class: 'meta' }, task.kind ? h('span', { class: 'badge' }, t(`tasks.kind.${task.kind}`)) : null, ' ',
        task.due_at ? h('time', { datetime: task.due_at, class: overdue ? 'overdue' : null,
          title: formatRelative(task.due_at) }, dueText(task)) : t('tasks.noDue'), ' ',
        relatedLink(task.related), who ? ' ' : null,
        who ? h('span', { class: 'task-who', 'data-test': 'task-who' }, who) : null)),
    mayChange ? h('button', { type: 'button', class: 'secondary small task-edit',
      'aria-label': t('tasks.editOne', { title: task.title }), onClick: () => editTask(task, reload) }, t('tasks.edit')) : null);
  const mark = (isDone) => {
    row.classList.toggle('task-done', isDone);
    button.setAttribute('aria-pressed', isDone ? 'true' : 'false');
  };
  button.addEventListener('click', () => {
    const reopening = done();
    optimistic({
      apply: () => mark(!reopening),
      undo: () => mark(reopening),
      request: async () => {
        const verb = reopening ? 'reopen' : 'complete';
        Object.assign(task, await post(`/api/v1/tasks/${encodeURIComponent(task.id)}/${verb}`, { version: task.version }));
        button.setAttribute('aria-label', label());
        button.title = label();
        toast(t(reopening ? 'tasks.reopened' : 'tasks.done'));
      },
      reload,
    });
  });
  return row;
}

function inDays(days, hour) {
  const zone = companyZone();
  const [date] = zonedInput(new Date(), zone).split('T');
  const moment = new Date(`${date}T12:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() + days);
  return `${moment.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;
}

/** Change a task in a dialog: what, kind, when (with "tomorrow" and "next week" at hand), or delete it. */
function editTask(task, reload) {
  const zone = companyZone();
  const due = field({ name: 'due_at', label: t('tasks.due'), type: 'datetime-local',
    value: task.due_at ? zonedInput(task.due_at, zone) : '', hint: zoneHint() });
  const dueInput = due.querySelector('input');
  const shortcut = (key, days) => h('button', { type: 'button', class: 'secondary small', onClick: () => {
    dueInput.value = inDays(days, 10);
  } }, t(key));
  const assignee = assigneeField({ action: 'update', current: task.assignee_id });
  if (assignee) assignee.load();
  const dialog = h('dialog', { class: 'dialog task-dialog', 'aria-label': t('tasks.editTitle') });
  const close = () => dialog.close();
  const body = form({ submit: t('common.save'), label: t('tasks.editTitle'), onSubmit: async (values) => {
    const change = { version: task.version, title: values.title, kind: values.kind,
      description: values.description || null, location: values.location || null };
    if (values.due_at) change.due_at = fromZonedInput(values.due_at, zone);
    else if (task.due_at) change.due_at = null;
    const given = assignee && values.assignee_id && values.assignee_id !== task.assignee_id
      ? assignee.querySelector('select').selectedOptions[0]?.textContent : null;
    if (given) change.assignee_id = values.assignee_id;
    try {
      await patch(`/api/v1/tasks/${encodeURIComponent(task.id)}`, change);
      toast(given ? t('tasks.given', { name: given }) : t('common.saved'));
    } catch (error) {
      if (error.status !== 409) throw error;
      toastError(error);
    }
    close();
    await reload();
  }, children: [
    field({ name: 'title', label: t('tasks.title'), value: task.title, required: true, maxlength: '200' }),
    field({ name: 'kind', label: t('tasks.kindLabel'), value: task.kind, options: KINDS.map((k) => [k, t(`tasks.kind.${k}`)]) }),
    due, h('div', { class: 'row-actions' }, shortcut('tasks.tomorrow', 1), shortcut('tasks.nextWeek', 7)),
    field({ name: 'description', label: t('tasks.description'), type: 'textarea', value: task.description || '',
      maxlength: '10000' }),
    field({ name: 'location', label: t('tasks.location'), value: task.location || '', maxlength: '300',
      autocomplete: 'street-address', hint: t('tasks.locationHint') }),
    assignee,
  ] });
  body.querySelector('.form-actions').append(h('button', { type: 'button', class: 'secondary', onClick: close },
    t('common.cancel')));
  dialog.append(h('h2', {}, t('tasks.editTitle')), body);
  openModal(dialog, () => {});
}

function defaultDue() {
  const zone = companyZone();
  return zonedInput(new Date(Math.ceil((Date.now() + 1) / 3_600_000) * 3_600_000), zone);
}

// Whom a task may be given to: the caller's colleagues when their role creates (or, changing a task, updates) tasks
// beyond their own (all, or their team's), active ones only (the API refuses an invited or disabled user); an agent's
// tasks are their own. The colleagues are read once the form is first used (a card that only shows the form keeps its
// two requests). A task being changed lists its assignee first, a deactivated one marked: a leaver's task is handed
// to a colleague here.
function assigneeField({ action = 'create', current = null } = {}) {
  const scopes = ['all', 'team'].filter((scope) => session.permissions.includes(`tasks:${action}:${scope}`));
  if (!scopes.length || !can('users', 'read')) return null;
  const me = session.user;
  const first = current || me.id;
  const box = field({ name: 'assignee_id', label: t('tasks.assignee'), value: first,
    options: [[first, first === me.id ? me.name : t('owner.someone')]] });
  const select = box.querySelector('select');
  let loading = null;
  box.load = () => {
    loading = loading || companyUsers().then((users) => {
      const holder = users.find((user) => user.id === first);
      if (holder) select.options[0].textContent = personName(holder);
      const others = users.filter((user) => user.id !== first && user.status === 'active'
        && reads(user, 'tasks') // a role that reads no tasks is not handed one (cannot_read_tasks)
        && (scopes.includes('all') || (me.team_id && user.team_id === me.team_id)));
      select.append(...others.map((user) => h('option', { value: user.id }, user.name)));
    }).catch(() => { loading = null; /* the task is the caller's, as without the box; the next use tries again */ });
    return loading;
  };
  select.addEventListener('pointerdown', () => box.load());
  return box;
}

/** The add-a-task form; related is {type, id} when the task belongs to a record. */
export function taskForm(onCreated, related = null) {
  const assignee = assigneeField();
  const el = form({ submit: t('tasks.add'), label: t('tasks.addTitle'), onSubmit: async (values, formEl) => {
    const body = { title: values.title, kind: values.kind, due_at: fromZonedInput(values.due_at, companyZone()) };
    if (values.location) body.location = values.location;
    if (related) body.related = related;
    if (values.assignee_id && values.assignee_id !== session.user.id) body.assignee_id = values.assignee_id;
    const task = await post('/api/v1/tasks', body);
    const given = body.assignee_id ? assignee.querySelector('select').selectedOptions[0]?.textContent : null;
    formEl.reset();
    toast(given ? t('tasks.given', { name: given }) : t('common.saved'));
    onCreated(task);
  }, children: h('div', { class: 'form-grid' },
    field({ name: 'title', label: t('tasks.title'), required: true }),
    field({ name: 'kind', label: t('tasks.kindLabel'), value: 'todo', options: KINDS.map((k) => [k, t(`tasks.kind.${k}`)]) }),
    field({ name: 'due_at', label: t('tasks.due'), type: 'datetime-local', value: defaultDue(), hint: zoneHint() }),
    field({ name: 'location', label: t('tasks.location'), maxlength: '300', autocomplete: 'street-address',
      hint: t('tasks.locationHint') }),
    assignee) });
  if (assignee) el.addEventListener('focusin', () => assignee.load());
  return el;
}

function personName(user) {
  return user.status === 'deactivated' ? t('owner.inactive', { name: user.name }) : user.name;
}

/**
 * Whose tasks the list shows, for a role that reads colleagues' tasks (all, or the team's): one's own, or a
 * colleague's, a deactivated one's included (marked), so a leaver's open tasks are found and handed over (Change).
 * The people are read when it is opened (or when a colleague is chosen), so the list keeps its one request.
 */
function whoseFilter(view, assignee, navigate) {
  const scopes = ['all', 'team'].filter((scope) => session.permissions.includes(`tasks:read:${scope}`));
  if (!scopes.length || !can('users', 'read')) return null;
  const me = session.user;
  const body = h('div', {});
  const details = h('details', { class: 'owner-filter', open: Boolean(assignee) }, h('summary', {}, t('tasks.whose')), body);
  const draw = async () => {
    // Colleagues whose role reads tasks (one that reads none holds none: cannot_read_tasks); the one in the address stays.
    const people = (await companyUsers()).filter((u) => u.id !== me.id && u.status !== 'invited'
      && (u.id === assignee || (reads(u, 'tasks') && (scopes.includes('all') || (me.team_id && u.team_id === me.team_id)))));
    mount(body, h('div', { class: 'field' }, h('label', { for: 'whose-pick' }, t('tasks.whose')),
      h('select', { id: 'whose-pick', name: 'assignee', onChange: (event) => navigate(`/tasks${query({ view,
        assignee: event.target.value })}`) },
      [['', t('tasks.mine')], ['everyone', t('tasks.everyone')], ...people.map((u) => [u.id, personName(u)])].map(([value, text]) =>
        h('option', { value, selected: value === (assignee || '') }, text)))));
  };
  const open = () => { if (details.open && !details.dataset.loaded) { details.dataset.loaded = '1'; draw().catch(toastError); } };
  details.addEventListener('toggle', open);
  if (assignee) open();
  return details;
}

/** The tab a task is on, on the company's clock: overdue while open and past, else today or upcoming by its day. */
function viewOf(task) {
  if (!task.due_at) return 'today';
  const due = new Date(task.due_at);
  if (!task.done_at && due < new Date()) return 'overdue';
  const zone = companyZone();
  return zonedInput(due, zone).slice(0, 10) > zonedInput(new Date(), zone).slice(0, 10) ? 'upcoming' : 'today';
}

/** #/tasks?view=today|overdue|upcoming (&assignee=: a colleague's, or everyone's, each task naming whose it is);
 * &task=<id> (a notification's link) opens the tab the task is on, scrolled to it: a visit booked for tomorrow was
 * looked for among today's. */
export async function tasks(root, { query: params, alive, navigate }) {
  const focus = params.get('task');
  const found = focus && !params.get('view') ? await get(`/api/v1/tasks/${encodeURIComponent(focus)}`).catch(() => null) : null;
  if (!alive()) return;
  const view = VIEWS.includes(params.get('view')) ? params.get('view') : (found ? viewOf(found) : 'today');
  const assignee = params.get('assignee') || '';
  const everyone = assignee === 'everyone';
  const whose = everyone ? { everyone: 'true' } : { assignee_id: assignee };
  const reload = () => tasks(root, { query: params, alive, navigate });
  if (view === 'week') { await weekScreen(root, { params, alive, navigate, assignee, everyone, whose, reload }); return; }
  const [page, users] = await Promise.all([get(`/api/v1/tasks${query({ view, ...whose })}`),
    everyone ? companyUsers() : []]);
  if (!alive()) return;
  const who = (task) => (everyone ? personName(users.find((u) => u.id === task.assignee_id) || { name: '' }) : null);
  const item = (task) => taskItem(task, reload, who(task));
  const list = h('ul', { class: 'list' }, page.items.map(item));
  const more = async (cursor) => {
    const next = await get(`/api/v1/tasks${query({ view, ...whose, cursor })}`);
    list.append(...next.items.map(item));
    const again = pager(next.next_cursor, more);
    if (again) list.after(again);
  };
  const create = can('tasks', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('tasks.addTitle')),
    taskForm((task) => {
      if (!everyone && task.assignee_id !== (assignee || session.user.id)) return; // given to someone else: on their list
      if (page.items.length) list.prepend(item(task)); else reload();
    })) : null;
  mount(root, heading(t('nav.tasks'), newButton(create, t('picker.newTask'))), viewTabs(view, assignee),
    whoseFilter(view, assignee, navigate),
    page.items.length ? list : empty(t(`tasks.empty.${view}`)), pager(page.next_cursor, more), create);
  if (focus) list.querySelector(`[data-task="${CSS.escape(focus)}"]`)?.scrollIntoView({ block: 'center' });
}

/** #/tasks?view=week&start=: the week's seven days (one request), whose as the lists choose, with the calendar feed. */
async function weekScreen(root, { params, alive, navigate, assignee, everyone, whose, reload }) {
  const zone = companyZone();
  const start = weekOf(params.get('start'), zone);
  const [week, users] = await Promise.all([readWeek(start, whose), everyone ? companyUsers() : []]);
  if (!alive()) return;
  const who = (task) => (everyone ? personName(users.find((u) => u.id === task.assignee_id) || { name: '' }) : null);
  const go = (day) => navigate(`/tasks${query({ view: 'week', start: day || undefined, assignee: assignee || undefined })}`);
  const byId = new Map(week.items.map((task) => [task.id, task]));
  const open = async (task) => { // the week's copy lacks nothing, but a colleague may have changed it since
    const fresh = await get(`/api/v1/tasks/${encodeURIComponent(task.id)}`).catch(() => byId.get(task.id));
    editTask(fresh, reload);
  };
  const subscribe = h('button', { type: 'button', class: 'secondary', 'data-test': 'feed-open',
    onClick: () => feedDialog() }, t('tasks.feed.open'));
  const create = can('tasks', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('tasks.addTitle')),
    taskForm(() => reload())) : null;
  mount(root, heading(t('nav.tasks'), newButton(create, t('picker.newTask')), subscribe), viewTabs('week', assignee),
    whoseFilter('week', assignee, navigate), weekNav(start, go),
    week.truncated ? h('p', { class: 'notice' }, t('tasks.week.truncated')) : null,
    weekGrid({ start, week, zone, who, open, moved: reload }), zoneHint() ? h('p', { class: 'hint' }, zoneHint()) : null,
    create);
  // a phone shows the first tabs: the week's, the last, is brought into view in its strip
  root.querySelector('.tabs [aria-current=page]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}
