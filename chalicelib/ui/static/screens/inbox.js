// The inbox: every channel's conversations, unread first, then the newest; a conversation's thread beside the list
// (on a phone, the thread alone, with a way back), its reply box (a template picker once WhatsApp's 24-hour window
// has closed), delivery ticks, close and reopen. New messages and statuses arrive over the live socket (live.js's
// `crm:live` events): the list and the open thread change in place, never by polling.
import { ApiError, get, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { has, t } from '../js/i18n.js';
import { formatDateTime, formatRelative } from '../js/format.js';
import { can } from '../js/session.js';
import { empty, heading, pager, toastError } from '../js/ui.js';
import { bubble, customerWords, refreshUnread, replyBox, sendReply, ticks } from '../js/conversations.js';
import { handedTo } from '../js/telephony.js';
import { makeTicketButton } from './ticket-actions.js';
import { emptyInbox } from './channel-empty.js';

const VIEWS = ['open', 'closed'];
const CHANNELS = ['whatsapp', 'telegram', 'sms', 'email'];
const PAGE = 50;

function chosen(params) {
  const view = VIEWS.includes(params.get('view')) ? params.get('view') : 'open';
  const channel = CHANNELS.includes(params.get('channel')) ? params.get('channel') : '';
  return { view, channel };
}

const unreadFirst = (items) => [...items].sort((a, b) => Number(b.unread_count > 0) - Number(a.unread_count > 0));

// A message of a file alone has no words: the API previews it as its kind ("[image]"); say it as its bubble does.
function shownPreview(text) {
  const kind = /^\[(\w+)\]$/.exec(text || '')?.[1];
  return kind && has(`inbox.kind.${kind}`) ? `📎 ${t(`inbox.kind.${kind}`)}` : (customerWords(text) || '');
}

function rowOf(item, current, choice) {
  const name = item.customer_name || t('inbox.unnamed');
  const preview = `${item.last_direction === 'out' ? t('inbox.you') : ''}${shownPreview(item.last_message_preview)}`;
  return h('li', { class: ['conversation-row', item.unread_count ? 'unread' : null], 'data-conversation': item.id },
    h('a', { href: `#/inbox/${encodeURIComponent(item.id)}${query({ view: choice.view === 'open' ? '' : choice.view,
      channel: choice.channel })}`, 'aria-current': item.id === current ? 'page' : null },
      h('span', { class: ['channel-dot', `channel-${item.channel}`], role: 'img', 'aria-label': t(`inbox.channel.${item.channel}`),
        title: t(`inbox.channel.${item.channel}`) }),
      h('span', { class: 'conversation-main' },
        h('span', { class: 'conversation-name' }, name),
        // an e-mail whose sender SES could not verify: said before it is opened, not only in its thread
        item.sender_unverified ? h('span', { class: 'badge badge-warn row-unverified', 'data-test': 'row-unverified' },
          t('inbox.senderUnverifiedBadge')) : null,
        h('span', { class: 'conversation-preview' }, preview)),
      h('span', { class: 'conversation-side' },
        item.last_message_at ? h('time', { datetime: item.last_message_at, title: formatDateTime(item.last_message_at) },
          formatRelative(item.last_message_at)) : null,
        item.unread_count ? h('span', { class: 'count-badge', 'data-test': 'row-unread',
          'aria-label': t('inbox.unread', { n: item.unread_count }) }, String(item.unread_count)) : null)));
}

/** What an empty list says: none closed, none on the chosen channel, or why there are none open for this reader. */
async function noneListed(choice) {
  if (choice.view === 'closed') return empty(t('inbox.emptyClosed'));
  if (choice.channel) return empty(t('inbox.emptyChannel', { channel: t(`inbox.channel.${choice.channel}`) }));
  return emptyInbox();
}

function listPane(page, current, choice, navigate, emptied) {
  const list = h('ul', { class: 'conversation-list', 'data-test': 'conversation-list' });
  const shown = new Map();
  const known = new Map(); // each row's conversation as last told
  let none = emptied; // the empty state, gone with the first conversation (one arriving live included)
  const place = (items, atTop = false) => {
    if (items.length) { none?.remove(); none = null; }
    for (const item of items) {
      const row = rowOf(item, current, choice);
      shown.get(item.id)?.remove();
      shown.set(item.id, row);
      known.set(item.id, item);
      if (atTop) list.prepend(row); else list.append(row);
    }
  };
  /** A shown row told of a change (read, answered): drawn again in its place. */
  const update = (id, changes) => {
    const item = known.get(id);
    if (!item) return;
    const fresh = { ...item, ...changes };
    const row = rowOf(fresh, current, choice);
    shown.get(id).replaceWith(row);
    shown.set(id, row);
    known.set(id, fresh);
  };
  place(unreadFirst(page.items));
  const go = (changes) => navigate(`/inbox${query({ view: choice.view === 'open' ? '' : choice.view, channel: choice.channel,
    ...changes })}`);
  const tabs = h('nav', { 'aria-label': t('inbox.views') }, h('ul', { class: 'tabs' }, VIEWS.map((view) =>
    h('li', {}, h('a', { href: `#/inbox${query({ view: view === 'open' ? '' : view, channel: choice.channel })}`,
      'aria-current': view === choice.view ? 'page' : null }, t(`inbox.view.${view}`))))));
  const channelPick = h('div', { class: 'field' }, h('label', { for: 'inbox-channel', class: 'visually-hidden' }, t('inbox.channel')),
    h('select', { id: 'inbox-channel', onChange: (event) => go({ channel: event.target.value }) },
      [['', t('inbox.anyChannel')], ...CHANNELS.map((c) => [c, t(`inbox.channel.${c}`)])].map(([value, text]) =>
        h('option', { value, selected: value === choice.channel }, text))));
  const more = async (cursor) => {
    const next = await get(listPath(choice, cursor));
    place(next.items);
    const again = pager(next.next_cursor, more);
    if (again) list.after(again);
  };
  const pane = h('section', { class: 'inbox-list', 'aria-label': t('nav.inbox') }, h('div', { class: 'list-tools' }, tabs, channelPick),
    none, list, pager(page.next_cursor, more));
  return { pane, place, shown, update };
}

function listPath(choice, cursor = null) {
  return `/api/v1/conversations${query({ status: choice.view, channel: choice.channel, limit: PAGE, cursor })}`;
}

function threadPane(conversation, messages, choice, onChange, onSent, inTurn) {
  const id = conversation.id;
  const list = h('ol', { class: 'thread', 'data-test': 'thread', 'aria-live': 'polite' });
  const known = new Map();
  const add = (message) => {
    const el = bubble(id, message);
    if (message.direction === 'in') el.append(makeTicketButton({ conversation_id: id, message_id: message.id }) || '');
    if (known.has(message.id)) known.get(message.id).replaceWith(el); else list.append(el);
    known.set(message.id, el);
  };
  [...messages.items].reverse().forEach(add);
  const setStatus = (messageId, status, error) => {
    const el = known.get(messageId);
    const old = el?.querySelector('.ticks');
    if (old) old.replaceWith(ticks({ direction: 'out', status, error }));
  };
  const windowOpen = conversation.window?.open !== false;
  const closesAt = conversation.window?.closes_at;
  const consentNote = withdrawnNote(conversation);
  const box = conversation.status === 'open' && can('conversations', 'update') ? replyBox({
    windowOpen, templates: conversation.templates, subject: conversation.channel === 'email' ? (conversation.subject || '') : null,
    send: async (body) => {
      const message = await sendReply(id, body);
      add(message);
      list.lastElementChild?.scrollIntoView({ block: 'end' });
      onSent(message);
    },
  }) : null;
  const toggle = can('conversations', 'update') ? h('button', { type: 'button', class: 'secondary small', 'data-test': 'toggle-status',
    onClick: async () => {
      try {
        await inTurn(['status'], (version) => post(
          `/api/v1/conversations/${encodeURIComponent(id)}/${conversation.status === 'open' ? 'close' : 'reopen'}`, { version }));
        onChange(true);
      } catch (error) { toastError(error); onChange(true); }
    } }, t(conversation.status === 'open' ? 'inbox.close' : 'inbox.reopen')) : null;
  const assignee = can('conversations', 'update') && can('users', 'read') ? assignPick(conversation, onChange, inTurn) : null;
  const back = h('a', { class: 'thread-back', href: `#/inbox${query({ view: choice.view === 'open' ? '' : choice.view,
    channel: choice.channel })}` }, `← ${t('inbox.back')}`);
  const pane = h('section', { class: 'inbox-thread', 'aria-label': conversation.customer_name || t('inbox.unnamed') },
    h('div', { class: 'thread-head' }, back,
      h('h2', {}, conversation.customer_name || t('inbox.unnamed'), ' ',
        h('span', { class: 'muted' }, `· ${t(`inbox.channel.${conversation.channel}`)}`)),
      h('div', { class: 'thread-actions' }, contactLink(conversation), toggle)), assignee,
    conversation.referral?.headline ? h('p', { class: 'muted' }, t('inbox.referral', { headline: conversation.referral.headline })) : null,
    // A new sender not saved as a contact (the plan's contact limit), with the way to raise it for whoever sees the plan.
    conversation.contact_skipped ? h('p', { class: 'notice', 'data-test': 'contact-skipped' },
      t('inbox.contactSkipped'), can('billing', 'read') ? [' ', h('a', { href: '#/settings/billing' }, t('calls.contactSkipped.upgrade'))] : null)
      : null,
    // An e-mail whose sender failed SES's checks: attached to nobody by itself; whoever reads it may attach it.
    conversation.sender_unverified ? h('div', { class: 'notice', 'data-test': 'sender-unverified' },
      h('p', {}, t('inbox.senderUnverified')),
      !conversation.contact_id && can('conversations', 'update') && can('contacts', 'read') ? attachPick(conversation, onChange, inTurn) : null)
      : null,
    conversation.channel === 'email' ? h('p', { class: 'muted thread-mail', 'data-test': 'thread-mail' },
      [conversation.subject, conversation.address].filter(Boolean).join(' · ')) : null,
    messages.items.length ? null : h('p', { class: 'muted' }, t('inbox.noMessages')),
    list,
    conversation.status === 'closed' ? h('p', { class: 'notice' }, t('inbox.closed')) : null,
    windowOpen && closesAt ? h('p', { class: 'hint' }, t('inbox.windowCloses', { time: formatDateTime(closesAt) })) : null,
    consentNote, box);
  queueMicrotask(() => list.lastElementChild?.scrollIntoView({ block: 'end' }));
  return { pane, add, setStatus };
}

/** A notice, filled once read, that the customer withdrew their consent to this channel (a patient's "не пишите мне"
 * marked on the card): rules and campaigns no longer write to them, and whoever answers should know. Read only for
 * whoever may open the card; nothing is said otherwise. */
function withdrawnNote(conversation) {
  const note = h('p', { class: 'notice', 'data-test': 'consent-withdrawn', hidden: true });
  if (!conversation.contact?.readable) return note;
  get(`/api/v1/contacts/${encodeURIComponent(conversation.contact.id)}/consent`).then((consent) => {
    if (consent[conversation.channel]?.status !== 'withdrawn') return;
    note.textContent = t('inbox.consentWithdrawn', { channel: t(`inbox.channel.${conversation.channel}`) });
    note.hidden = false;
  }).catch(() => { /* the thread stands without it */ });
  return note;
}

/** The contact's card, offered only to whoever may open it (the answer says so: its scope is the contact's owner and
 * team, not the conversation's); a colleague's customer is named, as a ticket names them, with no link to 'not found'. */
function contactLink(conversation) {
  const contact = conversation.contact;
  if (!contact) return null;
  if (contact.readable) {
    // named as the card names them: a returning patient who writes as "Natasha" is the desk's Наталья Иванова
    return h('a', { class: 'button-link small', 'data-test': 'thread-contact', href: `#/contacts/${encodeURIComponent(contact.id)}` },
      contact.name ? t('inbox.contactNamed', { name: contact.name }) : t('inbox.contact'));
  }
  return contact.name ? h('span', { class: 'muted thread-contact-name', 'data-test': 'thread-contact-name',
    title: t('inbox.contactNotYours') }, t('inbox.contactNamed', { name: contact.name })) : null;
}

/** Attach a conversation to a contact by hand: find contacts the caller reads, then pick one. */
function attachPick(conversation, onChange, inTurn) {
  const id = `attach-${conversation.id}`;
  const input = h('input', { id, type: 'search', maxlength: 200, 'data-test': 'attach-query' });
  const found = h('ul', { class: 'plain', 'data-test': 'attach-found' });
  const find = async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    try {
      const page = await get(`/api/v1/contacts${query({ q, limit: 10 })}`);
      found.replaceChildren(...(page.items.length ? page.items.map((contact) => h('li', {}, h('button', {
        type: 'button', class: 'link', 'data-test': 'attach-to', onClick: async () => {
          try {
            await inTurn(['contact_id'], (version) => post(`/api/v1/conversations/${encodeURIComponent(conversation.id)}/contact`,
              { version, contact_id: contact.id }));
            onChange(true);
          } catch (error) { toastError(error); onChange(true); }
        } }, t('inbox.attachTo', { name: [contact.first_name, contact.last_name].filter(Boolean).join(' ') || contact.id })))) : [h('li', { class: 'muted' }, t('inbox.attachNone'))]));
    } catch (error) { toastError(error); }
  };
  return h('form', { class: 'attach-contact', 'data-test': 'attach-contact', onSubmit: find },
    h('label', { for: id }, t('inbox.attachContact')), ' ',
    input, ' ', h('button', { type: 'submit', class: 'secondary small', title: t('inbox.attachSearch') }, t('inbox.attachFind')), found);
}

