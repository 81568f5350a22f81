// Undo a whole import in one click (#20 item 17): every record it created goes to the trash, each recorded in the
// audit trail as a revert of its creation; the progress shows while the scheduler works through them.
import { get, post } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatNumber } from '../js/format.js';
import { can } from '../js/session.js';
import { confirmAction, toastError } from '../js/ui.js';

const PERMISSION = { contact: 'contacts', company: 'companies', deal: 'deals', product: 'products' };
const POLL_MS = 1500;

function state(undo) {
  const done = undo.status === 'done';
  const n = (value) => formatNumber(value);
  return h('div', { class: `notice ${done ? 'notice-ok' : ''}`, role: 'status', 'data-test': 'undo-status' },
    h('p', {}, done ? t('undo.done', { n: undo.undone, count: n(undo.undone) })
      : t('undo.running', { done: n(undo.undone + undo.skipped + undo.failed), total: n(undo.to_undo) })),
    undo.skipped ? h('p', { class: 'hint' }, t('undo.skipped', { n: undo.skipped, count: n(undo.skipped) })) : null,
    undo.failed ? h('p', {}, t('undo.failed', { n: undo.failed, count: n(undo.failed) })) : null,
    undo.failure ? h('p', {}, undo.failure) : null);
}

async function follow(importId, place, alive) {
  for (;;) {
    const undo = await get(`/api/v1/imports/${encodeURIComponent(importId)}/undo`);
    if (!alive()) return;
    mount(place, state(undo));
    if (!['queued', 'running'].includes(undo.status)) return;
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
  }
}

/**
 * Under a finished import: the way to undo it whole, or how its undo stands when undoStatus (from the list of imports)
 * says it was asked for; null when there is nothing to undo. onUndone is told once an undo asked for here has ended.
 */
export function undoPanel(job, alive = () => true, undoStatus = 'none', onUndone = () => {}) {
  if (!['done', 'failed'].includes(job.status) || !job.progress?.created) return null;
  const place = h('div', { class: 'undo-import', 'data-test': 'undo-import' });
  if (undoStatus !== 'none') {
    follow(job.id, place, alive).catch(toastError);
    return place;
  }
  if (!can(PERMISSION[job.entity], 'delete')) return null;
  const button = h('button', { type: 'button', class: 'secondary', onClick: async () => {
    const n = job.progress.created;
    if (!(await confirmAction(t('undo.confirm', { n, count: formatNumber(n) }), t('undo.button')))) return;
    button.disabled = true;
    try {
      mount(place, state(await post(`/api/v1/imports/${encodeURIComponent(job.id)}/undo`, {})));
      await follow(job.id, place, alive);
      onUndone();
    } catch (error) { button.disabled = false; toastError(error); }
  } }, t('undo.button'));
  mount(place, h('p', { class: 'hint' }, t('undo.hint')), button);
  return place;
}
