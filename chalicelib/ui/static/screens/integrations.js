// Settings → Integrations: website forms (webhook URL, embed snippet, secret shown once, rotation,
// disable/enable, delete), phone lines (a provider's credentials, extensions, the steps to paste the URL at the
// provider) and the recent events of each with replay of failed ones.
import { del, get, patch, post, query } from '../js/api.js';
import { h, mount, uid } from '../js/dom.js';
import { presetSteps } from './form-presets.js';
import { has, t } from '../js/i18n.js';
import { formatDateTime, formatNumber } from '../js/format.js';
import { can } from '../js/session.js';
import { confirmAction, copyButton, empty, field, form, heading, pager, toast, toastError } from '../js/ui.js';
import { forgetLines } from '../js/telephony.js';
import { settingsTabs } from './settings-nav.js';
import { companyUsers } from '../js/users.js';
import { eventFields, fieldMapEditor, readFieldMap } from './form-fields.js';
import { definitionsFor } from './custom-values.js';
import { leadRouting, pipelineFields, responsibleFields } from './lead-routing.js';
import { LINE_TYPES, credentialFields, describeExtensions, isLine, lineFields, lineSettings, setupSteps } from './telephony-setup.js';
import { MESSENGER_TYPES, isMessenger, messengerFields, messengerSettings, messengerSteps } from './messenger-setup.js';

const STATUS_BADGE = { active: 'badge-ok', disabled: 'badge-off', processed: 'badge-ok', failed: 'badge-warn',
  ignored: 'badge-off', received: '' };
const base = (id) => `/api/v1/integrations/${encodeURIComponent(id)}`;
// The types whose secret someone uses: shown once when made or rotated, its last characters beside the name.
const SIGNED = ['form', 'pbx', 'whatsapp', 'telegram'];

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
  // What the secret is for: a form's signing server, a PBX's signature, WhatsApp's verify token at Meta.
  const says = has(`integrations.secretOnce.${answer.type}`) ? `integrations.secretOnce.${answer.type}` : 'integrations.secretOnce';
  return h('div', { class: 'secret-box', role: 'alert' }, h('p', {}, h('strong', {}, t(says))),
    h('code', { class: 'mono', 'data-test': 'integration-secret' }, answer.secret), copyButton(answer.secret));
}

function settingsOf(values, formEl, pipelines, previous = {}) {
  return { ...previous, ...leadRouting(values, formEl, pipelines), redirect_url: values.redirect_url || null,
    field_map: readFieldMap(formEl) };
}

function settingsFields(ctx, settings = {}) {
  return [h('div', { class: 'form-grid' }, pipelineFields(ctx.pipelines, settings)), ...responsibleFields(ctx.users, settings.responsible),
    field({ name: 'redirect_url', label: t('integrations.redirect'), type: 'url', value: settings.redirect_url || '',
      hint: t('integrations.redirectHint') }), fieldMapEditor(settings.field_map, ctx.definitions)];
}

// Why an event was ignored or failed, in the reader's language: the inbox's own reasons, else an API error's words
// (a failure keeps its code, e.g. plan_limit_reached), else the code as it came.
function reasonText(reason) {
  if (has(`integrations.reason.${reason}`)) return t(`integrations.reason.${reason}`);
  return has(`error.${reason}`) ? t(`error.${reason}`) : reason;
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
      reason ? ` · ${reasonText(reason)}` : '', event.outcome?.contact_skipped ? ` · ${t('integrations.reason.contact_skipped')}` : ''),
    eventFields(`${base(integration.id)}/events/${encodeURIComponent(event.id)}`)), replay);
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
  // A mailbox's key is its forwarding address: "New URL" and "update your site" meant nothing there.
  const words = (what) => (what === 'key' && integration.type === 'email' ? 'address' : what);
  const rotate = (what) => actionButton(t(`integrations.rotate.${words(what)}`), async () => {
    if (!(await confirmAction(t(`integrations.rotateConfirm.${words(what)}`), t(`integrations.rotate.${words(what)}`)))) return;
    const answer = await post(`${base(integration.id)}/rotate`, { what, version: integration.version });
    await ctx.reload(answer.secret ? answer : null);
  });
  const remove = can('integrations', 'delete') ? actionButton(t('common.delete'), async () => {
    if (!(await confirmAction(t('integrations.deleteConfirm', { name: integration.name }), t('common.delete')))) return;
    await del(base(integration.id));
    toast(t('common.deleted'));
    await ctx.reload();
  }) : null;
  // A phone line's secret signs nothing but a PBX of one's own's posts; WhatsApp's is the verify token at Meta,
  // Telegram's the secret token it sends with each update (a new one is given to Telegram at once).
  const signs = SIGNED.includes(integration.type);
  return h('div', { class: 'row-actions' }, toggle, rotate('key'), signs ? rotate('secret') : null, remove);
}

