// Companies (the customers' businesses): list, create, card.
import { del, get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime } from '../js/format.js';
import { can } from '../js/session.js';
import { confirmAction, empty, field, form, heading, pager, toast, toastError } from '../js/ui.js';
import { linkGroups, noteForm, ownerRow, timelineList } from './records.js';
import { collectCustom, customInputs, customRows, definitionsFor } from './custom-values.js';
import { phoneLinks } from '../js/telephony.js';
import { canEditField } from './field-rules.js';
import { recordPicker } from './pickers.js';
import { formDialog, newButton, newDealButton } from './new-record.js';
import { emptyList } from './list-empty.js';
import { bulkBar, canBulk, pickBox, selectionOf } from './bulk.js';
import { filtersPanel, listFilters } from './list-filters.js';
import { addressInputs, addressLink, collect, listInputs, typedAddress } from './contacts.js';

function companyItem(company, selectable) {
  return h('li', { 'data-company': company.id }, selectable ? pickBox(company.id, company.name) : null, h('div', { class: 'grow' },
    h('a', { class: 'title', href: `#/companies/${encodeURIComponent(company.id)}` }, company.name),
    h('div', { class: 'meta' }, [company.website, company.industry].filter(Boolean).join(' · ')),
    (company.tags || []).length ? h('div', {}, company.tags.map((tag) => [h('span', { class: 'badge' }, tag), ' '])) : null));
}

/** #/companies?q=&tag=&owner_id=&custom.<key>=: the list with search, filters and bulk actions. */
export async function list(root, { query: params, navigate, alive }) {
  const q = params.get('q') || '';
  const filters = listFilters(params);
  const creating = can('companies', 'create');
  const [page, definitions] = await Promise.all([get(`/api/v1/companies${query({ q, ...filters, limit: 50 })}`),
    creating ? definitionsFor('company') : []]);
  if (!alive()) return;
  const required = definitions.filter((d) => d.required);
  const selectable = canBulk('companies');
  const items = h('ul', { class: 'list company-list' }, page.items.map((c) => companyItem(c, selectable)));
  const more = async (cursor) => {
    const next = await get(`/api/v1/companies${query({ q, ...filters, limit: 50, cursor })}`);
    items.append(...next.items.map((c) => companyItem(c, selectable)));
    const again = pager(next.next_cursor, more);
    if (again) items.after(again);
  };
  const search = h('form', { class: 'search', role: 'search', onSubmit: (event) => {
    event.preventDefault();
    navigate(`/companies${query({ ...filters, q: event.target.elements.q.value.trim() })}`);
  } }, h('label', { for: 'company-search', class: 'visually-hidden' }, t('companies.search')),
  h('input', { id: 'company-search', name: 'q', type: 'search', value: q, placeholder: t('companies.search') }),
  h('button', { type: 'submit', class: 'secondary' }, t('common.search')));
  const create = creating ? h('section', { class: 'panel' }, h('h2', {}, t('companies.createTitle')),
    form({ submit: t('companies.create'), label: t('companies.createTitle'), onSubmit: async (values, formEl) => {
      const company = await post('/api/v1/companies', { name: values.name, website: values.website || null,
        custom: collectCustom(formEl, required) });
      toast(t('common.saved'));
      navigate(`/companies/${encodeURIComponent(company.id)}`);
    }, children: [h('div', { class: 'form-grid' }, field({ name: 'name', label: t('companies.name'), required: true }),
      field({ name: 'website', label: t('companies.website'), type: 'url' })), customInputs(required, {})] })) : null;
  let selection = { ticked: () => [], head: null };
  const bulk = selectable ? bulkBar('companies', () => selection.ticked(), () => list(root, { query: params, navigate, alive })) : null;
  if (bulk) selection = selectionOf(items, bulk);
  mount(root, heading(t('nav.companies'), newButton(create, t('picker.newCompany'))), search,
    filtersPanel(params, navigate, 'companies', 'company'),
    page.items.length ? [bulk && selection.head, items, bulk && bulk.bar]
      : q || Object.keys(filters).length ? empty(t('contacts.noMatch')) : emptyList('companies', { panel: create }),
    pager(page.next_cursor, more), create);
}

