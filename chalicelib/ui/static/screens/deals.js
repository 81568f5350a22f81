// Deals: the kanban board of a pipeline (drag and drop, or "Move to…" from the keyboard), the search across
// pipelines, and the deal card.
import { ApiError, get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { amountInput, currencyDigits, formatDate, formatDateTime, formatMoney, formatNumber, parseMoney } from '../js/format.js';
import { can, session } from '../js/session.js';
import { dragSource, dropTarget, empty, field, form, heading, optimistic, pager, toast, toastError } from '../js/ui.js';
import { companyUsers, linkGroups, noteForm, ownerRow, personName, scopeOf, timelineList, trashButton, within } from './records.js';
import { askLostReason } from './lost-reason.js';
import { collectCustom, customInputs, customRows, definitionsFor, requiredLater } from './custom-values.js';
import { canEditField } from './field-rules.js';
import { recordPicker } from './pickers.js';
import { newButton } from './new-record.js';
import { documentsPanel } from './documents.js';
import { ordersPanel } from './contact-orders.js';
import { emptyList } from './list-empty.js';
import { bulkBar, canBulk, pickBox, selectionOf } from './bulk.js';
import { sourceText, utmText } from './timeline-text.js';
import { taskForm } from './tasks.js';

// A role may be kept from a deal's amount (#21 item 10): the API then leaves it, and the stage totals, out.
const money = (deal) => (deal.amount ? formatMoney(deal.amount.minor, deal.amount.currency) : '');
const mine = (name) => canEditField('deals', name);
const CUSTOM = 'custom.';
// A deal's tags as badges (the board's cards, the list, the card); each one lists the deals with it.
const tagBadges = (deal) => ((deal.tags || []).length ? h('span', { class: 'tags' }, deal.tags.map((tag) =>
  [h('a', { class: 'badge', href: `#/deals${query({ pipeline: deal.pipeline_id, view: 'list', tag })}` }, tag), ' '])) : null);
// Tags as typed in one box, "vip, spring sale": the API folds and checks each one.
const typedTags = (text) => [...new Set((text || '').split(',').map((tag) => tag.trim()).filter(Boolean))];

function addTotal(column, amount, sign) {
  if (!amount || !column.totals) return;
  const current = column.totals.get(amount.currency) || 0;
  column.totals.set(amount.currency, current + sign * amount.minor);
}

function drawHead(column) {
  const totals = [...(column.totals || [])].filter(([, minor]) => minor !== 0).map(([currency, minor]) => formatMoney(minor, currency));
  mount(column.head, h('div', { class: 'column-head' }, h('h2', { id: `stage-${column.stage.id}` }, column.stage.name),
    h('span', { class: 'badge', 'aria-label': t('deals.count', { n: column.count, count: formatNumber(column.count) }) },
      formatNumber(column.count))),
  column.totals ? h('p', { class: 'column-totals', 'data-test': 'stage-total' },
    totals.join(' · ') || formatMoney(0, session.tenant.currency)) : null);
}

class Board {
  constructor(data, reload) {
    this.pipeline = data.pipeline;
    this.reload = reload;
    this.columns = new Map(data.columns.map((col) => [col.stage.id, {
      stage: col.stage, count: col.count, head: h('div', {}), list: h('ul', { class: 'cards', 'aria-labelledby': `stage-${col.stage.id}` }),
      totals: col.totals ? new Map(col.totals.map((total) => [total.currency, total.minor])) : null }]));
    this.deals = new Map();
    for (const col of data.columns) for (const deal of col.deals) this.addDeal(deal);
  }

  addDeal(deal) {
    const column = this.columns.get(deal.stage_id);
    if (!column) return;
    const el = this.dealCard(deal);
    this.deals.set(deal.id, { deal, el });
    column.list.append(el);
  }

  dealCard(deal) {
    const mayMove = can('deals', 'update');
    const select = h('select', { 'aria-label': t('deals.moveTo', { title: deal.title }), id: `move-${deal.id}` },
      [...this.columns.values()].map((col) => h('option', { value: col.stage.id, selected: col.stage.id === deal.stage_id },
        col.stage.name)));
    select.addEventListener('change', () => this.move(deal.id, select.value));
    const el = h('li', { class: 'deal', draggable: mayMove, 'data-deal': deal.id }, // a boolean: the string 'false' made it true
      h('a', { href: `#/deals/${encodeURIComponent(deal.id)}` }, deal.title),
      h('span', { class: 'amount' }, money(deal)), tagBadges(deal),
      mayMove ? [h('label', { class: 'visually-hidden', for: `move-${deal.id}` }, t('deals.moveTo', { title: deal.title })),
        select] : null);
    return dragSource(el, deal.id);
  }

  place(dealId, stageId) {
    const { deal, el } = this.deals.get(dealId);
    const from = this.columns.get(deal.stage_id);
    const to = this.columns.get(stageId);
    from.count -= 1; addTotal(from, deal.amount, -1);
    to.count += 1; addTotal(to, deal.amount, 1);
    deal.stage_id = stageId;
    const select = el.querySelector('select');
    const focused = document.activeElement === select;
    to.list.prepend(el);
    select.value = stageId;
    // Moving the card's node drops focus; a keyboard user keeps it on the card's "Move to" list.
    if (focused) select.focus();
    drawHead(from); drawHead(to);
  }

  async move(dealId, stageId) {
    const entry = this.deals.get(dealId);
    if (!entry || entry.deal.stage_id === stageId) return;
    const previous = entry.deal.stage_id;
    const stage = this.columns.get(stageId).stage;
    let lostReason = null;
    if (stage.kind === 'lost') {
      lostReason = await askLostReason(this.pipeline.lost_reasons || []);
      if (!lostReason) { entry.el.querySelector('select').value = previous; return; }
    }
    await optimistic({
      apply: () => this.place(dealId, stageId),
      undo: () => this.place(dealId, previous),
      request: async () => {
        const body = { stage_id: stageId, version: entry.deal.version };
        if (lostReason) body.lost_reason = lostReason;
        const moved = await post(`/api/v1/deals/${encodeURIComponent(dealId)}/move`, body);
        Object.assign(entry.deal, moved);
        toast(t('deals.moved', { title: entry.deal.title, stage: stage.name }));
      },
      reload: this.reload,
    });
  }

  view() {
    return h('div', { class: 'board', 'aria-label': t('deals.board') }, [...this.columns.values()].map((column) => {
      drawHead(column);
      const section = h('section', { class: `column column-${column.stage.kind}`, 'data-stage': column.stage.id,
        'aria-labelledby': `stage-${column.stage.id}` }, column.head, column.list);
      return dropTarget(section, (dealId) => { if (this.deals.has(dealId)) this.move(dealId, column.stage.id); });
    }));
  }
}

/** The create form; preset: {contact, company} ({id, name}) a card opens it with (#20 item 1). */
export function createDealForm(pipeline, onCreated, preset = {}) {
  const later = requiredLater('deal');
  const currency = session.tenant.currency;
  const openStages = pipeline.stages.filter((stage) => stage.kind === 'open');
  const el = form({ submit: t('deals.create'), label: t('deals.createTitle'), onSubmit: async (values, formEl) => {
    const minor = !mine('amount') || values.amount === '' ? 0 : parseMoney(values.amount, values.currency);
    if (minor === null) {
      throw new ApiError(422, { code: 'validation_error', message: t('deals.badAmount'),
        details: [{ loc: ['amount'], msg: t('deals.badAmount') }] });
    }
    const required = await later.load();
    const created = await post('/api/v1/deals', { title: values.title, pipeline_id: pipeline.id, stage_id: values.stage_id,
      ...(mine('amount') ? { amount: { minor, currency: values.currency } } : {}), custom: collectCustom(formEl, required),
      ...linkedTo(values) });
    toast(t('common.saved'));
    await onCreated(created);
  }, children: [h('div', { class: 'form-grid' },
    field({ name: 'title', label: t('deals.title'), required: true }),
    field({ name: 'stage_id', label: t('deals.stage'), value: openStages[0]?.id, options: openStages.map((s) => [s.id, s.name]) }),
    mine('amount') && field({ name: 'amount', label: t('deals.amount'), inputmode: 'decimal', hint: t('deals.amountHint', { digits: currencyDigits(currency) }) }),
    mine('amount') && field({ name: 'currency', label: t('company.currency'), value: currency, maxlength: '3', pattern: '[A-Z]{3}' }),
    mine('contact_ids') && recordPicker({ type: 'contact', name: 'contact_id', label: t('picker.contact'), value: preset.contact }),
    mine('company_id') && recordPicker({ type: 'company', name: 'company_id', label: t('picker.company'), value: preset.company })),
  later.slot] });
  later.watch(el);
  return el;
}

// The contact and company a new deal belongs to (a deal made by hand belonged to nobody).
function linkedTo(values) {
  return { ...(values.contact_id ? { contact_ids: [values.contact_id] } : {}),
    ...(values.company_id ? { company_id: values.company_id } : {}) };
}

function personLink(type, record) {
  const path = type === 'contact' ? 'contacts' : 'companies';
  return h('li', {}, h('a', { class: 'title', href: `#/${path}/${encodeURIComponent(record.id)}` },
    record.name || t(`tasks.related.${type}`)));
}

/** The deal's contacts and company, named, with pickers to link another contact or the company (a PATCH). */
function linkPanel(deal, answer, reload) {
  const contacts = answer.contacts || [];
  const shown = [
    h('section', { class: 'panel', 'data-links': 'contact' }, h('h2', {}, t('links.contact')), contacts.length
      ? h('ul', { class: 'list' }, contacts.map((c) => personLink('contact', c))) : h('p', { class: 'muted' }, t('links.none.contact'))),
    answer.company ? h('section', { class: 'panel', 'data-links': 'company' }, h('h2', {}, t('picker.company')),
      h('ul', { class: 'list' }, personLink('company', answer.company))) : null,
  ];
  if (!mayMove(deal)) return shown;
  const change = async (body) => {
    try {
      await patch(`/api/v1/deals/${encodeURIComponent(deal.id)}`, { version: deal.version, ...body });
      toast(t('common.saved'));
    } catch (error) { toastError(error); }
    await reload();
  };
  return [...shown, h('section', { class: 'panel link-panel' }, h('h2', {}, t('picker.linkTitle')),
    mine('contact_ids') && (deal.contact_ids || []).length < 20 ? recordPicker({ type: 'contact', name: 'link_contact',
      label: t('picker.addContact'), onPick: (picked) => picked
        && !deal.contact_ids.includes(picked.id) && change({ contact_ids: [...deal.contact_ids, picked.id] }) }) : null,
    mine('company_id') ? recordPicker({ type: 'company', name: 'link_company', label: t('picker.company'),
      onPick: (picked) => picked && change({ company_id: picked.id }) }) : null)];
}

function pipelinePicker(pipelines, current, view, navigate) {
  if (pipelines.length < 2) return null;
  return h('div', { class: 'field pipeline-pick' }, h('label', { for: 'pipeline-pick' }, t('deals.pipeline')),
    h('select', { id: 'pipeline-pick', onChange: (event) => navigate(`/deals${query({ pipeline: event.target.value, view })}`) },
      pipelines.map((p) => h('option', { value: p.id, selected: p.id === current }, p.name))));
}

function viewTabs(pipelineId, current) {
  return h('nav', { 'aria-label': t('deals.views') }, h('ul', { class: 'tabs' }, ['board', 'list'].map((view) =>
    h('li', {}, h('a', { href: `#/deals${query({ pipeline: pipelineId, view: view === 'board' ? '' : view })}`,
      'aria-current': view === current ? 'page' : null }, t(`deals.view.${view}`))))));
}

function dealRow(deal, stages, selectable) {
  const stage = stages.get(deal.stage_id);
  // data-label names each cell where a phone shows the rows as cards (the header is hidden there).
  return h('tr', { 'data-deal': deal.id }, selectable ? h('td', { class: 'pick-cell' }, pickBox(deal.id, deal.title)) : null,
    h('td', { class: 'deal-title' }, h('a', { href: `#/deals/${encodeURIComponent(deal.id)}` }, deal.title), ' ', tagBadges(deal)),
    h('td', { 'data-label': t('deals.stage') }, stage ? stage.name : '—'),
    h('td', { 'data-label': t('deals.statusLabel') }, t(`deals.status.${deal.status}`)),
    h('td', { class: 'num', 'data-label': t('deals.amount') }, money(deal)),
    // A coordinator lists the deals under contract to see when each closes, not only when it last changed.
    h('td', { 'data-label': t('deals.expectedClose') }, deal.expected_close_on ? formatDate(deal.expected_close_on) : '—'),
    h('td', { 'data-label': t('common.updated') }, formatDate(deal.updated_at)));
}

/**
 * The list's filters (status, a stage of the pipeline, the responsible person), kept in the address like the
 * contacts list's: picking one reloads the list.
 */
function listFilters(pipeline, filters, navigate) {
  const go = (change) => navigate(`/deals${query({ pipeline: pipeline.id, view: 'list', ...filters, ...change })}`);
  const pick = (id, name, label, options, value) => h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, name, onChange: (event) => go({ [name]: event.target.value }) },
      options.map(([optValue, text]) => h('option', { value: optValue, selected: optValue === value }, text))));
  return h('div', { class: 'deal-filters', role: 'group', 'aria-label': t('contacts.filters') },
    pick('status-pick', 'status', t('deals.statusLabel'), [['', t('deals.anyStatus')],
      ...['open', 'won', 'lost'].map((s) => [s, t(`deals.status.${s}`)])], filters.status),
    pick('stage-pick', 'stage_id', t('deals.stage'), [['', t('deals.anyStage')],
      ...pipeline.stages.map((stage) => [stage.id, stage.name])], filters.stage_id),
    tagFilter(filters.tag, go), ownerFilter(filters.owner_id, pick), customFilter(filters, pick));
}

