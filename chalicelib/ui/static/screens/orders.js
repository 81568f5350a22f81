// Orders (#23): the list by status, the editor that works on a phone (lines added by search, by scanning a barcode
// with the browser's BarcodeDetector where it has one, or by a typed SKU; totals live from the server's preview,
// so rounding lives in one place), and the card with its status actions, payments and shipping.
import { ApiError, get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { detailMessage, errorMessage, t } from '../js/i18n.js';
import { amountInput, browserZone, formatDate, formatDateTime, formatMoney, formatNumber, formatRate, parseMoney, zonedInput } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { ORDERS } from '../js/messages-orders.js';
import { can, session } from '../js/session.js';
import { empty, field, finder, form, heading, openModal, pager, showErrors, toast, toastError } from '../js/ui.js';
import { documentsPanel } from './documents.js';
import { noteForm, ownerRow, timelineList, trashButton } from './records.js';
import { emptyList } from './list-empty.js';

Object.assign(MESSAGES, ORDERS); // this screen's texts load with it, not with the app's first load

const STATUSES = ['new', 'confirmed', 'partially_paid', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'];
const METHODS = ['card', 'cash', 'bank_transfer', 'online', 'other'];
const itemPath = (id) => `/api/v1/orders/${encodeURIComponent(id)}`;
const shortId = (id) => id.slice(-6);
// "Order #154" / "Заказ № 154"; an order made before orders had numbers, by its id's tail until the pass numbers it
export const orderTitle = (order) => (order.number ? t('orders.numbered', { number: order.number })
  : t('orders.number', { id: shortId(order.id) }));
const NUMBER = /^\s*(№|#|no\.?)?\s*0*[1-9][0-9]{0,11}\s*$/i; // what the list's search finds an order by (its number)
const money = (minor, currency) => formatMoney(minor, currency);
const statusBadge = (status) => h('span', { class: `badge order-status status-${status}`, 'data-status': status },
  t(`orders.status.${status}`));

// -- the list ------------------------------------------------------------------------------------------------

/** An order as a list names it (the orders list; a deal's orders on its card). */
export function orderItem(order) {
  return h('li', { 'data-order': order.id }, h('div', { class: 'grow' },
    h('a', { class: 'title', href: `#/orders/${encodeURIComponent(order.id)}`, 'data-test': 'order-title' }, orderTitle(order)),
    order.customer_name ? h('div', { class: 'customer', 'data-test': 'order-customer' }, order.customer_name) : null,
    h('div', { class: 'meta' }, formatDate(order.created_at), ' · ', statusBadge(order.status))),
  h('span', { class: 'price num' }, money(order.total_minor, order.currency)));
}

function statusFilter(status, navigate) {
  const id = 'order-status-filter';
  return h('div', { class: 'field sort-pick' }, h('label', { for: id }, t('orders.status')),
    h('select', { id, onChange: (event) => navigate(`/orders${query({ status: event.target.value })}`) },
      h('option', { value: '' }, t('orders.anyStatus')),
      STATUSES.map((value) => h('option', { value, selected: value === status }, t(`orders.status.${value}`)))));
}

/** The search by number: "154", "№154", "#154" find order 154; anything else says what it takes, no request. */
function numberSearch(q, status, navigate) {
  const input = h('input', { id: 'order-search', name: 'q', type: 'search', value: q, inputmode: 'numeric',
    placeholder: t('orders.searchNumber'), onInput: (event) => event.target.setCustomValidity('') });
  return h('form', { class: 'search', role: 'search', onSubmit: (event) => {
    event.preventDefault();
    const typed = input.value.trim();
    if (typed && !NUMBER.test(typed)) {
      input.setCustomValidity(t('orders.searchNumberOnly'));
      input.reportValidity();
      return;
    }
    navigate(`/orders${query({ status, q: typed })}`);
  } }, h('label', { for: 'order-search', class: 'visually-hidden' }, t('orders.searchNumber')),
  input, h('button', { type: 'submit', class: 'secondary' }, t('common.search')));
}

/** #/orders?status=&q=: the orders, newest first, by status (one request); q an order's number: that order. */
export async function list(root, { query: params, navigate, alive }) {
  const status = STATUSES.includes(params.get('status')) ? params.get('status') : '';
  const q = NUMBER.test(params.get('q') || '') ? params.get('q').trim() : '';
  const path = (cursor) => `/api/v1/orders${query({ status, q, limit: 50, cursor })}`;
  const page = await get(path(null));
  if (!alive()) return;
  const items = h('ul', { class: 'list order-list' }, page.items.map(orderItem));
  const more = async (cursor) => {
    const next = await get(path(cursor));
    items.append(...next.items.map(orderItem));
    const again = pager(next.next_cursor, more);
    if (again) items.after(again);
  };
  const create = can('orders', 'create') ? h('a', { href: '#/orders/new', class: 'button-link primary-link' }, t('orders.new')) : null;
  mount(root, heading(t('nav.orders'), create),
    h('div', { class: 'list-tools' }, numberSearch(q, status, navigate), statusFilter(status, navigate)),
    page.items.length ? items : status || q ? empty(t('contacts.noMatch')) : emptyList('orders', { href: '#/orders/new' }),
    pager(page.next_cursor, more));
}

// -- the editor ----------------------------------------------------------------------------------------------

const contactName = (c) => [c.first_name, c.last_name].filter(Boolean).join(' ') || c.name || c.id;

async function productBySku(sku) {
  const found = await get(`/api/v1/products${query({ q: sku, limit: 20 })}`);
  return found.items.find((p) => (p.sku || '').toLowerCase() === sku.toLowerCase()) || null;
}

/** Scan a barcode with the camera (BarcodeDetector), answering its text; null when closed without one. */
function scanBarcode() {
  return new Promise((resolve) => {
    const video = h('video', { class: 'scan-video', playsinline: true, muted: true });
    const dialog = h('dialog', { class: 'dialog scan-dialog', 'aria-label': t('orders.scanTitle') },
      h('h2', {}, t('orders.scanTitle')), video,
      h('form', { method: 'dialog', class: 'dialog-actions' }, h('button', { value: 'close', class: 'secondary' }, t('orders.scanStop'))));
    let stream = null;
    let done = false;
    const finish = (text) => {
      if (done) return;
      done = true;
      stream?.getTracks().forEach((track) => track.stop());
      if (dialog.open) dialog.close();
      resolve(text);
    };
    openModal(dialog, () => finish(null));
    const detector = new window.BarcodeDetector();
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(async (found) => {
      stream = found;
      video.srcObject = found;
      await video.play();
      const look = async () => {
        if (done) return;
        const codes = await detector.detect(video).catch(() => []);
        if (codes.length) finish(codes[0].rawValue);
        else requestAnimationFrame(look);
      };
      look();
    }, (error) => { toastError(error); finish(null); });
  });
}

function lineRow(line, editor) {
  const currency = editor.currency();
  const input = (name, value, attrs = {}) => {
    const el = h('input', { name, value: value ?? '', inputmode: 'decimal', autocomplete: 'off', ...attrs });
    el.addEventListener('input', () => { line[name] = el.value; editor.changed(); });
    return el;
  };
  const labelled = (text, control) => h('label', { class: `line-field line-${control.name}` }, h('span', {}, text), control);
  const remove = h('button', { type: 'button', class: 'secondary small line-remove',
    'aria-label': t('orders.remove', { name: line.description || line.name || '' }),
    onClick: () => editor.remove(line) }, '×');
  const description = line.product_id ? h('div', { class: 'line-name' }, line.name, line.sku ? h('span', { class: 'meta' }, ` · ${line.sku}`) : null)
    : labelled(t('orders.description'), h('input', { name: 'description', value: line.description || '', maxlength: '500',
      onInput: (event) => { line.description = event.target.value; editor.changed(); } }));
  const total = h('span', { class: 'line-total num', 'data-test': 'line-total' });
  line.totalEl = total;
  return h('li', { class: 'order-line', 'data-line': line.key }, description,
    h('div', { class: 'line-inputs' },
      labelled(t('orders.quantity'), input('quantity', line.quantity)),
      labelled(t('orders.unitPrice'), input('price', line.price ?? (line.unit_price_minor != null ? amountInput(line.unit_price_minor, currency) : ''),
        { placeholder: line.product_id ? t('orders.unitPrice') : '' })),
      labelled(t('orders.discount'), input('discount', line.discount)),
      labelled(t('orders.tax'), input('tax', line.tax))),
    h('div', { class: 'line-end' }, total, remove));
}

/** The lines as the preview and the create take them; null for a line not yet valid (skipped, said on it). */
function requestLine(line, currency) {
  const quantity = String(line.quantity || '').replace(',', '.').trim();
  if (!/^\d+(\.\d{1,3})?$/.test(quantity) || Number(quantity) <= 0) return null;
  const out = { quantity };
  if (line.product_id) out.product_id = line.product_id; else out.description = (line.description || '').trim() || '—';
  if (line.price !== undefined && String(line.price).trim() !== '') {
    const minor = parseMoney(line.price, currency);
    if (minor === null) return null;
    out.unit_price_minor = minor;
  } else if (!line.product_id) return null;
  const percent = (text) => String(text || '').replace(',', '.').replace('%', '').trim();
  if (percent(line.discount)) out.discount_percent = percent(line.discount);
  else if (line.discount_minor) out.discount_minor = line.discount_minor; // an amount off, set through the API: kept
  if (percent(line.tax)) out.tax_rate = percent(line.tax);
  return out;
}

function totalsView(totals, currency) {
  const row = (label, minor, cls = '') => [h('dt', { class: cls }, label), h('dd', { class: `num ${cls}` }, money(minor, currency))];
  return h('dl', { class: 'props order-totals', 'data-test': 'order-totals' },
    row(t('orders.subtotal'), totals.subtotal_minor),
    totals.discount_minor ? row(t('orders.discountTotal'), totals.discount_minor) : null,
    row(t('orders.taxTotal'), totals.tax_minor),
    row(t('orders.total'), totals.total_minor, 'grand-total'));
}

/** An order's saved line as the editor holds it (its typed texts, as the user would type them). */
function editableLine(line, currency) {
  return { product_id: line.product_id || undefined, name: line.description, sku: line.sku, description: line.description,
    quantity: line.quantity, price: amountInput(line.unit_price_minor, currency), discount: line.discount_percent || '',
    discount_minor: line.discount_minor || undefined, tax: line.no_tax_rate ? '' : line.tax_rate }; // no rate stays none
}

/** #/orders/new?contact=&deal= and #/orders/:id/edit (a new order's lines, currency and notes): the order editor
 * (its lines priced live by POST /orders/preview). */
export async function editor(root, { params: path = {}, query: params, navigate, alive }) {
  let customer = null;
  const order = path.id ? await get(itemPath(path.id)) : null;
  const contactId = order ? null : params.get('contact');
  if (contactId) customer = await get(`/api/v1/contacts/${encodeURIComponent(contactId)}`).catch(() => null);
  if (!alive()) return;
  if (order && order.status !== 'new') { navigate(`/orders/${order.id}`); return; }
  const lines = [];
  let keys = 0;
  const currencyField = field({ name: 'currency', label: t('orders.currency'), value: order?.currency || session.tenant?.currency || 'USD',
    options: (Intl.supportedValuesOf ? Intl.supportedValuesOf('currency') : ['USD', 'EUR', 'RUB']).map((c) => [c, c]) });
  const modeField = field({ name: 'price_mode', label: t('orders.priceMode'), value: order?.price_mode || (session.tenant?.prices_include_tax ? 'inclusive' : 'exclusive'),
    options: [['exclusive', t('orders.mode.exclusive')], ['inclusive', t('orders.mode.inclusive')]] });
  const currency = () => currencyField.querySelector('select').value;
  const list = h('ol', { class: 'order-lines', 'aria-label': t('orders.lines') });
  const none = h('p', { class: 'hint' }, t('orders.noLines'));
  const totals = h('div', { class: 'order-totals-slot', 'aria-live': 'polite' });
  const status = h('p', { class: 'field-error preview-error', role: 'status' });
  let previewSeq = 0;
  let timer = null;
  const preview = async () => {
    const mine = ++previewSeq;
    const sent = lines.map((line) => [line, requestLine(line, currency())]).filter(([, body]) => body);
    lines.forEach((line) => { line.totalEl.textContent = ''; });
    if (!sent.length) { totals.replaceChildren(); status.textContent = ''; return; }
    try {
      const answer = await post('/api/v1/orders/preview', { currency: currency(), price_mode: modeField.querySelector('select').value,
        lines: sent.map(([, body]) => body) });
      if (mine !== previewSeq) return;
      answer.lines.forEach((priced, i) => { sent[i][0].totalEl.textContent = money(priced.total_minor, answer.currency); });
      totals.replaceChildren(totalsView(answer.totals, answer.currency));
      status.textContent = '';
    } catch (error) {
      if (mine !== previewSeq) return; // a line's problem in the reader's language (i18n.detailMessage), else the refusal's
      status.textContent = error instanceof ApiError ? (error.details?.[0] ? detailMessage(error.details[0]) : errorMessage(error)) : String(error);
    }
  };
  const editorApi = {
    currency,
    changed: () => { clearTimeout(timer); timer = setTimeout(preview, 250); },
    remove: (line) => {
      lines.splice(lines.indexOf(line), 1);
      list.querySelector(`[data-line="${line.key}"]`)?.remove();
      if (!lines.length) list.replaceWith(none);
      editorApi.changed();
    },
  };
  const add = (line) => {
    line.key = `l${++keys}`;
    line.quantity = line.quantity || '1';
    lines.push(line);
    list.append(lineRow(line, editorApi));
    if (!list.isConnected) none.replaceWith(list);
    editorApi.changed();
    list.lastElementChild.querySelector('input[name=quantity]')?.focus();
  };
  const addProduct = (p) => add({ product_id: p.id, name: p.name, sku: p.sku,
    price: p.price && p.price.currency === currency() ? amountInput(p.price.minor, currency()) : undefined });
  const bySku = async (sku) => {
    const found = sku ? await productBySku(sku) : null;
    if (found) addProduct(found); else if (sku) toast(t('orders.noSku', { sku }), 'error');
  };
  const skuInput = h('input', { id: 'order-sku', name: 'sku', autocomplete: 'off', inputmode: 'text', placeholder: t('orders.sku') });
  const skuForm = h('form', { class: 'search sku-form', onSubmit: async (event) => {
    event.preventDefault();
    const sku = skuInput.value.trim();
    skuInput.value = '';
    try { await bySku(sku); } catch (error) { toastError(error); }
  } }, h('label', { for: 'order-sku', class: 'visually-hidden' }, t('orders.sku')), skuInput,
  h('button', { type: 'submit', class: 'secondary' }, t('orders.addSku')),
  'BarcodeDetector' in window && navigator.mediaDevices ? h('button', { type: 'button', class: 'secondary scan-button', onClick: async () => {
    const code = await scanBarcode();
    if (code) { try { await bySku(code); } catch (error) { toastError(error); } }
  } }, t('orders.scan')) : null);
  const productFinder = finder({ id: 'order-product', label: t('orders.findProduct'), pick: addProduct,
    find: async (q) => (await get(`/api/v1/products${query({ q, limit: 10 })}`)).items,
    show: (p) => [p.name, p.sku ? ` · ${p.sku}` : '', p.price ? ` · ${money(p.price.minor, p.price.currency)}` : ''].join('') });
  const customerSlot = h('div', { class: 'customer-slot' });
  const showCustomer = () => {
    if (order) { // the customer an order was made for stays; the card links to it
      customerSlot.replaceChildren(h('p', { class: 'picked', 'data-test': 'customer' }, order.customer_name || t('orders.customer')));
    } else if (customer) {
      customerSlot.replaceChildren(h('p', { class: 'picked', 'data-test': 'customer' }, contactName(customer), ' ',
        h('button', { type: 'button', class: 'link', onClick: () => { customer = null; showCustomer(); } }, t('orders.change'))));
    } else {
      customerSlot.replaceChildren(finder({ id: 'order-customer', label: t('orders.findCustomer'),
        find: async (q) => (await get(`/api/v1/contacts${query({ q, limit: 10 })}`)).items,
        show: contactName, pick: (c) => { customer = c; showCustomer(); } }));
    }
  };
  showCustomer();
  currencyField.querySelector('select').addEventListener('change', editorApi.changed);
  modeField.querySelector('select').addEventListener('change', editorApi.changed);
  const update = async (values, formEl) => {
    const body = { version: order.version, currency: currency(), price_mode: modeField.querySelector('select').value,
      lines: lines.map((line) => requestLine(line, currency())).filter(Boolean), notes: values.notes || null };
    if (!body.lines.length) throw new ApiError(422, { code: 'validation_error', message: t('orders.noLines'), details: [] });
    try {
      await patch(itemPath(order.id), body);
      toast(t('common.saved'));
      navigate(`/orders/${order.id}`);
    } catch (error) { showErrors(formEl, error); }
  };
  const save = form({ submit: order ? t('common.save') : t('orders.save'), label: order ? t('orders.editLines') : t('orders.new'),
    onSubmit: async (values, formEl) => {
    if (order) { await update(values, formEl); return; }
    if (!customer) throw new ApiError(422, { code: 'validation_error', message: t('orders.needCustomer'), details: [] });
    const body = { currency: currency(), price_mode: modeField.querySelector('select').value, contact_id: customer.id,
      lines: lines.map((line) => requestLine(line, currency())).filter(Boolean) };
    if (params.get('deal')) body.deal_id = params.get('deal');
    // a buyer who works for one company buys for it: the invoice names the company (B2B), the list still the person
    if (customer.company_ids?.length === 1 && can('companies', 'read')) body.company_id = customer.company_ids[0];
    if (values.notes) body.notes = values.notes;
    try {
      const made = await post('/api/v1/orders', body);
      toast(t('orders.created'));
      navigate(`/orders/${made.id}`);
    } catch (error) { showErrors(formEl, error); }
  }, children: [field({ name: 'notes', label: t('orders.notes'), type: 'textarea', maxlength: '5000', value: order?.notes || '' })] });
  mount(root, heading(order ? t('orders.editTitle', { id: orderTitle(order) }) : t('orders.new'),
    h('a', { href: order ? `#/orders/${encodeURIComponent(order.id)}` : '#/orders' }, order ? t('orders.backToOrder') : t('orders.all'))),
    h('div', { class: 'order-editor' },
      h('section', { class: 'panel' }, h('h2', {}, t('orders.customer')), customerSlot),
      h('section', { class: 'panel' }, h('h2', {}, t('orders.lines')), productFinder, skuForm, none,
        h('button', { type: 'button', class: 'secondary', onClick: () => add({ description: '' }) }, t('orders.freeLine'))),
      h('section', { class: 'panel' }, h('div', { class: 'form-grid' }, currencyField, modeField), status, totals, save)));
  (order?.lines || []).forEach((line) => add(editableLine(line, order.currency)));
}

// -- the card ------------------------------------------------------------------------------------------------

function linesTable(order) {
  return h('ol', { class: 'order-lines read', 'aria-label': t('orders.lines') }, order.lines.map((line) =>
    h('li', { class: 'order-line' }, h('div', { class: 'line-name' }, line.product_id
      ? h('a', { href: `#/products/${encodeURIComponent(line.product_id)}` }, line.description) : line.description,
    line.sku ? h('span', { class: 'meta' }, ` · ${line.sku}`) : null),
    // a quantity as the reader writes a number ("0,5 ч" in Russian), as the documents print it
    h('div', { class: 'meta' }, `${formatNumber(Number(line.quantity))}${line.unit ? ` ${line.unit}` : ''} × ${money(line.unit_price_minor, order.currency)}`,
      line.discount_total_minor ? ` − ${money(line.discount_total_minor, order.currency)}` : '', ` · ${line.no_tax_rate ? t('orders.noTax') : `${t('orders.taxTotal')} ${formatRate(line.tax_rate)}`}`),
    h('span', { class: 'line-total num' }, money(line.total_minor, order.currency)))));
}

function statusActions(order, reload) {
  if (!can('orders', 'update')) return null;
  return h('div', { class: 'status-actions' }, order.next_statuses.map((next) => h('button', {
    type: 'button', class: next === 'cancelled' || next === 'returned' ? 'secondary' : 'primary', 'data-to': next,
    onClick: async (event) => {
      event.target.disabled = true;
      try {
        const moved = await post(`${itemPath(order.id)}/status`, { status: next, version: order.version });
        toast(t('orders.moved', { status: t(`orders.status.${moved.status}`) }));
        await reload();
      } catch (error) { event.target.disabled = false; toastError(error); }
    } }, t(`orders.to.${next}`))));
}

function paymentsPanel(order, reload) {
  const items = order.payments.length ? h('ul', { class: 'list payments' }, order.payments.map((p) => h('li', {},
    h('span', { class: 'grow' }, `${formatDate(p.paid_on)} · ${t(`orders.method.${p.method}`)}`),
    h('span', { class: 'num' }, money(p.amount_minor, order.currency))))) : empty(t('orders.noPayments'));
  const open = !['new', 'cancelled', 'returned'].includes(order.status) && order.due_minor > 0 && can('orders', 'update');
  const payForm = open ? form({ submit: t('orders.pay'), label: t('orders.pay'), onSubmit: async (values) => {
    const minor = parseMoney(values.amount, order.currency);
    if (minor === null) {
      throw new ApiError(422, { code: 'validation_error', message: t('orders.amount'), details: [{ loc: ['amount'], msg: t('orders.amount'), type: 'amount' }] });
    }
    await post(`${itemPath(order.id)}/payments`, { version: order.version, amount_minor: minor, method: values.method,
      paid_on: values.paid_on || null });
    toast(t('orders.paymentAdded'));
    await reload();
  }, children: [h('div', { class: 'form-grid' },
    field({ name: 'amount', label: t('orders.amount'), inputmode: 'decimal', value: amountInput(order.due_minor, order.currency),
      hint: `${t('orders.due')}: ${money(order.due_minor, order.currency)}` }),
    field({ name: 'method', label: t('orders.method'), value: 'card', options: METHODS.map((m) => [m, t(`orders.method.${m}`)]) }),
    field({ name: 'paid_on', label: t('orders.paidOn'), type: 'date', value: zonedInput(new Date(), session.tenant?.timezone || browserZone()).slice(0, 10) }))] }) : null; // the company's today
  // a new order takes no payment (409): a technician with the client's cash in hand is told why there is no form
  const later = order.status === 'new' && order.due_minor > 0 && can('orders', 'update')
    ? h('p', { class: 'hint', 'data-test': 'pay-after-confirm' }, t('orders.payAfterConfirm')) : null;
  return h('section', { class: 'panel' }, h('h2', {}, t('orders.payments')),
    h('p', { class: 'meta' }, `${t('orders.paid')}: ${money(order.paid_minor, order.currency)} · ${t('orders.due')}: ${money(order.due_minor, order.currency)}`),
    items, later, payForm);
}

function shippingPanel(order, reload) {
  const ship = order.shipping || {};
  const address = ship.address || {};
  const editable = can('orders', 'update') && !['cancelled', 'returned'].includes(order.status);
  const shipForm = editable ? form({ submit: t('common.save'), label: t('orders.shipping'), onSubmit: async (values) => {
    const addr = Object.fromEntries(Object.entries({ line1: values.line1, city: values.city, postal_code: values.postal_code })
      .filter(([, v]) => v));
    await patch(itemPath(order.id), { version: order.version, shipping: { address: Object.keys(addr).length ? addr : null,
      carrier: values.carrier || null, tracking_number: values.tracking_number || null } });
    toast(t('common.saved'));
    await reload();
  }, children: [h('div', { class: 'form-grid' },
    field({ name: 'line1', label: t('orders.address'), value: address.line1, maxlength: '200', autocomplete: 'street-address' }),
    field({ name: 'city', label: t('orders.city'), value: address.city, maxlength: '100' }),
    field({ name: 'postal_code', label: t('orders.postalCode'), value: address.postal_code, maxlength: '20' }),
    field({ name: 'carrier', label: t('orders.carrier'), value: ship.carrier, maxlength: '100' }),
    field({ name: 'tracking_number', label: t('orders.tracking'), value: ship.tracking_number, maxlength: '100', spellcheck: 'false' }))] })
    : h('p', {}, [address.line1, address.city, ship.carrier, ship.tracking_number].filter(Boolean).join(' · '));
  return h('details', { class: 'panel', open: order.status === 'shipped' || null }, h('summary', {}, t('orders.shipping')), shipForm);
}

/** #/orders/:id: the order card (one request: the order with its links and newest timeline). */
export async function card(root, { params, navigate, alive }) {
  const reload = async () => {
    await card(root, { params, alive });
    root.querySelector('#page-title')?.focus();
  };
  const order = await get(itemPath(params.id));
  // whose the order is (a car service's master, whose revenue it counts as once confirmed and paid), reassigned here
  const owner = await ownerRow('orders', order, { path: itemPath(order.id), reload });
  if (!alive()) return;
  // Named as the list names it (the card reads the names with the order); a record the user may not read stays a link.
  const customerLabel = order.customer_name || t('orders.customer');
  const customer = order.contact_id ? h('a', { href: `#/contacts/${encodeURIComponent(order.contact_id)}`, 'data-test': 'card-customer' }, customerLabel)
    : h('a', { href: `#/companies/${encodeURIComponent(order.company_id)}`, 'data-test': 'card-customer' }, customerLabel);
  const facts = h('dl', { class: 'props' },
    h('dt', {}, t('orders.status')), h('dd', {}, statusBadge(order.status)),
    h('dt', {}, t('orders.customer')), h('dd', {}, customer),
    // a contact's order for her company: the buyer its invoice and act name, a tap from its card
    order.contact_id && order.company_id ? [h('dt', {}, t('orders.company')), h('dd', {},
      h('a', { href: `#/companies/${encodeURIComponent(order.company_id)}`, 'data-test': 'card-company' },
        order.company_name || t('orders.company')))] : null,
    owner,
    order.deal_id ? [h('dt', {}, t('orders.deal')), h('dd', {}, h('a', { href: `#/deals/${encodeURIComponent(order.deal_id)}` }, order.deal_name || t('orders.deal')),
      // the deal's amount is its orders' total while this one counts (deals/amounts.py)
      ['cancelled', 'returned'].includes(order.status) ? null
        : h('span', { class: 'muted', 'data-test': 'deal-amount-follows' }, ` · ${t('orders.dealAmountFollows')}`))] : null,
    h('dt', {}, t('common.created')), h('dd', {}, formatDateTime(order.created_at)),
    order.notes ? [h('dt', {}, t('orders.notes')), h('dd', { class: 'prewrap' }, order.notes)] : null);
  const timeline = timelineList(order.timeline || []);
  mount(root, heading(orderTitle(order), h('a', { href: '#/orders' }, t('orders.all')),
    trashButton('orders', order, orderTitle(order), navigate, '/orders')),
    h('div', { class: 'card-grid' },
      h('div', {}, h('section', { class: 'panel' }, facts, statusActions(order, reload)),
        h('section', { class: 'panel' }, h('h2', {}, t('orders.lines')), linesTable(order), totalsView(order.totals, order.currency),
          order.status === 'new' && can('orders', 'update')
            ? h('a', { class: 'button-link', href: `#/orders/${encodeURIComponent(order.id)}/edit`, 'data-test': 'edit-lines' }, t('orders.editLines'))
            : null),
        paymentsPanel(order, reload), shippingPanel(order, reload),
        documentsPanel('order', order.id, can('orders', 'update'))),
      h('div', {}, h('section', { class: 'panel' }, h('h2', {}, t('timeline.title')),
        noteForm({ type: 'order', id: order.id }, timeline), timeline.view))));
}
