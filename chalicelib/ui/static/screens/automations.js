// Settings → Automations (#19): the pipeline's stages as the canvas, each listing the rules that run when a deal
// enters it (as amoCRM draws its Digital Pipeline), other triggers beside them; a rule is built in three steps,
// When → If → Then, in a dialog; each rule can be switched on or off, changed, deleted, and its run log read.
import { del, get, patch, post } from '../js/api.js';
import { h, mount, uid } from '../js/dom.js';
import { errorMessage, has, t } from '../js/i18n.js';
import { formatDateTime } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { AUTOMATIONS } from '../js/messages-automations.js';
import { ORDERS } from '../js/messages-orders.js';
import { session } from '../js/session.js';
import { confirmAction, heading, openModal, toast, toastError } from '../js/ui.js';
import { settingsTabs } from './settings-nav.js';
import { companyUsers, reads } from '../js/users.js';

Object.assign(MESSAGES, ORDERS, AUTOMATIONS); // this screen's texts load with it, not with the app's first load

const TRIGGERS = ['deal.stage_entered', 'deal.stage_left', 'deal.won', 'deal.lost', 'record.created', 'record.updated',
  'lead.received', 'call.missed', 'message.received', 'task.due_soon', 'task.overdue', 'deal.idle', 'date.reached', 'ticket.sla_breached',
  'order.paid', 'order.status_changed'];
// The statuses an order enters (its first, new, is record.created's), worded by the orders screen's catalogue
const ORDER_STATUSES = ['confirmed', 'partially_paid', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'];
const ACTIONS = ['create_task', 'assign', 'move_deal', 'tag', 'set_field', 'notify', 'send_message', 'send_email', 'webhook'];
const MESSENGERS = ['whatsapp', 'telegram', 'email', 'sms'];
const LINE_TYPES = { whatsapp: ['whatsapp'], telegram: ['telegram'], email: ['email'], sms: ['twilio'] }; // a channel's lines
const TASK_KINDS = ['todo', 'call', 'meeting', 'email'];
const ENTITIES = ['deal', 'contact', 'company', 'task', 'order'];
const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'in', 'empty', 'not_empty'];
const FIELDS = ['title', 'amount_minor', 'currency', 'source', 'tags', 'owner_id', 'stage_id', 'first_name', 'last_name'];

function select(label, value, options, onChange, attrs = {}) {
  const id = uid('auto');
  const control = h('select', { id, onChange: (event) => onChange(event.target.value), ...attrs },
    options.map(([optValue, text]) => h('option', { value: optValue, selected: String(optValue) === String(value ?? '') }, text)));
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

function input(label, value, onInput, attrs = {}) {
  const id = uid('auto');
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    h('input', { id, value: value ?? '', onInput: (event) => onInput(event.target.value), ...attrs }));
}

// A delay in the unit people think in ("in 6 months", not "in 262800 minutes"); the API keeps minutes. A month is 30
// days: the engine adds minutes, not calendar months, and the hint says so. A stored value shows in its largest
// whole unit (1440 minutes: 1 day).
const UNITS = [['months', 43200], ['weeks', 10080], ['days', 1440], ['hours', 60], ['minutes', 1]];

function delay(label, minutes, onChange, name) {
  const total = Number(minutes) || 0;
  const [amountId, unitId, hintId] = [uid('auto'), uid('auto'), uid('auto')];
  const [shown, size] = UNITS.find(([, each]) => total > 0 && total % each === 0) || ['minutes', 1];
  const amount = h('input', { id: amountId, type: 'number', min: '0', value: String(total / size), 'data-test': `${name}-amount`,
    'aria-describedby': hintId, onInput: () => changed() });
  const unit = h('select', { id: unitId, 'aria-label': t('auto.unit'), 'data-test': `${name}-unit`, onChange: () => changed() },
    UNITS.map(([value]) => h('option', { value, selected: value === shown }, t(`auto.unit.${value}`, { n: total / size }))));
  const hint = h('p', { class: 'hint', id: hintId, hidden: shown !== 'months' }, t('auto.monthDays'));
  function changed() {
    const count = Math.max(0, Math.floor(Number(amount.value) || 0));
    [...unit.options].forEach((option) => { option.textContent = t(`auto.unit.${option.value}`, { n: count }); });
    hint.hidden = unit.value !== 'months';
    onChange(count * UNITS.find(([value]) => value === unit.value)[1]);
  }
  return h('div', { class: 'field' }, h('label', { for: amountId }, label), h('div', { class: 'delay' }, amount, unit), hint);
}