/**
 * The deals' select custom fields marked filterable, as more filters: opened (or when one is set in the address), it
 * reads the definitions, so the list keeps its two requests.
 */
function customFilter(filters, pick) {
  if (!can('customfields', 'read')) return null;
  const set = Object.keys(filters).filter((key) => key.startsWith(CUSTOM));
  const body = h('div', { class: 'deal-filters' });
  const details = h('details', { class: 'custom-filter', open: set.length > 0 },
    h('summary', {}, set.length ? t('contacts.filtersOn', { n: set.length }) : t('deals.moreFilters')), body);
  const draw = async () => {
    const selects = (await definitionsFor('deal')).filter((d) => (d.type === 'select' || d.type === 'multiselect') && d.filterable);
    mount(body, selects.length ? selects.map((d) => pick(`cf-${d.key}`, `${CUSTOM}${d.key}`, d.label,
      [['', t('contacts.anyValue')], ...d.options.map((o) => [o.value, o.label])], filters[`${CUSTOM}${d.key}`] || ''))
      : h('p', { class: 'hint' }, t('deals.noFilterFields')));
  };
  const open = () => { if (details.open && !details.dataset.loaded) { details.dataset.loaded = '1'; draw().catch(toastError); } };
  details.addEventListener('toggle', open);
  if (set.length) open();
  return details;
}

