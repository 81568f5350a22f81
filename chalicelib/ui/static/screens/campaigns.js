// #/campaigns and #/segments (#24): campaigns to a segment by e-mail, SMS or a WhatsApp template (a wizard: who and
// how, content with merge fields, a preview per channel and a test send to yourself, then send now or later), their
// results; segments built from conditions with a live count, their members and CSV.
import { ApiError, del, get, patch, post, query } from '../js/api.js';
import { h, mount, uid } from '../js/dom.js';
import { detailMessage, t } from '../js/i18n.js';
import { browserZone, formatDateTime, formatMoney, formatNumber, fromZonedInput } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { CAMPAIGNS } from '../js/messages-campaigns.js';
import { can, session } from '../js/session.js';
import { confirmAction, empty, field, finder, form, heading, pager, toast, toastError } from '../js/ui.js';
import { companyUsers } from '../js/users.js';

Object.assign(MESSAGES, CAMPAIGNS);

const CONDITIONS = ['tag_has', 'tag_lacks', 'owner_is', 'source_is', 'custom_is', 'created_within_days',
  'no_activity_days', 'birthday_this_month', 'bought_within_days', 'no_purchase_days'];
const DAYS = new Set(['created_within_days', 'no_activity_days', 'bought_within_days', 'no_purchase_days']);
const id = (value) => encodeURIComponent(value);

function tabs(current) {
  return h('nav', { class: 'tabs', 'aria-label': t('nav.campaigns') }, [['campaigns', '#/campaigns'], ['segments', '#/segments']]
    .map(([key, href]) => h('a', { href, 'aria-current': key === current ? 'page' : null }, t(`cm.tab.${key}`))));
}

function statusBadge(status) {
  return h('span', { class: ['badge', status === 'sent' ? 'badge-ok' : null], 'data-status': status }, t(`cm.status.${status}`));
}

/** #/campaigns: the company's campaigns, newest first. */
export async function list(root, { alive }) {
  const path = (cursor) => `/api/v1/campaigns${query({ limit: 50, cursor })}`;
  const page = await get(path(null));
  if (!alive()) return;
  const row = (c) => h('li', { 'data-campaign': c.id }, h('a', { href: `#/campaigns/${id(c.id)}` }, c.name), ' ',
    statusBadge(c.status), h('span', { class: 'muted' }, ` · ${t(`cm.channel.${c.channel}`)} · ${formatDateTime(c.started_at || c.updated_at)}`));
  const items = h('ul', { class: 'campaign-list', 'data-test': 'campaign-list' }, page.items.map(row));
  const more = async (cursor) => {
    const next = await get(path(cursor));
    next.items.forEach((c) => items.append(row(c)));
    const again = pager(next.next_cursor, more);
    if (again) items.after(again);
  };
  const add = can('campaigns', 'create') ? h('a', { class: 'button-link primary', href: '#/campaigns/new', 'data-test': 'new-campaign' }, t('cm.new')) : null;
  mount(root, heading(t('title.campaigns.list'), add), tabs('campaigns'),
    page.items.length ? items : empty(t('cm.empty')), pager(page.next_cursor, more));
}

/** #/segments: the segments with their counts. */
export async function segments(root, { alive }) {
  const page = await get('/api/v1/segments?limit=50');
  if (!alive()) return;
  const row = (s) => h('li', { 'data-segment': s.id }, h('a', { href: `#/segments/${id(s.id)}` }, s.name),
    h('span', { class: 'muted' }, ` · ${s.status === 'ready' ? t('sg.membersCount', { n: s.members }) : t('sg.building')}`));
  const add = can('segments', 'update') ? h('a', { class: 'button-link primary', href: '#/segments/new', 'data-test': 'new-segment' }, t('sg.new')) : null;
  mount(root, heading(t('title.campaigns.segments'), add), tabs('segments'),
    page.items.length ? h('ul', { class: 'segment-list', 'data-test': 'segment-list' }, page.items.map(row))
      : empty(t('sg.empty'), createSegmentLink()));
}

/** "Create a segment" for those who may, where a screen has none to offer. */
function createSegmentLink() {
  return can('segments', 'update') ? h('a', { class: 'button-link primary', href: '#/segments/new', 'data-test': 'create-segment' },
    t('sg.create')) : null;
}

