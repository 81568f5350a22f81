// Products (what the business sells): the list with search by name or SKU, tags and sort; the card; the trash.
import { ApiError, api, del, get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { amountInput, currencyDigits, formatDateTime, formatMoney, formatNumber, formatRate, parseMoney } from '../js/format.js';
import { can, session } from '../js/session.js';
import { confirmAction, empty, field, finder, form, heading, pager, toast, toastError } from '../js/ui.js';
import { newButton } from './new-record.js';
import { emptyList } from './list-empty.js';
import { noteForm, timelineEntry, timelineList } from './records.js';
import { collectCustom, customInputs, customRows, definitionsFor, requiredLater } from './custom-values.js';
import { canEditField } from './field-rules.js';
import { MESSAGES } from '../js/messages.js';
import { ORDERS } from '../js/messages-orders.js';

Object.assign(MESSAGES, ORDERS); // the price list's, stock's and parts' texts (#23) load with the screen

const SORTS = ['updated', 'name', 'created'];
const itemPath = (id) => `/api/v1/products/${encodeURIComponent(id)}`;
const cardHash = (id) => `#/products/${encodeURIComponent(id)}`;
const priceText = (product) => (product.price ? formatMoney(product.price.minor, product.price.currency) : '');
// A role may be kept from a product's field (#21 item 10): its input is not offered and its value never sent.
const mine = (name) => canEditField('products', name);

function tagLinks(tags) {
  if (!tags || !tags.length) return null;
  return h('div', { class: 'tags' }, tags.map((tag) => h('a', { class: 'badge', href: `#/products${query({ tag })}` }, tag)));
}

function productItem(product) {
  return h('li', { 'data-product': product.id }, h('div', { class: 'grow' },
    h('a', { class: 'title', href: cardHash(product.id) }, product.name),
    product.sku ? h('div', { class: 'meta' }, `${t('products.sku')}: ${product.sku}`) : null, tagLinks(product.tags)),
  h('span', { class: 'price num', 'data-test': 'price' }, priceText(product)));
}

// -- the form of a product (create and edit) --------------------------------------------------------------

/** "1500.50" in the interface's convention and the currency's minor unit ("1500" for JPY, "1500.500" for KWD). */
function example(currency) {
  const digits = currencyDigits(currency);
  return amountInput(1500 * 10 ** digits + (digits ? 5 * 10 ** (digits - 1) : 0), currency);
}

function currencyOptions(current) {
  const all = Intl.supportedValuesOf ? Intl.supportedValuesOf('currency') : [];
  return (all.includes(current) ? all : [current, ...all]).map((code) => [code, code]);
}

function wide(el) {
  el.classList.add('field-wide');
  return el;
}

function priceFields(minor, currency) {
  const price = field({ name: 'price', label: t('products.price'), required: true, inputmode: 'decimal', autocomplete: 'off',
    value: minor === null ? '' : amountInput(minor, currency), hint: t('products.priceHint', { example: example(currency) }) });
  const choice = field({ name: 'currency', label: t('company.currency'), value: currency, options: currencyOptions(currency) });
  // The example follows the currency: a yen price has no decimals, a dinar's three.
  choice.querySelector('select').addEventListener('change', (event) => {
    price.querySelector('.hint').textContent = t('products.priceHint', { example: example(event.target.value) });
  });
  return [price, choice];
}

function productFields(product, currency) {
  return h('div', { class: 'form-grid' },
    mine('name') && field({ name: 'name', label: t('products.name'), value: product?.name, required: true, maxlength: '200', autocomplete: 'off' }),
    mine('sku') && field({ name: 'sku', label: t('products.sku'), value: product?.sku, maxlength: '64', autocomplete: 'off', spellcheck: 'false' }),
    mine('price') && priceFields(product?.price ? product.price.minor : null, currency),
    mine('unit') && field({ name: 'unit', label: t('products.unit'), value: product?.unit, maxlength: '20', hint: t('products.unitHint') }),
    mine('tax_rate') && field({ name: 'tax_rate', label: t('products.taxRate'), value: product?.tax_rate ?? '', inputmode: 'decimal',
      autocomplete: 'off' }),
    mine('prices') && field({ name: 'prices', label: t('products.priceList'), hint: t('products.priceListHint'), autocomplete: 'off',
      value: (product?.prices || []).map((p) => `${p.currency} ${amountInput(p.minor, p.currency)}`).join('; ') }),
    mine('track_stock') && field({ name: 'track_stock', label: t('products.trackStock'), type: 'checkbox', value: product?.track_stock }),
    mine('tags') && field({ name: 'tags', label: t('contacts.tags'), value: (product?.tags || []).join(', '), autocomplete: 'off',
      hint: t('products.tagsHint') }),
    mine('description') && wide(field({ name: 'description', label: t('products.description'), type: 'textarea',
      value: product?.description, maxlength: '2000' })));
}

function priceError(msg, type) {
  return new ApiError(422, { code: 'validation_error', message: msg, details: [{ loc: ['price'], msg, type }] });
}

/** The price typed, as minor units of the chosen currency; more decimals than the currency has is an error. */
function readPrice(values) {
  const { currency } = values;
  if (values.price === '') throw priceError(t('detail.missing'), 'missing');
  const decimals = (/[.,](\d*)$/.exec(values.price) || ['', ''])[1].length;
  const minor = parseMoney(values.price, currency);
  if (minor === null || decimals > currencyDigits(currency)) throw priceError(t('products.badPrice', { example: example(currency) }), 'price');
  return { minor, currency };
}

/** "EUR 12.50; USD 13" as a price list (each code with an amount in its own minor units). */
function readPriceList(text) {
  const parts = String(text || '').split(/[;\n]/).map((part) => part.trim()).filter(Boolean);
  return parts.map((part) => {
    const found = /^([A-Za-z]{3})\s*(.+)$/.exec(part);
    const minor = found ? parseMoney(found[2], found[1].toUpperCase()) : null;
    if (minor === null) {
      throw new ApiError(422, { code: 'validation_error', message: t('products.badPriceList'),
        details: [{ loc: ['prices'], msg: t('products.badPriceList'), type: 'price' }] });
    }
    return { currency: found[1].toUpperCase(), minor };
  });
}

function productBody(values, formEl, definitions, before = null) {
  const rate = String(values.tax_rate || '').replace(',', '.').replace('%', '').trim();
  const body = { name: values.name, sku: values.sku || null, price: mine('price') ? readPrice(values) : null,
    unit: values.unit || null, description: values.description || null, tax_rate: rate || null,
    prices: mine('prices') ? readPriceList(values.prices) : null, track_stock: Boolean(values.track_stock),
    tags: (values.tags || '').split(',').map((tag) => tag.trim()).filter(Boolean),
    custom: collectCustom(formEl, definitions.filter((d) => mine(`custom.${d.key}`)), before?.custom) };
  return Object.fromEntries(Object.entries(body).filter(([name]) => name === 'custom' || mine(name)));
}

/** Send a product; a SKU another product holds (409 duplicate_sku) is said next to the SKU field. */
async function saving(request) {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'duplicate_sku') throw error;
    throw new ApiError(409, { code: error.code, message: error.message,
      details: [{ loc: ['sku'], msg: t('products.skuTaken'), type: 'duplicate_sku' }] });
  }
}

