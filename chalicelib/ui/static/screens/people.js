// Users and invitations, roles, teams.
import { del, get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime, formatNumber } from '../js/format.js';
import { can, session } from '../js/session.js';
import { confirmAction, empty, field, form, heading, keyFollowsName, optimistic, pager, toast, toastError } from '../js/ui.js';
import { fieldRulesGrid, isFieldRule } from './field-rules.js';
import { permissionChecklist } from './permissions.js';
import { roleName } from './settings.js';
import { settingsTabs } from './settings-nav.js';
import { forgetUsers } from '../js/users.js';

const STATUS_BADGE = { active: 'badge-ok', invited: 'badge-warn', deactivated: 'badge-off' };

function statusBadge(status) {
  return h('span', { class: `badge ${STATUS_BADGE[status] || ''}` }, t(`users.status.${status}`));
}

function roleOptions(roles) {
  return roles.map((role) => [role.key, role.builtin ? roleName(role.key) : role.name]);
}

function teamOptions(teams) {
  return [['', t('users.noTeam')], ...teams.map((team) => [team.id, team.name])];
}

function userActions(user, refresh) {
  const act = (label, path, done) => h('button', { type: 'button', class: 'secondary small', onClick: async (event) => {
    event.target.disabled = true;
    try { const answer = await post(path); forgetUsers(); toast(done); if (answer && answer.id) refresh(answer); } catch (error) {
      toastError(error);
    } finally { event.target.disabled = false; }
  } }, label);
  const base = `/api/v1/users/${encodeURIComponent(user.id)}`;
  if (user.id === session.user.id || user.role === 'owner' || !can('users', 'update')) return null;
  if (user.status === 'invited') return act(t('users.resend'), `${base}/resend-invitation`, t('users.resent'));
  if (user.status === 'deactivated') return act(t('users.reactivate'), `${base}/reactivate`, t('users.reactivated'));
  return h('button', { type: 'button', class: 'secondary small', onClick: async () => {
    if (!(await confirmAction(t('users.deactivateConfirm', { name: user.name }), t('users.deactivate')))) return;
    try { refresh(await post(`${base}/deactivate`)); forgetUsers(); toast(t('users.deactivated')); } catch (error) { toastError(error); }
  } }, t('users.deactivate'));
}

/** While a user's records follow them to their new team (a background walk), the users screen says so. */
function movingNote(user, teams) {
  if (!user.records_moving) return null;
  const team = teams.find((candidate) => candidate.id === user.team_id);
  return h('div', { class: 'meta', role: 'status', 'data-test': 'records-moving' },
    team ? t('users.recordsMoving', { team: team.name }) : t('users.recordsLeaving'));
}

function editableSelect(user, key, options, label, reload, saved = null) {
  const select = h('select', { 'aria-label': `${user.name}: ${label}` },
    options.map(([value, text]) => h('option', { value, selected: String(user[key] ?? '') === value }, text)));
  // Only an owner changes another owner (the API's rule), so an ownership given by a slip can be taken back.
  const editable = can('users', 'update') && user.id !== session.user.id
    && (user.role !== 'owner' || session.user.role === 'owner');
  select.disabled = !editable;
  select.addEventListener('change', async () => {
    const before = user[key];
    const value = select.value === '' ? null : select.value;
    // One tap on "Owner" beside "Administrator" gave a dispatcher billing and the company's deletion: asked first.
    if (key === 'role' && value === 'owner' && !(await confirmAction(t('users.ownerConfirm', { name: user.name }),
      t('users.ownerConfirmButton')))) {
      select.value = before ?? '';
      return;
    }
    optimistic({
      apply: () => { user[key] = value; },
      undo: () => { user[key] = before; select.value = before ?? ''; },
      request: async () => {
        const fresh = Object.assign(user, await patch(`/api/v1/users/${encodeURIComponent(user.id)}`,
          { version: user.version, [key]: value }));
        forgetUsers(); // the pickers read the new name, role or team
        if (saved) saved();
        return fresh;
      },
      reload,
    });
  });
  return select;
}

