// The bell in the top bar: the unread count, read once when a session begins and then kept current by the live
// socket's `notification` and `notifications.read` messages (never polled); a new notification is also announced as
// a toast. The list is the #/notifications screen.
import { get } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { onSessionChange, signedIn } from './session.js';
import { toast } from './ui.js';

let unread = 0;
let known = false; // read for this session
let user = null;

function paint() {
  for (const badge of document.querySelectorAll('.bell-count')) {
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = unread === 0;
  }
  for (const link of document.querySelectorAll('a.bell')) {
    link.setAttribute('aria-label', unread ? t('bell.unread', { n: unread }) : t('bell.label'));
  }
}

/** Set the count (the notifications screen knows it after each change). */
export function setUnread(count) {
  unread = Math.max(0, Number(count) || 0);
  known = true;
  paint();
}

async function load() {
  try {
    const page = await get('/api/v1/notifications?limit=1');
    setUnread(page.unread);
  } catch { /* the bell stays as it was; the next notification brings the count */ }
}

onSessionChange(() => {
  const now = signedIn() ? 'in' : null;
  if (now !== user) { user = now; known = false; unread = 0; }
});

window.addEventListener('crm:live', (event) => {
  const message = event.detail || {};
  if (message.type === 'notifications.read') { setUnread(message.unread); return; } // marked read for the user
  if (message.type !== 'notification') return;
  setUnread(message.unread);
  const item = message.notification || {};
  toast(t('notify.toast', { what: t(`notify.type.${item.type}`), title: item.title || item.excerpt || '' }));
  window.dispatchEvent(new CustomEvent('crm:notification', { detail: item }));
});

/** The bell: a link to #/notifications with the unread count. */
export function bell() {
  const link = h('a', { href: '#/notifications', class: 'bell', 'aria-label': t('bell.label'), 'data-test': 'bell' },
    h('span', { class: 'icon icon-bell', 'aria-hidden': 'true' }),
    h('span', { class: 'bell-count', hidden: unread === 0, 'data-test': 'bell-count' },
      unread > 99 ? '99+' : String(unread)));
  if (!known && signedIn()) { known = true; load(); }
  queueMicrotask(paint);
  return link;
}
