// Shared pieces of every screen: form fields with per-field errors, toasts, empty states, paging.
import { ApiError } from './api.js';
import { h, mount, uid } from './dom.js';
import { detailMessage, errorMessage, t } from './i18n.js';
import { can } from './session.js';

const LATIN = Object.fromEntries([...'абвгдеёжзийклмнопрстуфхцчшщъыьэюя'].map((letter, i) => [letter,
  ['a', 'b', 'v', 'g', 'd', 'e', 'yo', 'zh', 'z', 'i', 'y', 'k', 'l', 'm', 'n', 'o', 'p', 'r', 's', 't', 'u', 'f', 'kh',
    'ts', 'ch', 'sh', 'sch', '', 'y', '', 'e', 'yu', 'ya'][i]]));

/** A key as the API wants one (a Latin letter, then letters, digits and _) made from a name, Cyrillic written in Latin
 * letters: "Механик" gives "mekhanik"; empty when the name gives no such key (one made of digits). */
export function keyFrom(name) {
  const latin = [...name.toLowerCase()].map((letter) => LATIN[letter] ?? letter).join('')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const key = latin.replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z]+/, '').slice(0, 40).replace(/_+$/, '');
  return key.length > 1 ? key : '';
}

/** The key field of a form follows its name field as the name is typed, until a key is typed by hand: a Russian-speaking
 * owner naming a role "Механик" was refused for the Latin key he had left empty. */
export function keyFollowsName(nameBox, keyBox) {
  const name = nameBox.querySelector('input');
  const key = keyBox.querySelector('input');
  let typed = false;
  key.addEventListener('input', () => { typed = key.value !== ''; });
  name.addEventListener('input', () => { if (!typed || !key.value) key.value = keyFrom(name.value); });
}

/** A labelled input (or select/textarea) with its error slot; returns the wrapper. */
export function field({ name, label, type = 'text', value = '', options = null, hint = null, ...attrs }) {
  const id = uid(name);
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const common = { id, name, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' '), ...attrs };
  let control;
  // The value given is also the control's default, which a form's reset() returns to: the invite form, reset after
  // each invitation, offered Administrator (the first role) instead of Agent, and the task form lost its due time.
  if (options) {
    control = h('select', common, options.map(([optValue, text]) => {
      const chosen = String(optValue) === String(value ?? '');
      const option = h('option', { value: optValue, selected: chosen }, text);
      option.defaultSelected = chosen;
      return option;
    }));
  } else if (type === 'textarea') {
    control = h('textarea', common);
    control.defaultValue = value ?? '';
    control.value = value ?? '';
  } else if (type === 'checkbox') {
    control = h('input', { type, checked: Boolean(value), ...common });
    control.defaultChecked = Boolean(value);
    return h('div', { class: 'field field-check' }, control, h('label', { for: id }, label),
      hint && h('p', { class: 'hint', id: hintId }, hint), h('p', { class: 'field-error', id: errorId }));
  } else {
    control = h('input', { type, value: value ?? '', ...common });
    control.defaultValue = value ?? '';
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint && h('p', { class: 'hint', id: hintId }, hint), h('p', { class: 'field-error', id: errorId }));
}

/** A form with a message area on top; onSubmit(values, form) may throw an ApiError to show. */
export function form({ className = 'form', submit, onSubmit, children, label = null }) {
  const status = h('div', { class: 'form-status', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, submit);
  const el = h('form', { class: className, novalidate: true, 'aria-label': label }, status, children,
    h('div', { class: 'form-actions' }, button));
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(el);
    const pressed = document.activeElement === button; // by the keyboard (Enter) or a click
    holdPlace(button);
    button.disabled = true;
    el.setAttribute('aria-busy', 'true');
    button.classList.add('busy'); // a spinner on the button while it saves (#20 item 14)
    try {
      await onSubmit(values(el), el);
    } catch (error) {
      showErrors(el, error);
    } finally {
      button.disabled = false;
      button.classList.remove('busy');
      el.removeAttribute('aria-busy');
      // Disabled, the button lost the focus to the page: a keyboard user would start again from the top (a note
      // added on a card). Where the form stays on screen and nothing else took the focus, it comes back here.
      if (pressed && button.isConnected && focusIsLost()) button.focus();
    }
  });
  return el;
}