/** Who answers the conversation: a select of the company's people whose role reads chats (read once per session). */
function assignPick(conversation, onChange, inTurn) {
  const id = `assign-${conversation.id}`;
  const select = h('select', { id, 'data-test': 'assignee' }, h('option', { value: conversation.assignee_id }, '…'));
  handedTo('conversations').then((people) => {
    select.replaceChildren(...people.map(([value, name]) => h('option', { value, selected: value === conversation.assignee_id }, name)));
  });
  select.addEventListener('change', async () => {
    try {
      await inTurn(['assignee_id'], (version) => post(`/api/v1/conversations/${encodeURIComponent(conversation.id)}/assign`,
        { version, assignee_id: select.value }));
    } catch (error) { toastError(error); }
    onChange(true);
  });
  return h('div', { class: 'field thread-assignee' }, h('label', { for: id }, t('inbox.assignee')), select);
}

function listen(alive, handler) {
  const on = (event) => {
    if (!alive()) { window.removeEventListener('crm:live', on); return; }
    handler(event.detail || {});
  };
  window.addEventListener('crm:live', on);
}

/** #/inbox?view=open|closed&channel=: the conversations, unread first. */
export async function inbox(root, context) {
  return screen(root, context, null);
}

/** #/inbox/:id: the list and one conversation's thread (alone on a phone). */
export async function thread(root, context) {
  return screen(root, context, context.params.id);
}