/** The tag filter: a box applied on Enter or when left, cleared by emptying it. */
function tagFilter(tag, go) {
  const input = h('input', { id: 'tag-pick', name: 'tag', type: 'search', value: tag || '', maxlength: '40', autocomplete: 'off',
    enterkeyhint: 'search' });
  let gone = false; // Enter, then the box's "change" as the screen goes: the screen is left once
  const apply = () => {
    const typed = input.value.trim().toLowerCase();
    if (gone || typed === (tag || '')) return;
    gone = true;
    go({ tag: typed });
  };
  input.addEventListener('change', apply);
  input.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); apply(); } });
  return h('div', { class: 'field' }, h('label', { for: 'tag-pick' }, t('contacts.tag')), input);
}

/**
 * The responsible person filter, for those who see others' deals: opened (or when chosen), it reads the company's
 * users once a session, so the list keeps its two requests (as the contacts list's Filters panel does).
 */
function ownerFilter(ownerId, pick) {
  const scope = scopeOf('deals', 'read');
  if (!scope || scope === 'own' || !can('users', 'read')) return null;
  const body = h('div', {});
  const details = h('details', { class: 'owner-filter', open: Boolean(ownerId) }, h('summary', {}, t('contacts.responsible')), body);
  const draw = async () => {
    const users = (await companyUsers()).filter((u) => within(scope, u.id, u.team_id) || u.id === ownerId);
    mount(body, pick('owner-pick', 'owner_id', t('contacts.responsible'), [['', t('contacts.anyone')],
      ...users.map((u) => [u.id, personName(u)])], ownerId || ''));
  };
  const open = () => { if (details.open && !details.dataset.loaded) { details.dataset.loaded = '1'; draw().catch(toastError); } };
  details.addEventListener('toggle', open);
  if (ownerId) open();
  return details;
}

