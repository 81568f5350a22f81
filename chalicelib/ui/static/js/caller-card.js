// The caller card: while a call rings for the signed-in user, who is calling (their name or number, company, open
// deal and last note, with links to their cards) shows at the top of the screen. The live-updates socket brings it
// as a `call.ringing` message (see live.js); the card goes when dismissed, when a later message about the same call
// arrives (answered, ended), or after a minute. It is announced politely and never takes the focus: whoever is
// typing keeps typing.
import { h } from './dom.js';
import { t } from './i18n.js';
import { formatPhone } from './format.js';
import { onSessionChange, signedIn } from './session.js';

const SHOWN_MS = 60 * 1000;
const shown = new Map(); // call id -> { card, timer }

// The live region exists before any card, so that screen readers announce what is put in it.
const region = h('div', { class: 'caller-cards', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'false' });
document.body.append(region);

function dismiss(callId) {
  const entry = shown.get(callId);
  if (!entry) return;
  clearTimeout(entry.timer);
  entry.card.remove();
  shown.delete(callId);
}

function recordLink(path, id, text) {
  return h('a', { href: `#/${path}/${encodeURIComponent(id)}` }, text);
}

function facts(call) {
  const rows = [
    call.company ? [t('caller.company'), recordLink('companies', call.company.id, call.company.name || t('caller.companyCard'))] : null,
    call.deal ? [t('caller.deal'), recordLink('deals', call.deal.id, call.deal.title || t('caller.dealCard'))] : null,
    call.last_note ? [t('caller.lastNote'), h('span', { class: 'caller-note' }, call.last_note)] : null,
  ].filter(Boolean);
  return rows.length ? h('dl', { class: 'props caller-facts' }, rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])) : null;
}

function cardOf(call) {
  const number = call.number ? formatPhone(call.number) : t('calls.noNumber');
  const who = call.contact?.name || call.company?.name || number;
  const open = call.contact ? recordLink('contacts', call.contact.id, t('caller.openContact'))
    : (call.company ? recordLink('companies', call.company.id, t('caller.openCompany')) : null);
  if (open) open.classList.add('button-link', 'small', 'primary-link');
  const close = h('button', { type: 'button', class: 'caller-dismiss', 'aria-label': t('caller.dismiss') }, '×');
  close.addEventListener('click', () => dismiss(call.id));
  return h('section', { class: 'caller-card', 'data-call': call.id, 'aria-label': t('caller.from', { who }) },
    h('div', { class: 'caller-head' }, h('span', { class: 'icon call-icon icon-call-in', 'aria-hidden': 'true' }),
      h('p', { class: 'caller-kicker' }, t('caller.incoming')), close),
    h('p', { class: 'caller-name' }, who),
    who !== number ? h('p', { class: 'caller-number' }, number) : h('p', { class: 'caller-number muted' }, t('caller.unknown')),
    facts(call),
    open ? h('div', { class: 'caller-actions' }, open) : null);
}

function show(call) {
  const card = cardOf(call);
  const previous = shown.get(call.id);
  if (previous) { clearTimeout(previous.timer); previous.card.replaceWith(card); } else region.prepend(card);
  shown.set(call.id, { card, timer: setTimeout(() => dismiss(call.id), SHOWN_MS) });
}

window.addEventListener('crm:live', (event) => {
  const message = event.detail || {};
  const call = message.call;
  if (typeof message.type !== 'string' || !message.type.startsWith('call.') || !call || !call.id) return;
  // Ringing shows the card; anything later about the call (answered, ended ...) means it is no longer ringing.
  if (message.type === 'call.ringing' && call.direction !== 'outbound') show(call);
  else dismiss(call.id);
});

onSessionChange(() => {
  if (!signedIn()) for (const callId of [...shown.keys()]) dismiss(callId);
});
