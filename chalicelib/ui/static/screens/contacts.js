// Contacts: search, list, create; the contact card with its links, timeline, notes and tasks.
import { ApiError, del, get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDate, formatDateTime, formatPhone } from '../js/format.js';
import { placeLink } from '../js/maps.js';
import { can, session } from '../js/session.js';
import { confirmAction, empty, field, form, heading, pager, toast, toastError } from '../js/ui.js';
import { linkGroups, noteForm, ownerRow, scopeOf, timelineList, within } from './records.js';
import { taskForm } from './tasks.js';
import { collectCustom, customInputs, customRows, customText, definitionsFor, requiredLater } from './custom-values.js';
import { filtersPanel, listFilters } from './list-filters.js';
import { bulkBar, canBulk, pickBox, selectionOf } from './bulk.js';
import { phoneLink, phoneLinks } from '../js/telephony.js';
import { conversationsPanel } from '../js/contact-conversations.js';
import { consentPanel } from '../js/contact-consent.js';
import { personalDataMenu } from '../js/contact-personal-data.js';
import { contactOrdersPanel } from './contact-orders.js';
import { sourceText, utmText } from './timeline-text.js';
import { recordPicker } from './pickers.js';
import { newButton, newDealButton } from './new-record.js';
import { emptyList } from './list-empty.js';
import { canEditField } from './field-rules.js';

const SENSITIVE = ['passport_number', 'tax_id', 'iban'];
// Where the customer is: the API's two addresses of a contact (a plumber's job site, a delivery), each on the card
// as one line and in the editor as its parts; a part the editor does not show (line 2, the country) is kept.
const ADDRESSES = ['shipping_address', 'billing_address'];
const ADDRESS_PARTS = [['line1', 'street-address', '200'], ['city', 'address-level2', '100'],
  ['region', 'address-level1', '100'], ['postal_code', 'postal-code', '20']];

/** An address as one line: "412 5th St, Brooklyn, NY 11215, US". */
// The order a country writes an address in (as documents print it: chalicelib/documents/source_deal.py)
const POSTAL_FIRST = new Set(['RU', 'BY', 'KZ', 'KG', 'UZ', 'TJ', 'TM', 'AM', 'AZ', 'GE', 'MD', 'UA']);
const CITY_THEN_POSTAL = new Set(['US', 'CA', 'AU', 'PR']);
const POSTAL_AFTER_CITY = new Set(['GB', 'IE', 'NZ', 'SG', 'ZA', 'IN']);

/** An address on one line in the order its country (else the company's) writes one. */
export function addressText(address) {
  if (!address) return '';
  const { line1, line2, city, region, postal_code: postal, country } = address;
  const where = country || session.tenant?.country || '';
  const joined = (...parts) => parts.filter(Boolean).join(' ');
  const parts = POSTAL_FIRST.has(where) ? [postal, region, city, line1, line2]
    : CITY_THEN_POSTAL.has(where) ? [line1, line2, city, joined(region, postal)]
      : POSTAL_AFTER_CITY.has(where) ? [line1, line2, city, region, postal]
        : [line1, line2, joined(postal, city), region];
  return [...parts, country].filter(Boolean).join(', ');
}

/** The address as a link that opens it in a map (a technician at the door taps it), the address searched as the card
 * writes it, or '' for none. */
export function addressLink(address) {
  return placeLink(addressText(address), address?.country);
}

export function addressInputs(name, address) {
  return h('fieldset', { class: 'address-fields', 'data-address': name }, h('legend', {}, t(`fieldName.${name}`)),
    ADDRESS_PARTS.map(([part, autocomplete, maxlength]) => field({ name: `${name}.${part}`,
      label: t(`contacts.address.${part}`), value: address?.[part] || '', autocomplete, maxlength })));
}

/** The address typed in the editor (its parts not shown kept), or null when every part is empty. */
export function typedAddress(values, name, before) {
  const typed = { ...(before || {}) };
  for (const [part] of ADDRESS_PARTS) typed[part] = String(values[`${name}.${part}`] || '').trim() || null;
  return Object.values(typed).some(Boolean) ? typed : null;
}