/** The deals of a pipeline (of a status, stage or responsible person, when chosen) as a table, most recently updated first. */
async function dealTable(pipeline, filters, navigate, reload, create = null) {
  const stages = new Map(pipeline.stages.map((stage) => [stage.id, stage]));
  const path = (cursor) => `/api/v1/deals${query({ pipeline_id: pipeline.id, ...filters, limit: 50, cursor })}`;
  const page = await get(path(null));
  const filter = listFilters(pipeline, filters, navigate);
  // A responsible person's page may come back empty with more to read (the other pipelines' deals are left out).
  if (!page.items.length && !page.next_cursor) {
    return [filter, Object.keys(filters).length ? empty(t('contacts.noMatch'))
      : emptyList('deals', { subject: 'pipelineDeals', panel: create })];
  }
  const selectable = canBulk('deals');
  const body = h('tbody', {}, page.items.map((deal) => dealRow(deal, stages, selectable)));
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'deal-table' }, h('caption', { class: 'visually-hidden' }, t('deals.view.list')),
    h('thead', {}, h('tr', {}, selectable ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('contacts.bulk.all'))) : null,
      ['deals.title', 'deals.stage', 'deals.statusLabel', 'deals.amount', 'deals.expectedClose', 'common.updated'].map((key) =>
        h('th', { scope: 'col', class: key === 'deals.amount' ? 'num' : null }, t(key))))), body));
  const more = async (cursor) => {
    const next = await get(path(cursor));
    body.append(...next.items.map((deal) => dealRow(deal, stages, selectable)));
    const again = pager(next.next_cursor, more);
    if (again) table.after(again);
  };
  let selection = { ticked: () => [], head: null };
  const bulk = selectable ? bulkBar('deals', () => selection.ticked(), reload) : null;
  if (bulk) selection = selectionOf(body, bulk);
  return [filter, bulk && selection.head, table, pager(page.next_cursor, more), bulk && bulk.bar];
}

async function boardView(chosen, reload, create = null, tag = '', navigate = null) {
  const boardPath = `/api/v1/pipelines/${encodeURIComponent(chosen.id)}/board`;
  const data = await get(`${boardPath}${query({ limit: 100, tag })}`);
  const kanban = new Board(data, reload);
  const anyDeals = data.columns.some((col) => col.deals.length);
  const view = kanban.view();
  // Counts and totals cover every deal already; further pages only add cards.
  const more = async (cursor) => {
    const next = await get(`${boardPath}${query({ limit: 100, tag, cursor })}`);
    for (const col of next.columns) for (const deal of col.deals) if (!kanban.deals.has(deal.id)) kanban.addDeal(deal);
    const again = pager(next.next_cursor, more);
    if (again) view.after(again);
  };
  // A tag narrows the board to its deals (their totals); emptied, the whole board comes back.
  const filter = navigate ? h('div', { class: 'deal-filters', role: 'group', 'aria-label': t('contacts.filters') },
    tagFilter(tag, (change) => navigate(`/deals${query({ pipeline: chosen.id, ...change })}`))) : null;
  return [filter, anyDeals ? null : tag ? empty(t('contacts.noMatch')) : emptyList('deals', { panel: create }),
    // a role that may not change deals is not told to drag them (nor offered a "Move to" list: see dealCard)
    can('deals', 'update') ? h('p', { class: 'hint' }, t('deals.dragHint')) : null, view, pager(data.next_cursor, more)];
}

