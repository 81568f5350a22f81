// The week of tasks (#/tasks?view=week&start=YYYY-MM-DD): seven of the company's days side by side on a PC, one under
// another on a phone, each task at its due time; a task dragged to another day keeps its time of day, and opens to be
// changed like any other. Beside it, the address that shows one's tasks in Google, Apple or Outlook calendars.
import { del, get, patch, post, query } from '../js/api.js';
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDate, fromZonedInput, intlLocale, zonedInput } from '../js/format.js';
import { can, session, update } from '../js/session.js';
import { dragSource, dropTarget, openModal, toast, toastError } from '../js/ui.js';

const DAY_MS = 86_400_000;

/** A calendar date ("2026-12-07") moved by days. */
export function addDays(day, days) {
  return new Date(Date.parse(`${day}T12:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The first day of the week holding day: Monday, or Sunday where the company's country counts from it. */
export function weekStart(day) {
  let first = 1;
  try {
    const place = new Intl.Locale(`und-${session.tenant?.country || 'GB'}`);
    first = (place.getWeekInfo?.() || place.weekInfo)?.firstDay ?? 1;
  } catch { /* a browser without week data: Monday, as ISO 8601 */ }
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay() || 7; // 1..7, Monday first
  return addDays(day, -((weekday - first + 7) % 7));
}

function dayTitle(day) {
  return new Intl.DateTimeFormat(intlLocale(), { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' })
    .format(new Date(`${day}T12:00:00Z`));
}

function timeOf(iso, zone) {
  return zonedInput(iso, zone).slice(11, 16);
}

/**
 * The week's grid. week: the API's answer; zone: the company's; who(task): whose it is, when everyone's are shown;
 * open(task): change it; moved(): read the week again. A task that may be changed is dragged to another day.
 */
export function weekGrid({ start, week, zone, who, open, moved }) {
  const today = zonedInput(new Date(), zone).slice(0, 10);
  const mayMove = can('tasks', 'update');
  const byDay = new Map(Array.from({ length: 7 }, (_, index) => [addDays(start, index), []]));
  for (const task of week.items) byDay.get(zonedInput(task.due_at, zone).slice(0, 10))?.push(task);
  const move = async (task, day) => {
    const wall = zonedInput(task.due_at, zone);
    if (wall.slice(0, 10) === day) return;
    try {
      await patch(`/api/v1/tasks/${encodeURIComponent(task.id)}`, { version: task.version,
        due_at: fromZonedInput(`${day}T${wall.slice(11, 16)}`, zone) });
      toast(t('tasks.week.moved', { title: task.title, day: dayTitle(day) }));
    } catch (error) { toastError(error); }
    await moved();
  };
  return h('div', { class: 'week', 'data-test': 'week' }, [...byDay.entries()].map(([day, tasks]) => {
    const heading = h('h2', { id: `day-${day}` }, dayTitle(day));
    const list = h('ul', { class: 'week-tasks' }, tasks.map((task) => {
      const done = task.status === 'done';
      const late = !done && new Date(task.due_at) < new Date();
      const item = h('li', { class: ['week-task', done ? 'task-done' : null, late ? 'overdue' : null].filter(Boolean).join(' '),
        draggable: mayMove, 'data-task': task.id },
      h('button', { type: 'button', class: 'link week-open', onClick: () => open(task),
        'aria-label': t('tasks.week.open', { title: task.title, time: timeOf(task.due_at, zone) }) },
      h('time', { datetime: task.due_at }, timeOf(task.due_at, zone)), ' ', h('span', { class: 'title' }, task.title)),
      task.related?.name ? h('span', { class: 'meta' }, task.related.name) : null,
      who(task) ? h('span', { class: 'meta task-who' }, who(task)) : null);
      return dragSource(item, task.id);
    }));
    const section = h('section', { class: day === today ? 'week-day today' : 'week-day', 'data-day': day,
      'aria-labelledby': `day-${day}` }, heading, tasks.length ? list : h('p', { class: 'hint' }, t('tasks.week.free')));
    return dropTarget(section, (id) => {
      const task = week.items.find((each) => each.id === id);
      if (task && mayMove) move(task, day);
    });
  }));
}

/** Previous and next week, this week, and the week's dates. */
export function weekNav(start, go) {
  const last = addDays(start, 6);
  return h('div', { class: 'week-nav' },
    h('button', { type: 'button', class: 'secondary small', onClick: () => go(addDays(start, -7)) }, t('tasks.week.previous')),
    h('button', { type: 'button', class: 'secondary small', onClick: () => go(null) }, t('tasks.week.this')),
    h('button', { type: 'button', class: 'secondary small', onClick: () => go(addDays(start, 7)) }, t('tasks.week.next')),
    h('p', { class: 'week-range', 'aria-live': 'polite' }, `${formatDate(start)} – ${formatDate(last)}`));
}

/** The week's tasks: one request for seven days, one user's or everyone's. */
export function readWeek(start, whose) {
  return get(`/api/v1/tasks/days${query({ start, days: 7, ...whose })}`);
}

// -- the calendar feed -----------------------------------------------------------------------------------------------

function copyBox(url) {
  const box = h('input', { type: 'text', readonly: true, value: url, id: 'feed-url', 'data-test': 'feed-url',
    onFocus: (event) => event.target.select() });
  const copy = h('button', { type: 'button', class: 'secondary', onClick: async () => {
    try { await navigator.clipboard.writeText(url); toast(t('common.copied')); } catch { box.select(); }
  } }, t('common.copy'));
  const webcal = url.replace(/^https?:/, 'webcal:');
  return h('div', { class: 'feed-made', 'data-test': 'feed-made' },
    h('label', { for: 'feed-url' }, t('tasks.feed.address')), h('div', { class: 'row-actions' }, box, copy),
    h('p', { class: 'hint' }, t('tasks.feed.once')),
    h('ul', { class: 'feed-links' },
      h('li', {}, h('a', { href: `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcal)}`, target: '_blank',
        rel: 'noopener noreferrer' }, t('tasks.feed.google'))),
      h('li', {}, h('a', { href: webcal }, t('tasks.feed.apple')))));
}

/** The dialog of one's calendar feed: what it shows and to whom, the company's consent, the address once made. */
export async function feedDialog() {
  const dialog = h('dialog', { class: 'dialog feed-dialog', 'aria-label': t('tasks.feed.title') });
  const body = h('div', {});
  const close = h('button', { type: 'button', class: 'secondary', onClick: () => dialog.close() }, t('tasks.feed.close'));
  const draw = async (made = null) => {
    const feed = made || await get('/api/v1/tasks/calendar-feed');
    const parts = [h('p', {}, t('tasks.feed.what')), h('p', { class: 'notice' }, t('tasks.feed.who'))];
    if (!feed.allowed) {
      parts.push(h('p', { 'data-test': 'feed-off' }, t('tasks.feed.off')));
      if (can('settings', 'update')) {
        parts.push(h('button', { type: 'button', class: 'primary', onClick: async () => {
          try {
            const tenant = await get('/api/v1/tenant');
            update({ tenant: await patch('/api/v1/tenant', { version: tenant.version, calendar_feeds: true }) });
            await draw({ ...feed, allowed: true }); // as saved: a colleague's Lambda may remember the company a moment
          } catch (error) { toastError(error); }
        } }, t('tasks.feed.allow')));
      }
    } else {
      if (feed.url) parts.push(copyBox(feed.url));
      else if (feed.made_at) parts.push(h('p', { 'data-test': 'feed-since' }, t('tasks.feed.since', { date: formatDate(feed.made_at) })));
      parts.push(h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: feed.made_at ? 'secondary' : 'primary', onClick: async () => {
          try { await draw(await post('/api/v1/tasks/calendar-feed', {})); } catch (error) { toastError(error); }
        } }, t(feed.made_at ? 'tasks.feed.remake' : 'tasks.feed.make')),
        feed.made_at ? h('button', { type: 'button', class: 'danger', onClick: async () => {
          try { await del('/api/v1/tasks/calendar-feed'); toast(t('tasks.feed.ended')); await draw(); } catch (error) { toastError(error); }
        } }, t('tasks.feed.end')) : null));
    }
    body.replaceChildren(...parts);
  };
  dialog.append(h('h2', {}, t('tasks.feed.title')), body, h('div', { class: 'dialog-actions' }, close));
  openModal(dialog, () => {});
  try { await draw(); } catch (error) { toastError(error); }
  return dialog;
}

/** A calendar date the week is asked for: the address's, or today on the company's clock. */
export function weekOf(asked, zone) {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(asked || '') ? asked : zonedInput(new Date(), zone).slice(0, 10);
  return weekStart(day);
}