/** The edit form of an integration: its name and the settings the fields give (a 409 reloads the screen). */
function editForm(integration, ctx, children, settingsFrom) {
  if (!can('integrations', 'update')) return null;
  return h('details', { class: 'inline-edit' }, h('summary', {}, t('integrations.edit')),
    form({ submit: t('common.save'), label: t('integrations.edit'), onSubmit: async (values, formEl) => {
      try {
        await patch(base(integration.id), { version: integration.version, name: values.name,
          settings: settingsFrom(values, formEl) });
      } catch (error) {
        if (error.status === 409 && error.code === 'version_conflict') { toast(t('common.conflict'), 'error'); await ctx.reload(); return; }
        throw error;
      }
      forgetLines();
      toast(t('common.saved'));
      await ctx.reload();
    }, children: [field({ name: 'name', label: t('integrations.name'), value: integration.name, required: true }), ...children] }));
}

function panelHead(integration, ctx) {
  return h('div', { class: 'page-head' }, h('h2', {}, integration.name, ' ',
    h('span', { class: `badge ${STATUS_BADGE[integration.status] || ''}` }, t(`integrations.status.${integration.status}`))),
  integrationActions(integration, ctx));
}

function panelMeta(integration, received, ...more) {
  const stats = integration.stats || {};
  return h('p', { class: 'meta' }, t(`integrations.type.${integration.type}`), ...more,
    stats.received_24h !== undefined ? ` · ${t(received, { n: stats.received_24h, count: formatNumber(stats.received_24h) })}` : '',
    stats.failed_24h ? ` · ${t('integrations.failed24h', { n: stats.failed_24h, count: formatNumber(stats.failed_24h) })}` : '');
}

function formPanel(integration, ctx) {
  const settingsFrom = (values, formEl) => settingsOf(values, formEl, ctx.pipelines, integration.settings);
  return h('section', { class: 'panel', 'data-integration': integration.id }, panelHead(integration, ctx),
    panelMeta(integration, 'integrations.received24h', ` · ${t('integrations.secretHint', { hint: integration.secret_hint || '' })}`),
    copyable(integration.webhook_url, t('integrations.webhookUrl'), 'webhook-url'),
    copyable(snippet(integration.webhook_url), t('integrations.snippet'), 'embed-snippet'),
    h('p', { class: 'hint' }, t('integrations.snippetHint')), presetSteps(integration),
    editForm(integration, ctx, settingsFields(ctx, integration.settings || {}), settingsFrom), eventsPanel(integration));
}

function linePanel(integration, ctx) {
  const type = integration.type;
  const settings = integration.settings || {};
  const extensions = Object.keys(settings.extensions || {}).length;
  const settingsFrom = (values, formEl) => lineSettings(type, values, formEl, ctx.pipelines);
  return h('section', { class: 'panel line-panel', 'data-integration': integration.id }, panelHead(integration, ctx),
    panelMeta(integration, 'telephony.received24h', ` · ${t('telephony.extensionCount', { n: extensions, count: formatNumber(extensions) })}`,
      type === 'pbx' ? ` · ${t('integrations.secretHint', { hint: integration.secret_hint || '' })}` : ''),
    setupSteps(integration, copyable(integration.webhook_url, t('integrations.webhookUrlProvider'), 'webhook-url')),
    editForm(integration, ctx, [credentialFields(type, integration), ...lineFields(type, ctx, settings)], settingsFrom),
    eventsPanel(integration));
}

function messengerPanel(integration, ctx) {
  const type = integration.type;
  const settingsFrom = (values, formEl) => messengerSettings(type, values, formEl, ctx.pipelines);
  return h('section', { class: 'panel line-panel', 'data-integration': integration.id }, panelHead(integration, ctx),
    panelMeta(integration, 'messenger.received24h',
      SIGNED.includes(type) ? ` · ${t('integrations.secretHint', { hint: integration.secret_hint || '' })}` : ''),
    messengerSteps(integration, type === 'email'  // an e-mail line is forwarded to, not posted to (#17)
      ? copyable(integration.settings?.inbound_address || '', t('messenger.forwardTo'), 'forward-address')
      : copyable(integration.webhook_url, t('integrations.webhookUrlProvider'), 'webhook-url')),
    editForm(integration, ctx, messengerFields(type, ctx, integration), settingsFrom), eventsPanel(integration));
}

function integrationPanel(integration, ctx) {
  if (isMessenger(integration.type)) return messengerPanel(integration, ctx);
  return isLine(integration.type) ? linePanel(integration, ctx) : formPanel(integration, ctx);
}