/** "First Last", or a dash. */
export function fullName(contact) {
  return [contact.first_name, contact.last_name].filter(Boolean).join(' ') || '—';
}

function contactItem(contact, selectable) {
  const phone = contact.phone || contact.phones?.[0]?.number;
  const email = contact.email || contact.emails?.[0]?.address;
  const name = fullName(contact);
  const pick = selectable ? pickBox(contact.id, name) : null;
  return h('li', { 'data-contact': contact.id }, pick, h('div', { class: 'grow' },
    h('a', { class: 'title', href: `#/contacts/${encodeURIComponent(contact.id)}` }, name),
    h('div', { class: 'meta' }, phone ? phoneLink(phone, { contactId: contact.id }) : null, phone && email ? ' · ' : null, email),
    (contact.tags || []).length ? h('div', {}, contact.tags.map((tag) => [h('span', { class: 'badge' }, tag), ' '])) : null));
}

function duplicateHint(error) {
  const existing = error.details?.find((d) => d && d.existing_id);
  if (!existing) return error;
  const wrapped = new ApiError(409, { code: 'duplicate_contact', message: error.message, details: [] });
  wrapped.existingId = existing.existing_id;
  return wrapped;
}

/** The create form; company: {id, name} it starts linked to; onCreated(contact) instead of opening its card. */
export function createForm(navigate, { company = null, onCreated = null } = {}) {
  const later = requiredLater('contact');
  const el = form({ submit: t('contacts.create'), label: t('contacts.createTitle'), onSubmit: async (values, formEl) => {
    const required = await later.load();
    const body = editable({ first_name: values.first_name, last_name: values.last_name || null,
      phones: values.phone ? [{ number: values.phone, kind: 'mobile' }] : [],
      emails: values.email ? [{ address: values.email, kind: 'work' }] : [], custom: collectCustom(formEl, required),
      company_ids: values.company_id ? [values.company_id] : [], job_title: values.job_title?.trim() || null });
    try {
      const contact = await post('/api/v1/contacts', body);
      toast(t('common.saved'));
      if (onCreated) { formEl.reset(); await onCreated(contact); return; }
      navigate(`/contacts/${encodeURIComponent(contact.id)}`);
    } catch (error) {
      if (error.code === 'duplicate_contact') {
        // a colleague's customer: not ours to open, so say whom to ask to hand them over
        const colleague = error.details?.find((d) => d && d.owner_name);
        if (colleague) {
          throw new ApiError(409, { code: 'duplicate_contact_colleague', details: [],
            message: t('contacts.duplicateColleague', { name: colleague.owner_name }) });
        }
        const hint = duplicateHint(error);
        if (hint.existingId) toast(t('contacts.duplicateOpen'));
        if (hint.existingId) { navigate(`/contacts/${encodeURIComponent(hint.existingId)}`); return; }
      }
      throw error;
    }
  }, children: [h('div', { class: 'form-grid' },
    mine('first_name') && field({ name: 'first_name', label: t('contacts.firstName'), required: true, autocomplete: 'off' }),
    mine('last_name') && field({ name: 'last_name', label: t('contacts.lastName'), autocomplete: 'off' }),
    mine('phones') && field({ name: 'phone', label: t('contacts.phone'), type: 'tel', autocomplete: 'off' }),
    mine('emails') && field({ name: 'email', label: t('auth.email'), type: 'email', autocomplete: 'off' }),
    mine('company_ids') && recordPicker({ type: 'company', name: 'company_id', label: t('picker.company'), value: company }),
    mine('job_title') && field({ name: 'job_title', label: t('fieldName.job_title'), autocomplete: 'organization-title', maxlength: 100 })),
  later.slot] });
  later.watch(el);
  return el;
}

function searchForm(q, params, navigate) {
  return h('form', { class: 'search', role: 'search', onSubmit: (event) => {
    event.preventDefault();
    navigate(`/contacts${query({ ...listFilters(params), q: event.target.elements.q.value.trim() })}`);
  } }, h('label', { for: 'contact-search', class: 'visually-hidden' }, t('contacts.search')),
  h('input', { id: 'contact-search', name: 'q', type: 'search', value: q, placeholder: t('contacts.search') }),
  h('button', { type: 'submit', class: 'secondary' }, t('common.search')));
}