/** The company's people an "owner is" condition can name: every user the caller may list, else the caller. */
async function ownerChoices() {
  const listed = await companyUsers().catch(() => []);
  const users = listed.filter((user) => user.status !== 'deactivated').map((user) => [user.id, user.name || user.email]);
  return users.length ? users : [[session.user.id, session.user.name]];
}

function ownerSelect(condition, owners) {
  const select = h('select', { 'aria-label': t('sg.owner'), 'data-test': 'condition-owner' }, h('option', { value: '' }, t('sg.pickOwner')),
    owners.map(([value, name]) => h('option', { value, selected: value === condition.value }, name)));
  const kept = condition.type === 'owner_is' && condition.value; // a saved owner no longer listed (deactivated)
  if (kept && !owners.some(([value]) => value === condition.value)) {
    select.append(h('option', { value: condition.value, selected: true }, t('sg.formerOwner')));
  }
  return select;
}

/** "Bought within N days" of one product, found by its name or SKU (any product while none is chosen). */
function productPicker(condition, onChange) {
  let chosen = condition.product_id || '';
  const slot = h('div', { class: 'condition-product', 'data-test': 'condition-product' });
  const named = (p) => (p.sku ? `${p.name} · ${p.sku}` : p.name);
  const draw = (name) => {
    if (chosen) {
      slot.replaceChildren(h('span', { class: 'picked', 'data-test': 'picked-product' }, name || chosen), ' ',
        h('button', { type: 'button', class: 'link', onClick: () => { chosen = ''; draw(); onChange(); } }, t('sg.anyProduct')));
    } else {
      slot.replaceChildren(finder({ id: uid('product'), label: t('sg.product'), show: named,
        find: async (q) => (await get(`/api/v1/products${query({ q, limit: 10 })}`)).items,
        pick: (p) => { chosen = p.id; draw(named(p)); onChange(); } }));
    }
  };
  draw();
  if (chosen) get(`/api/v1/products/${id(chosen)}`).then((p) => draw(named(p)), () => {});
  slot.chosen = () => chosen;
  return slot;
}

function conditionRow(condition, onChange, owners) {
  const typeId = uid('cond');
  const type = h('select', { id: typeId, 'data-test': 'condition-type' }, CONDITIONS.map((value) =>
    h('option', { value, selected: value === condition.type }, t(`sg.type.${value}`))));
  const value = h('input', { 'data-test': 'condition-value', 'aria-label': t('sg.value'), maxlength: 100 });
  const key = h('input', { 'aria-label': t('sg.key'), placeholder: t('sg.key'), maxlength: 40 });
  const product = productPicker(condition, onChange);
  const owner = ownerSelect(condition, owners);
  value.value = condition.type === 'owner_is' ? '' : condition.value ?? '';
  key.value = condition.key ?? '';
  const row = h('li', { class: 'condition' }, h('label', { for: typeId, class: 'visually-hidden' }, t('cm.segment')), type, value, owner, key, product);
  const shape = () => {
    const kind = type.value;
    value.hidden = kind === 'birthday_this_month' || kind === 'owner_is';
    owner.hidden = kind !== 'owner_is';
    value.type = DAYS.has(kind) ? 'number' : 'text';
    value.placeholder = DAYS.has(kind) ? t('sg.days') : t('sg.value');
    key.hidden = kind !== 'custom_is';
    product.hidden = kind !== 'bought_within_days';
  };
  row.read = () => {
    const kind = type.value;
    const read = { type: kind };
    if (kind === 'owner_is') read.value = owner.value;
    else if (kind !== 'birthday_this_month') read.value = DAYS.has(kind) ? Number(value.value) : value.value.trim();
    if (kind === 'custom_is') read.key = key.value.trim();
    if (kind === 'bought_within_days' && product.chosen()) read.product_id = product.chosen();
    return read;
  };
  for (const control of [type, value, owner, key]) control.addEventListener('input', () => { shape(); onChange(); });
  row.append(h('button', { type: 'button', class: 'secondary small', onClick: () => { row.remove(); onChange(); } }, t('sg.remove')));
  shape();
  return row;
}

