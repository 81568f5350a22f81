// Settings → Document templates (#23): the company's templates of invoices, quotes and delivery notes, edited with
// a PDF preview of sample values (framed from a blob of the answer), and Settings → Requisites: the company's
// details as documents print them and the prefixes of their numbers.
import { api, del, get, patch, post } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { MESSAGES } from '../js/messages.js';
import { DOCUMENTS } from '../js/messages-documents.js';
import { can, session } from '../js/session.js';
import { confirmAction, field, form, heading, toast, toastError } from '../js/ui.js';

Object.assign(MESSAGES, DOCUMENTS); // this screen's texts load with it, not with the app's first load

const TYPES = ['invoice', 'quote', 'delivery_note', 'act'];
// Documents are worded in English, Russian or German (German for documents only: the app itself speaks English and
// Russian), each language's name in its own words
const LANGUAGES = [['en', 'English'], ['ru', 'Русский'], ['de', 'Deutsch']];
// the number prefixes a company of each language starts with (documents/wording.PREFIXES): choosing German turns the
// invoice prefix INV into RE, unless the company wrote its own
const LANGUAGE_PREFIXES = { en: { invoice: 'INV', quote: 'QUO', delivery_note: 'DN', act: 'ACT' },
  ru: { invoice: '', quote: '', delivery_note: '', act: '' },
  de: { invoice: 'RE', quote: 'AN', delivery_note: 'LS', act: 'LN' } };
const REQUISITES = ['legal_name', 'tax_id', 'registration_id', 'address', 'bank_name', 'bank_account', 'bank_code',
  'correspondent_account', 'iban', 'phone', 'email', 'director', 'note'];
// A country's own names of its requisites, as its documents print them (documents/defaults._COUNTRY_WORDS): a Kazakh
// company's БИН / ИИН and ИИК. Kazakh banks have no correspondent accounts, so the field is not asked while empty.
const COUNTRY_LABELS = { KZ: ['tax_id', 'registration_id', 'bank_account'] };
const COUNTRY_UNUSED = { KZ: ['correspondent_account'] };
let previewUrl = null;

function pdfBlobUrl(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  return previewUrl;
}

function variablesList(variables) {
  return h('details', { class: 'doc-variables' }, h('summary', {}, t('doc.templates.variables')),
    h('dl', { class: 'props' }, Object.entries(variables).map(([name, keys]) => [
      h('dt', {}, name === 'lines' ? '{% for line in lines %}' : name),
      h('dd', {}, h('code', {}, keys.map((key) => `${name === 'lines' ? 'line' : name}.${key}`).join('  ')))])));
}

function editor(template, builtIn, onSaved, language = 'en') {
  const preview = h('div', { class: 'doc-preview', 'aria-live': 'polite' });
  const builtInBody = (type, locale) => (builtIn.items.find((b) => b.type === type && b.locale === locale) || {}).body;
  const editorForm = form({ submit: t('common.save'), label: t('doc.templates.new'), onSubmit: async (values) => {
    const body = { name: values.name, locale: values.locale, body: values.body, is_default: values.is_default };
    const saved = template ? await patch(`/api/v1/document-templates/${encodeURIComponent(template.id)}`,
      { ...body, version: template.version }) : await post('/api/v1/document-templates', { ...body, type: values.type });
    toast(t('common.saved'));
    onSaved(saved);
  }, children: [h('div', { class: 'form-grid' },
    field({ name: 'type', label: t('doc.templates.type'), value: template ? template.type : 'invoice',
      options: TYPES.map((type) => [type, t(`doc.type.${type}`)]), disabled: Boolean(template) }),
    field({ name: 'name', label: t('doc.templates.name'), value: template ? template.name : '', required: true }),
    field({ name: 'locale', label: t('doc.templates.locale'), value: template ? template.locale : language,
      options: LANGUAGES }),
    field({ name: 'is_default', label: t('doc.templates.default'), type: 'checkbox',
      value: template ? template.is_default : true })),
  field({ name: 'body', label: t('doc.templates.body'), type: 'textarea', rows: 16, spellcheck: 'false',
    class: 'code', value: template ? template.body : builtInBody('invoice', language) })] });
  const bodyInput = editorForm.querySelector('textarea[name=body]');
  const choose = () => {
    if (template) return;
    const type = editorForm.querySelector('[name=type]').value;
    const locale = editorForm.querySelector('[name=locale]').value;
    bodyInput.value = builtInBody(type, locale) || '';
  };
  editorForm.querySelector('[name=type]').addEventListener('change', choose);
  editorForm.querySelector('[name=locale]').addEventListener('change', choose);
  const previewButton = h('button', { type: 'button', class: 'secondary', 'data-preview': '', onClick: async () => {
    try {
      const type = editorForm.querySelector('[name=type]').value;
      const answer = await post('/api/v1/document-templates/preview', { type, body: bodyInput.value,
        locale: editorForm.querySelector('[name=locale]').value });
      mount(preview, h('iframe', { class: 'doc-frame', src: pdfBlobUrl(answer.pdf_base64), title: t('doc.preview') }));
    } catch (error) {
      mount(preview, h('p', { class: 'field-error', role: 'alert' }, error.message || String(error)));
    }
  } }, t('doc.preview'));
  editorForm.querySelector('.form-actions').prepend(previewButton);
  return h('section', { class: 'panel' }, h('h2', {}, template ? template.name : t('doc.templates.new')),
    editorForm, variablesList(builtIn.variables), preview);
}