// A message to a client is read whole before it is saved: on a phone a one-line box showed its first words only
function textBox(label, value, onInput, attrs = {}) {
  const id = uid('auto');
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    h('textarea', { id, rows: '4', value: value ?? '', onInput: (event) => onInput(event.target.value), ...attrs }));
}

function usersPicker(label, chosen, users, extra = []) {
  const id = uid('auto-users');
  const options = [...extra, ...users.map((user) => [user.id, user.name || user.email])];
  const control = h('select', { id, multiple: true, size: String(Math.min(5, Math.max(2, options.length))),
    onChange: (event) => { chosen.splice(0, chosen.length, ...[...event.target.selectedOptions].map((o) => o.value)); } },
  options.map(([value, text]) => h('option', { value, selected: chosen.includes(value) }, text)));
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

function typed(text) {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

const list = (text) => String(text || '').split(',').map((part) => part.trim()).filter(Boolean);

// What an action hands over, as the server reads it (automations/assignees.py): a task, or the trigger's record. Its
// pickers offer only colleagues whose role reads that, as every picker of handed work does.
const SUBJECTS = { 'deal.stage_entered': 'deals', 'deal.stage_left': 'deals', 'deal.won': 'deals', 'deal.lost': 'deals',
  'deal.idle': 'deals', 'lead.received': 'contacts', 'call.missed': 'contacts', 'message.received': 'contacts',
  'task.due_soon': 'contacts', 'task.overdue': 'tasks', 'ticket.sla_breached': 'tickets' };
const PLURALS = { deal: 'deals', contact: 'contacts', company: 'companies', task: 'tasks' };

function handed(trigger, action) {
  if (action.type === 'create_task') return 'tasks';
  if (action.type !== 'assign') return null;
  const named = trigger.type?.startsWith('record.') || trigger.type === 'date.reached';
  return (named ? PLURALS[trigger.entity] : SUBJECTS[trigger.type]) || null;
}

/** The rule being built: plain data, redrawn on every change of its shape. */
class Builder {
  constructor(rule, prefill, context) {
    this.context = context;
    this.problems = rule?.problems || []; // colleagues it names who cannot take its work (the API's flag)
    this.rule = rule ? structuredClone(rule) : { name: '', enabled: true, trigger: prefill, conditions: [], actions: [
      { type: 'create_task', title: '', due_in_minutes: 60, assignee: 'owner', users: [] }] };
    this.body = h('div', { class: 'builder' });
    this.draw();
  }

  stages(pipelineId) {
    return (this.context.pipelines.find((p) => p.id === pipelineId) || this.context.pipelines[0])?.stages || [];
  }

  triggerPart() {
    const trigger = this.rule.trigger;
    const pipelines = this.context.pipelines.map((p) => [p.id, p.name]);
    const parts = [select(t('auto.when'), trigger.type, TRIGGERS.map((type) => [type, t(`auto.trigger.${type}`)]), (type) => {
      const pipeline = this.context.pipelines[0];
      this.rule.trigger = { type };
      if (type.startsWith('deal.stage')) Object.assign(this.rule.trigger, { pipeline_id: pipeline?.id, stage_id: pipeline?.stages[0]?.id });
      if (type.startsWith('record.')) this.rule.trigger.entity = 'deal';
      if (type === 'lead.received') this.rule.trigger.channel = 'any';
      if (type === 'message.received') Object.assign(this.rule.trigger, { channel: 'any', text_contains: null, first_only: false });
      if (type === 'deal.idle') this.rule.trigger.days = 7;
      if (type === 'task.due_soon') this.rule.trigger.minutes_before = 1440;
      if (type === 'date.reached') Object.assign(this.rule.trigger, { entity: 'contact', field: 'birthday', offset_days: 0, at: '10:00', yearly: true });
      this.draw();
    }, { 'data-test': 'trigger-type' })];
    if (trigger.type?.startsWith('deal.stage')) {
      parts.push(select(t('auto.pipeline'), trigger.pipeline_id, pipelines, (id) => {
        trigger.pipeline_id = id; trigger.stage_id = this.stages(id)[0]?.id; this.draw();
      }), select(t('auto.stage'), trigger.stage_id, this.stages(trigger.pipeline_id).map((s) => [s.id, s.name]),
        (id) => { trigger.stage_id = id; }));
    }
    if (trigger.type?.startsWith('record.')) {
      parts.push(select(t('auto.entity'), trigger.entity, ENTITIES.map((e) => [e, t(`auto.entity.${e}`)]), (e) => { trigger.entity = e; this.draw(); })); // who may take it changes
    }
    if (trigger.type === 'task.overdue') {
      parts.push(input(t('auto.lateBy'), trigger.minutes ?? 0, (v) => { trigger.minutes = Number(v) || 0; }, { type: 'number', min: '0' }));
    }
    if (trigger.type === 'task.due_soon') { // an appointment's reminder: hours and minutes before its due time
      const before = Number(trigger.minutes_before) || 0;
      const [hoursId, minutesId] = [uid('auto-hours'), uid('auto-minutes')];
      const total = () => {
        const hours = Number(document.getElementById(hoursId).value) || 0;
        trigger.minutes_before = hours * 60 + (Number(document.getElementById(minutesId).value) || 0);
      };
      parts.push(h('div', { class: 'builder-row' },
        h('div', { class: 'field' }, h('label', { for: hoursId }, t('auto.beforeHours')), h('input', { id: hoursId, type: 'number',
          min: '0', max: '720', value: String(Math.floor(before / 60)), onInput: total, 'data-test': 'before-hours' })),
        h('div', { class: 'field' }, h('label', { for: minutesId }, t('auto.beforeMinutes')), h('input', { id: minutesId, type: 'number',
          min: '0', max: '59', step: '5', value: String(before % 60), onInput: total, 'data-test': 'before-minutes' }))),
      this.taskKinds(trigger), h('p', { class: 'hint' }, t('auto.dueSoonHint')));
    }
    if (trigger.type === 'order.status_changed') { // a car service's review request when the order is delivered
      parts.push(select(t('orders.status'), trigger.status || '', [['', t('auto.anyStatus')], ...ORDER_STATUSES
        .map((v) => [v, t(`orders.status.${v}`)])], (v) => { trigger.status = v || null; }, { 'data-test': 'order-status' }));
    }
    if (trigger.type === 'ticket.sla_breached') { // #24: which SLA target a ticket missed
      parts.push(select(t('auto.slaTarget'), trigger.target || 'any', ['any', 'first_response', 'resolution']
        .map((v) => [v, t(`auto.slaTarget.${v}`)]), (v) => { trigger.target = v; }));
    }
    if (trigger.type === 'deal.idle') {
      parts.push(input(t('auto.days'), trigger.days, (v) => { trigger.days = Number(v) || 1; }, { type: 'number', min: '1', max: '365' }));
    }
    if (trigger.type === 'date.reached') {
      const yearlyId = uid('auto-yearly');
      parts.push(select(t('auto.entity'), trigger.entity, ['contact', 'deal'].map((e) => [e, t(`auto.entity.${e}`)]), (e) => { trigger.entity = e; this.draw(); }),
        input(t('auto.dateField'), trigger.field, (v) => { trigger.field = v.trim(); }, { required: true }),
        input(t('auto.offset'), trigger.offset_days, (v) => { trigger.offset_days = Number(v) || 0; }, { type: 'number', min: '-365', max: '365' }),
        input(t('auto.at'), trigger.at, (v) => { trigger.at = v; }, { type: 'time' }),
        h('div', { class: 'field field-check' }, h('input', { type: 'checkbox', id: yearlyId, checked: Boolean(trigger.yearly),
          onChange: (event) => { trigger.yearly = event.target.checked; } }), h('label', { for: yearlyId }, t('auto.yearly'))));
    }
    if (trigger.type === 'message.received') { // a customer's message: its channel, its words, a new conversation
      const firstId = uid('auto-first');
      parts.push(select(t('auto.channel'), trigger.channel || 'any', ['any', ...MESSENGERS].map((c) => [c, t(`auto.messenger.${c}`)]),
        (c) => { trigger.channel = c; }),
      input(t('auto.textContains'), trigger.text_contains, (v) => { trigger.text_contains = v.trim() || null; }, { maxlength: '100' }),
      h('div', { class: 'field field-check' }, h('input', { type: 'checkbox', id: firstId, checked: Boolean(trigger.first_only),
        onChange: (event) => { trigger.first_only = event.target.checked; } }), h('label', { for: firstId }, t('auto.firstOnly'))));
    }
    if (trigger.type === 'lead.received') {
      parts.push(select(t('auto.channel'), trigger.channel, ['any', 'form', 'call'].map((c) => [c, t(`auto.channel.${c}`)]),
        (c) => { trigger.channel = c; }));
    }
    if (['deal.idle', 'date.reached', 'task.due_soon'].includes(trigger.type)) { // its sweep arms what is there already
      parts.push(h('p', { class: 'hint', 'data-test': 'applies-existing' }, t('auto.appliesExisting')));
    }
    return h('fieldset', { class: 'builder-step' }, parts);
  }

  // Which tasks remind the client: all kinds ticked is every task (task_kinds left out), so a call-back the manager
  // makes for themselves can be left out of a reminder of appointments.
  taskKinds(trigger) {
    const ticked = new Set(trigger.task_kinds || TASK_KINDS);
    const boxes = TASK_KINDS.map((kind) => {
      const id = uid('auto-kind');
      return h('div', { class: 'field field-check' }, h('input', { type: 'checkbox', id, value: kind, checked: ticked.has(kind),
        onChange: (event) => {
          if (event.target.checked) ticked.add(kind); else ticked.delete(kind);
          trigger.task_kinds = ticked.size === TASK_KINDS.length ? null : TASK_KINDS.filter((k) => ticked.has(k));
        } }), h('label', { for: id }, t(`tasks.kind.${kind}`)));
    });
    return h('fieldset', { class: 'task-kinds' }, h('legend', {}, t('auto.taskKinds')), boxes);
  }

  conditionRow(condition, index) {
    const fieldsId = uid('auto-fields');
    return h('div', { class: 'builder-row', 'data-test': 'condition' },
      input(t('auto.field'), condition.field, (v) => { condition.field = v.trim(); }, { list: fieldsId, required: true }),
      h('datalist', { id: fieldsId }, FIELDS.map((name) => h('option', { value: name }))),
      select(t('auto.op'), condition.op, OPS.map((op) => [op, t(`auto.op.${op}`)]), (op) => { condition.op = op; this.draw(); }),
      ['empty', 'not_empty'].includes(condition.op) ? null : input(t('auto.value'), Array.isArray(condition.value)
        ? condition.value.join(', ') : condition.value, (v) => { condition.value = condition.op === 'in' ? list(v).map(typed) : typed(v); }),
      h('button', { type: 'button', class: 'link', onClick: () => { this.rule.conditions.splice(index, 1); this.draw(); } },
        t('auto.remove')));
  }

  actionFields(action) {
    const entity = handed(this.rule.trigger, action);
    const takers = this.context.users.filter((user) => !entity || reads(user, entity));
    // one the rule names who cannot take the work now (role changed, left) stays shown, so it can be replaced
    const named = [action.assignee, ...(action.assignee === 'round_robin' ? action.users || [] : [])];
    const gone = entity ? named.filter((id) => id && !['owner', 'round_robin'].includes(id) && !takers.some((u) => u.id === id))
      .map((id) => ({ id, name: `${personName(id, this.context)} (${t('auto.cannotTake')})` })) : [];
    const users = [...takers, ...gone];
    const people = (extra) => usersPicker(t('auto.users'), action.users || (action.users = []), users, extra);
    const who = (withOwner) => select(t('auto.assignee'), action.assignee, [
      ...(withOwner ? [['owner', t('auto.owner')]] : []), ['round_robin', t('auto.roundRobin')],
      ...users.map((u) => [u.id, u.name || u.email])], (v) => {
      action.assignee = v; this.problems = this.problems.filter((p) => p.action !== this.rule.actions.indexOf(action)); this.draw();
    });
    switch (action.type) {
      case 'create_task': return [input(t('auto.title'), action.title, (v) => { action.title = v; }, { required: true, 'data-test': 'task-title' }),
        delay(t('auto.dueIn'), action.due_in_minutes, (v) => { action.due_in_minutes = v; }, 'due-in'),
        who(true), action.assignee === 'round_robin' ? people([]) : null];
      case 'assign': return [who(false), action.assignee === 'round_robin' ? people([]) : null];
      case 'move_deal': {
        const pipelineId = this.rule.trigger.pipeline_id || this.context.pipelines[0]?.id;
        return [select(t('auto.stage'), action.stage_id, this.stages(pipelineId).map((s) => [s.id, s.name]), (v) => { action.stage_id = v; })];
      }
      case 'tag': return [input(t('auto.tagsAdd'), (action.add || []).join(', '), (v) => { action.add = list(v); }),
        input(t('auto.tagsRemove'), (action.remove || []).join(', '), (v) => { action.remove = list(v); })];
      case 'set_field': return [input(t('auto.field'), action.field, (v) => { action.field = v.trim(); }, { required: true }),
        input(t('auto.value'), action.value, (v) => { action.value = typed(v); })];
      case 'notify': return [people([['owner', t('auto.owner')]]), input(t('auto.text'), action.text, (v) => { action.text = v || null; })];
      case 'send_email': return [input(t('auto.subject'), action.subject, (v) => { action.subject = v; }, { required: true }),
        textBox(t('auto.body'), action.text, (v) => { action.text = v; }, { required: true }),
        h('p', { class: 'hint' }, t('auto.consent'))];
      case 'send_message': {
        // A template is approved in one language: the company's (a Kazan firm's reminder sent as 'en' is refused)
        const language = action.template?.language || session.tenant?.locale || 'en';
        const template = (field) => (v) => {
          action.template = { ...(action.template || { name: '', language }), [field]: v };
          if (!action.template.name) action.template = null;
        };
        // A patient who booked by phone or on the site has no chat yet: on a line chosen here the rule starts one (with
        // the template); without one it writes only where a conversation already is.
        const lines = (this.context.lines || []).filter((line) => (LINE_TYPES[action.channel] || []).includes(line.type));
        return [textBox(t('auto.messageText'), action.text, (v) => { action.text = v || null; }, { 'data-test': 'message-text' }),
          h('p', { class: 'hint' }, ['task.due_soon', 'task.overdue'].includes(this.rule.trigger.type) ? t('auto.fieldsTask') : t('auto.fields')),
          select(t('auto.channel'), action.channel || '', [['', t('auto.latestConversation')], ...MESSENGERS.map((c) => [c, t(`auto.messenger.${c}`)])],
            (c) => { action.channel = c || null; action.integration_id = null; this.draw(); }),
          action.channel ? select(t('auto.line'), action.integration_id || '', [['', t('auto.line.existing')],
            ...lines.map((line) => [line.id, line.name])], (id) => { action.integration_id = id || null; }, { 'data-test': 'message-line' }) : null,
          input(t('auto.templateName'), action.template?.name, (v) => template('name')(v.trim()), { pattern: '[a-z0-9_]+' }),
          input(t('auto.templateLanguage'), language, (v) => template('language')(v.trim())),
          textBox(t('auto.templateParameters'), (action.template?.parameters || []).join('\n'), (v) => template('parameters')(
            v.split('\n').map((line) => line.trim()).filter(Boolean)), { rows: '3', 'data-test': 'template-parameters' }),
          h('p', { class: 'hint' }, t('auto.window'))];
      }
      case 'webhook': return [input(t('auto.url'), action.url, (v) => { action.url = v.trim(); }, { type: 'url', required: true })];
      default: return [];
    }
  }

  actionRow(action, index) {
    const fresh = (type) => ({ create_task: { title: '', due_in_minutes: 60, assignee: 'owner', users: [] },
      assign: { assignee: 'round_robin', users: [] }, move_deal: { stage_id: this.stages(this.rule.trigger.pipeline_id)[0]?.id },
      tag: { add: [], remove: [] }, set_field: { field: '', value: '' }, notify: { users: ['owner'], text: null },
      send_email: { subject: '', text: '' }, send_message: { text: '', template: null, channel: null },
      webhook: { url: '' } })[type];
    const problems = this.problems.filter((problem) => problem.action === index);
    return h('div', { class: 'builder-row', 'data-test': 'action' },
      select(t('auto.then'), action.type, ACTIONS.map((type) => [type, t(`auto.action.${type}`)]), (type) => {
        this.rule.actions[index] = { type, ...fresh(type) }; this.problems = this.problems.filter((p) => p.action !== index); this.draw();
      }, { 'data-test': 'action-type' }),
      ...this.actionFields(action),
      problems.length ? h('p', { class: 'field-error rule-problem-text', 'data-test': 'action-problem' },
        problems.map((problem) => problemText(problem, this.context)).join(' ')) : null,
      this.rule.actions.length > 1 ? h('button', { type: 'button', class: 'link', onClick: () => {
        this.rule.actions.splice(index, 1); this.draw();
      } }, t('auto.remove')) : null);
  }

  draw() {
    mount(this.body,
      input(t('auto.name'), this.rule.name, (v) => { this.rule.name = v; }, { required: true, maxlength: '200', 'data-test': 'rule-name' }),
      this.triggerPart(),
      h('fieldset', { class: 'builder-step' }, h('legend', {}, t('auto.if')),
        this.rule.conditions.map((condition, index) => this.conditionRow(condition, index)),
        h('button', { type: 'button', class: 'secondary small', onClick: () => {
          this.rule.conditions.push({ field: 'amount_minor', op: 'gte', value: 0 }); this.draw();
        } }, t('auto.addCondition'))),
      h('fieldset', { class: 'builder-step' }, this.rule.actions.map((action, index) => this.actionRow(action, index)),
        this.rule.actions.length < 10 ? h('button', { type: 'button', class: 'secondary small', onClick: () => {
          this.rule.actions.push({ type: 'notify', users: ['owner'], text: null }); this.draw();
        } }, t('auto.addAction')) : null));
  }

  payload() {
    const { name, enabled, trigger, conditions, actions } = this.rule;
    return { name, enabled, trigger, conditions, actions };
  }
}

function showSecret(secret) {
  const dialog = h('dialog', { class: 'dialog', 'aria-label': t('auto.secret') },
    h('form', { method: 'dialog' }, h('p', {}, t('auto.secret')), h('code', { class: 'mono', 'data-test': 'webhook-secret' }, secret),
      h('div', { class: 'dialog-actions' }, h('button', { value: 'ok', class: 'primary' }, t('auto.close')))));
  openModal(dialog, () => {});
}

function openBuilder(rule, prefill, context, reload, draft = null) {
  const builder = new Builder(rule || draft, prefill, context);
  const status = h('p', { class: 'form-status', role: 'alert', hidden: true });
  const dialog = h('dialog', { class: 'dialog dialog-wide', 'aria-label': rule ? t('auto.editTitle') : t('auto.newTitle') });
  const save = async (event) => {
    event.preventDefault();
    try {
      const answer = rule ? await patch(`/api/v1/automations/${encodeURIComponent(rule.id)}`, { version: rule.version, ...builder.payload() })
        : await post('/api/v1/automations', builder.payload());
      dialog.close('saved');
      toast(t('auto.saved'));
      await reload();
      if (answer.webhook_secret) showSecret(answer.webhook_secret);
    } catch (error) {
      status.hidden = false;
      status.textContent = errorMessage(error); // a plan's limit, a refused rule: in the reader's language
      if (['assignee_cannot_read', 'assignee_not_active'].includes(error.code)) { // each action naming one is marked
        builder.problems = (error.details || []).map((detail) => ({ action: detail.loc?.[2], user_id: detail.ctx?.user_id,
          code: detail.type === 'unknown_user' ? 'user_not_active' : detail.type }));
        builder.draw();
      }
    }
  };
  mount(dialog, h('form', { onSubmit: save, novalidate: true },
    h('h2', {}, rule ? t('auto.editTitle') : t('auto.newTitle')), status, builder.body,
    h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'secondary', onClick: () => dialog.close('cancel') }, t('common.cancel')),
      h('button', { type: 'submit', class: 'primary', 'data-test': 'rule-save' }, t('common.save')))));
  openModal(dialog, () => {});
}

