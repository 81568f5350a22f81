// Settings → Integrations: website forms (webhook URL, embed snippet, secret shown once, rotation,
// disable/enable, delete) and their recent events with replay of failed ones.
import { del, get, patch, post, query } from '../js/api.js';
import { h, mount, uid } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime, formatNumber } from '../js/format.js';
import { can } from '../js/session.js';
import { confirmAction, copyButton, empty, field, form, heading, pager, toast, toastError } from '../js/ui.js';
import { settingsTabs } from './settings-nav.js';
import { eventFields, fieldMapEditor, readFieldMap } from './form-fields.js';
import { definitionsFor } from './custom-values.js';

const STATUS_BADGE = { active: 'badge-ok', disabled: 'badge-off', processed: 'badge-ok', failed: 'badge-warn',
  ignored: 'badge-off', received: '' };
const base = (id) => `/api/v1/integrations/${encodeURIComponent(id)}`;

/** The embed snippet for a form integration's webhook URL. */
export function snippet(webhookUrl) {
  const match = /^(.*)\/hooks\/forms\/[^/]+$/.exec(webhookUrl || '');
  const origin = match ? match[1] : location.origin;
  return `<script src="${origin}/hooks/forms.js" data-crm-form="${webhookUrl}" async></script>`;
}

/** A read-only text with a Copy button (the text is selected for a manual copy when the clipboard fails). */
function copyable(text, label, test) {
  const id = uid('copy');
  const box = text.length > 90 ? h('textarea', { id, class: 'mono copy-text', readOnly: true, rows: '3', 'data-test': test })
    : h('input', { id, class: 'mono copy-text', readOnly: true, value: text, 'data-test': test });
  box.value = text;
  box.addEventListener('focus', () => box.select());
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('div', { class: 'copy-row' }, box, copyButton(text, box)));
}

function secretPanel(answer) {
  if (!answer || !answer.secret) return null;
  return h('div', { class: 'secret-box', role: 'alert' }, h('p', {}, h('strong', {}, t('integrations.secretOnce'))),
    h('code', { class: 'mono', 'data-test': 'integration-secret' }, answer.secret), copyButton(answer.secret));
}

function stageOptions(pipelines, pipelineId) {
  const pipeline = pipelines.find((p) => p.id === pipelineId) || pipelines.find((p) => p.is_default) || pipelines[0];
  return [['', t('integrations.firstStage')], ...(pipeline?.stages || []).filter((s) => s.kind === 'open').map((s) => [s.id, s.name])];
}

function pipelineFields(pipelines, settings) {
  const pipelineField = field({ name: 'pipeline_id', label: t('deals.pipeline'), value: settings.pipeline_id || '',
    options: [['', t('integrations.defaultPipeline')], ...pipelines.map((p) => [p.id, p.name])] });
  const stageField = field({ name: 'stage_id', label: t('deals.stage'), value: settings.stage_id || '',
    options: stageOptions(pipelines, settings.pipeline_id) });
  pipelineField.querySelector('select').addEventListener('change', (event) => {
    const select = stageField.querySelector('select');
    mount(select, stageOptions(pipelines, event.target.value).map(([value, text]) => h('option', { value }, text)));
  });
  return [pipelineField, stageField];
}

function responsibleFields(users, responsible) {
  const chosen = new Set(responsible?.user_ids || []);
  return [field({ name: 'responsible_mode', label: t('integrations.responsible'), value: responsible?.mode || 'fixed',
    options: [['fixed', t('integrations.mode.fixed')], ['round_robin', t('integrations.mode.round_robin')]],
    hint: t('integrations.responsibleHint') }),
  h('fieldset', { class: 'responsible-users' }, h('legend', {}, t('integrations.users')),
    users.filter((u) => u.status === 'active').map((user) => {
      const box = field({ name: `responsible.${user.id}`, label: user.name, type: 'checkbox', value: chosen.has(user.id) });
      box.querySelector('input').dataset.user = user.id;
      return box;
    }))];
}

