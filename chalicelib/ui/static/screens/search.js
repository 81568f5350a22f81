// The search across the CRM (#20 item 16): contacts, companies and deals by name, phone or e-mail, from the top
// bar of every screen. Three requests at once, at most five of each, with the way to the full list.
import { get, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatMoney, formatPhone } from '../js/format.js';
import { can } from '../js/session.js';
import { failed, heading } from '../js/ui.js';
import { recordName } from './pickers.js';

const KINDS = [
  { type: 'contact', plural: 'contacts', path: 'contacts', list: (q) => `#/contacts${query({ q })}` },
  { type: 'company', plural: 'companies', path: 'companies', list: (q) => `#/companies${query({ q })}` },
  { type: 'deal', plural: 'deals', path: 'deals', list: (q) => `#/deals${query({ q })}` },
];
const SHOWN = 5;
const WAIT_MS = 250;
const MAX_Q = 100;
// Digits as a phone's part is typed ("45 6"): a phone is found by 4 digits or more (its tail, or its start as dialled
// at home), so an empty answer to fewer says so rather than just "Nothing found".
const PHONE_PART = /^[\d\s()+\-.]+$/;
const PHONE_DIGITS = 4;

function meta(type, record) {
  if (type === 'contact') return [record.phone ? formatPhone(record.phone) : null, record.email].filter(Boolean).join(' · ');
  if (type === 'company') return record.website || '';
  return record.amount ? formatMoney(record.amount.minor, record.amount.currency) : '';
}

function group(kind, q, page) {
  const items = page.items.slice(0, SHOWN);
  return h('section', { class: 'panel search-group', 'data-group': kind.type },
    h('h2', {}, t(`search.group.${kind.type}`)),
    items.length ? h('ul', { class: 'list' }, items.map((record) => h('li', {}, h('div', { class: 'grow' },
      h('a', { class: 'title', href: `#/${kind.path}/${encodeURIComponent(record.id)}` }, recordName(kind.type, record)),
      meta(kind.type, record) ? h('div', { class: 'meta' }, meta(kind.type, record)) : null))))
      : h('p', { class: 'muted' }, t('search.none'), kind.type === 'contact' && PHONE_PART.test(q)
        && q.replace(/\D/g, '').length < PHONE_DIGITS ? ` ${t('search.phoneDigits')}` : null),
    page.next_cursor || page.items.length > SHOWN ? h('a', { href: kind.list(q), class: 'search-all' }, t('search.all')) : null);
}

async function results(q) {
  const kinds = KINDS.filter((kind) => can(kind.plural, 'read'));
  const pages = await Promise.all(kinds.map((kind) => get(`/api/v1/${kind.plural}${query({ q, limit: SHOWN })}`)));
  return kinds.map((kind, i) => group(kind, q, pages[i]));
}

/** #/search?q=: the box (focused) and what it finds, kept in the address as you type. */
export async function search(root, { query: params, alive }) {
  const start = (params.get('q') || '').trim().slice(0, MAX_Q);
  const out = h('div', { class: 'search-results', 'aria-live': 'polite' });
  const input = h('input', { id: 'global-search', type: 'search', name: 'q', value: start, maxlength: String(MAX_Q),
    placeholder: t('search.placeholder'), autocomplete: 'off', enterkeyhint: 'search' });
  let asked = 0;
  let timer = null;
  const run = async () => {
    const q = input.value.trim();
    const mine = ++asked;
    history.replaceState(null, '', `#/search${query({ q })}`);
    if (!q) { mount(out, h('p', { class: 'muted' }, t('search.hint'))); return; }
    out.setAttribute('aria-busy', 'true');
    try {
      const found = await results(q);
      if (mine === asked && alive()) { mount(out, found); out.dataset.q = q; } // what the results answer
    } catch (error) {
      if (mine === asked && alive()) mount(out, failed(error));
    } finally { out.removeAttribute('aria-busy'); }
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, WAIT_MS); });
  const box = h('form', { class: 'search global-search', role: 'search', onSubmit: (event) => {
    event.preventDefault(); clearTimeout(timer); run();
  } }, h('label', { for: 'global-search', class: 'visually-hidden' }, t('search.label')), input,
  h('button', { type: 'submit', class: 'secondary' }, t('common.search')));
  mount(root, heading(t('search.title')), box, out);
  await run();
  // The app puts focus on a screen's heading once it is drawn; here the box is what one came for.
  setTimeout(() => { if (alive()) input.focus(); }, 0);
}