async function screen(root, { query: params, navigate, alive }, current) {
  // A control's write redraws the screen, and two writes in a row draw it twice: only the newest draw is shown and
  // listens (an older one, answered later, would show the thread as it was before the second write).
  const drawn = (root.inboxDraw = (root.inboxDraw || 0) + 1);
  const latest = () => alive() && root.inboxDraw === drawn;
  const choice = chosen(params);
  const path = (id) => `/api/v1/conversations/${encodeURIComponent(id)}`;
  const [page, conversation, messages] = await Promise.all([get(listPath(choice)),
    current ? get(path(current)) : null, current ? get(`${path(current)}/messages?limit=100`) : null]);
  const none = page.items.length ? null : await noneListed(choice);
  if (!latest()) return;
  const list = listPane(page, current, choice, navigate, none);
  const reload = () => screen(root, { query: params, navigate, alive }, current);
  const sent = (message) => list.update(current, { last_direction: 'out', unread_count: 0, last_message_at: message.created_at,
    ...(message.text ? { last_message_preview: message.text } : {}) });
  // Opening the thread marks it read, and a reply or a customer's new message moves it too: each bumps its version,
  // none of them the user's doing. The thread's writes (its mark-read, close, reopen, assign, attach) go one at a time,
  // in the order asked (a Close pressed while a new assignee is being saved waits for it), each control's with the
  // version as it is when its turn comes, as long as what the control showed (`fields`) still holds: a colleague's
  // change of that is a real conflict, told and redrawn.
  let turn = Promise.resolve();
  const queued = (write) => { const done = turn.then(write); turn = done.catch(() => null); return done; };
  const markRead = () => { queued(() => post(`${path(current)}/read`).then(refreshUnread)).catch(() => null); };
  const inTurn = (fields, write) => queued(async () => {
    const now = await get(path(current));
    if (fields.some((field) => now[field] !== conversation[field])) throw new ApiError(409, { code: 'version_conflict' });
    return write(now.version);
  });
  const open = conversation ? threadPane(conversation, messages, choice, (full) => (full ? reload() : null), sent, inTurn) : null;
  if (conversation?.unread_count) {
    markRead();
    list.update(current, { unread_count: 0 });
  }
  listen(latest, (message) => {
    if (message.type === 'conversation.message' && message.conversation) {
      const item = message.conversation;
      if (item.id === current && open) {
        open.add(message.message);
        item.unread_count = 0;
        markRead();
      }
      const fits = item.status === choice.view && (!choice.channel || item.channel === choice.channel);
      if (fits) list.place([item], true);
    } else if (message.type === 'conversation.status' && message.conversation_id === current && open) {
      open.setStatus(message.message_id, message.status, message.error);
    }
  });
  mount(root, heading(t('nav.inbox')), h('div', { class: ['inbox', current ? 'inbox-has-thread' : null] }, list.pane,
    open ? open.pane : h('section', { class: 'inbox-thread inbox-pick' }, h('p', { class: 'muted' }, t('inbox.pick')))));
}