/** #/settings/documents: the company's templates and the editor. */
export async function templates(root) {
  // a new template starts from the built-in one in the language the company chose for its documents
  const [page, builtIn, settings] = await Promise.all([get('/api/v1/document-templates'),
    get('/api/v1/document-templates/built-in'), get('/api/v1/document-settings/requisites')]);
  const reload = () => templates(root);
  const writable = can('settings', 'update');
  const slot = h('div', {});
  const open = (template) => mount(slot, editor(template, builtIn, reload, settings.document_locale || 'en'));
  const rows = page.items.map((template) => h('li', { class: 'doc-row' },
    h('div', {}, h('strong', {}, template.name), h('div', { class: 'muted' },
      [t(`doc.type.${template.type}`), template.is_default ? t('doc.templates.isDefault') : null].filter(Boolean)
        .join(' · '))),
    writable ? h('div', { class: 'doc-actions' },
      h('button', { type: 'button', class: 'secondary small', onClick: () => open(template) }, t('contacts.edit')),
      h('button', { type: 'button', class: 'danger small', onClick: async () => {
        if (!(await confirmAction(t('doc.templates.confirmDelete'), t('common.delete')))) return;
        try {
          await del(`/api/v1/document-templates/${encodeURIComponent(template.id)}`);
          toast(t('doc.templates.deleted'));
          await reload();
        } catch (error) {
          toastError(error);
        }
      } }, t('common.delete'))) : null));
  mount(root, heading(t('settings.tab.documents'),
    writable ? h('button', { type: 'button', class: 'primary', onClick: () => open(null) }, t('doc.templates.new'))
      : null),
  h('p', { class: 'muted' }, t('doc.templates.intro')),
  h('section', { class: 'panel' }, rows.length ? h('ul', { class: 'doc-list' }, rows)
    : h('p', { class: 'muted' }, t('doc.templates.none'))),
  slot);
  if (writable && !rows.length) open(null);
}

/** Each type's number prefix (INV makes INV-2026-0001; none, a Russian company's default, makes 1, 2 … of the
 * year): changed here, it names the next documents only. */
function prefixFields(current, writable) {
  const prefixes = current.number_prefixes || {};
  return h('fieldset', { class: 'doc-prefixes' }, h('legend', {}, t('doc.prefix.title')),
    h('p', { class: 'hint' }, t('doc.prefix.hint')),
    h('div', { class: 'form-grid' }, TYPES.map((type) => field({
      name: `number_prefixes.${type}`, label: t(`doc.prefix.${type}`), value: prefixes[type] || '',
      disabled: !writable, maxlength: 12, autocomplete: 'off', spellcheck: 'false' }))));
}

/** The language documents are worded in: the company's choice, else the one they print in today (the app's), so
 * saving the requisites for another reason (a new IBAN) never switches them. Its country's language (a Berlin
 * agency's German) is suggested beside it with a one-click "Use German", never chosen for it; a new company (no
 * requisites, no document yet) starts at its country's, as no document of its could change. */