// -- the search across pipelines ---------------------------------------------------------------------------

const SEARCH_MAX = 100; // the API's longest q

/** The search box; an empty search (submitted, or cleared with its × or Escape) goes back to the board. */
function searchForm(q, back, navigate) {
  let gone = false;
  // Enter in an emptied box fires both "search" and "submit": the screen is left once.
  const go = (text) => {
    if (gone || (!text && !q)) return;
    gone = true;
    navigate(`/deals${query({ ...back, q: text })}`);
  };
  const input = h('input', { id: 'deal-search', name: 'q', type: 'search', value: q, maxlength: String(SEARCH_MAX),
    placeholder: t('deals.searchPlaceholder'), autocomplete: 'off', enterkeyhint: 'search' });
  input.addEventListener('search', () => { if (!input.value.trim()) go(''); });
  return h('form', { class: 'search deal-search', role: 'search', onSubmit: (event) => {
    event.preventDefault();
    go(input.value.trim());
  } }, h('label', { for: 'deal-search', class: 'visually-hidden' }, t('deals.search')), input,
  h('button', { type: 'submit', class: 'secondary' }, t('common.search')),
  q ? h('button', { type: 'button', class: 'secondary', onClick: () => go('') }, t('deals.clearSearch')) : null);
}

/** A found deal: its title (to its card), where it stands (the pipeline when there are several, the stage), status, amount. */
function resultItem(deal, known, several) {
  const where = known.get(deal.pipeline_id);
  const stage = where?.stages.get(deal.stage_id);
  const place = [several ? where?.pipeline.name : null, stage?.name].filter(Boolean).join(' · ');
  const badge = { won: 'badge-ok', lost: 'badge-off' }[deal.status] || '';
  return h('li', { 'data-deal': deal.id }, h('div', { class: 'grow' },
    h('a', { class: 'title', href: `#/deals/${encodeURIComponent(deal.id)}` }, deal.title),
    h('div', { class: 'meta', 'data-test': 'where' }, place || '—')),
  h('span', { class: ['badge', badge], 'data-test': 'status' }, t(`deals.status.${deal.status}`)),
  h('span', { class: 'amount num', 'data-test': 'amount' }, money(deal)));
}

/** The deals whose title words start with q, in every pipeline the caller sees (one request a page). */
function searchResults(q, pipelines, page, back) {
  const known = new Map(pipelines.map((p) => [p.id, { pipeline: p, stages: new Map(p.stages.map((s) => [s.id, s])) }]));
  const several = pipelines.length > 1;
  const path = (cursor) => `/api/v1/deals${query({ q, limit: 50, cursor })}`;
  const title = h('h2', { id: 'deal-results' }, t('deals.results', { q }));
  const items = h('ul', { class: 'list deal-results', 'aria-labelledby': 'deal-results' },
    page.items.map((deal) => resultItem(deal, known, several)));
  const none = empty(t('deals.noResults', { q }), h('a', { href: `#/deals${query(back)}` }, t('deals.backToBoard')));
  const more = async (cursor) => {
    const next = await get(path(cursor));
    items.append(...next.items.map((deal) => resultItem(deal, known, several)));
    const again = pager(next.next_cursor, more);
    if (again) items.after(again);
    else if (!items.children.length) items.replaceWith(none);
  };
  // A page may come back empty with more to read (what the caller may not see is left out after the read).
  const found = page.items.length || page.next_cursor;
  return h('section', { class: 'deal-search-results', 'aria-labelledby': 'deal-results' }, title,
    h('p', { class: 'hint' }, t('deals.searchHint')), found ? items : none, pager(page.next_cursor, more));
}

/** #/deals?q=: the search across pipelines (two requests at once: pipelines for the stage names, the first page). */
async function searchScreen(root, q, back, navigate, alive) {
  const [pipelines, page] = await Promise.all([get('/api/v1/pipelines'), get(`/api/v1/deals${query({ q, limit: 50 })}`)]);
  if (!alive()) return;
  mount(root, heading(t('nav.deals')), searchForm(q, back, navigate), searchResults(q, pipelines.items, page, back));
}

/**
 * #/deals?pipeline=&view=list: the board or the list of a pipeline (two requests: pipelines, then its deals);
 * with q, the deals found across pipelines, the board (or list) it came from kept in the address for the way back.
 */