// Ready-made rules: the builder opens filled in, to be read, changed and saved (nothing is saved by the click).
const RECIPES = [{ key: 'remind', rule: () => ({ name: t('auto.recipe.remind'), enabled: true,
  trigger: { type: 'task.due_soon', minutes_before: 1440, task_kinds: ['todo', 'meeting'] }, conditions: [],
  actions: [{ type: 'send_message', text: t('auto.recipe.remindText'), template: null, channel: null }] }) }];

// Where a run's record opens (the cards the app has); a task has no card: it shows on the record it is about.
const RECORD_PATHS = { deal: (id) => `#/deals/${id}`, contact: (id) => `#/contacts/${id}`, company: (id) => `#/companies/${id}`,
  ticket: (id) => `#/tickets/${id}`, order: (id) => `#/orders/${id}`, conversation: (id) => `#/inbox/${id}` };

function recordPath(type, id) {
  return type && id && RECORD_PATHS[type] ? RECORD_PATHS[type](encodeURIComponent(id)) : null;
}

function personName(id, context) {
  const user = context.users.find((u) => u.id === id);
  return user ? user.name || user.email : (context.names || {})[id] || t('auto.someone');
}

const reasonText = (code) => (has(`auto.reason.${code}`) ? t(`auto.reason.${code}`) : code || '');

