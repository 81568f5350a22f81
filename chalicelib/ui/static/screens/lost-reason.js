// Asking why a deal was lost: one of the pipeline's reasons, or free text.
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { openModal } from '../js/ui.js';

/** A modal dialog; resolves to the reason, or null when cancelled. */
export function askLostReason(reasons) {
  return new Promise((resolve) => {
    const input = reasons.length
      ? h('select', { id: 'lost-reason', name: 'reason' }, reasons.map((reason) => h('option', { value: reason }, reason)))
      : h('input', { id: 'lost-reason', name: 'reason', maxlength: '200', required: true });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'lost-reason-title' },
      h('form', { method: 'dialog' }, h('h2', { id: 'lost-reason-title' }, t('deals.lostTitle')),
        h('div', { class: 'field' }, h('label', { for: 'lost-reason' }, t('deals.lostReason')), input),
        h('div', { class: 'dialog-actions' }, h('button', { value: 'cancel', class: 'secondary', formnovalidate: true },
          t('common.cancel')), h('button', { value: 'ok', class: 'primary' }, t('deals.markLost')))));
    openModal(dialog, (answer) => {
      const value = input.value.trim();
      resolve(answer === 'ok' && value ? value : null);
    });
  });
}
