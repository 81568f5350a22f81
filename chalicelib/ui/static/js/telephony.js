// Telephony in the web app: the signed-in user's own phone lines (for click-to-call), employees' names, phone numbers
// as links, the recording player and the words of a call. Lines and names are read once per session, lazily, and
// never hold a screen up: a number is drawn as a tel: link at once and becomes click-to-call when a line is known.
import { ApiError, get, post } from './api.js';
import { h, mount, uid } from './dom.js';
import { errorMessage, has, t } from './i18n.js';
import { formatDuration, formatPhone } from './format.js';
import { can, onSessionChange, session } from './session.js';
import { openModal, toast } from './ui.js';
import { companyUsers, reads } from './users.js';


let linesLoading = null;
onSessionChange(() => { linesLoading = null; });

/** Read the lines again on next use (after a telephony integration was saved). */
export function forgetLines() {
  linesLoading = null;
}

/** The active lines the signed-in user has an extension on and can call out from (read once per session). */
export function myLines() {
  if (!linesLoading) {
    const reading = can('calls', 'create') ? get('/api/v1/calls/lines') : Promise.resolve({ items: [] });
    linesLoading = reading
      .then((page) => page.items.filter((line) => line.click_to_call)
        .map((line) => ({ id: line.integration_id, name: line.name, type: line.type, extension: line.extension })))
      .catch(() => { linesLoading = null; return []; });
  }
  return linesLoading;
}

/** The company's users (js/users.js: read once a session for every screen); none when they cannot be read. */
function colleagues() {
  return companyUsers().catch(() => []);
}

/** Employees' names by user id (read once per session). */
export function userNames() {
  return colleagues().then((users) => new Map(users.map((user) => [user.id, user.name])));
}

/** The colleagues a kind of work (`conversations`, `tasks`, `deals`...) can be handed to, as [id, name] by name:
 * not deactivated, and their role reads it (an accountant's role that reads no chats is not offered one). */
export function handedTo(entity) {
  return colleagues().then((users) => users
    .filter((user) => user.status !== 'deactivated' && reads(user, entity))
    .map((user) => [user.id, user.name]).sort((a, b) => a[1].localeCompare(b[1])));
}

/** An employee's name, filled in when the names are known (the signed-in user's at once). */
export function employeeName(userId) {
  const el = h('span', { class: 'employee' }, userId ? '' : '—');
  if (!userId) return el;
  if (userId === session.user?.id) { el.textContent = session.user.name; return el; }
  userNames().then((names) => { el.textContent = names.get(userId) || t('calls.formerEmployee'); });
  return el;
}

/** The customer's side of a call: who called in, or who was called; null when hidden ("anonymous" has no digit). */
export function customerNumber(call) {
  const number = call.direction === 'outbound' ? call.to_number : call.from_number;
  return number && /\d/.test(number) ? number : null;
}

function chooseLine(lines) {
  return new Promise((resolve) => {
    const name = uid('line');
    const dialog = h('dialog', { class: 'dialog', 'aria-label': t('calls.chooseLine') },
      h('form', { method: 'dialog' }, h('fieldset', {}, h('legend', {}, t('calls.chooseLine')),
        lines.map((line, i) => {
          const id = `${name}-${i}`;
          return h('div', { class: 'choice' }, h('input', { type: 'radio', id, name, value: line.id, checked: i === 0 }),
            h('label', { for: id }, line.name, ' ', h('span', { class: 'muted' }, `(${t(`integrations.type.${line.type}`)})`)));
        })),
      h('div', { class: 'dialog-actions' }, h('button', { value: 'cancel', class: 'secondary' }, t('common.cancel')),
        h('button', { value: 'call', class: 'primary' }, t('calls.call')))));
    openModal(dialog, (value) => {
      const picked = dialog.querySelector(`input[name="${name}"]:checked`);
      resolve(value === 'call' && picked ? lines.find((line) => line.id === picked.value) : null);
    });
  });
}

function dialError(error) {
  const problem = error instanceof ApiError ? error.details.find((d) => d && has(`calls.problem.${d.type}`)) : null;
  return problem ? t(`calls.problem.${problem.type}`) : errorMessage(error);
}

/**
 * Click-to-call: the provider rings the user's extension, then the customer. The only line is used, several are
 * offered to choose from. target is {number, contactId}: with a contact the call lands on its card at once.
 */
export async function dial(target) {
  const lines = await myLines();
  const line = lines.length === 1 ? lines[0] : (lines.length ? await chooseLine(lines) : null);
  if (!line) return null;
  const body = { integration_id: line.id, ...(target.contactId ? { contact_id: target.contactId } : { number: target.number }) };
  try {
    const started = await post('/api/v1/calls', body);
    toast(t('calls.ringsFirst', { number: formatPhone(target.number) }));
    return started;
  } catch (error) {
    toast(dialError(error), 'error');
    return null;
  }
}