function userRow(user, roles, teams, reload) {
  const row = h('tr', {});
  const moving = h('div', {});
  const showMoving = () => mount(moving, movingNote(user, teams));
  const draw = (fresh) => {
    Object.assign(user, fresh || {});
    showMoving();
    mount(row,
      // data-label names each cell where a phone shows the rows as cards (the header is hidden there).
      h('td', { class: 'user-who' }, h('div', { class: 'title' }, user.name), h('div', { class: 'meta' }, user.email)),
      h('td', { 'data-label': t('users.role') }, editableSelect(user, 'role', roleOptions(roles), t('users.role'), reload)),
      h('td', { 'data-label': t('users.team') },
        editableSelect(user, 'team_id', teamOptions(teams), t('users.team'), reload, showMoving), moving),
      h('td', { 'data-label': t('users.status') }, statusBadge(user.status)),
      h('td', { class: 'small', 'data-label': t('users.lastLogin') },
        user.last_login_at ? formatDateTime(user.last_login_at) : t('users.never')),
      h('td', { class: 'user-actions' }, h('div', { class: 'row-actions' }, userActions(user, draw))));
  };
  draw();
  return row;
}

function inviteForm(roles, teams, onInvited) {
  // A manager invited in no team saw no one's deals, calls or numbers but their own, and nothing said why.
  const team = field({ name: 'team_id', label: t('users.team'), value: '', options: teamOptions(teams),
    hint: t('users.teamScopeHint') });
  const el = form({ submit: t('users.invite'), label: t('users.inviteTitle'), onSubmit: async (values, formEl) => {
    const user = await post('/api/v1/users', { email: values.email, name: values.name, role: values.role,
      team_id: values.team_id || null, locale: values.locale || null });
    forgetUsers();
    formEl.reset();
    toast(t('users.invited', { email: user.email }));
    onInvited(user);
  }, children: h('div', { class: 'form-grid' },
    field({ name: 'email', label: t('auth.email'), type: 'email', required: true }),
    field({ name: 'name', label: t('users.name'), required: true }),
    field({ name: 'role', label: t('users.role'), value: 'agent',
      options: roleOptions(roles.filter((role) => role.key !== 'owner')) }),
    team,
    // The invitation's language and the app's for them: an English-speaking assistant of a Russian shop reads hers.
    field({ name: 'locale', label: t('users.language'), value: '', options: [['', t('users.companyLanguage')],
      ['en', 'English'], ['ru', 'Русский']] })) });
  const hint = team.querySelector('.hint');
  const sync = () => {
    const role = roles.find((r) => r.key === el.elements.role.value);
    hint.hidden = el.elements.team_id.value !== '' || !(role?.permissions || []).some((p) => p.endsWith(':team'));
  };
  el.addEventListener('change', sync);
  el.addEventListener('reset', () => setTimeout(sync));
  sync();
  return el;
}

/** What an invitation costs, for whoever sees billing: the plan's users taken, and on a subscription that each new
 * user (an invitation included) adds a paid seat; at the plan's limit, where to raise it. */
function seatsHint(billing) {
  const users = billing?.usage?.users;
  if (!users) return null;
  const hint = (...children) => h('p', { class: 'hint', 'data-test': 'invite-seats' }, ...children);
  if (users.limit !== null && users.used >= users.limit) {
    return hint(t('users.seats.full', { limit: formatNumber(users.limit) }), ' ',
      h('a', { href: '#/settings/billing' }, t('users.seats.upgrade')));
  }
  const taken = users.limit === null ? '' : t('users.seats.taken', { used: formatNumber(users.used), limit: formatNumber(users.limit) });
  const paid = billing.seats && billing.subscription_id ? t('users.seats.paid', { seats: formatNumber(billing.seats) }) : '';
  return taken || paid ? hint([taken, paid].filter(Boolean).join(' ')) : null;
}

