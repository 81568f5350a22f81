// The contact card's conversations: WhatsApp and Telegram links, the threads with this contact (read when the
// panel is opened, so the card itself costs no request more), writing from the card on a chosen line (a template
// first on WhatsApp), and a Telegram invitation link that joins the customer's chat to this card.
import { get, post, query } from './api.js';
import { h, mount, uid } from './dom.js';
import { t } from './i18n.js';
import { can } from './session.js';
import { copyButton, toastError } from './ui.js';
import { bubble, replyBox } from './conversations.js';

const digits = (text) => String(text || '').replace(/\D/g, '');

function messengerLinks(contact) {
  const messengers = contact.messengers || {};
  const phone = messengers.whatsapp || (contact.phones || [])[0]?.number;
  const links = [
    phone ? h('a', { class: 'button-link small', href: `https://wa.me/${digits(phone)}`, target: '_blank', rel: 'noopener',
      'data-test': 'whatsapp-link' }, t('card.openWhatsApp')) : null,
    messengers.telegram_username ? h('a', { class: 'button-link small', href: `https://t.me/${encodeURIComponent(messengers.telegram_username)}`,
      target: '_blank', rel: 'noopener', 'data-test': 'telegram-link' }, t('card.openTelegram')) : null,
  ].filter(Boolean);
  return links.length ? h('div', { class: 'messenger-links' }, links) : null;
}

async function threadOf(conversation) {
  const page = await get(`/api/v1/conversations/${encodeURIComponent(conversation.id)}/messages?limit=5`);
  return h('div', { class: 'card-thread' },
    h('p', {}, h('a', { href: `#/inbox/${encodeURIComponent(conversation.id)}` },
      `${t(`inbox.channel.${conversation.channel}`)} · ${t(`inbox.view.${conversation.status}`)}`)),
    h('ol', { class: 'thread' }, [...page.items].reverse().map((message) => bubble(conversation.id, message))));
}

function writer(contact, lines, threads, reload) {
  if (!can('conversations', 'create')) return null;
  if (!lines.length) return h('p', { class: 'muted' }, t('card.noLines'));
  const pickId = uid('line');
  const place = h('div', {});
  const pick = h('select', { id: pickId, 'data-test': 'card-line' }, lines.map((line) =>
    h('option', { value: line.integration_id }, `${line.name} (${t(`inbox.channel.${line.type}`)})`)));
  const invite = h('div', {});
  const draw = () => {
    const line = lines.find((found) => found.integration_id === pick.value) || lines[0];
    // An e-mail from the card starts a thread of its own, with its subject (#17); a messenger writes in its chat.
    const existing = line.type === 'email' ? null : threads.find((found) => found.integration_id === line.integration_id);
    const windowOpen = line.type !== 'whatsapp' || Boolean(existing?.window?.open);
    mount(place, replyBox({ windowOpen, templates: line.templates, label: t('card.message'),
      subject: line.type === 'email' ? '' : null, subjectRequired: line.type === 'email', send: async (body) => {
      if (existing) await post(`/api/v1/conversations/${encodeURIComponent(existing.id)}/messages`, body);
      else await post('/api/v1/conversations', { contact_id: contact.id, integration_id: line.integration_id, ...body });
      reload();
    } }));
    mount(invite, line.type === 'telegram' ? h('button', { type: 'button', class: 'secondary small', 'data-test': 'telegram-invite',
      onClick: async (event) => {
        try {
          const link = await post(`/api/v1/contacts/${encodeURIComponent(contact.id)}/telegram-link`, { integration_id: line.integration_id });
          const shown = h('input', { readOnly: true, value: link.url, class: 'copy-value', 'aria-label': t('card.telegramLink') });
          event.target.replaceWith(h('div', {}, h('p', { class: 'hint' }, t('card.telegramLinkHint')), shown, copyButton(link.url, shown)));
        } catch (error) { toastError(error); }
      } }, t('card.telegramLink')) : null);
  };
  pick.addEventListener('change', draw);
  draw();
  return h('div', { class: 'card-write' }, h('h3', {}, t('card.write')),
    h('div', { class: 'field' }, h('label', { for: pickId }, t('card.line')), pick), place, invite);
}

/** The Conversations panel of a contact card. */
export function conversationsPanel(contact) {
  if (!can('conversations', 'read')) return null;
  const body = h('div', { class: 'card-threads' });
  const panel = h('details', { class: 'panel', 'data-test': 'card-conversations' },
    h('summary', {}, t('card.conversations')), messengerLinks(contact), body);
  const load = async () => {
    try {
      const [page, lines] = await Promise.all([get(`/api/v1/conversations${query({ contact_id: contact.id, limit: 5 })}`),
        can('conversations', 'create') ? get('/api/v1/conversations/lines') : { items: [] }]);
      const full = await Promise.all(page.items.map((item) => get(`/api/v1/conversations/${encodeURIComponent(item.id)}`)));
      const threads = await Promise.all(full.map(threadOf));
      mount(body, threads.length ? threads : h('p', { class: 'muted' }, t('card.noThreads')), writer(contact, lines.items, full, load));
    } catch (error) { toastError(error); }
  };
  panel.addEventListener('toggle', () => { if (panel.open) load(); });
  return panel;
}