function settingsOf(values, formEl, pipelines, previous = {}) {
  const userIds = [...formEl.querySelectorAll('input[data-user]')].filter((box) => box.checked).map((box) => box.dataset.user);
  // The stage list of "the default pipeline" is that pipeline's: a chosen stage names it.
  const fallback = values.stage_id ? (pipelines.find((p) => p.is_default) || pipelines[0])?.id : null;
  return { ...previous, pipeline_id: values.pipeline_id || fallback || null, stage_id: values.stage_id || null,
    responsible: { mode: values.responsible_mode, user_ids: userIds }, redirect_url: values.redirect_url || null,
    field_map: readFieldMap(formEl) };
}

function settingsFields(ctx, settings = {}) {
  return [h('div', { class: 'form-grid' }, pipelineFields(ctx.pipelines, settings)), ...responsibleFields(ctx.users, settings.responsible),
    field({ name: 'redirect_url', label: t('integrations.redirect'), type: 'url', value: settings.redirect_url || '',
      hint: t('integrations.redirectHint') }), fieldMapEditor(settings.field_map, ctx.definitions)];
}

function eventItem(integration, event, replace) {
  const reason = event.outcome?.reason;
  const replay = event.status === 'failed' && can('integrations', 'update') ? h('button', { type: 'button', class: 'secondary small',
    onClick: async (e) => {
      e.target.disabled = true;
      try {
        const again = await post(`${base(integration.id)}/events/${encodeURIComponent(event.id)}/replay`);
        toast(t('integrations.replayed', { status: t(`integrations.event.${again.status}`) }));
        replace(again);
      } catch (error) { e.target.disabled = false; toastError(error); }
    } }, t('integrations.replay')) : null;
  return h('li', { 'data-event': event.id }, h('div', { class: 'grow' },
    h('div', { class: 'title' }, h('span', { class: `badge ${STATUS_BADGE[event.status] || ''}` }, t(`integrations.event.${event.status}`)),
      ' ', event.summary || '—'),
    h('div', { class: 'meta' }, formatDateTime(event.received_at), event.attempts ? ` · ${t('integrations.attempts', { n: event.attempts, count: formatNumber(event.attempts) })}` : '',
      reason ? ` · ${reason}` : ''), eventFields(`${base(integration.id)}/events/${encodeURIComponent(event.id)}`)), replay);
}

function eventsPanel(integration) {
  const list = h('ul', { class: 'list' });
  const slot = h('div', {}, list);
  const draw = (event) => {
    const item = eventItem(integration, event, (fresh) => item.replaceWith(draw(fresh)));
    return item;
  };
  const load = async (status, cursor = null) => {
    const page = await get(`${base(integration.id)}/events${query({ status, cursor })}`);
    if (!cursor) mount(list);
    list.append(...page.items.map(draw));
    if (!page.items.length && !cursor) mount(list, h('li', {}, t('integrations.noEvents')));
    const more = pager(page.next_cursor, (next) => load(status, next));
    if (more) list.after(more);
  };
  const filter = h('select', { 'aria-label': t('integrations.eventFilter'), onChange: (e) => load(e.target.value).catch(toastError) },
    [['', t('integrations.allEvents')], ...['failed', 'processed', 'ignored', 'received'].map((s) => [s, t(`integrations.event.${s}`)])]
      .map(([value, text]) => h('option', { value }, text)));
  const details = h('details', { class: 'events' }, h('summary', {}, t('integrations.events')), filter, slot);
  details.addEventListener('toggle', () => { if (details.open && !details.dataset.loaded) { details.dataset.loaded = '1'; load('').catch(toastError); } });
  return details;
}

function actionButton(label, onClick) {
  return h('button', { type: 'button', class: 'secondary small', onClick: async (event) => {
    event.target.disabled = true;
    try { await onClick(); } catch (error) { toastError(error); } finally { event.target.disabled = false; }
  } }, label);
}

function integrationActions(integration, ctx) {
  if (!can('integrations', 'update')) return null;
  const active = integration.status === 'active';
  const toggle = actionButton(active ? t('integrations.disable') : t('integrations.enable'), async () => {
    await patch(base(integration.id), { version: integration.version, status: active ? 'disabled' : 'active' });
    toast(t('common.saved'));
    await ctx.reload();
  });
  const rotate = (what) => actionButton(t(`integrations.rotate.${what}`), async () => {
    if (!(await confirmAction(t(`integrations.rotateConfirm.${what}`), t(`integrations.rotate.${what}`)))) return;
    const answer = await post(`${base(integration.id)}/rotate`, { what, version: integration.version });
    await ctx.reload(answer.secret ? answer : null);
  });
  const remove = can('integrations', 'delete') ? actionButton(t('common.delete'), async () => {
    if (!(await confirmAction(t('integrations.deleteConfirm', { name: integration.name }), t('common.delete')))) return;
    await del(base(integration.id));
    toast(t('common.deleted'));
    await ctx.reload();
  }) : null;
  return h('div', { class: 'row-actions' }, toggle, rotate('key'), rotate('secret'), remove);
}