function createForm(onCreated) {
  const later = requiredLater('product');
  const el = form({ submit: t('products.create'), label: t('products.createTitle'), onSubmit: async (values, formEl) => {
    const required = await later.load();
    const product = await saving(() => post('/api/v1/products', productBody(values, formEl, required)));
    toast(t('products.added', { name: product.name }));
    formEl.reset();
    // The next product is likely priced in the same currency (reset would pick the first one in the list).
    formEl.elements.currency.value = values.currency;
    formEl.elements.currency.dispatchEvent(new Event('change'));
    onCreated(product);
    formEl.elements.name.focus();
  }, children: [productFields(null, session.tenant?.currency || 'USD'), later.slot] });
  later.watch(el);
  return el;
}

// -- the list ----------------------------------------------------------------------------------------------

function searchForm(q, tag, sort, navigate) {
  return h('form', { class: 'search', role: 'search', onSubmit: (event) => {
    event.preventDefault();
    navigate(`/products${query({ q: event.target.elements.q.value.trim(), tag, sort })}`);
  } }, h('label', { for: 'product-search', class: 'visually-hidden' }, t('products.search')),
  h('input', { id: 'product-search', name: 'q', type: 'search', value: q, placeholder: t('products.search') }),
  h('button', { type: 'submit', class: 'secondary' }, t('common.search')));
}

