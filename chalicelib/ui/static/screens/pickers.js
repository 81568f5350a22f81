// Pickers that link records (#20 item 1): a search box that finds contacts, companies or deals as you type (by
// name, phone or e-mail), offers to create the one that is not there yet, and holds the chosen record's id in a
// hidden input of the form.
import { get, post, query } from '../js/api.js';
import { h, uid } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatPhone } from '../js/format.js';
import { can } from '../js/session.js';
import { toastError } from '../js/ui.js';

const PLURAL = { contact: 'contacts', company: 'companies', deal: 'deals' };
const WAIT_MS = 200; // typing pauses this long before a search is sent

/** What a record is called: a contact's full name (else its phone or e-mail), a company's name, a deal's title. */
export function recordName(type, record) {
  if (!record) return '';
  if (type === 'deal') return record.title || '';
  if (type === 'company') return record.name || '';
  const full = [record.first_name, record.last_name].filter(Boolean).join(' ');
  return full || record.email || (record.phone ? formatPhone(record.phone) : '') || record.id;
}

function detail(type, record) {
  if (type === 'contact') return [record.phone ? formatPhone(record.phone) : null, record.email].filter(Boolean).join(' · ');
  if (type === 'company') return record.website || '';
  return '';
}

/** Records of a type whose name, phone or e-mail starts with q (one request, at most 8). */
export async function findRecords(type, q) {
  const page = await get(`/api/v1/${PLURAL[type]}${query({ q, limit: 8 })}`);
  return page.items;
}

async function createNamed(type, text) {
  if (type === 'company') return post('/api/v1/companies', { name: text });
  const [first, ...rest] = text.split(/\s+/);
  return post('/api/v1/contacts', { first_name: first, last_name: rest.join(' ') || null });
}

/**
 * A labelled picker of one record of type; name is the form value holding the chosen id. value: {id, name} already
 * chosen; onPick(record or null) is told of each choice.
 */
export function recordPicker({ type, name, label, value = null, onPick = null, hint = null }) {
  const id = uid(`pick-${type}`);
  const listId = `${id}-list`;
  const hidden = h('input', { type: 'hidden', name, value: value?.id || '' });
  const input = h('input', { id, type: 'search', role: 'combobox', autocomplete: 'off', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': listId, placeholder: t(`picker.find.${type}`), enterkeyhint: 'search',
    'aria-describedby': hint ? `${id}-hint` : null });
  const options = h('ul', { id: listId, role: 'listbox', class: 'picker-options', hidden: true, 'aria-label': label });
  const chosen = h('div', { class: 'picker-chosen' });
  let active = -1;
  let ask = 0;
  let timer = null;

  const close = () => { options.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; };
  const show = (record) => {
    hidden.value = record?.id || '';
    chosen.replaceChildren();
    if (record) {
      chosen.append(h('span', { class: 'picker-chip', 'data-test': 'picked' }, record.name),
        h('button', { type: 'button', class: 'picker-clear', 'aria-label': t('picker.clear', { name: record.name }),
          onClick: () => { show(null); onPick?.(null); input.focus(); } }, '×'));
    }
    input.hidden = Boolean(record);
  };
  const choose = (record) => {
    const picked = { id: record.id, name: recordName(type, record) };
    show(picked);
    close();
    input.value = '';
    onPick?.(picked, record);
  };
  const option = (content, onChoose, extra = {}) => {
    const el = h('li', { role: 'option', id: uid(`${id}-opt`), class: 'picker-option', tabindex: '-1', ...extra }, content);
    el.addEventListener('mousedown', (event) => event.preventDefault()); // keep focus in the box
    el.addEventListener('click', onChoose);
    return el;
  };
  const draw = (records, text) => {
    const rows = records.map((record) => option([h('span', { class: 'picker-name' }, recordName(type, record)),
      detail(type, record) ? h('span', { class: 'picker-detail' }, detail(type, record)) : null], () => choose(record)));
    if (text && type !== 'deal' && can(PLURAL[type], 'create')
      && !records.some((record) => recordName(type, record).toLowerCase() === text.toLowerCase())) {
      rows.push(option(t(`picker.create.${type}`, { name: text }), async () => {
        try { choose(await createNamed(type, text)); } catch (error) { toastError(error); }
      }, { class: 'picker-option picker-new', 'data-test': 'picker-new' }));
    }
    if (!rows.length) rows.push(h('li', { class: 'picker-none', role: 'presentation' }, t('picker.none')));
    options.replaceChildren(...rows);
    options.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
  };
  const search = async () => {
    const text = input.value.trim();
    const mine = ++ask;
    if (!text) { close(); return; }
    try {
      const records = await findRecords(type, text.slice(0, 100));
      if (mine === ask && input.value.trim() === text) draw(records, text);
    } catch (error) { if (mine === ask) toastError(error); }
  };
  const move = (step) => {
    const items = [...options.querySelectorAll('[role=option]')];
    if (!items.length) return;
    active = (active + step + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute('aria-selected', i === active ? 'true' : 'false'));
    input.setAttribute('aria-activedescendant', items[active].id);
    items[active].scrollIntoView({ block: 'nearest' });
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, WAIT_MS); });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') { event.preventDefault(); move(1); }
    else if (event.key === 'ArrowUp') { event.preventDefault(); move(-1); }
    else if (event.key === 'Escape' && !options.hidden) { event.preventDefault(); event.stopPropagation(); close(); }
    else if (event.key === 'Enter') {
      event.preventDefault(); // Enter picks; it never submits the form half-filled
      const items = [...options.querySelectorAll('[role=option]')];
      (items[active] || items[0])?.click();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  show(value);
  return h('div', { class: 'field picker', 'data-picker': type }, h('label', { for: id }, label), hidden, chosen, input,
    options, hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null, h('p', { class: 'field-error', id: `${id}-error` }));
}