export async function board(root, { query: params, navigate, alive }) {
  const reload = () => board(root, { query: params, navigate, alive });
  const view = params.get('view') === 'list' ? 'list' : 'board';
  const back = { pipeline: params.get('pipeline') || '', view: view === 'list' ? view : '' };
  const q = (params.get('q') || '').trim().slice(0, SEARCH_MAX);
  if (q) { await searchScreen(root, q, back, navigate, alive); return; }
  const pipelines = (await get('/api/v1/pipelines')).items;
  const chosen = pipelines.find((p) => p.id === params.get('pipeline')) || pipelines.find((p) => p.is_default) || pipelines[0];
  if (!chosen) { mount(root, heading(t('nav.deals')), h('p', { class: 'empty' }, t('deals.noPipeline'))); return; }
  const status = ['open', 'won', 'lost'].includes(params.get('status')) ? params.get('status') : '';
  // The list's filters from the address: a stage of another pipeline is dropped, not sent.
  const stageId = chosen.stages.some((stage) => stage.id === params.get('stage_id')) ? params.get('stage_id') : '';
  const custom = [...params.entries()].filter(([key]) => key.startsWith(CUSTOM)).slice(0, 5);
  const filters = Object.fromEntries(Object.entries({ status, stage_id: stageId, owner_id: params.get('owner_id') || '',
    tag: (params.get('tag') || '').trim().slice(0, 40), ...Object.fromEntries(custom) }).filter(([, value]) => value));
  const create = can('deals', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('deals.createTitle')),
    createDealForm(chosen, reload)) : null;
  const content = view === 'list' ? await dealTable(chosen, filters, navigate, reload, create)
    : await boardView(chosen, reload, create, filters.tag || '', navigate);
  if (!alive()) return;
  mount(root, heading(t('nav.deals'), newButton(create, t('picker.newDeal'))), searchForm('', back, navigate),
    h('div', { class: 'deal-tools' }, viewTabs(chosen.id, view),
      pipelinePicker(pipelines, chosen.id, view === 'list' ? view : '', navigate)), content, create);
}

/** Where a deal's amount comes from: the orders whose total it is (each a link to it, named by its number as the
 * orders list names it), and those in another currency, not added; nothing for an amount set by hand. */
function amountOrigin(deal) {
  const numbers = deal.amount_order_numbers || {};
  const number = (id) => h('a', { href: `#/orders/${encodeURIComponent(id)}`, 'data-test': 'amount-order' },
    numbers[id] ? t('deals.amountOrder', { number: numbers[id] }) : `№${id.slice(-6)}`); // not numbered yet: its id's tail
  const list = (ids) => ids.flatMap((id, index) => (index ? [', ', number(id)] : [number(id)]));
  const counted = deal.amount_orders || [];
  const other = deal.amount_other_orders || [];
  if (!counted.length) return null;
  return h('span', { class: 'muted', 'data-test': 'amount-origin' }, ' (', t('deals.amountFromOrders'), ' ',
    ...list(counted), other.length ? ['; ', t('deals.amountOtherOrders'), ' ', ...list(other)] : [], ')');
}

