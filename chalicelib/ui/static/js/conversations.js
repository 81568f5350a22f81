// What the inbox, its threads and the contact card share: the unread badge in the nav (read once per session,
// then again only when the live socket says a message came or a screen read one: never polled), a message as a
// bubble with its delivery ticks and files, and the reply box (free text, or a template outside WhatsApp's window).
import { ApiError, get, post } from './api.js';
import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { formatDateTime } from './format.js';
import { can, onSessionChange, signedIn } from './session.js';
import { toastError } from './ui.js';

let unread = 0;
let known = false;
let user = null;

function paint() {
  for (const badge of document.querySelectorAll('.inbox-count')) {
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = unread === 0;
    badge.setAttribute('aria-label', t('inbox.unread', { n: unread }));
  }
}

/** Read the number of unread conversations again (after a message arrives or a thread is read). */
export async function refreshUnread() {
  if (!signedIn() || !can('conversations', 'read')) return;
  try {
    const found = await get('/api/v1/conversations/unread');
    unread = found.conversations + (found.more ? 1 : 0);
    known = true;
    paint();
  } catch { /* the badge stays as it was; the next message brings the count */ }
}

onSessionChange(() => {
  const now = signedIn() ? 'in' : null;
  if (now !== user) { user = now; known = false; unread = 0; }
});

window.addEventListener('crm:live', (event) => {
  const type = (event.detail || {}).type;
  if (type === 'conversation.message') refreshUnread();
});

/** The nav's badge of unread conversations. */
export function inboxCount() {
  const badge = h('span', { class: 'inbox-count count-badge', hidden: unread === 0, 'data-test': 'inbox-count' },
    String(unread));
  if (!known && signedIn()) { known = true; refreshUnread(); }
  queueMicrotask(paint);
  return badge;
}

// -- a message -----------------------------------------------------------------------------------------------------