/** The form's values by name (checkboxes as booleans). */
export function values(formEl) {
  const result = {};
  for (const control of formEl.elements) {
    if (!control.name) continue;
    if (control.type === 'checkbox') result[control.name] = control.checked;
    else if (control.type === 'radio') { if (control.checked) result[control.name] = control.value; }
    else result[control.name] = control.value.trim();
  }
  return result;
}

/** Remove the error marks of a form. */
export function clearErrors(formEl) {
  const status = formEl.querySelector('.form-status');
  if (status) { status.hidden = true; status.replaceChildren(); }
  for (const slot of formEl.querySelectorAll('.field-error')) slot.textContent = '';
  for (const control of formEl.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
}

function controlFor(formEl, loc) {
  const path = loc.filter((part) => part !== 'body' && part !== 'query');
  const names = [path.join('.'), ...path.filter((part) => typeof part === 'string').reverse()];
  for (const name of names) {
    const control = formEl.querySelector(`[name="${CSS.escape(String(name))}"]`);
    if (control) return control;
  }
  return null;
}

// The validator's own words ("String should have at least 1 character") for what a person sees as an empty box or a
// mistyped address: said in the person's terms instead (#20 item 6).
function fieldMessage(detail, control) {
  const empty = control.value === '' && ['missing', 'string_too_short'].includes(detail.type);
  if (empty) return t('detail.missing');
  if (control.type === 'email' && ['string_too_short', 'string_too_long', 'value_error'].includes(detail.type)) {
    return t('detail.email');
  }
  return detailMessage(detail);
}

/** Show an API error: its message on top, each field's problem next to the field (a 402: the way to upgrade). */
export function showErrors(formEl, error) {
  const status = formEl.querySelector('.form-status');
  if (isUpgrade(error)) {
    status.classList.add('upgrade');
    mount(status, upgradeBody(error));
    status.hidden = false;
    status.focus?.();
    status.scrollIntoView?.({ block: 'nearest' });
    return;
  }
  status.classList.remove('upgrade');
  const unplaced = [];
  let first = null;
  for (const detail of (error instanceof ApiError ? error.details : [])) {
    const control = detail && Array.isArray(detail.loc) ? controlFor(formEl, detail.loc) : null;
    if (!control) { if (detail && detail.msg) unplaced.push(detailMessage(detail)); continue; }
    control.setAttribute('aria-invalid', 'true');
    const slot = document.getElementById(`${control.id}-error`);
    if (slot) slot.textContent = fieldMessage(detail, control);
    first = first || control;
  }
  mount(status, h('p', {}, errorMessage(error)), unplaced.length ? h('ul', {}, unplaced.map((m) => h('li', {}, m))) : null);
  status.hidden = false;
  (first || status).focus?.();
  if (!first) status.scrollIntoView?.({ block: 'nearest' });
}

let toastRegion = null;
let toastTimer = null;

/**
 * A short message in the live region (role=status), gone after a while. One at a time: a new one takes the place of
 * the last. It shows over the top bar and lets taps through, so it never hides a field or a button (#20 item 9).
 */
export function toast(message, kind = 'info') {
  if (!toastRegion) {
    toastRegion = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastRegion);
  }
  const note = h('div', { class: `toast toast-${kind}` }, message);
  toastRegion.replaceChildren(note);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => note.remove(), kind === 'error' ? 6000 : 4000);
}

/** Toast an error in the API's terms (a 402 opens the upgrade prompt instead). */
export function toastError(error) {
  if (isUpgrade(error)) upgradePrompt(error);
  else toast(errorMessage(error), 'error');
}

/** A 402 answer: what the plan does not allow, to be shown as an invitation to upgrade rather than an error. */
export function isUpgrade(error) {
  return error instanceof ApiError && error.status === 402;
}

/** What a 402 says in the interface language: the limit or feature, the usage, the cheapest plan that allows it. */
export function upgradeMessage(error) {
  const detail = error.details[0] || {};
  const plan = (key) => t(`plan.${key}`);
  const to = detail.upgrade_to ? ` ${t('upgrade.to', { plan: plan(detail.upgrade_to) })}` : '';
  if (error.code === 'plan_limit_reached' && detail.limit) {
    return t('upgrade.limit', { plan: plan(detail.plan), allowed: detail.allowed, what: t(`limit.${detail.limit}`),
      used: detail.used }) + to;
  }
  if (error.code === 'feature_not_in_plan' && detail.feature) {
    return t('upgrade.feature', { feature: t(`feature.${detail.feature}`), plan: plan(detail.plan) }) + to;
  }
  return error.code === 'subscription_inactive' ? t('upgrade.inactive') : errorMessage(error);
}