/** Why a rule cannot hand its work to a colleague it names, and what to do: pick someone else. */
function problemText(problem, context) {
  return t('auto.problem', { user: personName(problem.user_id, context), why: reasonText(problem.code) });
}

/** A step's outcome in the reader's language, from its code and params (ids named from what the screen has, the
 * record it made linked); a step stored before codes, or of a code this screen does not know, shows its detail. */
function outcome(step, run, context) {
  const params = step.params || {};
  if (step.code === 'refused') return errorMessage({ code: params.error, message: step.detail });
  if (!step.code || !has(`auto.outcome.${step.code}`)) return step.detail || null;
  const person = (id) => personName(id, context);
  const stage = context.pipelines.flatMap((p) => p.stages || []).find((st) => st.id === params.stage_id);
  const text = t(`auto.outcome.${step.code}`, { ...params, user: person(params.user_id), stage: stage ? stage.name : '—',
    users: (params.user_ids || []).map(person).join(', '), tags: (params.tags || []).join(', '),
    skipped: person(params.skipped_user_id || params.user_id), why: reasonText(params.reason) });
  const where = params.conversation_id ? recordPath('conversation', params.conversation_id)
    : params.contact_id ? recordPath('contact', params.contact_id)
      : params.task_id ? recordPath(run.subject?.type, run.subject?.id) : null;
  return where ? h('a', { href: where, 'data-test': 'run-record' }, text) : text;
}