/** #/contacts?q=&tag=&owner_id=&custom.<key>=: the list with search, filters and bulk actions (one request). */
export async function list(root, { query: params, navigate, alive }) {
  const q = params.get('q') || '';
  const filters = listFilters(params);
  const reload = () => list(root, { query: params, navigate, alive });
  const page = await get(`/api/v1/contacts${query({ q, ...filters, limit: 50 })}`);
  if (!alive()) return;
  const selectable = canBulk('contacts');
  const items = h('ul', { class: 'list contact-list' }, page.items.map((c) => contactItem(c, selectable)));
  const more = async (cursor) => {
    const next = await get(`/api/v1/contacts${query({ q, ...filters, limit: 50, cursor })}`);
    items.append(...next.items.map((c) => contactItem(c, selectable)));
    const again = pager(next.next_cursor, more);
    if (again) items.after(again);
  };
  let selection = { ticked: () => [], head: null };
  const bulk = selectable ? bulkBar('contacts', () => selection.ticked(), reload) : null;
  if (bulk) selection = selectionOf(items, bulk);
  const filtered = q || Object.keys(filters).length;
  const create = can('contacts', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('contacts.createTitle')),
    createForm(navigate)) : null;
  mount(root, heading(t('nav.contacts'), newButton(create, t('picker.newContact'))), searchForm(q, params, navigate),
    filtersPanel(params, navigate),
    page.items.length ? [bulk && selection.head, items, bulk && bulk.bar]
      : filtered ? empty(t('contacts.noMatch')) : emptyList('contacts', { panel: create }),
    pager(page.next_cursor, more), create);
}

/** True when the user's role may change the contact's field (its field rules, #21 item 10). */
function mine(name) {
  return canEditField('contacts', name);
}

/** A request body without the fields the user's role may not change (a read-only field is never sent). */
function editable(body) {
  const kept = Object.fromEntries(Object.entries(body).filter(([name]) => name === 'version' || name === 'custom' || mine(name)));
  if (kept.custom) kept.custom = Object.fromEntries(Object.entries(kept.custom).filter(([key]) => mine(`custom.${key}`)));
  return kept;
}

export function listInputs(name, entries, key) {
  const rows = [...(entries || []), { [key]: '', kind: '' }];
  return rows.map((entry, i) => field({ name: `${name}.${i}.${key}`, label: `${t(`contacts.${name}Label`)} ${i + 1}`,
    value: entry[key], type: name === 'emails' ? 'email' : 'tel', 'data-kind': entry.kind || '' }));
}

export function collect(formEl, name, key, fallbackKind) {
  return [...formEl.querySelectorAll(`[name^="${name}."]`)].filter((input) => input.value.trim())
    .map((input) => ({ [key]: input.value.trim(), kind: input.dataset.kind || fallbackKind }));
}

function sensitiveInputs(contact) {
  return SENSITIVE.map((name) => field({ name, label: t(`contacts.${name}`), autocomplete: 'off', value: '',
    hint: contact[name] ? t('custom.keepMasked') : null }));
}