function listTools(q, tag, sort, navigate) {
  const pick = h('div', { class: 'field sort-pick' }, h('label', { for: 'product-sort' }, t('products.sort')),
    h('select', { id: 'product-sort', onChange: (event) => navigate(`/products${query({ q, tag,
      sort: event.target.value === 'updated' ? '' : event.target.value })}`) },
    SORTS.map((value) => h('option', { value, selected: value === (sort || 'updated') }, t(`products.sort.${value}`)))));
  const filter = tag ? h('p', { class: 'notice tag-filter' }, t('products.tagFilter', { tag }), ' ',
    h('a', { href: `#/products${query({ q, sort })}` }, t('products.showAll'))) : null;
  return h('div', { class: 'list-tools' }, pick, filter);
}

/** #/products?q=&tag=&sort=: the list with search, tag filter and sort, and the create form (one request). */
export async function list(root, { query: params, navigate, alive }) {
  const q = params.get('q') || '';
  const tag = params.get('tag') || '';
  const sort = SORTS.includes(params.get('sort')) && params.get('sort') !== 'updated' ? params.get('sort') : '';
  const path = (cursor) => `/api/v1/products${query({ q, tag, sort, limit: 50, cursor })}`;
  const page = await get(path(null));
  if (!alive()) return;
  const items = h('ul', { class: 'list product-list' }, page.items.map(productItem));
  let none = null; // the empty state, once the create panel it offers exists
  const more = async (cursor) => {
    const next = await get(path(cursor));
    items.append(...next.items.map(productItem));
    const again = pager(next.next_cursor, more);
    if (again) items.after(again);
  };
  // A new product shows on top at once (no reload), and the form is ready for the next one.
  const created = (product) => {
    items.prepend(productItem(product));
    if (!items.isConnected) none.replaceWith(items);
  };
  const trashLink = can('products', 'delete') ? h('a', { href: '#/settings/trash?type=products', class: 'trash-link' }, t('products.trash')) : null;
  const panel = can('products', 'create')
    ? h('section', { class: 'panel' }, h('h2', {}, t('products.createTitle')), createForm(created)) : null;
  none = q || tag ? empty(t('contacts.noMatch')) : emptyList('products', { panel });
  mount(root, heading(t('nav.products'), newButton(panel, t('picker.newProduct')), trashLink),
    searchForm(q, tag, sort, navigate), listTools(q, tag, sort, navigate),
    page.items.length ? items : none, pager(page.next_cursor, more), panel);
}

// -- the card ----------------------------------------------------------------------------------------------