async function openRuns(rule, context) {
  let runs;
  try { runs = (await get(`/api/v1/automations/${encodeURIComponent(rule.id)}/runs?limit=50`)).items; } catch (error) { toastError(error); return; }
  const rows = runs.map((run) => {
    const about = run.subject && recordPath(run.subject.type, run.subject.id);
    return h('li', { class: 'run', 'data-test': 'run' },
      h('div', { class: 'title' }, `${formatDateTime(run.created_at)} · ${t(`auto.status.${run.status}`)}`,
        about && has(`auto.subject.${run.subject.type}`) ? [' · ', h('a', { href: about }, t(`auto.subject.${run.subject.type}`))] : null),
      h('ul', {}, run.steps.map((step) => {
        const said = outcome(step, run, context);
        return h('li', { class: 'meta small', 'data-test': 'run-step' },
          `${t(`auto.action.${step.type}`)}: ${t(`auto.status.${step.status}`)} (${t('auto.attempts', { n: step.attempts })})`,
          said ? [' — ', said] : null);
      })));
  });
  const dialog = h('dialog', { class: 'dialog dialog-wide', 'aria-label': t('auto.runs'),
    onClick: (event) => { if (event.target.closest('a[href^="#/"]')) dialog.close(); } }, // a record's link leaves for its screen
    h('form', { method: 'dialog' }, h('h2', {}, `${t('auto.runs')}: ${rule.name}`),
      rows.length ? h('ul', { class: 'runs' }, rows) : h('p', { class: 'muted' }, t('auto.noRuns')),
      h('div', { class: 'dialog-actions' }, h('button', { value: 'ok', class: 'primary' }, t('auto.close')))));
  openModal(dialog, () => {});
}