/** #/settings/users: the company's users and invitations. */
export async function users(root, { alive }) {
  const reload = () => users(root, { alive });
  // Those who may not read roles still see users' roles, by name for the built-in ones.
  const builtinRoles = { items: ['owner', 'admin', 'manager', 'agent', 'read_only'].map((key) => ({ key, builtin: true })) };
  const [page, roleList, teamList, billing] = await Promise.all([get('/api/v1/users'),
    can('roles', 'read') ? get('/api/v1/roles') : builtinRoles, get('/api/v1/teams'),
    can('users', 'create') && can('billing', 'read') ? get('/api/v1/billing').catch(() => null) : null]);
  if (!alive()) return;
  const roles = roleList.items;
  for (const user of page.items) if (!roles.some((role) => role.key === user.role)) roles.push({ key: user.role, name: user.role });
  const teams = teamList.items;
  const body = h('tbody', {}, page.items.map((user) => userRow(user, roles, teams, reload)));
  const more = (cursor) => get(`/api/v1/users${query({ cursor })}`).then((next) => {
    body.append(...next.items.map((user) => userRow(user, roles, teams, reload)));
    const again = pager(next.next_cursor, more);
    if (again) table.after(again);
  });
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'user-table' },
    h('caption', { class: 'visually-hidden' }, t('settings.tab.users')),
    h('thead', {}, h('tr', {}, ['users.name', 'users.role', 'users.team', 'users.status', 'users.lastLogin', 'common.actions']
      .map((key) => h('th', { scope: 'col' }, t(key))))), body));
  let shown = page.items.length;
  const counted = h('p', { class: 'muted', 'data-test': 'users-count' }, t('users.count', { n: shown, count: formatNumber(shown) }));
  const invited = (user) => { // the newcomer on top, and counted (the count said "2 users" above three)
    body.prepend(userRow(user, roles, teams, reload));
    shown += 1;
    counted.textContent = t('users.count', { n: shown, count: formatNumber(shown) });
  };
  mount(root, heading(t('settings.title')), settingsTabs('users'), counted, table, pager(page.next_cursor, more),
    can('users', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('users.inviteTitle')), seatsHint(billing),
      inviteForm(roles, teams, invited)) : null);
}

function roleItem(role, onDelete, onEdit) {
  const edit = !role.builtin && can('roles', 'update') ? h('button', { type: 'button', class: 'secondary small',
    'aria-label': t('roles.editTitle', { name: role.name }), onClick: () => onEdit(role) }, t('roles.edit')) : null;
  const remove = !role.builtin && can('roles', 'delete') ? h('button', { type: 'button', class: 'secondary small',
    onClick: async () => {
      if (!(await confirmAction(t('roles.deleteConfirm', { name: role.name }), t('common.delete')))) return;
      try { await del(`/api/v1/roles/${encodeURIComponent(role.key)}`); forgetUsers(); onDelete(); toast(t('common.deleted')); } catch (error) {
        toastError(error);
      }
    } }, t('common.delete')) : null;
  const count = role.permissions.filter((permission) => !isFieldRule(permission)).length;
  return h('li', {}, h('div', { class: 'grow' },
    h('div', { class: 'title' }, role.builtin ? roleName(role.key) : role.name, ' ',
      h('span', { class: 'badge' }, role.builtin ? t('roles.builtin') : t('roles.custom'))),
    h('div', { class: 'meta' }, t('roles.permissionCount', { n: count, count: formatNumber(count) }))), edit, remove);
}

/** A custom role's permissions and field rules, changed in place (with its version). */
function editRole(role, catalog, again) {
  const checklist = permissionChecklist(role.permissions);
  const grid = fieldRulesGrid(catalog, role.permissions);
  const title = t('roles.editTitle', { name: role.name });
  return h('section', { class: 'panel' }, h('h2', {}, title),
    form({ submit: t('common.save'), label: title, onSubmit: async (values) => {
      await patch(`/api/v1/roles/${encodeURIComponent(role.key)}`, { version: role.version, name: values.name,
        permissions: [...checklist.permissions(), ...grid.rules()] });
      forgetUsers(); // what the role reads decides whom the pickers offer
      toast(t('common.saved'));
      await again();
    }, children: [field({ name: 'name', label: t('roles.name'), value: role.name, required: true }), checklist, grid] }));
}