/** #/segments/:id (or new): the builder, with a live count of the draft, and the members. */
export async function segment(root, { params, navigate, alive }) {
  const isNew = params.id === 'new';
  const [found, owners] = await Promise.all([isNew ? { name: '', match: 'all', conditions: [{ type: 'tag_has', value: '' }] }
    : get(`/api/v1/segments/${id(params.id)}`), ownerChoices()]);
  if (!alive()) return;
  const count = h('p', { class: 'live-count', 'data-test': 'live-count', 'aria-live': 'polite' });
  let timer = null;
  const list = h('ol', { class: 'conditions' });
  const draft = () => ({ match: matchSelect.value, conditions: [...list.children].map((row) => row.read()) });
  const complete = (condition) => (DAYS.has(condition.type) ? condition.value >= 1
    : condition.type === 'birthday_this_month' || Boolean(condition.value))
    && (condition.type !== 'custom_is' || Boolean(condition.key));
  const refresh = () => {
    clearTimeout(timer);
    if (!draft().conditions.every(complete)) { count.textContent = ''; return; } // nothing to count yet
    timer = setTimeout(async () => {
      try {
        const answer = await post('/api/v1/segments/preview', draft());
        count.textContent = t(answer.exact ? 'sg.exactCount' : 'sg.liveCount', { n: answer.estimated });
      } catch { count.textContent = ''; }
    }, 400);
  };
  const matchId = uid('match');
  const matchSelect = h('select', { id: matchId, onChange: refresh }, ['all', 'any'].map((value) =>
    h('option', { value, selected: value === found.match }, t(`sg.match.${value}`))));
  found.conditions.forEach((condition) => list.append(conditionRow(condition, refresh, owners)));
  const add = h('button', { type: 'button', class: 'secondary', 'data-test': 'add-condition',
    onClick: () => { list.append(conditionRow({ type: 'tag_has' }, refresh, owners)); refresh(); } }, t('sg.addCondition'));
  const el = form({ submit: t('sg.save'), label: t('title.campaigns.segment'), children: [
    field({ name: 'name', label: t('sg.name'), value: found.name, required: true, maxlength: 120 }),
    h('div', { class: 'field' }, h('label', { for: matchId }, t('sg.match')), matchSelect), list, add, count,
  ], onSubmit: async (values) => {
    // A condition without its value or days would come back as the validator's words ("Input should be a valid
    // string"): the rows left to fill are marked here and nothing is sent.
    const unfilled = [...list.children].filter((row) => !complete(row.read()));
    if (unfilled.length) {
      for (const row of unfilled) {
        const needed = `[data-test=condition-value], [data-test=condition-owner], input[placeholder="${t('sg.key')}"]`;
        for (const control of row.querySelectorAll(needed)) {
          if (!control.hidden && !control.value.trim()) control.setAttribute('aria-invalid', 'true');
        }
      }
      throw new ApiError(422, { code: 'segment_incomplete', message: t('sg.incomplete') });
    }
    const body = { name: values.name, ...draft() };
    const saved = isNew ? await post('/api/v1/segments', body)
      : await patch(`/api/v1/segments/${id(found.id)}`, { ...body, version: found.version });
    toast(t('sg.saved'), 'ok');
    navigate(`/segments/${saved.id}`);
  } });
  refresh();
  const members = isNew ? null : await membersPanel(found, alive);
  const remove = !isNew && can('segments', 'update') ? h('button', { type: 'button', class: 'secondary danger', onClick: async () => {
    if (!(await confirmAction(t('sg.deleteConfirm'), t('sg.delete')))) return;
    try { await del(`/api/v1/segments/${id(found.id)}`); navigate('/segments'); } catch (error) { toastError(error); }
  } }, t('sg.delete')) : null;
  if (!alive()) return;
  mount(root, heading(isNew ? t('sg.new').replace('+ ', '') : found.name, remove), tabs('segments'), el, members);
}

async function membersPanel(found, alive) {
  const path = (cursor) => `/api/v1/segments/${id(found.id)}/members${query({ limit: 50, cursor })}`;
  const page = await get(path(null));
  const row = (m) => h('li', {}, h('a', { href: `#/contacts/${id(m.id)}` }, [m.first_name, m.last_name].filter(Boolean).join(' ') || m.email || m.id),
    m.email ? h('span', { class: 'muted' }, ` · ${m.email}`) : null);
  const items = h('ul', { 'data-test': 'segment-members' }, page.items.map(row));
  const more = async (cursor) => {
    const next = await get(path(cursor));
    next.items.forEach((m) => items.append(row(m)));
    const again = pager(next.next_cursor, more);
    if (again) items.after(again);
  };
  const exported = h('div', { 'data-test': 'segment-export' });
  const download = can('contacts', 'export') ? h('button', { type: 'button', class: 'secondary small', 'data-test': 'segment-export-button',
    onClick: () => exportMembers(found, exported, alive) }, t('sg.export')) : null;
  const status = found.status === 'ready' ? t('sg.membersCount', { n: found.members }) : t('sg.building');
  return h('section', { class: 'panel' }, h('h2', {}, t('sg.members'), ' ', download), exported, h('p', { class: 'muted' }, status), items,
    pager(page.next_cursor, more));
}

