// My tasks: today, overdue, upcoming; complete in one click; add a task.
import { get, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime, formatRelative } from '../js/format.js';
import { can } from '../js/session.js';
import { empty, field, form, heading, optimistic, pager, toast } from '../js/ui.js';

const VIEWS = ['today', 'overdue', 'upcoming'];
const KINDS = ['todo', 'call', 'meeting', 'email'];
const RELATED_PATHS = { contact: 'contacts', company: 'companies', deal: 'deals' };

function viewTabs(current) {
  return h('nav', { 'aria-label': t('tasks.views') }, h('ul', { class: 'tabs' }, VIEWS.map((view) =>
    h('li', {}, h('a', { href: `#/tasks?view=${view}`, 'aria-current': view === current ? 'page' : null },
      t(`tasks.view.${view}`))))));
}

function relatedLink(related) {
  if (!related || !RELATED_PATHS[related.type]) return null;
  return h('a', { href: `#/${RELATED_PATHS[related.type]}/${encodeURIComponent(related.id)}` },
    t(`tasks.related.${related.type}`));
}

/** One task row with its one-click complete button (optimistic; a 409 reloads). */
export function taskItem(task, reload) {
  const overdue = !task.done_at && task.due_at && new Date(task.due_at) < new Date();
  const button = h('button', { type: 'button', class: 'complete', 'aria-pressed': task.done_at ? 'true' : 'false',
    'aria-label': t('tasks.complete', { title: task.title }), disabled: Boolean(task.done_at) || !can('tasks', 'update') });
  const row = h('li', { class: task.done_at ? 'task-done' : null, 'data-task': task.id }, button,
    h('div', { class: 'grow' }, h('div', { class: 'title' }, task.title),
      h('div', { class: 'meta' }, task.kind ? h('span', { class: 'badge' }, t(`tasks.kind.${task.kind}`)) : null, ' ',
        task.due_at ? h('time', { datetime: task.due_at, class: overdue ? 'overdue' : null,
          title: formatRelative(task.due_at) }, formatDateTime(task.due_at)) : t('tasks.noDue'), ' ',
        relatedLink(task.related))));
  button.addEventListener('click', () => optimistic({
    apply: () => { row.classList.add('task-done'); button.disabled = true; button.setAttribute('aria-pressed', 'true'); },
    undo: () => { row.classList.remove('task-done'); button.disabled = false; button.setAttribute('aria-pressed', 'false'); },
    request: async () => { Object.assign(task, await post(`/api/v1/tasks/${encodeURIComponent(task.id)}/complete`,
      { version: task.version })); toast(t('tasks.done')); },
    reload,
  }));
  return row;
}

function localToIso(value) {
  return value ? new Date(value).toISOString() : null;
}

function defaultDue() {
  const due = new Date(Date.now() + 3600 * 1000);
  due.setMinutes(0, 0, 0);
  const pad = (n) => String(n).padStart(2, '0');
  return `${due.getFullYear()}-${pad(due.getMonth() + 1)}-${pad(due.getDate())}T${pad(due.getHours())}:00`;
}

/** The add-a-task form; related is {type, id} when the task belongs to a record. */
export function taskForm(onCreated, related = null) {
  return form({ submit: t('tasks.add'), label: t('tasks.addTitle'), onSubmit: async (values, formEl) => {
    const body = { title: values.title, kind: values.kind, due_at: localToIso(values.due_at) };
    if (related) body.related = related;
    const task = await post('/api/v1/tasks', body);
    formEl.reset();
    toast(t('common.saved'));
    onCreated(task);
  }, children: h('div', { class: 'form-grid' },
    field({ name: 'title', label: t('tasks.title'), required: true }),
    field({ name: 'kind', label: t('tasks.kindLabel'), value: 'todo', options: KINDS.map((k) => [k, t(`tasks.kind.${k}`)]) }),
    field({ name: 'due_at', label: t('tasks.due'), type: 'datetime-local', value: defaultDue() })) });
}

/** #/tasks?view=today|overdue|upcoming. */
export async function tasks(root, { query: params, alive }) {
  const view = VIEWS.includes(params.get('view')) ? params.get('view') : 'today';
  const reload = () => tasks(root, { query: params, alive });
  const page = await get(`/api/v1/tasks${query({ view })}`);
  if (!alive()) return;
  const list = h('ul', { class: 'list' }, page.items.map((task) => taskItem(task, reload)));
  const more = async (cursor) => {
    const next = await get(`/api/v1/tasks${query({ view, cursor })}`);
    list.append(...next.items.map((task) => taskItem(task, reload)));
    const again = pager(next.next_cursor, more);
    if (again) list.after(again);
  };
  mount(root, heading(t('nav.tasks')), viewTabs(view),
    page.items.length ? list : empty(t(`tasks.empty.${view}`)), pager(page.next_cursor, more),
    can('tasks', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('tasks.addTitle')),
      taskForm((task) => { if (page.items.length) list.prepend(taskItem(task, reload)); else reload(); })) : null);
}
