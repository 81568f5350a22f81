// @mentions in notes: typing @ in the note box offers the company's active colleagues by name (typing narrows them;
// arrows and Enter, Tab or a tap pick one); the note is sent with each picked name as `@<user id>`, which the API
// reads as a mention (it notifies them), and a note read later names them again ("@Olga Owner").
import { h, uid } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can, session } from '../js/session.js';
import { companyUsers } from '../js/users.js';

const MENTION = /@([0-9A-HJKMNP-TV-Z]{26})\b/g;
const TYPED = /(^|\s)@([^@\n]{0,40})$/; // "@ol", "@Olga O" just before the caret
const SHOWN = 8;

function fold(text) {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLocaleLowerCase().replace(/ё/g, 'е');
}

/** Colleagues whose name (or a word of it) starts with what was typed after @. */
function matching(list, typed) {
  const wanted = fold(typed.trim());
  return list.filter((user) => user.status === 'active' && user.id !== session.user?.id)
    .filter((user) => !wanted || fold(user.name).startsWith(wanted)
      || fold(user.name).split(/\s+/).some((word) => word.startsWith(wanted)))
    .slice(0, SHOWN);
}

/**
 * Offer colleagues while @ is being typed in textarea (inside its .field); returns toApi(text), which writes each
 * picked "@Name" as "@<user id>" for the API.
 */
export function mentionBox(textarea) {
  const listId = uid('mentions');
  const options = h('ul', { id: listId, role: 'listbox', class: 'picker-options mention-options', hidden: true,
    'aria-label': t('mention.list') });
  const picked = new Map(); // name -> user id
  let active = -1;
  let shown = [];
  let ask = 0;
  // A textarea is a textbox, which has no aria-expanded (screen readers reject it): the open list is told by
  // aria-activedescendant, as a textbox with aria-autocomplete may.
  textarea.setAttribute('aria-autocomplete', 'list');
  textarea.setAttribute('aria-controls', listId);
  const field = textarea.closest('.field') || textarea.parentElement;
  field.classList.add('picker');
  field.append(options);

  const close = () => {
    options.hidden = true; shown = []; active = -1;
    textarea.removeAttribute('aria-activedescendant');
  };
  const typedNow = () => TYPED.exec(textarea.value.slice(0, textarea.selectionStart ?? textarea.value.length));
  const choose = (user) => {
    const found = typedNow();
    if (!found) { close(); return; }
    const caret = textarea.selectionStart;
    const start = caret - found[2].length - 1;
    const written = `@${user.name} `;
    textarea.value = textarea.value.slice(0, start) + written + textarea.value.slice(caret);
    textarea.setSelectionRange(start + written.length, start + written.length);
    picked.set(user.name, user.id);
    close();
    textarea.focus();
  };
  const mark = () => {
    const items = [...options.querySelectorAll('[role=option]')];
    items.forEach((item, i) => item.setAttribute('aria-selected', i === active ? 'true' : 'false'));
    if (items[active]) {
      textarea.setAttribute('aria-activedescendant', items[active].id);
      items[active].scrollIntoView({ block: 'nearest' });
    }
  };
  const draw = (list) => {
    shown = list;
    options.replaceChildren(...(list.length ? list.map((user) => {
      const item = h('li', { role: 'option', id: uid(`${listId}-opt`), class: 'picker-option', 'data-user': user.id },
        h('span', { class: 'picker-name' }, user.name));
      item.addEventListener('mousedown', (event) => event.preventDefault()); // the caret stays in the note
      item.addEventListener('click', () => choose(user));
      return item;
    }) : [h('li', { class: 'picker-none', role: 'presentation' }, t('mention.none'))]));
    options.hidden = false;
    active = list.length ? 0 : -1;
    mark();
  };
  const update = async () => {
    const found = typedNow();
    const mine = ++ask;
    if (!found || !can('users', 'read')) { close(); return; } // a role that may not list colleagues types @ as text
    let list;
    try { list = await companyUsers(); } catch { close(); return; }
    if (mine !== ask) return;
    const fitting = matching(list, found[2]);
    if (!fitting.length && /\s/.test(found[2])) { close(); return; } // "@Olga wrote": no longer a name
    draw(fitting);
  };
  textarea.addEventListener('input', update);
  textarea.addEventListener('click', update);
  textarea.addEventListener('keydown', (event) => {
    if (options.hidden) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (shown.length) { active = (active + (event.key === 'ArrowDown' ? 1 : -1) + shown.length) % shown.length; mark(); }
    } else if ((event.key === 'Enter' || event.key === 'Tab') && shown[active]) {
      event.preventDefault();
      choose(shown[active]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  textarea.addEventListener('blur', () => setTimeout(close, 150));
  return (text) => [...picked].sort(([a], [b]) => b.length - a.length)
    .reduce((result, [name, id]) => result.split(`@${name}`).join(`@${id}`), text);
}

/**
 * A note's text with each `@<user id>` as "@Name": named from names (user id -> name) when the screen has read the
 * company's users already (the audit log), else once they are read (one request a session).
 */
export function noteText(text, names = null) {
  const parts = [];
  let last = 0;
  for (const found of text.matchAll(MENTION)) {
    parts.push(text.slice(last, found.index));
    parts.push(h('span', { class: 'mention', 'data-user': found[1] }, `@${names?.get(found[1]) || t('mention.someone')}`));
    last = found.index + found[0].length;
  }
  parts.push(text.slice(last));
  const el = h('p', { class: 'prewrap note-text' }, parts);
  if (parts.length > 1 && !names) {
    companyUsers().then((list) => {
      const known = new Map(list.map((user) => [user.id, user.name]));
      for (const span of el.querySelectorAll('.mention')) {
        if (known.has(span.dataset.user)) span.textContent = `@${known.get(span.dataset.user)}`;
      }
    }).catch(() => {});
  }
  return el;
}