const EXPORT_POLL_MS = 1500;

/** The members as a contacts export job (queued, its file behind a 15-minute link), followed until it is done. */
async function exportMembers(found, slot, alive) {
  try {
    let job = await post('/api/v1/exports', { entity: 'contact', format: 'csv', filters: { segment: found.id } });
    mount(slot, exportNote(job));
    while (['queued', 'running'].includes(job.status) && alive()) {
      await new Promise((resolve) => { setTimeout(resolve, EXPORT_POLL_MS); });
      job = await get(`/api/v1/exports/${id(job.id)}`);
      if (alive()) mount(slot, exportNote(job));
    }
  } catch (error) { toastError(error); }
}

function exportNote(job) {
  if (job.status === 'done' && job.download_url) {
    return h('p', { class: 'notice notice-ok', role: 'status' }, h('a', { href: job.download_url, download: '', rel: 'noopener',
      class: 'download', 'data-test': 'segment-export-link' }, t('sg.exportReady', { n: job.rows, name: job.filename })));
  }
  if (job.status === 'failed') return h('p', { class: 'notice', role: 'status' }, job.failure || t('sg.exportFailed'));
  return h('p', { class: 'muted', role: 'status' }, t('sg.exportRunning'));
}

function lineOptions(lines, channel) {
  const found = lines.filter((line) => line.type === channel).map((line) => [line.integration_id, line.name]);
  return found.length ? found : [['', t('cm.noLines')]];
}

/** #/campaigns/new and #/campaigns/:id/edit: the wizard. */
export async function wizard(root, { params, navigate, alive }) {
  const isNew = !params.id;
  const [campaign, segmentPage, lines] = await Promise.all([
    isNew ? Promise.resolve({ name: '', channel: 'email', segment_id: null, integration_id: null, subject: '', body: '', template: null })
      : get(`/api/v1/campaigns/${id(params.id)}`),
    get('/api/v1/segments?limit=200'), get('/api/v1/conversations/lines').catch(() => ({ items: [] }))]);
  if (!alive()) return;
  const lineList = lines.items || lines;
  const channel = campaign.channel;
  const channelField = field({ name: 'channel', label: t('cm.channel'), value: channel, disabled: !isNew,
    options: ['email', 'sms', 'whatsapp', 'telegram'].map((value) => [value, t(`cm.channel.${value}`)]) });
  // With no segment yet there is nothing to pick: say what a campaign is sent to and where to make one.
  const segmentField = segmentPage.items.length || campaign.segment_id ? field({ name: 'segment_id', label: t('cm.segment'),
    value: campaign.segment_id || '', options: [['', '—'], ...segmentPage.items.map((s) => [s.id, `${s.name} (${formatNumber(s.members)})`])] })
    : h('div', { class: 'notice', 'data-test': 'no-segments' }, h('p', {}, t('cm.noSegments')), createSegmentLink());
  const contentFor = (kind) => {
    if (kind === 'whatsapp') {
      // a template is approved in one language: the company's, as a rule's reminder starts (a Kazan or Almaty shop's
      // Russian template sent as 'en' is refused for every customer)
      const template = campaign.template || { name: '', language: session.tenant?.locale || 'en', parameters: [] };
      return [field({ name: 'integration_id', label: t('cm.line'), value: campaign.integration_id || '', options: lineOptions(lineList, kind) }),
        field({ name: 'template_name', label: t('cm.template'), value: template.name, maxlength: 512 }),
        field({ name: 'template_language', label: t('cm.language'), value: template.language, maxlength: 15 }),
        field({ name: 'template_parameters', label: t('cm.parameters'), type: 'textarea', rows: 3, value: (template.parameters || []).join('\n') })];
    }
    return [kind === 'sms' || kind === 'telegram' ? field({ name: 'integration_id', label: t('cm.line'), value: campaign.integration_id || '', options: lineOptions(lineList, kind) }) : null,
      kind === 'email' ? field({ name: 'subject', label: t('cm.subject'), value: campaign.subject || '', maxlength: 200 }) : null,
      field({ name: 'body', label: t('cm.body'), type: 'textarea', rows: 8, value: campaign.body || '', hint: t('cm.bodyHint'), 'data-test': 'campaign-body' })];
  };
  const content = h('div', { class: 'campaign-content' }, contentFor(channel));
  channelField.querySelector('select').addEventListener('change', (event) => mount(content, ...contentFor(event.target.value)));
  const el = form({ submit: t('cm.saveDraft'), label: t('title.campaigns.wizard'), children: [
    h('h2', {}, t('cm.step1')), field({ name: 'name', label: t('cm.name'), value: campaign.name, required: true, maxlength: 120 }),
    channelField, segmentField, h('h2', {}, t('cm.step2')), content,
  ], onSubmit: async (values) => {
    const kind = values.channel || channel;
    const body = { name: values.name, segment_id: values.segment_id || null };
    if (kind !== 'email') body.integration_id = values.integration_id || null;
    if (kind === 'whatsapp') {
      body.template = { name: values.template_name, language: values.template_language || session.tenant?.locale || 'en',
        parameters: (values.template_parameters || '').split('\n').map((line) => line.trim()).filter(Boolean) };
    } else {
      body.body = values.body || null;
      if (kind === 'email') body.subject = values.subject || null;
    }
    const saved = isNew ? await post('/api/v1/campaigns', { ...body, channel: kind })
      : await patch(`/api/v1/campaigns/${id(campaign.id)}`, { ...body, version: campaign.version });
    toast(t('cm.saved'), 'ok');
    navigate(`/campaigns/${saved.id}/edit`);
  } });
  const later = isNew ? h('p', { class: 'muted' }, t('cm.saveFirst')) : await previewAndSend(campaign, navigate);
  if (!alive()) return;
  mount(root, heading(isNew ? t('cm.new').replace('+ ', '') : campaign.name, isNew ? null : statusBadge(campaign.status)),
    tabs('campaigns'), h('div', { class: 'campaign-wizard' }, el, later));
}