function ruleCard(rule, context, reload) {
  const toggle = h('input', { type: 'checkbox', checked: rule.enabled, 'aria-label': `${t('auto.enabled')}: ${rule.name}`,
    onChange: async (event) => {
      try { await patch(`/api/v1/automations/${encodeURIComponent(rule.id)}`, { version: rule.version, enabled: event.target.checked }); await reload(); } catch (error) {
        event.target.checked = !event.target.checked; toastError(error);
      }
    } });
  const remove = async () => {
    if (!(await confirmAction(t('auto.deleteConfirm', { name: rule.name }), t('auto.delete')))) return;
    try { await del(`/api/v1/automations/${encodeURIComponent(rule.id)}`); await reload(); } catch (error) { toastError(error); }
  };
  // A rule naming a colleague who cannot take its work now (role changed, left) says so, what happens meanwhile, and
  // how to fix it (as HubSpot flags a workflow that became invalid)
  const problems = rule.problems || [];
  const flag = problems.length ? h('div', { class: 'rule-problem', 'data-test': 'rule-problem' },
    h('p', { class: 'rule-problem-title' }, t('auto.needsAttention')),
    h('ul', {}, problems.map((problem) => h('li', {}, `${t(`auto.action.${rule.actions[problem.action]?.type}`)}: ${problemText(problem, context)}`))),
    h('p', { class: 'small' }, t('auto.meanwhile')),
    h('button', { type: 'button', class: 'secondary small', 'data-test': 'rule-fix', onClick: () => openBuilder(rule, null, context, reload) },
      t('auto.fix'))) : null;
  return h('li', { class: ['rule-card', rule.enabled ? null : 'is-off', problems.length ? 'is-flagged' : null], 'data-test': 'rule' },
    h('div', { class: 'rule-head' }, h('label', { class: 'rule-toggle' }, toggle, h('span', { class: 'title' }, rule.name))),
    h('p', { class: 'meta small' }, rule.actions.map((action) => t(`auto.action.${action.type}`)).join(' · ')), flag,
    h('div', { class: 'rule-actions' },
      h('button', { type: 'button', class: 'link', onClick: () => openBuilder(rule, null, context, reload) }, t('auto.edit')),
      h('button', { type: 'button', class: 'link', onClick: () => openRuns(rule, context) }, t('auto.runs')),
      h('button', { type: 'button', class: 'link', onClick: remove }, t('auto.delete'))));
}