/** A new role's name and key fields, the key following the name until typed by hand. */
function namedKey(nameLabel, keyLabel, keyHint) {
  const name = field({ name: 'name', label: nameLabel, required: true });
  const key = field({ name: 'key', label: keyLabel, required: true, pattern: '[a-z][a-z0-9_]{1,39}', hint: keyHint });
  keyFollowsName(name, key);
  return [name, key];
}

/** #/settings/roles: built-in and custom roles; create a custom one from a checklist. */
export async function roles(root, { alive }) {
  const [list, catalog] = await Promise.all([get('/api/v1/roles'), get('/api/v1/roles/fields')]);
  if (!alive()) return;
  const again = () => roles(root, { alive });
  const checklist = permissionChecklist([]);
  const grid = fieldRulesGrid(catalog, []);
  const editing = h('div', {});
  const onEdit = (role) => { mount(editing, editRole(role, catalog, again)); editing.scrollIntoView(); };
  const create = can('roles', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('roles.createTitle')),
    form({ submit: t('roles.create'), label: t('roles.createTitle'), onSubmit: async (values) => {
      await post('/api/v1/roles', { key: values.key, name: values.name,
        permissions: [...checklist.permissions(), ...grid.rules()] });
      toast(t('common.saved'));
      await again();
    }, children: [h('div', { class: 'form-grid' }, ...namedKey(t('roles.name'), t('roles.key'), t('roles.keyHint'))),
      checklist, grid] })) : null;
  mount(root, heading(t('settings.title')), settingsTabs('roles'),
    h('ul', { class: 'list' }, list.items.map((role) => roleItem(role, again, onEdit))), editing, create);
}

function teamItem(team, reload) {
  const name = h('input', { value: team.name, 'aria-label': t('teams.name'), class: 'grow' });
  const canEdit = can('teams', 'update');
  name.readOnly = !canEdit;
  const save = async () => {
    const before = team.name;
    const value = name.value.trim();
    if (!value || value === before) { name.value = before; return; }
    await optimistic({
      apply: () => { team.name = value; },
      undo: () => { team.name = before; name.value = before; },
      request: async () => { Object.assign(team, await patch(`/api/v1/teams/${encodeURIComponent(team.id)}`,
        { version: team.version, name: value })); toast(t('common.saved')); },
      reload,
    });
  };
  name.addEventListener('change', save);
  const remove = can('teams', 'delete') ? h('button', { type: 'button', class: 'secondary small', onClick: async () => {
    if (!(await confirmAction(t('teams.deleteConfirm', { name: team.name }), t('common.delete')))) return;
    try { await del(`/api/v1/teams/${encodeURIComponent(team.id)}`); await reload(); } catch (error) { toastError(error); }
  } }, t('common.delete')) : null;
  return h('li', {}, name, remove);
}

/** #/settings/teams: the company's teams; rename in place, delete empty ones. */
export async function teams(root, { alive }) {
  const list = await get('/api/v1/teams');
  if (!alive()) return;
  const reload = () => teams(root, { alive });
  const create = can('teams', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('teams.createTitle')),
    form({ submit: t('teams.create'), label: t('teams.createTitle'), onSubmit: async (values) => {
      await post('/api/v1/teams', { name: values.name });
      toast(t('common.saved'));
      await reload();
    }, children: [field({ name: 'name', label: t('teams.name'), required: true })] })) : null;
  mount(root, heading(t('settings.title')), settingsTabs('teams'),
    list.items.length ? h('ul', { class: 'list' }, list.items.map((team) => teamItem(team, reload)))
      : empty(t('teams.empty')), create);
}
