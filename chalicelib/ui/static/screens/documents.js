// Documents of a record (#23): "Create invoice", quote, delivery note or act of services rendered on a deal's (or
// an order's) card, the record's documents, a PDF preview through a five-minute link (an <iframe> on a wide screen, a
// download link on a phone), and "Send" by e-mail or in the customer's messenger chat. The panel reads the documents
// only when opened, so the card keeps its requests.
import { get, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { detailMessage, has, t } from '../js/i18n.js';
import { formatDate, formatMoney } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { DOCUMENTS } from '../js/messages-documents.js';
import { field, form, openModal, toast, toastError } from '../js/ui.js';
import { can } from '../js/session.js';

Object.assign(MESSAGES, DOCUMENTS); // this screen's texts load with it, not with the app's first load

const TYPES = ['invoice', 'quote', 'delivery_note', 'act'];
const VAT_TREATMENTS = ['standard', 'reverse_charge', 'exempt'];
const PLURALS = { deal: 'deals', order: 'orders' };
const WIDE = '(min-width: 700px)';
// the languages a document is worded in (documents/wording.LOCALES), each named in its own words as in Settings ->
// Requisites: a Berlin agency writes German to German clients and English to a French one
const LANGUAGES = [['en', 'English'], ['ru', 'Русский'], ['de', 'Deutsch']];

/** A document as its reader's language names it: "Invoice INV-2026-0001", "Счёт № 12". */
function named(doc) {
  return has(`doc.named.${doc.type}`) ? t(`doc.named.${doc.type}`, { number: doc.number }) : doc.number;
}

async function link(documentId, download = false) {
  return get(`/api/v1/documents/${encodeURIComponent(documentId)}/link${query({ download: download ? 'true' : '' })}`);
}

/** The PDF of a document in a dialog: framed where the screen is wide enough, always with a download link. */
export async function showDocument(doc) {
  const [inline, saved] = await Promise.all([link(doc.id), link(doc.id, true)]);
  const wide = window.matchMedia(WIDE).matches;
  const dialog = h('dialog', { class: 'dialog doc-dialog', 'aria-label': doc.number },
    h('h2', {}, named(doc)),
    wide ? h('iframe', { class: 'doc-frame', src: inline.url, title: doc.number }) : null,
    h('p', { class: 'doc-links' },
      h('a', { href: saved.url, download: saved.filename, class: 'button-link primary-link', 'data-doc-download': '' },
        t('doc.download')),
      wide ? null : h('a', { href: inline.url, target: '_blank', rel: 'noopener', class: 'button-link' },
        t('doc.open'))),
    h('form', { method: 'dialog', class: 'dialog-actions' },
      h('button', { value: 'close', class: 'secondary' }, t('doc.close'))));
  openModal(dialog, () => {});
}

function sendDialog(doc, onSent) {
  const dialog = h('dialog', { class: 'dialog', 'aria-label': t('doc.sendTitle', { number: doc.number }) });
  // a customer without an e-mail address (a salon's WhatsApp or Telegram customer) is sent to in her chat first;
  // the address box shows only for e-mail
  const email = (doc.customer || {}).email || '';
  const to = field({ name: 'to', label: t('doc.to'), type: 'email', value: email });
  const channel = field({ name: 'channel', label: t('doc.channel'), value: email ? 'email' : 'messenger',
    options: [['email', t('doc.channel.email')], ['messenger', t('doc.channel.messenger')]] });
  const showTo = () => { to.hidden = channel.querySelector('select').value !== 'email'; };
  channel.querySelector('select').addEventListener('change', showTo);
  showTo();
  const sendForm = form({ submit: t('doc.send'), label: t('doc.sendTitle', { number: doc.number }),
    onSubmit: async (values) => {
      const body = { channel: values.channel };
      if (values.channel === 'email' && values.to) body.to = values.to;
      if (values.message) body.message = values.message;
      const sent = await post(`/api/v1/documents/${encodeURIComponent(doc.id)}/send`, body);
      dialog.close();
      toast(t('doc.sent'));
      onSent(sent);
    }, children: [channel, to, field({ name: 'message', label: t('doc.message'), type: 'textarea' })] });
  mount(dialog, h('h2', {}, t('doc.sendTitle', { number: doc.number })), sendForm,
    h('form', { method: 'dialog', class: 'dialog-actions' }, h('button', { value: 'close', class: 'secondary' },
      t('doc.close'))));
  openModal(dialog, () => {});
}

function row(doc, canSend, reload, language) {
  const last = (doc.sends || []).filter((s) => s.status === 'sent').pop();
  return h('li', { class: 'doc-row', 'data-doc': doc.number },
    h('div', {}, h('strong', {}, named(doc)),
      h('div', { class: 'muted' }, [formatDate(doc.created_at), doc.type === 'delivery_note' ? null
        : formatMoney(doc.total_minor, doc.currency),
      // a document keeps the language it was issued in: named where it is not the company's documents' language
      doc.locale && doc.locale !== language() && has(`doc.lang.${doc.locale}`) ? t(`doc.lang.${doc.locale}`) : null,
      last ? t('doc.sentBy', { channel: has(`timeline.via.${last.channel}`) ? t(`timeline.via.${last.channel}`) : last.channel }) : null]
        .filter(Boolean).join(' · '))),
    h('div', { class: 'doc-actions' },
      h('button', { type: 'button', class: 'secondary small', onClick: () => showDocument(doc).catch(toastError) },
        t('doc.open')),
      canSend ? h('button', { type: 'button', class: 'secondary small', onClick: () => sendDialog(doc, reload) },
        t('doc.send')) : null));
}

/** The company has not given its legal name: documents print its name alone as the seller. Says so, with the way
 * to the requisites for who may fill them in. */
function requisitesNotice() {
  const writable = can('settings', 'update');
  return h('p', { class: 'notice', role: 'status', 'data-test': 'requisites-missing' },
    t(writable ? 'doc.req.missing' : 'doc.req.missingAsk'), ' ',
    h('a', { href: '#/settings/requisites' }, t('doc.req.fill')));
}

/** The documents panel of a record (kind: deal | order); canIssue: the caller may change the record. */
export function documentsPanel(kind, id, canIssue) {
  const base = `/api/v1/${PLURALS[kind]}/${encodeURIComponent(id)}/documents`;
  const list = h('ul', { class: 'doc-list' });
  const notice = h('div', {});
  // the company's documents' language (the list answers it): what the language box starts at, and what a document
  // is issued in unless another is chosen for this client
  let language = null;
  const load = async () => {
    const answer = await get(base);
    if (answer.document_locale && answer.document_locale !== language) {
      const box = options.querySelector('[name=locale]');
      if (language === null || box.value === language) box.value = answer.document_locale;
      language = answer.document_locale;
    }
    mount(notice, answer.requisites_missing ? requisitesNotice() : null);
    mount(list, answer.items.length ? answer.items.slice().reverse().map((doc) => row(doc, canIssue, load, () => language))
      : h('li', { class: 'muted' }, t('doc.none')));
  };
  // what the next document is issued with: its date of supply (empty: the document's date), which an EU invoice
  // names always (Art. 226(7) of the VAT Directive) and another where it differs; and its VAT treatment: a reverse
  // charge (an EU business client in another country: its VAT ID on its company card) or an exemption and its reason
  const reason = field({ name: 'vat_exemption_reason', label: t('doc.vat.reason'), maxlength: '300',
    hint: t('doc.vat.reason.hint') });
  const treatment = field({ name: 'vat_treatment', label: t('doc.vat'), value: 'standard',
    options: VAT_TREATMENTS.map((name) => [name, t(`doc.vat.${name}`)]) });
  const options = h('div', { class: 'form-grid doc-options' },
    field({ name: 'locale', label: t('doc.locale'), options: LANGUAGES, value: '', hint: t('doc.locale.hint') }),
    field({ name: 'supply_date', type: 'date', label: t('doc.supplyDate'), hint: t('doc.supplyDate.hint') }),
    treatment, reason);
  const showReason = () => { reason.hidden = treatment.querySelector('select').value !== 'exempt'; };
  treatment.querySelector('select').addEventListener('change', showReason);
  showReason();
  const issued = (type) => {
    const body = { type };
    // sent only when it differs from the company's: left alone, the company's own template of the type still prints
    const chosen = options.querySelector('[name=locale]').value;
    if (chosen && language !== null && chosen !== language) body.locale = chosen;
    const supply = options.querySelector('[name=supply_date]').value;
    if (supply) body.supply_date = supply;
    const vat = treatment.querySelector('select').value;
    if (vat !== 'standard') body.vat_treatment = vat;
    if (vat === 'exempt') body.vat_exemption_reason = options.querySelector('[name=vat_exemption_reason]').value.trim();
    return body;
  };
  const create = async (type, button) => {
    button.disabled = true;
    try {
      const doc = await post(base, issued(type));
      toast(t('doc.made', { number: doc.number }));
      await load();
      await showDocument(doc);
    } catch (error) {
      // what is wrong with the VAT treatment or the date (a reverse charge to a client with no VAT ID) in its words
      const detail = error.code === 'validation_error' && (error.details || [])[0];
      if (detail && detail.msg) toast(detailMessage(detail), 'error');
      else toastError(error);
    } finally {
      button.disabled = false;
    }
  };
  const panel = h('details', { class: 'panel doc-panel' }, h('summary', {}, h('h2', {}, t('doc.title'))),
    canIssue ? options : null,
    canIssue ? h('div', { class: 'doc-create' }, TYPES.map((type) => h('button', {
      type: 'button', class: type === 'invoice' ? 'primary small' : 'secondary small', 'data-create': type,
      onClick: (event) => create(type, event.currentTarget) }, t(`doc.create.${type}`)))) : null,
    notice, list);
  let loaded = false;
  panel.addEventListener('toggle', () => {
    if (panel.open && !loaded) {
      loaded = true;
      load().catch((error) => { loaded = false; toastError(error); });
    }
  });
  return panel;
}