function previewView(preview) {
  if (preview.channel === 'email') {
    return h('div', { class: 'preview-mail', 'data-test': 'campaign-preview' }, h('p', {}, h('strong', {}, preview.subject)),
      h('pre', { class: 'preview-text' }, preview.text));
  }
  if (preview.channel === 'sms' || preview.channel === 'telegram') return h('div', { class: 'preview-bubble', 'data-test': 'campaign-preview' }, h('pre', {}, preview.text));
  return h('ol', { class: 'preview-bubble', 'data-test': 'campaign-preview' }, preview.parameters.map((p) => h('li', {}, p)));
}

/** Where a Telegram test can go: the bot's chats (a bot writes only to whoever wrote to it first), newest first. */
async function botChats(campaign) {
  const page = await get('/api/v1/conversations?channel=telegram&limit=50').catch(() => ({ items: [] }));
  return page.items.filter((chat) => chat.integration_id === campaign.integration_id)
    .map((chat) => [chat.id, chat.customer_name || chat.id]);
}

async function previewAndSend(campaign, navigate) {
  const telegram = campaign.channel === 'telegram';
  const [preview, chats] = await Promise.all([get(`/api/v1/campaigns/${id(campaign.id)}/preview`),
    telegram ? botChats(campaign) : Promise.resolve([])]);
  const toId = uid('to');
  // the number as people type it ('8 917 000-11-22'): the server reads it as the company's country does
  const to = campaign.channel === 'email' ? null : telegram
    ? h('select', { id: toId, 'data-test': 'test-chat' }, [['', '—'], ...chats].map(([value, label]) => h('option', { value }, label)))
    : h('input', { id: toId, type: 'tel', maxlength: 40, autocomplete: 'tel', 'data-test': 'test-to' });
  const testButton = h('button', { type: 'button', class: 'secondary', 'data-test': 'test-send', onClick: async () => {
    try {
      const target = telegram ? { conversation_id: to.value || null } : to ? { to: to.value.trim() } : {};
      const answer = await post(`/api/v1/campaigns/${id(campaign.id)}/test`, target);
      toast(t(telegram ? 'cm.testSentChat' : 'cm.testSent', { to: answer.to }), 'ok');
      navigate(`/campaigns/${campaign.id}/edit`);
    } catch (error) {
      // the number is no form field: its problem is said in words ('check the marked fields' would mark nothing)
      const detail = error instanceof ApiError && error.details?.find((d) => Array.isArray(d.loc) && (d.loc.includes('to') || d.loc.includes('conversation_id')));
      if (detail) toast(detailMessage(detail), 'error'); else toastError(error);
    }
  } }, t('cm.testSend'));
  const whenId = uid('when');
  const when = h('input', { id: whenId, type: 'datetime-local', 'data-test': 'send-at' });
  // on the company's clock, as every time the app shows and every task's due time (the browser's may differ)
  const zone = session.tenant?.timezone || browserZone();
  const send = h('button', { type: 'button', class: 'primary', 'data-test': 'send-now', disabled: !campaign.test_sent_at,
    onClick: async () => {
      try {
        const scheduled = when.value ? fromZonedInput(when.value, zone) : null;
        if (!scheduled) {
          // how many it goes to, read now (the segment keeps changing); those without consent are skipped, said too
          const members = (await get(`/api/v1/segments/${id(campaign.segment_id)}`).catch(() => null))?.members;
          const question = t('cm.sendConfirm', { count: formatNumber(members ?? 0) });
          if (!(await confirmAction(members == null ? t('cm.sendConfirmAny') : question, t('cm.sendNow')))) return;
        }
        await post(`/api/v1/campaigns/${id(campaign.id)}/send`, { version: campaign.version, scheduled_at: scheduled });
        toast(t('cm.started'), 'ok');
        navigate(`/campaigns/${campaign.id}`);
      } catch (error) { toastError(error); }
    } }, t('cm.sendNow'));
  when.addEventListener('input', () => { send.textContent = t(when.value ? 'cm.schedule' : 'cm.sendNow'); });
  return h('div', { class: 'campaign-steps' },
    h('section', { class: 'panel' }, h('h2', {}, t('cm.step3')), previewView(preview),
      to ? h('label', { for: toId }, t(telegram ? 'cm.testChat' : 'cm.testTo')) : null, to,
      telegram ? h('p', { class: 'hint' }, t('cm.testChatHint')) : null, testButton),
    h('section', { class: 'panel' }, h('h2', {}, t('cm.step4')), campaign.test_sent_at ? null : h('p', { class: 'muted' }, t('cm.testFirst')),
      h('label', { for: whenId }, t('cm.scheduleAt')), when,
      zone === browserZone() ? null : h('p', { class: 'hint' }, t('cm.scheduleZone', { zone: zone.replaceAll('_', ' ') })), send));
}

