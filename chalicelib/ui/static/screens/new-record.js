// "+ New" at the top of every list, and new records started from a card (#20 items 1 and 8).
import { get } from '../js/api.js';
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can } from '../js/session.js';
import { openModal, toastError } from '../js/ui.js';

/**
 * A "+ New …" button for the top of a list: it brings the list's create panel up under the heading (where the list
 * starts, not below its last page) and puts the cursor in its first box. Null when there is no panel.
 */
export function newButton(panel, label) {
  if (!panel) return null;
  return h('button', { type: 'button', class: 'primary new-button', 'data-test': 'new', onClick: () => openCreatePanel(panel) },
    `+ ${label}`);
}

/** Bring a list's create panel up under the heading and put the cursor in its first box. */
export function openCreatePanel(panel) {
  const head = panel.parentElement?.querySelector(':scope > .page-head');
  if (head && head.nextElementSibling !== panel) head.after(panel);
  panel.classList.add('create-open');
  panel.scrollIntoView({ block: 'start' });
  panel.querySelector('input:not([type=hidden]), select, textarea')?.focus({ preventScroll: true });
}

/** A form in a modal dialog with its title and a way to close it; returns the close function. */
export function formDialog(title, formEl) {
  const dialog = h('dialog', { class: 'dialog form-dialog', 'aria-label': title });
  const close = () => dialog.close();
  const cancel = h('button', { type: 'button', class: 'secondary', onClick: close }, t('common.cancel'));
  formEl.querySelector('.form-actions')?.append(cancel);
  dialog.append(h('h2', {}, title), formEl);
  openModal(dialog, () => {});
  return close;
}

/** "+ Deal" on a contact's or company's card: a new deal already linked to it, in a dialog (the default pipeline). */
export function newDealButton(preset, navigate) {
  if (!can('deals', 'create')) return null;
  const button = h('button', { type: 'button', class: 'secondary', 'data-test': 'new-deal', onClick: async () => {
    button.disabled = true;
    try {
      const [{ createDealForm }, pipelines] = await Promise.all([import('./deals.js'), get('/api/v1/pipelines')]);
      const pipeline = pipelines.items.find((p) => p.is_default) || pipelines.items[0];
      let close = () => {};
      const formEl = createDealForm(pipeline, async (deal) => { close(); navigate(`/deals/${encodeURIComponent(deal.id)}`); },
        preset);
      close = formDialog(t('deals.createTitle'), formEl);
    } catch (error) { toastError(error); } finally { button.disabled = false; }
  } }, `+ ${t('picker.newDeal')}`);
  return button;
}