function dealFacts(deal, stage, definitions, owner) {
  const rows = [
    [t('deals.amount'), deal.amount ? [money(deal), amountOrigin(deal)] : ''],
    [t('deals.stage'), stage ? stage.name : deal.stage_id],
    [t('deals.statusLabel'), t(`deals.status.${deal.status}`)],
    [t('deals.lostReason'), deal.lost_reason],
    [t('deals.expectedClose'), deal.expected_close_on ? formatDate(deal.expected_close_on) : null],
    [t('contacts.tags'), tagBadges(deal)],
    [t('lead.source'), sourceText(deal.source)], [t('lead.utm'), utmText(deal.utm)], // the channel that made it
    ...customRows(definitions, deal.custom).map(([label, text]) => [label, text]),
    [t('common.created'), formatDateTime(deal.created_at)],
  ].filter(([, value]) => value);
  // The responsible person first: by name, or a picker for whoever may reassign the deal.
  return h('dl', { class: 'props' }, owner, rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

function history(changes) {
  if (!changes.length) return null;
  return h('section', { class: 'panel' }, h('h2', {}, t('deals.history')), h('ol', { class: 'timeline' }, changes.map((c) =>
    h('li', {}, h('div', { class: 'when' }, formatDateTime(c.at)),
      h('div', {}, c.from_stage ? `${c.from_stage.name} → ${c.to_stage.name}` : c.to_stage.name)))));
}

function editDeal(deal, definitions, reload) {
  const own = definitions.filter((d) => mine(`custom.${d.key}`));
  const following = (deal.amount_orders || []).length > 0; // the orders' total: changed on the order, not here
  return h('details', { class: 'panel' }, h('summary', {}, t('contacts.edit')),
    form({ submit: t('common.save'), label: t('contacts.edit'), onSubmit: async (values, formEl) => {
      const minor = deal.amount && mine('amount') && !following ? parseMoney(values.amount, deal.amount.currency) : null;
      const body = { version: deal.version, custom: collectCustom(formEl, own, deal.custom) };
      if (mine('title')) body.title = values.title;
      if (mine('expected_close_on')) body.expected_close_on = values.expected_close_on || null;
      if (mine('tags')) body.tags = typedTags(values.tags);
      if (minor !== null) body.amount = { minor, currency: deal.amount.currency };
      try {
        await patch(`/api/v1/deals/${encodeURIComponent(deal.id)}`, body);
        toast(t('common.saved'));
      } catch (error) {
        if (error.status !== 409) throw error;
        toastError(error);
      }
      await reload();
    }, children: [h('div', { class: 'form-grid' },
      mine('title') && field({ name: 'title', label: t('deals.title'), value: deal.title, required: true }),
      deal.amount && mine('amount') && field({ name: 'amount', label: `${t('deals.amount')} (${deal.amount.currency})`,
        inputmode: 'decimal', value: amountInput(deal.amount.minor, deal.amount.currency),
        ...(following ? { readonly: true, 'data-test': 'amount-follows', hint: t('deals.amountFollowsOrders') } : {}) }),
      mine('expected_close_on') && field({ name: 'expected_close_on', label: t('deals.expectedClose'), type: 'date',
        value: deal.expected_close_on }),
      mine('tags') && field({ name: 'tags', label: t('contacts.tags'), value: (deal.tags || []).join(', '),
        hint: t('deals.tagsHint'), autocomplete: 'off' })),
    customInputs(own, deal.custom)] }));
}

/** True when the signed-in user may move this deal (an agent their own, a manager their team's, as the API decides). */
function mayMove(deal) {
  const scope = scopeOf('deals', 'update');
  return Boolean(scope) && within(scope, deal.owner_id, deal.team_id);
}

/** The open stage a won or lost deal goes back to: the last open one it stood in (still in the pipeline), or the first. */
function reopenStage(changes, open) {
  const last = [...changes].sort((a, b) => (a.at < b.at ? -1 : 1)).reverse()
    .find((c) => c.to_kind === 'open' && open.some((stage) => stage.id === c.to_stage.id));
  return open.find((stage) => stage.id === last?.to_stage.id) || open[0];
}

/**
 * The pipeline's open stages as a bar (the current one marked aria-current), with Won and Lost, or Reopen on a
 * closed deal, for whoever may move it; one move a tap (the board's POST …/move with the deal's version), then the
 * card reloads. A read-only user sees the stages alone.
 */
function stageBar(deal, pipeline, changes, reload) {
  const open = pipeline.stages.filter((stage) => stage.kind === 'open');
  const won = pipeline.stages.find((stage) => stage.kind === 'won');
  const lost = pipeline.stages.find((stage) => stage.kind === 'lost');
  const may = mayMove(deal);
  let busy = false;
  const move = async (stage, message) => {
    if (busy || stage.id === deal.stage_id) return;
    let lostReason = null;
    if (stage.kind === 'lost') {
      lostReason = await askLostReason(pipeline.lost_reasons || []);
      if (!lostReason) return;
    }
    busy = true;
    for (const button of bar.querySelectorAll('button')) button.disabled = true;
    try {
      const body = { stage_id: stage.id, version: deal.version };
      if (lostReason) body.lost_reason = lostReason;
      await post(`/api/v1/deals/${encodeURIComponent(deal.id)}/move`, body);
      toast(message);
    } catch (error) {
      // 409: someone moved or changed the deal meanwhile; the reload shows where it stands now.
      toastError(error);
      if (!(error instanceof ApiError && error.status === 409)) {
        busy = false;
        for (const button of bar.querySelectorAll('button')) button.disabled = false;
        return;
      }
    }
    await reload();
    // The bar was drawn anew: the keyboard stays on it (the stage the deal is in now, or its first button).
    const again = document.querySelector('[data-test="stage-bar"]');
    (again?.querySelector('button[aria-current]') || again?.querySelector('button'))?.focus();
  };
  const current = (stage) => (stage.id === deal.stage_id ? 'step' : null);
  const steps = h('ol', { class: 'stage-steps' }, open.map((stage) => h('li', {}, may && deal.status === 'open'
    ? h('button', { type: 'button', class: 'stage-step', 'aria-current': current(stage), 'data-stage': stage.id,
      onClick: () => move(stage, t('deals.moved', { title: deal.title, stage: stage.name })) }, stage.name)
    : h('span', { class: 'stage-step', 'aria-current': current(stage), 'data-stage': stage.id }, stage.name))));
  // A lost deal's reopening clears its reason: a role that may not edit the reason keeps it lost (as the API does).
  const back = deal.status === 'won' || (deal.status === 'lost' && mine('lost_reason')) ? reopenStage(changes, open) : null;
  const actions = !may ? null : h('div', { class: 'stage-actions' }, deal.status === 'open' ? [
    won && h('button', { type: 'button', class: 'primary won', 'data-test': 'deal-won', onClick: () => move(won, t('deals.wonToast', { title: deal.title })) },
      t('deals.markWon')),
    lost && mine('lost_reason') && h('button', { type: 'button', class: 'secondary', 'data-test': 'deal-lost', onClick: () => move(lost, t('deals.lostToast', { title: deal.title })) },
      t('deals.markLost')),
  ] : [h('span', { class: ['badge', deal.status === 'won' ? 'badge-ok' : 'badge-off'], 'data-test': 'deal-status' },
    t(`deals.status.${deal.status}`)), back && h('button', { type: 'button', class: 'secondary', 'data-test': 'deal-reopen',
    onClick: () => move(back, t('deals.reopened', { title: deal.title, stage: back.name })) }, t('deals.reopen'))]);
  const bar = h('section', { class: ['panel', 'stage-bar', `stage-bar-${deal.status}`], 'aria-label': t('deals.stages'),
    'data-test': 'stage-bar' }, steps, actions);
  return bar;
}

/** "Create order" on a won deal (#23): its order in one step; a deal that has one already (made in one step, or by
 * hand while it was open) opens it. */
function createOrder(deal) {
  if (deal.status !== 'won' || !can('orders', 'create')) return null;
  return h('button', { type: 'button', class: 'primary', 'data-test': 'create-order', onClick: async (event) => {
    event.target.disabled = true;
    try {
      const made = await post(`/api/v1/deals/${encodeURIComponent(deal.id)}/order`, {});
      location.hash = `#/orders/${encodeURIComponent(made.id)}`;
    } catch (error) {
      event.target.disabled = false;
      const existing = error instanceof ApiError && error.code === 'duplicate_from_deal_id' ? error.details[0]?.existing_id : null;
      if (existing) location.hash = `#/orders/${encodeURIComponent(existing)}`; else toastError(error);
    }
  } }, t('deals.createOrder'));
}

/** The deal's orders (#23) and a new one for it, for whoever may read orders: a plumber quotes parts and labour while
 * the job is open (the order editor with the deal's first contact as the customer), and sees what was ordered. The
 * list is read when opened (the card keeps to its two requests); the orders' screen and its texts load with it. */
function dealOrdersPanel(deal) {
  if (!can('orders', 'read')) return null;
  const contact = (deal.contact_ids || [])[0];
  const make = deal.status === 'open' && can('orders', 'create') && contact
    ? h('a', { class: 'button-link small', 'data-test': 'deal-new-order',
      href: `#/orders/new${query({ contact, deal: deal.id })}` }, t('deals.newOrder')) : null;
  return ordersPanel({ filter: { deal_id: deal.id }, test: 'deal-orders', empty: 'deals.noOrders', after: make });
}

/** #/deals/:id: the deal card (two requests: the card, with its pipeline, and the deal's custom fields; the users once,
 * for another's deal; its orders when their panel is opened). */
export async function card(root, { params, navigate, alive }) {
  const reload = () => card(root, { params, alive });
  const [answer, definitions] = await Promise.all([get(`/api/v1/deals/${encodeURIComponent(params.id)}`),
    definitionsFor('deal')]);
  const deal = answer.deal;
  const changes = answer.stage_history || [];
  const pipeline = answer.pipeline || null;
  const owner = await ownerRow('deals', deal, { path: `/api/v1/deals/${encodeURIComponent(deal.id)}`, reload });
  if (!alive()) return;
  const stage = pipeline?.stages.find((s) => s.id === deal.stage_id) || changes.find((c) => c.to_stage.id === deal.stage_id)?.to_stage;
  const timeline = timelineList(answer.timeline || []);
  const changeable = mayMove(deal); // not so for one who reads the deal only for a task of theirs (a visit)
  mount(root, heading(deal.title, h('a', { href: `#/deals${query({ pipeline: deal.pipeline_id })}` }, t('deals.backToBoard')),
    createOrder(deal), changeable ? trashButton('deals', deal, deal.title, navigate, `/deals${query({ pipeline: deal.pipeline_id })}`) : null),
    pipeline ? stageBar(deal, pipeline, changes, reload) : null,
    h('div', { class: 'card-grid' },
      h('div', {}, h('section', { class: 'panel' }, dealFacts(deal, stage, definitions, owner)), changeable ? editDeal(deal, definitions, reload) : null,
        h('section', { class: 'panel' }, h('h2', {}, t('timeline.title')), noteForm({ type: 'deal', id: deal.id }, timeline), timeline.view)),
      h('div', {}, history(changes), linkGroups(answer.links, ['task']),
        // The deal's next step, below its tasks, where a rep between visits works: a call, a meeting, a to-do.
        can('tasks', 'create') ? h('section', { class: 'panel', 'data-test': 'deal-add-task' },
          h('h2', {}, t('tasks.addTitle')), taskForm(() => reload(), { type: 'deal', id: deal.id })) : null,
        linkPanel(deal, answer, reload), dealOrdersPanel(deal), documentsPanel('deal', deal.id, changeable))));
}
