// A person's rights over her data, on the contact card of an administrator (GDPR Art. 15/17/20, 152-FZ): download
// everything held on her as a JSON file, or erase it for good once a confirmation has said what goes and what stays.
import { get, post } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { session } from './session.js';
import { confirmAction, toast, toastError } from './ui.js';

/** True for one who may delete every contact: an administrator, as the API requires. */
function isAdmin() {
  return session.permissions.includes('contacts:delete:all');
}

async function download(contact) {
  try {
    const data = await get(`/api/v1/contacts/${encodeURIComponent(contact.id)}/personal-data`);
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
    const link = h('a', { href: URL.createObjectURL(blob), download: `personal-data-${contact.id}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (error) {
    toastError(error);
  }
}

async function erase(contact, name, navigate) {
  const message = [t('personal.eraseConfirm', { name }), t('personal.eraseRemoves'), t('personal.eraseKeeps')].join('\n\n');
  if (!(await confirmAction(message, t('personal.eraseButton')))) return;
  try {
    await post(`/api/v1/contacts/${encodeURIComponent(contact.id)}/erase`, { confirm: true });
    toast(t('personal.erased'));
    navigate('/contacts');
  } catch (error) {
    toastError(error);
  }
}

/** The administrator's menu of a person's data on her card (null for anyone else). */
export function personalDataMenu(contact, name, navigate) {
  if (!isAdmin()) return null;
  return h('details', { class: 'menu personal-data', 'data-test': 'personal-data-menu' },
    h('summary', { class: 'secondary' }, t('personal.menu')),
    h('div', { class: 'menu-items' },
      h('button', { type: 'button', class: 'secondary', onClick: () => download(contact) }, t('personal.download')),
      h('button', { type: 'button', class: 'danger', onClick: () => erase(contact, name, navigate) },
        t('personal.erase'))));
}