function column(title, rules, addLabel, onAdd, context, reload) {
  return h('section', { class: 'auto-column' }, h('h2', { class: 'auto-column-title' }, title),
    rules.length ? h('ul', { class: 'rule-list' }, rules.map((rule) => ruleCard(rule, context, reload)))
      : h('p', { class: 'muted small' }, t('auto.none')),
    h('button', { type: 'button', class: 'secondary small', 'aria-label': addLabel, onClick: onAdd, 'data-test': 'rule-add' }, t('auto.add')));
}

/** #/settings/automations. */
export async function automations(root, { alive, query }) {
  const [rules, pipelines, users, lines] = await Promise.all([get('/api/v1/automations?limit=200'), get('/api/v1/pipelines'),
    companyUsers().then((items) => ({ items }), () => ({ items: [] })), get('/api/v1/integrations?limit=100').catch(() => ({ items: [] }))]);
  if (!alive()) return;
  const context = { pipelines: pipelines.items, users: users.items.filter((u) => u.status === 'active'),
    lines: lines.items.filter((line) => line.status === 'active') };
  context.names = Object.fromEntries(rules.items.flatMap((rule) => (rule.problems || []).map((p) => [p.user_id, p.user_name])));
  const reload = () => automations(root, { alive, query });
  const pipeline = context.pipelines.find((p) => p.id === query.get('pipeline')) || context.pipelines[0];
  const onStage = (rule) => rule.trigger.type === 'deal.stage_entered' && rule.trigger.pipeline_id === pipeline?.id;
  const columns = (pipeline?.stages || []).map((stage) => column(stage.name,
    rules.items.filter((rule) => onStage(rule) && rule.trigger.stage_id === stage.id), t('auto.addTo', { stage: stage.name }),
    () => openBuilder(null, { type: 'deal.stage_entered', pipeline_id: pipeline.id, stage_id: stage.id }, context, reload), context, reload));
  columns.push(column(t('auto.other'), rules.items.filter((rule) => !onStage(rule)), t('auto.add'),
    () => openBuilder(null, { type: 'record.created', entity: 'deal' }, context, reload), context, reload));
  const recipes = h('div', { class: 'auto-recipes' }, h('span', { class: 'muted small' }, t('auto.recipes')),
    RECIPES.map((recipe) => h('button', { type: 'button', class: 'secondary small', 'data-test': `recipe-${recipe.key}`,
      onClick: () => openBuilder(null, null, context, reload, recipe.rule()) }, t(`auto.recipe.${recipe.key}`))));
  const pick = context.pipelines.length > 1 ? select(t('auto.pipeline'), pipeline?.id, context.pipelines.map((p) => [p.id, p.name]),
    (id) => { location.hash = `#/settings/automations?pipeline=${encodeURIComponent(id)}`; }) : null;
  mount(root, heading(t('settings.title')), settingsTabs('automations'),
    h('p', { class: 'muted' }, t('auto.intro')), recipes, pick, h('div', { class: 'auto-canvas', 'data-test': 'auto-canvas' }, columns));
}