function properties(product, definitions) {
  const rows = [
    [t('products.price'), priceText(product)],
    [t('products.priceList'), (product.prices || []).map((p) => formatMoney(p.minor, p.currency)).join(' · ')],
    [t('products.taxRate'), formatRate(product.tax_rate)],
    [t('products.parts'), product.components?.length ? h('ul', { class: 'parts' }, product.components.map((part) => h('li', {},
      `${part.quantity} × `, h('a', { href: cardHash(part.product_id) }, part.name || part.product_id))),
    product.labour_minor ? h('li', {}, `${t('products.labour')}: ${formatMoney(product.labour_minor, product.price.currency)}`) : null) : null],
    [t('products.sku'), product.sku],
    [t('products.unit'), product.unit],
    [t('contacts.tags'), tagLinks(product.tags)],
    [t('products.description'), product.description ? h('span', { class: 'prewrap' }, product.description) : null],
    ...customRows(definitions, product.custom).map(([label, text]) => [label, text]),
    [t('common.created'), formatDateTime(product.created_at)],
    [t('common.updated'), formatDateTime(product.updated_at)],
  ].filter(([, value]) => value);
  return h('dl', { class: 'props' }, rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

/** The edit panel; the custom field definitions are read when it is first opened (unless the card has them). */
function editPanel(product, known, reload) {
  const slot = h('div', { class: 'custom-slot' });
  let loading = null;
  const load = () => {
    loading = loading || (known ? Promise.resolve(known) : definitionsFor('product')).then((definitions) => {
      slot.replaceChildren(...[customInputs(definitions, product.custom)].filter(Boolean));
      return definitions;
    }, (error) => { loading = null; throw error; });
    return loading;
  };
  const editForm = form({ submit: t('common.save'), label: t('contacts.edit'), onSubmit: async (values, formEl) => {
    const definitions = await load();
    const body = { version: product.version, ...productBody(values, formEl, definitions, product) };
    try {
      await saving(() => patch(itemPath(product.id), body));
    } catch (error) {
      // Changed elsewhere meanwhile: say so and show the fresh product.
      if (error.status === 409 && error.code !== 'duplicate_sku') { toastError(error); await reload(); return; }
      throw error;
    }
    toast(t('common.saved'));
    await reload();
  }, children: [productFields(product, product.price?.currency || session.tenant.currency), slot] });
  const panel = h('details', { class: 'panel' }, h('summary', {}, t('contacts.edit')), editForm);
  panel.addEventListener('toggle', () => { if (panel.open) load().catch(toastError); });
  if (known) load();
  return panel;
}

function deleteButton(product, navigate) {
  if (!can('products', 'delete')) return null;
  return h('button', { type: 'button', class: 'secondary', onClick: async () => {
    if (!(await confirmAction(t('contacts.deleteConfirm', { name: product.name }), t('common.delete')))) return;
    try {
      await del(itemPath(product.id));
      toast(t('products.movedToTrash', { name: product.name }));
      navigate('/products');
    } catch (error) { toastError(error); }
  } }, t('common.delete'));
}

function timelinePanel(product, page) {
  const timeline = timelineList(page.items);
  const more = async (cursor) => {
    const next = await get(`${itemPath(product.id)}/timeline${query({ cursor })}`);
    timeline.list.append(...next.items.map(timelineEntry));
    const again = pager(next.next_cursor, more);
    if (again) timeline.list.after(again);
  };
  return h('section', { class: 'panel' }, h('h2', {}, t('timeline.title')), noteForm({ type: 'product', id: product.id }, timeline),
    timeline.view, pager(page.next_cursor, more));
}

/**
 * #/products/:id: the card (two requests: the product and its timeline; a product with custom values also
 * reads their definitions, which the edit panel otherwise reads when opened).
 */
export async function card(root, { params, navigate, alive }) {
  const reload = async () => {
    await card(root, { params, navigate, alive });
    root.querySelector('#page-title')?.focus();
  };
  const [product, entries] = await Promise.all([get(itemPath(params.id)), get(`${itemPath(params.id)}/timeline`)]);
  const definitions = Object.keys(product.custom || {}).length ? await definitionsFor('product') : null;
  if (!alive()) return;
  mount(root, heading(product.name, h('a', { href: '#/products' }, t('products.all')), deleteButton(product, navigate)),
    h('div', { class: 'card-grid' },
      h('div', {}, h('section', { class: 'panel' }, properties(product, definitions || [])), stockPanel(product),
        can('products', 'update') && mine('components') ? partsPanel(product, reload) : null,
        can('products', 'update') ? editPanel(product, definitions, reload) : null),
      h('div', {}, timelinePanel(product, entries))));
}

// -- stock per warehouse (#23) -------------------------------------------------------------------------------

/** The product's stock in each warehouse, read when the panel is opened (the card keeps its two requests). */
function stockPanel(product) {
  const body = h('div', { class: 'stock-body' });
  const panel = h('details', { class: 'panel stock-panel', open: product.track_stock || null },
    h('summary', {}, t('stock.title')), body);
  // a count as the reader writes a number, in the product's unit: "1 520,5 кг", not the API's "1520.5"
  const counted = (value) => `${formatNumber(Number(value))}${product.unit ? ` ${product.unit}` : ''}`;
  const draw = async () => {
    const [warehouses, stock] = await Promise.all([get('/api/v1/warehouses'), get(`${itemPath(product.id)}/stock`)]);
    const byWarehouse = Object.fromEntries(stock.items.map((row) => [row.warehouse_id, row]));
    const mayCount = can('products', 'update');
    const rows = warehouses.items.map((w) => {
      const row = byWarehouse[w.id] || { on_hand: '0', reserved: '0', available: '0' };
      const count = mayCount ? form({ className: 'form inline-form', submit: t('stock.count'), label: `${t('stock.count')} ${w.name}`,
        onSubmit: async (values) => {
          await api('PUT', `${itemPath(product.id)}/stock/${encodeURIComponent(w.id)}`, { on_hand: String(values.on_hand).replace(',', '.') });
          toast(t('stock.counted'));
          await draw();
        }, children: [field({ name: 'on_hand', label: t('stock.onHand'), value: row.on_hand, inputmode: 'decimal' })] }) : null;
      return h('li', { 'data-warehouse': w.id }, h('div', { class: 'grow' }, h('span', { class: 'title' }, w.name),
        h('div', { class: 'meta' }, `${t('stock.onHand')}: ${counted(row.on_hand)} · ${t('stock.reserved')}: ${counted(row.reserved)} · `,
          h('strong', {}, `${t('stock.available')}: ${counted(row.available)}`))), count);
    });
    const add = can('products', 'create') ? form({ className: 'form inline-form', submit: t('stock.addWarehouse'), label: t('stock.addWarehouse'),
      onSubmit: async (values) => { await post('/api/v1/warehouses', { name: values.name }); await draw(); },
      children: [field({ name: 'name', label: t('stock.warehouseName'), maxlength: '100' })] }) : null;
    body.replaceChildren(rows.length ? h('ul', { class: 'list stock-list' }, rows) : empty(t('stock.noWarehouses')), add);
  };
  let drawn = false;
  const open = () => { if (panel.open && !drawn) { drawn = true; draw().catch((error) => { drawn = false; toastError(error); }); } };
  panel.addEventListener('toggle', open);
  if (product.track_stock) queueMicrotask(open);
  return panel;
}

// -- a service's parts (#23) ---------------------------------------------------------------------------------

/** Products to add as parts, found by name or SKU as one types: not the service itself, not one already a part,
 * not one made of parts (parts have no parts). */
function partFinder(product, taken, pick) {
  return finder({
    id: 'part-search', label: t('products.findPart'), pick,
    find: async (q) => (await get(`/api/v1/products${query({ q, limit: 10 })}`)).items
      .filter((p) => p.id !== product.id && !taken().has(p.id) && !(p.components || []).length),
    show: (p) => `${p.name}${p.sku ? ` · ${p.sku}` : ''} · ${priceText(p)}`,
  });
}

/**
 * The service's parts and labour, edited on the card: a part is added by search, its quantity typed, removed with
 * its button; saved with the product's version (changed elsewhere: said, and the card shows the fresh product),
 * and the card then shows the price the server computed from them.
 */
function partsPanel(product, reload) {
  const currency = product.price?.currency || session.tenant.currency;
  const parts = (product.components || []).map((p) => ({ product_id: p.product_id, name: p.name || p.product_id,
    quantity: p.quantity }));
  const list = h('ul', { class: 'list parts-list' });
  const draw = () => {
    list.replaceChildren(...parts.map((part, i) => {
      const quantity = field({ name: `components.${i}.quantity`, label: t('products.partQuantity', { name: part.name }),
        value: part.quantity, inputmode: 'decimal', autocomplete: 'off', required: true });
      quantity.querySelector('input').addEventListener('input', (event) => { part.quantity = event.target.value; });
      return h('li', { 'data-part': part.product_id }, h('a', { class: 'title grow', href: cardHash(part.product_id) }, part.name),
        quantity, h('button', { type: 'button', class: 'secondary small', 'aria-label': t('products.removePartNamed', { name: part.name }),
          onClick: () => { parts.splice(i, 1); draw(); list.closest('form')?.querySelector('#part-search')?.focus(); } },
        t('products.removePart')));
    }));
    if (!parts.length) list.replaceChildren(h('li', { class: 'empty-part' }, t('products.noParts')));
  };
  draw();
  const finder = partFinder(product, () => new Set(parts.map((p) => p.product_id)), (found) => {
    parts.push({ product_id: found.id, name: found.name, quantity: '1' });
    draw();
  });
  const labour = mine('labour_minor') ? field({ name: 'labour_minor', label: t('products.labour'), inputmode: 'decimal',
    autocomplete: 'off', value: product.labour_minor ? amountInput(product.labour_minor, currency) : '',
    hint: t('products.labourHint', { currency }) }) : null;
  const editor = form({ submit: t('products.saveParts'), label: t('products.partsTitle'), onSubmit: async (values) => {
    const body = { version: product.version, components: parts.map((part) => ({ product_id: part.product_id,
      quantity: String(part.quantity).trim().replace(',', '.') })) };
    if (labour) {
      const typed = String(values.labour_minor || '').trim();
      const minor = typed ? parseMoney(typed, currency) : null;
      if (typed && minor === null) {
        throw new ApiError(422, { code: 'validation_error', message: t('products.badLabour'),
          details: [{ loc: ['labour_minor'], msg: t('products.badLabour'), type: 'price' }] });
      }
      body.labour_minor = minor;
    }
    try {
      await patch(itemPath(product.id), body);
    } catch (error) {
      if (error.status === 409) { toastError(error); await reload(); return; }
      throw error;
    }
    toast(t('common.saved'));
    await reload();
  }, children: [h('p', { class: 'hint' }, t('products.partsHint')), list, finder, labour] });
  return h('details', { class: 'panel parts-panel', open: parts.length ? true : null },
    h('summary', {}, t('products.partsTitle')), editor);
}