/**
 * A phone number as a link: tel: at first, click-to-call once the user is known to have a line with an extension.
 * contactId (the contact whose first phone it is) puts the call on the contact's card at once.
 */
export function phoneLink(number, { contactId = null, label = null } = {}) {
  const link = h('a', { href: `tel:${number}`, class: 'phone' }, label || formatPhone(number));
  myLines().then((lines) => {
    if (!lines.length) return;
    link.classList.add('click-to-call');
    link.dataset.dial = 'true';
    link.title = t('calls.clickToCall');
    link.addEventListener('click', async (event) => {
      event.preventDefault();
      if (link.getAttribute('aria-disabled') === 'true') return;
      link.setAttribute('aria-disabled', 'true');
      try { await dial({ number, contactId }); } finally { link.removeAttribute('aria-disabled'); }
    });
  });
  return link;
}

/** Write to a number in WhatsApp or Telegram (each opens the app's chat with that number; #20 item 7). */
export function messengerLinks(number) {
  const digits = String(number || '').replace(/\D/g, '');
  if (digits.length < 7) return null;
  const shown = formatPhone(number);
  return h('span', { class: 'messengers' },
    h('a', { href: `https://wa.me/${digits}`, target: '_blank', rel: 'noopener', class: 'messenger messenger-wa',
      'aria-label': t('phone.whatsapp', { number: shown }), title: t('phone.whatsapp', { number: shown }) }, 'WA'),
    h('a', { href: `https://t.me/+${digits}`, target: '_blank', rel: 'noopener', class: 'messenger messenger-tg',
      'aria-label': t('phone.telegram', { number: shown }), title: t('phone.telegram', { number: shown }) }, 'TG'));
}

/** A list of phones as links, each with its WhatsApp and Telegram links; null when there are none. */
export function phoneLinks(phones, contactId = null) {
  const numbers = (phones || []).map((phone) => phone.number).filter(Boolean);
  if (!numbers.length) return null;
  return numbers.map((number, i) => h('span', { class: 'phone-row' },
    phoneLink(number, { contactId: i === 0 ? contactId : null }), messengerLinks(number)));
}

/** A Play button that fetches the recording's short-lived link, then plays it in an <audio controls>. */
export function recordingPlayer(callId) {
  const slot = h('span', { class: 'recording' });
  const button = h('button', { type: 'button', class: 'secondary small play', 'data-test': 'play' },
    h('span', { class: 'icon icon-play', 'aria-hidden': 'true' }), t('calls.play'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const link = await get(`/api/v1/calls/${encodeURIComponent(callId)}/recording`);
      const audio = h('audio', { controls: true, preload: 'auto', src: link.url, 'aria-label': t('calls.recording') });
      // The link lives five minutes: a player left until it expired asks for a new one.
      audio.addEventListener('error', () => mount(slot, button), { once: true });
      mount(slot, audio);
      audio.focus();
      audio.play().catch(() => { /* the controls are there to press */ });
    } catch (error) {
      toast(dialError(error), 'error');
    } finally {
      button.disabled = false;
    }
  });
  return mount(slot, button);
}

/** "Incoming call · answered · 1:42" (the employee is added by callLine); "· no end reported by the provider" for a
 * call closed by its timer. */
export function callWords(call) {
  const parts = [t(call.direction === 'outbound' ? 'calls.outgoing' : 'calls.incoming'), t(`calls.status.${call.status}`)];
  if (call.duration_seconds) parts.push(formatDuration(call.duration_seconds));
  if (call.end_reason) parts.push(t(`calls.endReason.${call.end_reason}`));
  return parts.join(' · ');
}

/** A call as one line of a timeline: its words, its employee, and a Play button when recorded. */
export function callLine(data) {
  const call = { direction: data.direction, status: data.status, duration_seconds: data.duration_seconds,
    end_reason: data.end_reason };
  return h('div', { class: 'call-line' }, h('span', { class: `icon call-icon ${directionClass(call)}`, 'aria-hidden': 'true' }),
    h('span', { class: 'call-words' }, callWords(call), data.user_id ? [' · ', employeeName(data.user_id)] : null),
    data.recording && data.call_id ? recordingPlayer(data.call_id) : null);
}

/** The icon class of a call: in, out, or missed. */
export function directionClass(call) {
  if (call.direction === 'outbound') return 'icon-call-out';
  return ['missed', 'busy', 'failed'].includes(call.status) ? 'icon-call-missed' : 'icon-call-in';
}