function upgradeBody(error, onLeave = null) {
  const next = can('billing', 'read')
    ? h('a', { href: '#/settings/billing', class: 'button-link primary-link', 'data-test': 'upgrade-link', onClick: onLeave },
      t('upgrade.see'))
    : h('p', {}, t('upgrade.askOwner'));
  return [h('p', { 'data-test': 'upgrade-message' }, upgradeMessage(error)), next];
}

/** A 402 as a dialog: the reason, and the way to the plans (or whom to ask). */
export function upgradePrompt(error) {
  const dialog = h('dialog', { class: 'dialog upgrade-dialog', 'aria-label': t('upgrade.title') });
  const close = () => dialog.close();
  dialog.append(h('h2', {}, t('upgrade.title')), ...upgradeBody(error, close),
    h('form', { method: 'dialog', class: 'dialog-actions' }, h('button', { value: 'close', class: 'secondary' },
      t('upgrade.close'))));
  openModal(dialog, () => {});
}

/** The empty state of a list: what it is and what to do. */
/**
 * A search box that lists what find(q) answers (from two characters, 250 ms after the last key, at once on Enter,
 * which never submits the form the box sits in) and hands the chosen one to pick; the box is then emptied and
 * focused again for the next one.
 */
export function finder({ label, find, show, pick, id }) {
  const results = h('ul', { class: 'list finder-results', role: 'listbox', 'aria-label': label });
  const input = h('input', { id, type: 'search', autocomplete: 'off', placeholder: label });
  let seq = 0;
  const run = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) { results.replaceChildren(); return; }
    try {
      const found = await find(q);
      if (mine !== seq) return;
      results.replaceChildren(...found.map((item) => h('li', {}, h('button', { type: 'button', class: 'link finder-pick',
        onClick: () => { pick(item); input.value = ''; results.replaceChildren(); input.focus(); } }, show(item)))));
    } catch (error) { toastError(error); }
  };
  let timer = null;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); clearTimeout(timer); run(); }
  });
  return h('div', { class: 'finder' }, h('label', { for: id, class: 'visually-hidden' }, label), input, results);
}

export function empty(message, action = null) {
  return h('div', { class: 'empty' }, h('p', {}, message), action);
}

/** A loading placeholder: the shape of a screen (a title, a few rows) rather than a blank page (#20 item 14). */
export function loading() {
  const bar = (width) => h('span', { class: 'skeleton-bar', 'data-w': width });
  return h('div', { class: 'skeleton', role: 'status', 'aria-busy': 'true', 'data-test': 'skeleton' },
    h('span', { class: 'visually-hidden' }, t('common.loading')), bar('title'),
    h('div', { class: 'skeleton-panel' }, [1, 2, 3, 4].map(() => h('div', { class: 'skeleton-row' }, bar('long'), bar('short')))));
}

/** A full error panel for a screen that could not load. */
export function failed(error) {
  return h('div', { class: 'form-status', role: 'alert' }, h('p', {}, errorMessage(error)));
}