const RESULTS = ['recipients', 'sent', 'delivered', 'opened', 'clicked', 'replied', 'unsubscribed', 'conversions',
  'skipped_consent', 'skipped_address', 'skipped_limit', 'failed', 'in_flight'];
// What each channel's provider reports of a message it took (#24): SES bounces and complaints, WhatsApp reads.
const DELIVERY = { email: ['bounced', 'complained', 'undelivered'], sms: ['undelivered'], whatsapp: ['read', 'undelivered'], telegram: [] };
const FILTERS = ['delivered', 'read', 'bounced', 'complained', 'undelivered', 'sent', 'failed', 'skipped'];
const TIMES = ['read_at', 'complained_at', 'bounced_at', 'undelivered_at', 'delivered_at', 'sent_at'];

function deliveryOf(message) {
  if (message.status !== 'sent') return t(`cm.m.status.${message.status}`);
  return t(`cm.m.delivery.${message.delivery || 'sent'}`);
}

function messageRow(message) {
  const at = TIMES.map((key) => message[key]).find(Boolean);
  const name = message.contact_name || t('cm.m.unnamed');
  const bad = ['bounced', 'complained', 'undelivered'].includes(message.delivery) || message.status === 'failed';
  return h('tr', { 'data-contact': message.contact_id },
    h('td', { 'data-label': t('cm.m.contact') }, h('a', { href: `#/contacts/${id(message.contact_id)}` }, name)),
    h('td', { 'data-label': t('cm.m.delivery') }, h('span', { class: ['badge', bad ? 'badge-warn' : message.delivery && message.delivery !== 'sent' ? 'badge-ok' : null],
      'data-delivery': message.status === 'sent' ? message.delivery || 'sent' : message.status }, deliveryOf(message))),
    h('td', { 'data-label': t('cm.m.reason') }, message.reason || '—'),
    h('td', { 'data-label': t('cm.m.at'), class: 'small' }, at ? formatDateTime(at) : '—'));
}