function editForm(contact, definitions, reload) {
  const ownDefinitions = definitions.filter((d) => mine(`custom.${d.key}`));
  return form({ submit: t('common.save'), label: t('contacts.edit'), onSubmit: async (values, formEl) => {
    const body = editable({ version: contact.version, first_name: values.first_name, last_name: values.last_name || null,
      phones: collect(formEl, 'phones', 'number', 'mobile'), emails: collect(formEl, 'emails', 'address', 'work'),
      custom: collectCustom(formEl, ownDefinitions, contact.custom), messengers: typedMessengers(contact, values),
      birthday: values.birthday || null, job_title: values.job_title?.trim() || null,
      ...Object.fromEntries(ADDRESSES.map((name) => [name, typedAddress(values, name, contact[name])])) });
    if (!body.messengers) delete body.messengers;
    // A sensitive value is only ever typed in: the form never holds it, so an empty box keeps it.
    for (const name of SENSITIVE) if (values[name] && mine(name)) body[name] = values[name];
    try {
      await patch(`/api/v1/contacts/${encodeURIComponent(contact.id)}`, body);
    } catch (error) {
      if (error.status === 409 && error.code !== 'duplicate_contact') { toastError(error); await reload(); return; }
      throw error;
    }
    toast(t('common.saved'));
    await reload();
  }, children: [h('div', { class: 'form-grid' },
    mine('first_name') && field({ name: 'first_name', label: t('contacts.firstName'), value: contact.first_name, required: true }),
    mine('last_name') && field({ name: 'last_name', label: t('contacts.lastName'), value: contact.last_name }),
    mine('job_title') && field({ name: 'job_title', label: t('fieldName.job_title'), value: contact.job_title || '',
      autocomplete: 'organization-title', maxlength: 100 }),
    mine('phones') && listInputs('phones', contact.phones, 'number'), mine('emails') && listInputs('emails', contact.emails, 'address'),
    // what the birthday greeting and the 'birthday this month' segment read (a salon's customers' birthdays)
    mine('birthday') && field({ name: 'birthday', label: t('fieldName.birthday'), type: 'date', value: contact.birthday || '' }),
    mine('messengers') && [
      field({ name: 'whatsapp', label: t('contacts.whatsapp'), type: 'tel', autocomplete: 'off',
        value: contact.messengers?.whatsapp ? formatPhone(`+${digitsOf(contact.messengers.whatsapp)}`) : '' }),
      field({ name: 'telegram_username', label: t('contacts.telegramUsername'), autocomplete: 'off',
        value: contact.messengers?.telegram_username || '', pattern: '@?[A-Za-z0-9_]{4,32}', hint: t('contacts.telegramHint') })],
    ADDRESSES.filter(mine).map((name) => addressInputs(name, contact[name])),
    sensitiveInputs(contact).filter((_, i) => mine(SENSITIVE[i]))), customInputs(ownDefinitions, contact.custom)] });
}

/** A masked value with a Reveal button for those who may see it (the API records the read). */
function maskedValue(contact, name, text) {
  const value = h('span', { class: 'mono masked', 'data-field': name }, text);
  if (!session.seesSensitive || (contact.revealed || []).includes(name)) return value;
  const button = h('button', { type: 'button', class: 'link reveal', 'aria-label': t('contacts.revealField', { field: name }),
    onClick: async () => {
      button.disabled = true;
      try {
        const answer = await get(`/api/v1/contacts/${encodeURIComponent(contact.id)}${query({ reveal: name })}`);
        const clear = name.startsWith('custom.') ? answer.custom?.[name.slice(7)] : answer[name];
        value.textContent = typeof clear === 'object' && clear !== null ? JSON.stringify(clear) : String(clear ?? '');
        value.classList.remove('masked');
        button.remove();
      } catch (error) { button.disabled = false; toastError(error); }
    } }, t('contacts.reveal'));
  return [value, ' ', button];
}

const digitsOf = (text) => String(text || '').replace(/\D/g, '');

/** The contact's messenger handles the phones do not already show: a WhatsApp number of its own, a Telegram
 * username as a t.me link, else the Telegram chat id a chat came from. */
function messengerRows(contact) {
  const m = contact.messengers || {};
  const phones = new Set((contact.phones || []).map((phone) => digitsOf(phone.number)));
  const link = (href, text) => h('a', { href, target: '_blank', rel: 'noopener' }, text);
  const whatsapp = digitsOf(m.whatsapp);
  const username = String(m.telegram_username || '').replace(/^@/, '');
  return [
    [t('contacts.whatsapp'), whatsapp && !phones.has(whatsapp) ? link(`https://wa.me/${whatsapp}`, formatPhone(`+${whatsapp}`)) : null],
    [t('contacts.telegram'), username ? link(`https://t.me/${username}`, `@${username}`)
      : (m.telegram_id ? t('contacts.telegramId', { id: m.telegram_id }) : null)],
  ];
}

/** The messengers to save when the WhatsApp number or Telegram username typed differ from the contact's (the chat
 * ids a conversation set are kept), else null: an edit of something else writes no messenger change. */