/** The page heading (focused after navigation, for screen readers), with optional actions. */
export function heading(title, ...actions) {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', id: 'page-title' }, title),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

/**
 * Apply a change on screen at once, then send it; on failure undo it. A 409 means the record
 * changed elsewhere: show the API's reason (in the interface language) and reload the screen's data.
 */
export async function optimistic({ apply, undo, request, reload }) {
  apply();
  try {
    return await request();
  } catch (error) {
    undo();
    if (error instanceof ApiError && error.status === 409 && error.code !== 'duplicate') {
      toastError(error);
      if (reload) await reload();
    } else {
      toastError(error);
    }
    return null;
  }
}

/** A "Load more" button for a cursor-paged list. */
export function pager(nextCursor, loadMore) {
  if (!nextCursor) return null;
  const button = h('button', { type: 'button', class: 'secondary', onClick: async () => {
    button.disabled = true;
    try { await loadMore(nextCursor); button.remove(); } catch (error) { button.disabled = false; toastError(error); }
  } }, t('common.loadMore'));
  return h('div', { class: 'pager' }, button);
}

// Chromium blurs a focused control once it becomes disabled: a form's submit button while its handler runs, a
// button that disables itself until its work is done. A dialog that handler opens may then find document.body
// focused, so the control the user acted on is kept here while it is disabled, until focus lands somewhere else.
let busyControl = null;
document.addEventListener('focusout', (event) => { busyControl = event.target.disabled ? event.target : null; }, true);
document.addEventListener('focusin', () => { busyControl = null; }, true);

/** Call before disabling a control for the time its work runs: a dialog opened meanwhile still knows its opener. */
function holdPlace(control) {
  if (document.activeElement === control) busyControl = control;
}

/** The control the user acted on: the focused one, or the one that lost the focus by being disabled for its work. */
function currentOpener() {
  const active = document.activeElement;
  if (active && active !== document.body) return active;
  return busyControl && busyControl.isConnected && busyControl.disabled ? busyControl : null;
}

const focusIsLost = () => !document.activeElement || document.activeElement === document.body;

/**
 * Focus goes back to the opener, unless something else has it by then. An opener that is still disabled (the
 * handler that opened the dialog has not finished) gets it as soon as it is enabled again, however long that takes.
 */
function giveFocusBack(opener) {
  if (!opener || opener === document.body || !opener.isConnected) return;
  if (!opener.disabled) {
    if (focusIsLost()) opener.focus();
    return;
  }
  const watch = new MutationObserver(() => {
    if (opener.disabled) return;
    watch.disconnect();
    if (opener.isConnected && focusIsLost()) opener.focus();
  });
  watch.observe(opener, { attributes: true, attributeFilter: ['disabled'] });
}

/**
 * Open a native modal dialog: the page behind it is inert (focus stays inside) and Escape closes it.
 * onClose gets the return value; focus then goes back to the control that opened the dialog (opener, by default
 * the control the user acted on), even when a form or a button disabled it meanwhile.
 */
export function openModal(dialog, onClose, opener = currentOpener()) {
  dialog.addEventListener('close', () => {
    onClose(dialog.returnValue);
    dialog.remove();
    giveFocusBack(opener);
  });
  document.body.append(dialog);
  dialog.showModal();
}

/** Ask before something that cannot be undone (a native modal dialog, keyboard friendly). */
export function confirmAction(message, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'aria-label': message },
      h('p', {}, message),
      h('form', { method: 'dialog', class: 'dialog-actions' },
        h('button', { value: 'cancel', class: 'secondary' }, t('common.cancel')),
        h('button', { value: 'ok', class: 'danger' }, confirmLabel)));
    openModal(dialog, (value) => resolve(value === 'ok'));
  });
}

/** A button that copies text to the clipboard; without one, the text in target is selected for a manual copy. */
export function copyButton(text, target = null) {
  return h('button', { type: 'button', class: 'secondary small', onClick: async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      toast(t('common.copied'));
    } catch {
      if (target) { target.focus(); target.select(); }
      toast(t(target ? 'common.copySelected' : 'common.copyFailed'), 'error');
    }
  } }, t('common.copy'));
}

/** An element dragged by id (HTML5 drag and drop: a deal to a stage, a task to a day), marked while it moves. */
export function dragSource(el, id) {
  el.addEventListener('dragstart', (event) => {
    event.dataTransfer.setData('text/plain', id);
    event.dataTransfer.effectAllowed = 'move';
    el.classList.add('dragging');
  });
  el.addEventListener('dragend', () => el.classList.remove('dragging'));
  return el;
}

/** Where a dragSource is dropped: marked while one is over it; onDrop gets the dropped id. */
export function dropTarget(el, onDrop) {
  el.addEventListener('dragover', (event) => { event.preventDefault(); el.classList.add('drop-target'); });
  el.addEventListener('dragleave', () => el.classList.remove('drop-target'));
  el.addEventListener('drop', (event) => {
    event.preventDefault();
    el.classList.remove('drop-target');
    onDrop(event.dataTransfer.getData('text/plain'));
  });
  return el;
}