/** #/companies/:id. */
export async function card(root, { params, navigate, alive }) {
  const reload = () => card(root, { params, navigate, alive });
  const [answer, definitions] = await Promise.all([get(`/api/v1/companies/${encodeURIComponent(params.id)}`),
    definitionsFor('company')]);
  const company = answer.company || answer;
  const owner = await ownerRow('companies', company, { path: `/api/v1/companies/${encodeURIComponent(company.id)}`, reload });
  if (!alive()) return;
  const timeline = timelineList(answer.timeline || []);
  const remove = can('companies', 'delete') ? h('button', { type: 'button', class: 'secondary', onClick: async () => {
    if (!(await confirmAction(t('contacts.deleteConfirm', { name: company.name }), t('common.delete')))) return;
    try { await del(`/api/v1/companies/${encodeURIComponent(company.id)}`); navigate('/companies'); } catch (error) { toastError(error); }
  } }, t('common.delete')) : null;
  // Only the fields the user's role may change are offered and sent (its field rules, #21 item 10).
  const mine = (name) => canEditField('companies', name);
  const own = definitions.filter((d) => mine(`custom.${d.key}`));
  const edit = can('companies', 'update') ? h('details', { class: 'panel' }, h('summary', {}, t('contacts.edit')),
    form({ submit: t('common.save'), label: t('contacts.edit'), onSubmit: async (values, formEl) => {
      try {
        const body = { version: company.version, custom: collectCustom(formEl, own, company.custom) };
        if (mine('name')) body.name = values.name;
        if (mine('website')) body.website = values.website || null;
        // a client's switchboard: a call from it finds the company
        if (mine('phones')) body.phones = collect(formEl, 'phones', 'number', 'work');
        if (mine('emails')) body.emails = collect(formEl, 'emails', 'address', 'work');
        if (mine('address')) body.address = typedAddress(values, 'address', company.address);
        if (mine('tax_number')) body.tax_number = values.tax_number?.trim() || null;
        // a Russian buyer's КПП and ОГРН, printed beside its INN (another country's company number in the second)
        if (mine('kpp')) body.kpp = values.kpp?.trim().toUpperCase() || null;
        if (mine('registration_number')) body.registration_number = values.registration_number?.trim() || null;
        await patch(`/api/v1/companies/${encodeURIComponent(company.id)}`, body);
        toast(t('common.saved'));
      } catch (error) {
        if (error.status !== 409) throw error;
        toastError(error);
      }
      await reload();
    }, children: [h('div', { class: 'form-grid' },
      mine('name') && field({ name: 'name', label: t('companies.name'), value: company.name, required: true }),
      mine('website') && field({ name: 'website', label: t('companies.website'), type: 'url', value: company.website }),
      mine('phones') && listInputs('phones', company.phones, 'number'), mine('emails') && listInputs('emails', company.emails, 'address'),
      // its invoices name it: an EU client's VAT ID (a reverse charge needs it), a Russian buyer's INN
      mine('tax_number') && field({ name: 'tax_number', label: t('fieldName.tax_number'), value: company.tax_number || '',
        maxlength: '40', autocomplete: 'off' }),
      mine('kpp') && field({ name: 'kpp', label: t('fieldName.kpp'), value: company.kpp || '', maxlength: '9',
        autocomplete: 'off' }),
      mine('registration_number') && field({ name: 'registration_number', label: t('fieldName.registration_number'),
        value: company.registration_number || '', maxlength: '40', autocomplete: 'off' })),
    // where the business is: its invoices name it (a British VAT invoice names the customer's address)
    mine('address') && addressInputs('address', company.address), customInputs(own, company.custom)] })) : null;
  const preset = { company: { id: company.id, name: company.name } };
  mount(root, heading(company.name, newContactButton(company, navigate, reload), newDealButton(preset, navigate), remove),
    h('div', { class: 'card-grid' },
    h('div', {}, h('section', { class: 'panel' }, h('dl', { class: 'props' }, owner,
      (company.phones || []).length ? [h('dt', {}, t('contacts.phone')), h('dd', {}, phoneLinks(company.phones))] : null,
      (company.emails || []).length ? [h('dt', {}, t('auth.email')), h('dd', {}, company.emails.map((e) => e.address).join(', '))] : null,
      company.website ? [h('dt', {}, t('companies.website')), h('dd', {}, company.website)] : null,
      company.address ? [h('dt', {}, t('fieldName.address')), h('dd', {}, addressLink(company.address))] : null,
      company.tax_number ? [h('dt', {}, t('fieldName.tax_number')), h('dd', {}, company.tax_number)] : null,
      company.kpp ? [h('dt', {}, t('fieldName.kpp')), h('dd', {}, company.kpp)] : null,
      company.registration_number ? [h('dt', {}, t('fieldName.registration_number')), h('dd', {}, company.registration_number)] : null,
      customRows(definitions, company.custom).map(([label, text]) => [h('dt', {}, label), h('dd', {}, text)]),
      h('dt', {}, t('common.created')), h('dd', {}, formatDateTime(company.created_at)))), edit,
    h('section', { class: 'panel' }, h('h2', {}, t('timeline.title')), noteForm({ type: 'company', id: company.id }, timeline),
      timeline.view)),
    h('div', {}, linkGroups(answer.links, ['contact', 'deal']), linkContact(company, reload))));
}

/** "+ Contact" on a company's card: a new contact of this company, in a dialog; the card then shows it (#20 item 1). */
function newContactButton(company, navigate, reload) {
  if (!can('contacts', 'create')) return null;
  return h('button', { type: 'button', class: 'secondary', 'data-test': 'new-contact', onClick: async () => {
    const { createForm } = await import('./contacts.js');
    let close = () => {};
    const formEl = createForm(navigate, { company: { id: company.id, name: company.name },
      onCreated: async () => { close(); await reload(); } });
    close = formDialog(t('contacts.createTitle'), formEl);
  } }, `+ ${t('picker.newContact')}`);
}

/** Link a contact already in the CRM to the company. */
function linkContact(company, reload) {
  if (!can('contacts', 'update')) return null;
  return h('section', { class: 'panel link-panel' }, recordPicker({ type: 'contact', name: 'link_contact',
    label: t('picker.addContact'), onPick: async (picked) => {
      if (!picked) return;
      try {
        await post(`/api/v1/companies/${encodeURIComponent(company.id)}/contacts`, { contact_id: picked.id });
        toast(t('common.saved'));
      } catch (error) { toastError(error); }
      await reload();
    } }));
}