const TICKS = { queued: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠' };

/** The delivery ticks of an outbound message (a failed one says why). */
export function ticks(message) {
  if (message.direction !== 'out') return null;
  const label = t(`inbox.status.${message.status}`);
  const why = message.status === 'failed' && message.error?.title ? `${label}: ${message.error.title}` : label;
  return h('span', { class: ['ticks', `ticks-${message.status}`], role: 'img', 'aria-label': why, title: why,
    'data-test': 'ticks', 'data-status': message.status }, TICKS[message.status] || '');
}

function fileButton(conversationId, message, file) {
  const label = file.name || t(`inbox.kind.${file.kind}`) || t('inbox.openFile');
  if (!file.available) return h('span', { class: 'file muted' }, label);
  return h('button', { type: 'button', class: 'link file', 'data-test': 'open-file', onClick: async () => {
    try {
      const link = await get(`/api/v1/conversations/${encodeURIComponent(conversationId)}/messages/`
        + `${encodeURIComponent(message.id)}/attachments/${encodeURIComponent(file.id)}`);
      window.open(link.url, '_blank', 'noopener');
    } catch (error) { toastError(error); }
  } }, `📎 ${label}`);
}

/** An e-mail's sender and subject above its text (#17). */
function mailHead(message) {
  if (!message.subject && !message.sender) return null;
  return h('p', { class: 'bubble-mail', 'data-test': 'mail-head' },
    message.sender ? h('span', { class: 'mail-sender' }, message.sender) : null,
    message.subject ? h('span', { class: 'mail-subject' }, message.subject) : null);
}

/** What an e-mail quotes of the earlier messages, folded (#17). */
function quoted(message) {
  if (!message.quoted) return null;
  return h('details', { class: 'bubble-quoted', 'data-test': 'quoted' }, h('summary', {}, t('inbox.quoted')),
    h('p', { class: 'bubble-text muted' }, message.quoted));
}

// What Telegram sends when someone opens the bot (its Start button, or a card's link with a code): no words of the
// customer's, so it reads as what happened rather than as "/start".
const BOT_START = /^\/start(?:@\w+)?(?:\s+\S+)?$/;

/** A customer's text as the inbox shows it: a Telegram bot's /start says the chat began. */
export function customerWords(text) {
  return BOT_START.test((text || '').trim()) ? t('inbox.botStarted') : text;
}

/** One message as a bubble: its text, files, time, and ticks on ours (an e-mail's sender, subject and quote too). */
export function bubble(conversationId, message) {
  const text = message.kind === 'template' && !message.text
    ? t('inbox.kind.template', { name: message.template?.name || '' })
    : (message.direction === 'in' ? customerWords(message.text) : message.text);
  return h('li', { class: ['bubble', message.direction === 'out' ? 'bubble-out' : 'bubble-in'], 'data-message': message.id },
    mailHead(message),
    text ? h('p', { class: 'bubble-text' }, text) : null, quoted(message),
    (message.attachments || []).map((file) => fileButton(conversationId, message, file)),
    message.files_removed ? h('p', { class: 'notice', 'data-test': 'files-removed' }, t('inbox.filesRemoved')) : null,
    h('span', { class: 'bubble-meta' }, h('time', { datetime: message.created_at }, formatDateTime(message.created_at)),
      message.edited_at ? ` · ${t('inbox.edited')}` : null, ' ', ticks(message)));
}

// -- the reply box -------------------------------------------------------------------------------------------------

function templateFields() {
  const ids = { name: uid('tpl'), lang: uid('tpl'), params: uid('tpl') };
  return h('div', { class: 'template-picker', 'data-test': 'template-picker' },
    h('div', { class: 'field' }, h('label', { for: ids.name }, t('inbox.template')),
      h('input', { id: ids.name, name: 'template', required: true, pattern: '[a-z0-9_]+', autocomplete: 'off',
        'aria-describedby': `${ids.name}-hint` }),
      h('p', { class: 'hint', id: `${ids.name}-hint` }, t('inbox.templateHint'))),
    h('div', { class: 'field' }, h('label', { for: ids.lang }, t('inbox.language')),
      h('input', { id: ids.lang, name: 'language', required: true, value: document.documentElement.lang === 'ru' ? 'ru' : 'en',
        pattern: '[a-z]{2,3}(_[A-Za-z]{2,4})?', size: 6 })),
    h('div', { class: 'field' }, h('label', { for: ids.params }, t('inbox.parameters')),
      h('textarea', { id: ids.params, name: 'parameters', rows: 2 })));
}

/** The reply box: text while the window is open (always on Telegram), else the template picker; calls send(body).
 * An e-mail's box has a subject too (``subject``: the thread's, shown as "Re: ..." and sent only when changed; a new
 * e-mail, ``subjectRequired``, must have one). */
export function replyBox({ windowOpen, templates, send, label = t('inbox.reply'), subject = null, subjectRequired = false }) {
  const textId = uid('reply');
  const subjectId = uid('subject');
  const useTemplate = !windowOpen && templates;
  const subjectField = subject === null ? null : h('div', { class: 'field reply-subject' },
    h('label', { for: subjectId }, t('inbox.subject')),
    h('input', { id: subjectId, name: 'subject', maxlength: 200, required: subjectRequired, 'data-test': 'reply-subject',
      placeholder: subject ? (/^\s*(re|ответ)\s*:/i.test(subject) ? subject : `Re: ${subject}`) : '' }));
  const text = h('textarea', { id: textId, name: 'text', rows: 2, required: true, maxlength: 4096, 'data-test': 'reply-text',
    placeholder: label });
  const button = h('button', { type: 'submit', class: 'primary', 'data-test': 'reply-send' },
    t(useTemplate ? 'inbox.sendTemplate' : 'inbox.send'));
  // An article of the knowledge base into the reply (#24): the picker loads with its first use.
  const article = !useTemplate && can('kb', 'read') ? h('button', { type: 'button', class: 'secondary small', 'data-test': 'kb-insert',
    onClick: async () => (await import('../screens/ticket-actions.js')).pickArticle(text) }, t('kb.insert')) : null;
  const formEl = h('form', { class: 'reply-box', 'data-test': 'reply-box' },
    useTemplate ? [h('p', { class: 'notice' }, t('inbox.windowClosed')), templateFields()]
      : [subjectField, h('label', { for: textId, class: 'visually-hidden' }, label), text],
    article, button);
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) formEl.requestSubmit();
  });
  formEl.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(formEl);
    const body = useTemplate ? { template: { name: String(data.get('template')).trim(), language: String(data.get('language')).trim(),
      parameters: String(data.get('parameters') || '').split('\n').map((p) => p.trim()).filter(Boolean) } }
      : { text: String(data.get('text')), ...(String(data.get('subject') || '').trim()
        ? { subject: String(data.get('subject')).trim() } : {}) };
    if (body.text !== undefined && !body.text.trim()) return;
    button.disabled = true;
    try {
      await send(body);
      formEl.reset();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      toastError(error);
    } finally { button.disabled = false; }
  });
  return formEl;
}

/** Send a reply in a conversation; answers the message as written. */
export function sendReply(conversationId, body) {
  return post(`/api/v1/conversations/${encodeURIComponent(conversationId)}/messages`, body);
}