function editForm(integration, ctx) {
  if (!can('integrations', 'update')) return null;
  return h('details', { class: 'inline-edit' }, h('summary', {}, t('integrations.edit')),
    form({ submit: t('common.save'), label: t('integrations.edit'), onSubmit: async (values, formEl) => {
      try {
        await patch(base(integration.id), { version: integration.version, name: values.name,
          settings: settingsOf(values, formEl, ctx.pipelines, integration.settings) });
      } catch (error) {
        if (error.status === 409 && error.code === 'version_conflict') { toast(t('common.conflict'), 'error'); await ctx.reload(); return; }
        throw error;
      }
      toast(t('common.saved'));
      await ctx.reload();
    }, children: [field({ name: 'name', label: t('integrations.name'), value: integration.name, required: true }),
      ...settingsFields(ctx, integration.settings || {})] }));
}

function integrationPanel(integration, ctx) {
  const stats = integration.stats || {};
  return h('section', { class: 'panel', 'data-integration': integration.id },
    h('div', { class: 'page-head' }, h('h2', {}, integration.name, ' ',
      h('span', { class: `badge ${STATUS_BADGE[integration.status] || ''}` }, t(`integrations.status.${integration.status}`))),
    integrationActions(integration, ctx)),
    h('p', { class: 'meta' }, t(`integrations.type.${integration.type}`), ` · ${t('integrations.secretHint', { hint: integration.secret_hint || '' })}`,
      stats.received_24h !== undefined ? ` · ${t('integrations.received24h', { n: stats.received_24h, count: formatNumber(stats.received_24h) })}` : '',
      stats.failed_24h ? ` · ${t('integrations.failed24h', { n: stats.failed_24h, count: formatNumber(stats.failed_24h) })}` : ''),
    copyable(integration.webhook_url, t('integrations.webhookUrl'), 'webhook-url'),
    copyable(snippet(integration.webhook_url), t('integrations.snippet'), 'embed-snippet'),
    h('p', { class: 'hint' }, t('integrations.snippetHint')),
    editForm(integration, ctx), eventsPanel(integration));
}

function createForm(ctx) {
  return form({ submit: t('integrations.create'), label: t('integrations.createTitle'), onSubmit: async (values, formEl) => {
    const created = await post('/api/v1/integrations', { type: 'form', name: values.name, settings: settingsOf(values, formEl, ctx.pipelines) });
    toast(t('common.saved'));
    await ctx.reload(created);
  }, children: [field({ name: 'name', label: t('integrations.name'), required: true, maxlength: '80' }),
    ...settingsFields(ctx)] });
}

/** #/settings/integrations: the company's website-form integrations and their events. */
export async function integrations(root, { alive }) {
  const [list, pipelineList, userList, definitions] = await Promise.all([get('/api/v1/integrations'), get('/api/v1/pipelines'),
    can('users', 'read') ? get('/api/v1/users?limit=200') : { items: [] }, definitionsFor('contact')]);
  if (!alive()) return;
  const ctx = { pipelines: pipelineList.items, users: userList.items, definitions, reload: null };
  ctx.reload = async (withSecret = null) => {
    await integrations(root, { alive });
    const panel = secretPanel(withSecret);
    if (panel) { root.querySelector('.secret-slot')?.replaceChildren(panel); panel.scrollIntoView?.({ block: 'center' }); }
  };
  mount(root, heading(t('settings.title')), settingsTabs('integrations'), h('p', { class: 'muted' }, t('integrations.intro')),
    h('div', { class: 'secret-slot' }),
    list.items.length ? list.items.map((i) => integrationPanel(i, ctx)) : empty(t('integrations.empty')),
    can('integrations', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('integrations.createTitle')), createForm(ctx)) : null);
}
