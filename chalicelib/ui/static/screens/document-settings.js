// Settings → Document templates (#23): the company's templates of invoices, quotes and delivery notes, edited with
// a PDF preview of sample values (framed from a blob of the answer), and Settings → Requisites: the company's
// details as documents print them and the prefixes of their numbers.
import { api, del, get, patch, post } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { MESSAGES } from '../js/messages.js';
import { DOCUMENTS } from '../js/messages-documents.js';
import { can } from '../js/session.js';
import { confirmAction, field, form, heading, toast, toastError } from '../js/ui.js';

Object.assign(MESSAGES, DOCUMENTS); // this screen's texts load with it, not with the app's first load

const TYPES = ['invoice', 'quote', 'delivery_note'];
const REQUISITES = ['legal_name', 'tax_id', 'registration_id', 'address', 'bank_name', 'bank_account', 'bank_code',
  'correspondent_account', 'iban', 'phone', 'email', 'director', 'note'];
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

function editor(template, builtIn, onSaved) {
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
    field({ name: 'locale', label: t('doc.templates.locale'), value: template ? template.locale : 'en',
      options: [['en', 'English'], ['ru', 'Русский']] }),
    field({ name: 'is_default', label: t('doc.templates.default'), type: 'checkbox',
      value: template ? template.is_default : true })),
  field({ name: 'body', label: t('doc.templates.body'), type: 'textarea', rows: 16, spellcheck: 'false',
    class: 'code', value: template ? template.body : builtInBody('invoice', 'en') })] });
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
  const [page, builtIn] = await Promise.all([get('/api/v1/document-templates'),
    get('/api/v1/document-templates/built-in')]);
  const reload = () => templates(root);
  const writable = can('settings', 'update');
  const slot = h('div', {});
  const open = (template) => mount(slot, editor(template, builtIn, reload));
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

/** #/settings/requisites: the company's details that documents print, and how their numbers begin. */
export async function requisites(root) {
  const current = await get('/api/v1/document-settings/requisites');
  const writable = can('settings', 'update');
  const requisitesForm = form({ submit: t('common.save'), label: t('settings.tab.requisites'),
    onSubmit: async (values) => {
      const body = { version: current.version, number_prefixes: {} };
      for (const name of REQUISITES) body[name] = values[name] || null;
      for (const type of TYPES) body.number_prefixes[type] = (values[`number_prefixes.${type}`] || '').trim();
      body.default_tax_rate = String(values.default_tax_rate || '').replace(',', '.').replace('%', '').trim() || null;
      Object.assign(current, await api('PUT', '/api/v1/document-settings/requisites', body));
      toast(t('common.saved'));
    }, children: [h('div', { class: 'form-grid' }, REQUISITES.map((name) => field({
      name, label: t(`doc.req.${name}`), value: current[name] || '', disabled: !writable,
      type: name === 'email' ? 'email' : 'text' }))),
    // the rate a deal's invoice charges on top of the deal's amount (a Berlin agency's 19 %); empty: no VAT
    h('div', { class: 'form-grid' }, field({ name: 'default_tax_rate', label: t('doc.req.default_tax_rate'),
      value: current.default_tax_rate ?? '', inputmode: 'decimal', disabled: !writable, autocomplete: 'off',
      hint: t('doc.req.default_tax_rate.hint') })), prefixFields(current, writable)] });
  mount(root, heading(t('settings.tab.requisites')), h('p', { class: 'muted' }, t('doc.req.intro')),
    h('section', { class: 'panel' }, requisitesForm));
}