function languageField(current, writable) {
  const chosen = current.document_locale;
  const inUse = current.document_locale_in_use || 'en';
  const starts = chosen || current.document_locale_default || inUse;
  const name = (code) => t(`doc.lang.${code}`);
  let hint = 'doc.req.document_locale.hint';
  if (!chosen) hint = starts === inUse ? 'doc.req.document_locale.unchosen' : 'doc.req.document_locale.new';
  const select = field({ name: 'document_locale', label: t('doc.req.document_locale'), value: starts,
    options: LANGUAGES, disabled: !writable, hint: t(hint, { language: name(starts) }) });
  // offered while none is chosen and the form is not at it already: a company that chose English is not asked again
  const suggested = chosen || current.document_locale_suggested === starts ? null : current.document_locale_suggested;
  const offer = suggested && writable ? h('p', { class: 'notice doc-language-offer', role: 'status' },
    t('doc.req.document_locale.suggest', { language: name(suggested) }), ' ',
    h('button', { type: 'button', class: 'secondary small', 'data-use-language': suggested, onClick: () => {
      const control = select.querySelector('select');
      control.value = suggested;
      control.dispatchEvent(new Event('change', { bubbles: true }));
    } }, t('doc.req.document_locale.use', { language: name(suggested) }))) : null;
  if (offer) {
    const control = select.querySelector('select');
    const show = () => { offer.hidden = control.value === suggested; };
    control.addEventListener('change', show);
    show();
  }
  return h('div', {}, h('div', { class: 'form-grid' }, select), offer);
}

/** A prefix still at its language's default follows the language chosen (INV becomes RE for German); one the company
 * wrote stays. Offered a language it has not chosen yet, the form shows that language's prefixes from the start. */
function followLanguage(requisitesForm, prefixes) {
  const select = requisitesForm.querySelector('[name=document_locale]');
  const swap = (from, to) => {
    for (const type of TYPES) {
      const input = requisitesForm.querySelector(`[name="number_prefixes.${type}"]`);
      if (from && input.value.trim() === LANGUAGE_PREFIXES[from][type]) input.value = LANGUAGE_PREFIXES[to][type];
    }
  };
  // the language the prefixes follow now: the one whose defaults they all are (none: the company wrote its own)
  let before = Object.keys(LANGUAGE_PREFIXES).find((language) => TYPES.every((type) =>
    (prefixes[type] || '') === LANGUAGE_PREFIXES[language][type]));
  swap(before, select.value);
  before = select.value;
  select.addEventListener('change', () => {
    swap(before, select.value);
    before = select.value;
  });
}

/** #/settings/requisites: the company's details that documents print, and how their numbers begin. */
export async function requisites(root) {
  const current = await get('/api/v1/document-settings/requisites');
  const writable = can('settings', 'update');
  const country = session.tenant?.country || '';
  const asked = REQUISITES.filter((name) => current[name] || !(COUNTRY_UNUSED[country] || []).includes(name));
  const requisitesForm = form({ submit: t('common.save'), label: t('settings.tab.requisites'),
    onSubmit: async (values) => {
      const body = { version: current.version, number_prefixes: {} };
      for (const name of REQUISITES) body[name] = values[name] || null;
      for (const type of TYPES) body.number_prefixes[type] = (values[`number_prefixes.${type}`] || '').trim();
      // not chosen and left at the language documents print in today: still not chosen (they follow the app's)
      const keep = !current.document_locale && values.document_locale === current.document_locale_in_use;
      body.document_locale = keep ? null : values.document_locale || null;
      body.default_tax_rate = String(values.default_tax_rate || '').replace(',', '.').replace('%', '').trim() || null;
      Object.assign(current, await api('PUT', '/api/v1/document-settings/requisites', body));
      toast(t('common.saved'));
    }, children: [languageField(current, writable), h('div', { class: 'form-grid' }, asked.map((name) => field({
      name, label: t((COUNTRY_LABELS[country] || []).includes(name) ? `doc.req.${name}.${country}` : `doc.req.${name}`),
      value: current[name] || '', disabled: !writable, type: name === 'email' ? 'email' : 'text' }))),
    // the rate a deal's invoice charges on top of the deal's amount (a Berlin agency's 19 %); empty: no VAT
    h('div', { class: 'form-grid' }, field({ name: 'default_tax_rate', label: t('doc.req.default_tax_rate'),
      value: current.default_tax_rate ?? '', inputmode: 'decimal', disabled: !writable, autocomplete: 'off',
      hint: t('doc.req.default_tax_rate.hint') })), prefixFields(current, writable)] });
  followLanguage(requisitesForm, current.number_prefixes || {});
  mount(root, heading(t('settings.tab.requisites')), h('p', { class: 'muted' }, t('doc.req.intro')),
    h('section', { class: 'panel' }, requisitesForm));
}
