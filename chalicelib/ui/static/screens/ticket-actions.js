// What other screens borrow from tickets and the knowledge base (#24): "Make ticket" on a customer's message (the
// inbox) or a call (the calls list): one click, one ticket per message or call; and the article picker of the
// inbox's reply box, which puts an article's text (or its public link) into the reply.
import { get, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { MESSAGES } from '../js/messages.js';
import { TICKETS } from '../js/messages-tickets.js';
import { can } from '../js/session.js';
import { openModal, toast, toastError } from '../js/ui.js';

Object.assign(MESSAGES, TICKETS);

/** A "Make ticket" button for a message ({conversation_id, message_id}) or a call ({call_id}); null without the right. */
export function makeTicketButton(source) {
  if (!can('tickets', 'create')) return null;
  const path = source.call_id ? '/api/v1/tickets/from-call' : '/api/v1/tickets/from-message';
  const button = h('button', { type: 'button', class: 'secondary small make-ticket', 'data-test': 'make-ticket' },
    t('tk.makeTicket'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const ticket = await post(path, source);
      toast(t('tk.made', { subject: ticket.subject }), 'ok');
      button.replaceWith(h('a', { class: 'button-link small', href: `#/tickets/${encodeURIComponent(ticket.id)}`,
        'data-test': 'ticket-link' }, t('tk.open')));
    } catch (error) {
      toastError(error);
      button.disabled = false;
    }
  });
  return button;
}

/** Put text at the cursor of a textarea (the reply box), and tell its listeners. */
function insertText(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  textarea.value = `${textarea.value.slice(0, start)}${text}${textarea.value.slice(end)}`;
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
  textarea.focus();
}

/** The dialog that finds an article (its words, Russian or English) and inserts its text or its public link. */
export function pickArticle(textarea) {
  const results = h('ul', { class: 'kb-pick-results', 'data-test': 'kb-pick-results', 'aria-live': 'polite' });
  const search = h('input', { type: 'search', id: 'kb-pick-q', maxlength: 100, placeholder: t('kb.search') });
  const dialog = h('dialog', { class: 'dialog kb-pick', 'aria-label': t('kb.insertTitle') });
  const use = async (summary, asLink) => {
    try {
      const article = await get(`/api/v1/kb/articles/${encodeURIComponent(summary.id)}`);
      // the article as plain text (no Markdown symbols a customer would see in a chat or a mail's text)
      insertText(textarea, asLink && article.public_url ? article.public_url : `${article.title}\n\n${article.text}`);
      dialog.close();
    } catch (error) { toastError(error); }
  };
  const show = async () => {
    try {
      const page = await get(`/api/v1/kb/articles${query({ q: search.value.trim(), limit: 10 })}`);
      mount(results, ...(page.items.length ? page.items.map((item) => h('li', {}, h('span', { class: 'grow' }, item.title),
        h('button', { type: 'button', class: 'secondary small', 'data-test': 'kb-insert-text', onClick: () => use(item, false) },
          t('kb.insertText')),
        item.visibility === 'public' ? h('button', { type: 'button', class: 'secondary small', onClick: () => use(item, true) },
          t('kb.insertLink')) : null)) : [h('li', { class: 'muted' }, t('kb.noMatch'))]));
    } catch (error) { toastError(error); }
  };
  let timer = null;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(show, 250); });
  dialog.append(h('h2', {}, t('kb.insertTitle')), h('label', { for: 'kb-pick-q', class: 'visually-hidden' }, t('kb.search')),
    search, results, h('form', { method: 'dialog' }, h('button', { class: 'secondary' }, t('kb.close'))));
  openModal(dialog, () => {});
  show();
  search.focus();
}