/** Connect a messenger: the kind chosen first, its credentials follow it; then where its conversations go. */
function messengerForm(ctx) {
  let type = MESSENGER_TYPES[0];
  const kind = field({ name: 'type', label: t('messenger.kind'), value: type,
    options: MESSENGER_TYPES.map((choice) => [choice, t(`integrations.type.${choice}`)]) });
  const fields = h('div', { class: 'messenger-fields' }, messengerFields(type, ctx));
  const el = form({ submit: t('messenger.create'), label: t('messenger.createTitle'), onSubmit: async (values, formEl) => {
    const created = await post('/api/v1/integrations', { type, name: values.name,
      settings: messengerSettings(type, values, formEl, ctx.pipelines) });
    toast(t('common.saved'));
    // WhatsApp's verify token is the integration's secret, to paste at Meta; Telegram's secret token, which the
    // simulator (or a check by hand) sends: shown once.
    await ctx.reload(SIGNED.includes(type) ? created : null, created.id);
  }, children: [h('div', { class: 'form-grid' }, kind, field({ name: 'name', label: t('integrations.name'), required: true,
    maxlength: '80' })), fields] });
  kind.querySelector('select').addEventListener('change', (event) => {
    type = event.target.value;
    mount(fields, messengerFields(type, ctx));
  });
  return el;
}

function createForm(ctx) {
  return form({ submit: t('integrations.create'), label: t('integrations.createTitle'), onSubmit: async (values, formEl) => {
    const created = await post('/api/v1/integrations', { type: 'form', name: values.name, settings: settingsOf(values, formEl, ctx.pipelines) });
    toast(t('common.saved'));
    await ctx.reload(created);
  }, children: [field({ name: 'name', label: t('integrations.name'), required: true, maxlength: '80' }),
    ...settingsFields(ctx)] });
}

/** Connect a phone line: the provider chosen first, its credentials follow it; then where its calls go. */
function lineForm(ctx) {
  let type = LINE_TYPES[0];
  const provider = field({ name: 'type', label: t('telephony.provider'), value: type,
    options: LINE_TYPES.map((choice) => [choice, t(`integrations.type.${choice}`)]) });
  const credentials = h('div', { class: 'line-credentials' }, credentialFields(type));
  const el = form({ submit: t('telephony.create'), label: t('telephony.createTitle'), onSubmit: async (values, formEl) => {
    const created = await post('/api/v1/integrations', { type, name: values.name,
      settings: lineSettings(type, values, formEl, ctx.pipelines) });
    forgetLines();
    toast(t('common.saved'));
    // Only a PBX of one's own signs with the line's secret: the others' is of no use to anyone.
    await ctx.reload(type === 'pbx' ? created : null, created.id);
  }, children: [h('div', { class: 'form-grid' }, provider, field({ name: 'name', label: t('integrations.name'), required: true,
    maxlength: '80' })), h('p', { class: 'hint' }, t('telephony.createHint')), credentials, ...lineFields(type, ctx)] });
  provider.querySelector('select').addEventListener('change', (event) => {
    type = event.target.value;
    mount(credentials, credentialFields(type));
    describeExtensions(el, type);
  });
  return el;
}

/** #/settings/integrations: the company's website forms and phone lines, and their events. */
export async function integrations(root, { alive }) {
  const [list, pipelineList, userList, definitions] = await Promise.all([get('/api/v1/integrations'),
    can('pipelines', 'read') ? get('/api/v1/pipelines') : { items: [] }, // a role may watch integrations alone
    companyUsers(), definitionsFor('contact')]);
  if (!alive()) return;
  const ctx = { pipelines: pipelineList.items, users: userList, definitions, reload: null };
  ctx.reload = async (withSecret = null, createdId = null) => {
    await integrations(root, { alive });
    const panel = secretPanel(withSecret);
    if (panel) { root.querySelector('.secret-slot')?.replaceChildren(panel); panel.scrollIntoView?.({ block: 'center' }); }
    else if (createdId) root.querySelector(`[data-integration="${CSS.escape(createdId)}"]`)?.scrollIntoView?.({ block: 'start' });
  };
  mount(root, heading(t('settings.title')), settingsTabs('integrations'), h('p', { class: 'muted' }, t('integrations.intro')),
    h('div', { class: 'secret-slot' }),
    list.items.length ? list.items.map((i) => integrationPanel(i, ctx))
      : empty(t(can('integrations', 'create') ? 'integrations.empty' : 'integrations.emptyReadOnly')),
    can('integrations', 'create') ? [h('section', { class: 'panel' }, h('h2', {}, t('integrations.createTitle')), createForm(ctx)),
      h('section', { class: 'panel' }, h('h2', {}, t('telephony.createTitle')), lineForm(ctx)),
      h('section', { class: 'panel' }, h('h2', {}, t('messenger.createTitle')), messengerForm(ctx))] : null);
}