/** Each recipient's message and what its provider said of it, filtered by state, 50 a page. */
function messagesPanel(campaign) {
  const filterId = uid('cm-filter');
  const body = h('div', {});
  const filter = h('select', { id: filterId, 'data-test': 'message-filter', onChange: () => load() },
    h('option', { value: '' }, t('cm.m.all')), FILTERS.map((value) => h('option', { value }, t(`cm.m.filter.${value}`))));
  async function load() {
    const ask = (cursor) => get(`/api/v1/campaigns/${id(campaign.id)}/messages${query({ limit: 50, delivery: filter.value || undefined, cursor })}`);
    try {
      const page = await ask();
      const rows = h('tbody', {}, page.items.map(messageRow));
      const table = h('div', { class: 'table-wrap' }, h('table', { class: 'report-table', 'data-test': 'campaign-messages' },
        h('caption', { class: 'visually-hidden' }, t('cm.m.title')),
        h('thead', {}, h('tr', {}, ['contact', 'delivery', 'reason', 'at'].map((key) => h('th', { scope: 'col' }, t(`cm.m.${key}`))))), rows));
      const more = async (cursor) => {
        const next = await ask(cursor);
        rows.append(...next.items.map(messageRow));
        const again = pager(next.next_cursor, more);
        if (again) table.after(again);
      };
      mount(body, page.items.length ? table : empty(t('cm.m.empty')), pager(page.next_cursor, more));
    } catch (error) { toastError(error); }
  }
  load();
  return h('section', { class: 'panel' }, h('h2', {}, t('cm.m.title')),
    h('p', { class: 'muted' }, t('cm.m.hint')), h('label', { for: filterId }, t('cm.m.show')), filter, body);
}

/** #/campaigns/:id: the results (a draft opens its wizard). */
export async function results(root, { params, navigate, alive }) {
  const [campaign, numbers] = await Promise.all([get(`/api/v1/campaigns/${id(params.id)}`),
    get(`/api/v1/campaigns/${id(params.id)}/results`)]);
  if (!alive()) return;
  if (campaign.status === 'draft') { navigate(`/campaigns/${campaign.id}/edit`); return; }
  const percent = (value) => `${Math.round(value * 1000) / 10}%`;
  const shown = [...RESULTS.slice(0, 3), ...(DELIVERY[campaign.channel] || []), ...RESULTS.slice(3)];
  const cells = shown.map((key) => h('div', { class: 'stat', 'data-stat': key }, h('span', { class: 'stat-value' }, formatNumber(numbers[key])),
    h('span', { class: 'stat-label' }, t(`cm.r.${key}`))));
  cells.push(h('div', { class: 'stat', 'data-stat': 'delivery_rate' }, h('span', { class: 'stat-value' }, percent(numbers.delivery_rate)),
    h('span', { class: 'stat-label' }, t('cm.r.deliveryRate'))),
    h('div', { class: 'stat' }, h('span', { class: 'stat-value' }, percent(numbers.open_rate)), h('span', { class: 'stat-label' }, t('cm.r.openRate'))),
    h('div', { class: 'stat' }, h('span', { class: 'stat-value' }, percent(numbers.click_rate)), h('span', { class: 'stat-label' }, t('cm.r.clickRate'))),
    h('div', { class: 'stat' }, h('span', { class: 'stat-value' }, formatMoney(numbers.revenue_minor, numbers.currency || 'USD')),
      h('span', { class: 'stat-label' }, t('cm.r.revenue'))));
  const stop = ['scheduled', 'sending'].includes(campaign.status) && can('campaigns', 'update')
    ? h('button', { type: 'button', class: 'secondary danger', onClick: async () => {
      try {
        await post(`/api/v1/campaigns/${id(campaign.id)}/cancel`, { version: campaign.version });
        toast(t('cm.canceled'), 'ok');
        results(root, { params, navigate, alive });
      } catch (error) { toastError(error); }
    } }, t('cm.cancel')) : null;
  mount(root, heading(campaign.name, statusBadge(campaign.status), stop), tabs('campaigns'),
    h('p', { class: 'muted' }, `${t(`cm.channel.${campaign.channel}`)} · ${formatDateTime(campaign.started_at || campaign.scheduled_at || campaign.updated_at)}`),
    h('section', { class: 'panel' }, h('h2', {}, t('cm.results')), h('div', { class: 'stats', 'data-test': 'campaign-results' }, cells)),
    messagesPanel(campaign));
}

