// A person's rights over her data, on the contact card of an administrator (GDPR Art. 15/17/20, 152-FZ): download
// everything held on her as a JSON file, or erase it for good once a confirmation has said what goes and what stays.
// A long history is too large for one answer or one request: its file is prepared in the background (the menu lists
// it, with a download for the administrator who asked) and its erasure goes on in the background (the menu says so).
import { get, post } from './api.js';
import { h, mount } from './dom.js';
import { formatDateTime } from './format.js';
import { t } from './i18n.js';
import { session } from './session.js';
import { confirmAction, toast, toastError } from './ui.js';

/** True for one who may delete every contact: an administrator, as the API requires. */
function isAdmin() {
  return session.permissions.includes('contacts:delete:all');
}

const base = (contact) => `/api/v1/contacts/${encodeURIComponent(contact.id)}/personal-data`;

function save(data, contact) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const link = h('a', { href: URL.createObjectURL(blob), download: `personal-data-${contact.id}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

async function download(contact, refresh) {
  try {
    const answer = await get(base(contact));
    if (answer && answer.format) {
      save(answer, contact);
      return;
    }
    toast(t('personal.preparing'));  // too large for one answer: a file is being prepared (202)
    await refresh();
  } catch (error) {
    toastError(error);
  }
}

async function downloadFile(contact, file) {
  try {
    const answer = await get(`${base(contact)}/exports/${encodeURIComponent(file.id)}`);
    if (!answer.download_url) throw new Error(t('personal.fileExpired'));
    window.location.assign(answer.download_url);  // a 5-minute link, given to this administrator alone
  } catch (error) {
    toastError(error);
  }
}

async function erase(contact, name, navigate, refresh) {
  const message = [t('personal.eraseConfirm', { name }), t('personal.eraseRemoves'), t('personal.eraseKeeps')].join('\n\n');
  if (!(await confirmAction(message, t('personal.eraseButton')))) return;
  try {
    const record = await post(`/api/v1/contacts/${encodeURIComponent(contact.id)}/erase`, { confirm: true });
    if (record && record.status === 'running') {
      toast(t('personal.erasingToast'));
      await refresh();
      return;
    }
    toast(t('personal.erased'));
    navigate('/contacts');
  } catch (error) {
    toastError(error);
  }
}

function fileLine(contact, file) {
  const text = {
    queued: t('personal.filePreparing'), running: t('personal.filePreparing'), failed: t('personal.fileFailed'),
    expired: t('personal.fileExpired'), done: t('personal.fileReady', { date: formatDateTime(file.expires_at) }),
  }[file.status];
  const button = file.status === 'done' && file.mine
    ? h('button', { type: 'button', class: 'secondary', onClick: () => downloadFile(contact, file) }, t('personal.downloadFile'))
    : null;
  return h('p', { class: 'personal-data-file', dataset: { test: 'personal-data-file', status: file.status } },
    h('span', { class: 'hint' }, text, file.status === 'done' && !file.mine ? ` · ${t('personal.notYours')}` : ''), button);
}

/** The administrator's menu of a person's data on her card (null for anyone else). */
export function personalDataMenu(contact, name, navigate) {
  if (!isAdmin()) return null;
  const state = h('div', { class: 'personal-data-state', 'data-test': 'personal-data-state' });
  const actions = h('div', { class: 'menu-items' });
  const refresh = async () => {
    let answer;
    try {
      answer = await get(`${base(contact)}/state`);
    } catch (error) {
      toastError(error);
      return;
    }
    const erasing = answer.erasure;
    const removed = erasing ? Object.values(erasing.removed || {}).reduce((sum, count) => sum + count, 0) : 0;
    mount(state, erasing ? h('p', { class: 'hint', 'data-test': 'personal-data-erasing' },
      removed ? t('personal.erasing', { count: removed }) : t('personal.erasingStarted')) : null,
    answer.exports.map((file) => fileLine(contact, file)));
    mount(actions, erasing ? null : [
      h('button', { type: 'button', class: 'secondary', onClick: () => download(contact, refresh) }, t('personal.download')),
      h('button', { type: 'button', class: 'danger', onClick: () => erase(contact, name, navigate, refresh) },
        t('personal.erase'))]);
  };
  mount(actions, h('button', { type: 'button', class: 'secondary', onClick: () => download(contact, refresh) }, t('personal.download')),
    h('button', { type: 'button', class: 'danger', onClick: () => erase(contact, name, navigate, refresh) }, t('personal.erase')));
  return h('details', { class: 'menu personal-data', 'data-test': 'personal-data-menu',
    onToggle: (event) => { if (event.target.open) refresh(); } },
  h('summary', { class: 'secondary' }, t('personal.menu')), state, actions);
}
