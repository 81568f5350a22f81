// What a timeline entry says, in the reader's language, from its kind and data (#20 items 2 and 3): the server keeps
// an English summary for API clients; the web app words the entries it knows itself and shows the lead's own words.
import { h } from '../js/dom.js';
import { has, t } from '../js/i18n.js';
import { formatMoney, formatPhone } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { ORDERS } from '../js/messages-orders.js';

// an order's status and payments on a contact's or deal's timeline read as the orders screen words them, whether
// or not that screen has loaded yet (its texts came with it alone, so the card showed the plain summary until then)
Object.assign(MESSAGES, ORDERS);

const TASK_EVENTS = ['created', 'done', 'reopened', 'restored'];
const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'];

/** Where a record came from ("form:Weddings" as the form's name), in words. */
export function sourceText(source) {
  if (!source) return null;
  const [kind, ...rest] = String(source).split(':');
  const name = rest.join(':');
  if (kind === 'form' && name) return t('lead.fromForm', { form: name });
  return has(`lead.source.${kind}`) ? t(`lead.source.${kind}`) : source;
}

/** UTM tags as one line: "yandex / cpc / wedding". */
export function utmText(utm) {
  const values = UTM_KEYS.map((key) => utm?.[key]).filter(Boolean);
  return values.length ? values.join(' / ') : null;
}

function stageText(data) {
  const move = data.from_stage ? `${data.from_stage} → ${data.to_stage}` : t('timeline.createdIn', { stage: data.to_stage });
  const reason = data.to_kind === 'lost' && data.lost_reason ? ` (${data.lost_reason})` : '';
  return data.title ? `${data.title}: ${move}${reason}` : `${move}${reason}`;
}

function formLines(data) {
  const contactBits = [data.phone ? formatPhone(data.phone) : null, data.email].filter(Boolean).join(', ');
  const utm = utmText(data.utm);
  return [
    h('div', { class: 'entry-title' }, t('timeline.formFrom', { form: data.form || '—', name: data.name || '—' })),
    data.matched ? h('p', { class: 'notice entry-matched', 'data-test': 'matched' },
      t(`timeline.matched.${['email', 'telegram'].includes(data.matched) ? data.matched : 'phone'}`)) : null,
    data.contact_skipped ? h('p', { class: 'notice entry-skipped', 'data-test': 'contact-skipped' },
      t('timeline.contactSkipped')) : null,
    data.message ? h('blockquote', { class: 'lead-message prewrap', 'data-test': 'lead-message' }, data.message) : null,
    h('dl', { class: 'props entry-facts' },
      [[t('lead.contacts'), contactBits], [t('lead.company'), data.company], [t('lead.page'), data.page],
        [t('lead.referrer'), data.referrer], [t('lead.utm'), utm],
        ...Object.entries(data.custom || {}), ...Object.entries(data.other || {})]
        .filter(([, value]) => value).map(([label, value]) => [h('dt', {}, label), h('dd', {}, String(value))])),
  ];
}

/**
 * The words of an entry below its time and kind: null when the entry is not one the app words itself (its
 * summary is then shown as before).
 */
export function entryWords(entry, subjectType = null) {
  const data = entry.data || {};
  if (entry.kind === 'task' && TASK_EVENTS.includes(data.event) && data.title) {
    return h('div', {}, t(`timeline.taskEvent.${data.event}`, { title: data.title }));
  }
  if (entry.kind === 'stage_change' && data.to_stage) return h('div', {}, stageText(data));
  if (entry.kind === 'form_submission') return formLines(data);
  if (entry.kind === 'created') {
    const what = subjectType && has(`timeline.createdOf.${subjectType}`) ? t(`timeline.createdOf.${subjectType}`)
      : t('timeline.created');
    const from = sourceText(data.source);
    return h('div', {}, from ? `${what} · ${from}` : what);
  }
  if (entry.kind === 'updated' && 'source' in data) return h('div', {}, t('timeline.mergedDuplicate'));
  if (entry.kind === 'merge') return h('div', {}, t('timeline.merged'));
  if (entry.kind === 'order_status' && has(`orders.status.${data.to}`)) {
    return h('div', {}, t('timeline.orderStatus', { status: t(`orders.status.${data.to}`) }));
  }
  if (entry.kind === 'payment' && Number.isInteger(data.amount_minor) && data.currency && has('timeline.paymentIn')) {
    const method = has(`orders.method.${data.method}`) ? ` · ${t(`orders.method.${data.method}`)}` : '';
    return h('div', {}, `${t('timeline.paymentIn', { amount: formatMoney(data.amount_minor, data.currency) })}${method}`);
  }
  if (entry.kind === 'document' && data.number && has(`timeline.doc.${data.type}`)) {
    return h('div', {}, t(`timeline.doc.${data.type}`, { number: data.number }));
  }
  if (entry.kind === 'document_sent' && data.number && has(`timeline.via.${data.channel}`)) {
    return h('div', {}, t('timeline.docSent', { number: data.number, channel: t(`timeline.via.${data.channel}`) }));
  }
  if (entry.kind === 'message' && has(`inbox.channel.${data.channel}`)) {
    return h('div', {}, t(data.direction === 'out' ? 'timeline.messageOut' : 'timeline.messageIn',
      { channel: t(`inbox.channel.${data.channel}`) }));
  }
  return null;
}

/** The kind of an entry in words ("Website form" rather than form_submission). */
export function kindText(kind) {
  return has(`timeline.${kind}`) ? t(`timeline.${kind}`) : t('timeline.other');
}