function typedMessengers(contact, values) {
  const m = contact.messengers || {};
  const username = (text) => String(text || '').trim().replace(/^@/, '') || null;
  const typed = { whatsapp: String(values.whatsapp || '').trim() || null, telegram_username: username(values.telegram_username) };
  if (values.whatsapp === undefined || (digitsOf(typed.whatsapp) === digitsOf(m.whatsapp)
    && typed.telegram_username === username(m.telegram_username))) return null;
  return { ...m, ...typed };
}

function properties(contact, definitions, owner) {
  const rows = [
    [t('fieldName.job_title'), contact.job_title || ''],
    [t('contacts.phone'), phoneLinks(contact.phones, contact.id)],
    ...messengerRows(contact),
    [t('auth.email'), (contact.emails || []).map((e) => e.address).join(', ')],
    [t('fieldName.birthday'), contact.birthday ? formatDate(contact.birthday) : ''],
    ...ADDRESSES.map((name) => [t(`fieldName.${name}`), addressLink(contact[name])]),
    [t('contacts.tags'), (contact.tags || []).join(', ')],
    [t('lead.source'), sourceText(contact.source)], [t('lead.utm'), utmText(contact.utm)], // where it came from (#20)
    ...SENSITIVE.filter((name) => contact[name]).map((name) => [t(`contacts.${name}`),
      maskedValue(contact, name, contact[name])]),
    ...customRows(definitions, contact.custom).map(([label, text, d]) => [label,
      d.sensitive ? maskedValue(contact, `custom.${d.key}`, customText(d, contact.custom[d.key])) : text]),
    [t('common.created'), formatDateTime(contact.created_at)],
    [t('common.updated'), formatDateTime(contact.updated_at)],
  ].filter(([, value]) => value);
  return h('dl', { class: 'props' }, owner, rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

function deleteButton(contact, navigate) {
  if (!can('contacts', 'delete')) return null;
  return h('button', { type: 'button', class: 'secondary', onClick: async () => {
    if (!(await confirmAction(t('contacts.deleteConfirm', { name: fullName(contact) }), t('common.delete')))) return;
    try { await del(`/api/v1/contacts/${encodeURIComponent(contact.id)}`); toast(t('common.deleted')); navigate('/contacts'); } catch (error) {
      toastError(error);
    }
  } }, t('common.delete'));
}

/** #/contacts/:id: the card (two requests: contact with links and timeline, custom fields; the users once, for another's contact). */
export async function card(root, { params, navigate, alive }) {
  const reload = () => card(root, { params, navigate, alive });
  const [answer, definitions] = await Promise.all([get(`/api/v1/contacts/${encodeURIComponent(params.id)}`),
    definitionsFor('contact')]);
  const contact = answer.contact || answer;
  const owner = await ownerRow('contacts', contact, { path: `/api/v1/contacts/${encodeURIComponent(contact.id)}`, reload });
  if (!alive()) return;
  const timeline = timelineList(answer.timeline || []);
  const subject = { type: 'contact', id: contact.id };
  const editing = h('details', { class: 'panel' }, h('summary', {}, t('contacts.edit')), editForm(contact, definitions, reload));
  // one who reads the contact only for a task of theirs (a technician's visit) is offered no change to it
  const changeable = within(scopeOf('contacts', 'update'), contact.owner_id, contact.team_id);
  mount(root, heading(fullName(contact), newDealButton({ contact: { id: contact.id, name: fullName(contact) } }, navigate),
    changeable ? deleteButton(contact, navigate) : null, personalDataMenu(contact, fullName(contact), navigate)),
    h('div', { class: 'card-grid' },
      h('div', {}, h('section', { class: 'panel' }, properties(contact, definitions, owner)), changeable ? editing : null,
        h('section', { class: 'panel' }, h('h2', {}, t('timeline.title')), noteForm(subject, timeline), timeline.view)),
      h('div', {}, linkGroups(answer.links, ['deal', 'task']), contactOrdersPanel(contact), conversationsPanel(contact),
        consentPanel(contact),
        can('tasks', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('tasks.addTitle')),
          taskForm(() => reload(), subject)) : null)));
}
