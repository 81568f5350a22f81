// Settings → Data: import from CSV/XLSX (mapping preview, progress), export, the owner's full export and
// the company's deletion; and the public page of the e-mailed link that cancels a deletion.
import { ApiError, api, get, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { detailMessage, has, t } from '../js/i18n.js';
import { formatDateTime, formatNumber, formatPhone } from '../js/format.js';
import { can, forget, session } from '../js/session.js';
import { empty, failed, field, form, heading, pager, toast, toastError } from '../js/ui.js';
import { dataTabs, settingsTabs } from './settings-nav.js';
import { undoPanel } from './import-undo.js';

// What the API accepts (chalicelib/dataio/schemas.py): grow these as entities are added there.
const IMPORTABLE = ['contact', 'company', 'deal', 'product'];
const EXPORTABLE = ['contact', 'company', 'deal', 'product'];
const PERMISSION = { contact: 'contacts', company: 'companies', deal: 'deals', product: 'products' };
const POLL_MS = 1500;
const OPEN = new Set(['preview', 'queued', 'running', 'pending']);
const MAX_INLINE_FILE = 4 * 1024 * 1024; // what POST /api/v1/imports takes inline (dataio.schemas.MAX_UPLOAD_BYTES)
const MAX_UPLOADED_FILE = 20 * 1024 * 1024; // what an upload form takes (dataio.storage.MAX_DIRECT_UPLOAD)

/** Call fetchState until done() holds or the screen is left, drawing each answer. */
async function poll(fetchState, draw, done, alive) {
  for (;;) {
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
    if (!alive()) return;
    let state;
    try { state = await fetchState(); } catch (error) { toastError(error); return; }
    if (!alive()) return;
    draw(state);
    if (done(state)) return;
  }
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new ApiError(0, { code: 'file_unreadable', message: t('data.unreadable') }));
    reader.readAsDataURL(file);
  });
}

/**
 * The file as POST /api/v1/imports takes it: up to 4 MB in the request itself; a larger one (up to 20 MB) put straight
 * into the bucket through an upload form first (POST /api/v1/imports/uploads). An upload is read once, so each check
 * of the file with another mapping uploads it again. The bucket's answer is not read (no CORS needed, `no-cors`):
 * the import's request then says whether the file arrived (404 upload_not_found).
 */
async function fileSource(entity, file) {
  if (file.size <= MAX_INLINE_FILE) return { content_base64: await readBase64(file) };
  const form = await post('/api/v1/imports/uploads', { entity, filename: file.name });
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', file);
  try {
    await fetch(form.url, { method: 'POST', mode: 'no-cors', body, credentials: 'omit' });
  } catch {
    throw new ApiError(0, { code: 'upload_failed', message: t('data.uploadFailed') });
  }
  return { upload_id: form.upload_id };
}

/** A field of the import as people call it (the API names it first_name, prices.EUR, custom.inn); a custom field by
 * the label the company gave it (the import's labels), else its key. */
function fieldName(name, labels = {}) {
  if (name === 'row') return t('data.row'); // the first rows' number in the file
  if (has(`data.fieldName.${name}`)) return t(`data.fieldName.${name}`);
  const price = /^prices\.([A-Z]{3})$/.exec(name);
  if (price) return t('data.fieldName.priceIn', { currency: price[1] });
  const custom = /^custom\.(.+)$/.exec(name);
  return custom ? t('data.fieldName.custom', { key: labels[name] || custom[1] }) : name;
}

function stats(pairs) {
  return h('dl', { class: 'props stats' }, pairs.map(([label, value]) => [h('dt', {}, label), h('dd', {}, formatNumber(value))]));
}

/** Each row's problem under its field's name (two columns: on a phone the message has the width), with what of the
 * file it is about where the API names it (a phone with the extension that is not kept). */
function rowErrors(errors, labels = {}) {
  if (!errors.length) return null;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'row-errors' },
    h('caption', {}, t('data.rowErrors')),
    h('thead', {}, h('tr', {}, ['data.row', 'data.problem'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, errors.map((e) => h('tr', {}, h('td', { class: 'num' }, e.row),
      h('td', {}, h('strong', {}, fieldName(e.field, labels)), ': ', detailMessage({ type: e.type, msg: e.message }),
        e.value ? h('div', { class: 'hint' }, t('data.asTyped', { value: e.value })) : null))))));
}

function duplicateRows(duplicates, entity) {
  if (!duplicates.length) return null;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'duplicate-rows' }, h('caption', {}, t('data.duplicateRows')),
    h('thead', {}, h('tr', {}, ['data.row', 'data.match', 'data.sameAs'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, duplicates.map((d) => h('tr', {}, h('td', { class: 'num' }, d.row), h('td', {}, fieldName(d.match)),
      h('td', {}, d.existing_id ? h('a', { href: `#/${PERMISSION[entity] || 'contacts'}/${encodeURIComponent(d.existing_id)}` }, t('data.existing'))
        : t('data.rowN', { row: d.same_as_row })))))));
}

function sampleTable(job) {
  const sample = job.preview.sample || [];
  if (!sample.length) return null;
  const keys = [...new Set(sample.flatMap((row) => Object.keys(row)))];
  return h('div', { class: 'table-wrap' }, h('table', {}, h('caption', {}, t('data.sample')),
    h('thead', {}, h('tr', {}, keys.map((k) => h('th', { scope: 'col' }, fieldName(k, job.labels))))),
    // a row's note (its columns mapped to no field, "Column: value" a line) a line each, not letters in a narrow column
    h('tbody', {}, sample.map((row) => h('tr', {}, keys.map((k) => h('td', { class: k === 'notes' ? 'sample-notes' : null },
      formatCell(row[k], k))))))));
}

/** A sample's value as the card will show it: phones read as numbers ("+7 495 123-45-00"), not E.164. */
function formatCell(value, key = '') {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => formatCell(item, key)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return key === 'phone' || key.endsWith('_phone') ? formatPhone(String(value)) : String(value);
}

function mappingTable(job) {
  const named = job.fields.map((f) => [f, fieldName(f, job.labels)]).sort((a, b) => a[1].localeCompare(b[1]));
  // a column mapped to no field is kept in a note on its record where the records take notes (not products), unless
  // it is left out ('-': chosen so, or a field the role may not change)
  const skips = job.fields.includes('notes') ? [['', t('data.keepInNote')], ['-', t('data.ignore')]] : [['', t('data.ignore')]];
  const options = [...skips, ...named]; // in the reader's alphabet
  return h('div', { class: 'table-wrap' }, h('table', { class: 'mapping' }, h('caption', {}, t('data.mapping')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('data.column')), h('th', { scope: 'col' }, t('data.target')))),
    h('tbody', {}, job.columns.map((column) => h('tr', {}, h('th', { scope: 'row' }, column),
      h('td', {}, h('select', { 'data-column': column, 'aria-label': t('data.mapColumn', { column }) },
        options.map(([value, text]) => h('option', { value, selected: (job.mapping[column] || '') === value }, text)))))))));
}

/** A deals import's stages: each stage value of the file and the stage of the chosen pipeline it becomes. */
function stageTable(job, pipelines, remap) {
  const pv = job.preview;
  const pipeline = pipelines.find((p) => p.id === pv.pipeline_id);
  if (job.entity !== 'deal' || !pv.stages?.length || !pipeline) return null;
  const choose = h('select', { 'data-pipeline': '', 'aria-label': t('data.pipeline'),
    onChange: () => remap(choose.value) }, pipelines.map((p) => h('option', { value: p.id, selected: p.id === pipeline.id }, p.name)));
  const options = [['', t('data.noStage')], ...pipeline.stages.map((stage) => [stage.id, stage.name])];
  return h('div', { class: 'stage-mapping', 'data-test': 'stage-mapping' }, h('h3', {}, t('data.stages')),
    h('label', { class: 'field' }, h('span', {}, t('data.pipeline')), choose),
    h('p', { class: 'hint' }, t('data.stagesHint')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'mapping stages' }, h('caption', {}, t('data.stages')),
      h('thead', {}, h('tr', {}, ['data.stageInFile', 'data.stageTarget'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, pv.stages.map((item) => h('tr', {}, h('th', { scope: 'row' }, item.value,
        h('div', { class: 'hint' }, t('data.rowsCount', { n: item.rows, count: formatNumber(item.rows) }))),
        h('td', {}, h('select', { 'data-stage': item.value, 'aria-label': t('data.mapStage', { value: item.value }) },
          options.map(([value, text]) => h('option', { value, selected: (item.stage_id || '') === value }, text))))))))));
}

/** The pipeline and stages chosen on the panel, as the upload and the start take them (none for other imports). */
function chosenStages(panel) {
  const pipeline = panel.querySelector('select[data-pipeline]');
  if (!pipeline) return {};
  const stages = {};
  for (const select of panel.querySelectorAll('select[data-stage]')) stages[select.dataset.stage] = select.value || null;
  return { pipeline_id: pipeline.value, stages };
}

function chosenMapping(panel) {
  const mapping = {};
  for (const select of panel.querySelectorAll('select[data-column]')) mapping[select.dataset.column] = select.value || null;
  return mapping;
}

function progressView(job, undoStatus = 'none', alive = () => true, onUndone = () => {}) {
  const p = job.progress;
  const done = job.status === 'done';
  return h('div', { class: `notice ${done ? 'notice-ok' : ''}`, role: 'status', 'data-test': 'import-progress' },
    h('p', {}, t(`data.status.${job.status}`)),
    h('progress', { max: String(job.total_rows || 1), value: String(p.processed), 'aria-label': t('data.progress') }),
    stats([[t('data.processed'), p.processed], [t('data.created'), p.created], [t('data.duplicates'), p.duplicates],
      [t('data.failed'), p.failed], ...(p.companies_created ? [[t('data.companiesCreated'), p.companies_created]] : [])]),
    job.failure ? h('p', {}, job.failure) : null, rowErrors(p.errors, job.labels), duplicateRows(p.duplicate_rows || [], job.entity),
    undoPanel(job, alive, undoStatus, onUndone));
}

function importPreview(job, upload, alive, onStarted, pipelines = []) {
  const panel = h('div', { class: 'import-preview', 'data-test': 'import-preview' });
  const pv = job.preview;
  const start = h('button', { type: 'button', class: 'primary', onClick: async () => {
    start.disabled = true;
    try {
      const started = await post(`/api/v1/imports/${encodeURIComponent(job.id)}/start`,
        { version: job.version, mapping: chosenMapping(panel), ...chosenStages(panel) });
      mount(panel, progressView(started, 'none', alive, onStarted));
      onStarted();
      poll(() => get(`/api/v1/imports/${encodeURIComponent(job.id)}`),
        (state) => mount(panel, progressView(state, 'none', alive, onStarted)),
        (state) => !OPEN.has(state.status), alive).then(onStarted);
    } catch (error) { start.disabled = false; toastError(error); }
  } }, t('data.start'));
  const recheck = h('button', { type: 'button', class: 'secondary',
    onClick: () => upload(chosenMapping(panel), chosenStages(panel)) }, t('data.recheck'));
  const remap = (pipelineId) => upload(chosenMapping(panel), { pipeline_id: pipelineId }); // its stages suggested anew
  mount(panel, h('p', {}, t('data.fileInfo', { name: job.filename, format: job.file_format.toUpperCase(), n: job.total_rows,
    count: formatNumber(job.total_rows) })),
  stats([[t('data.rows'), pv.rows], [t('data.valid'), pv.valid], [t('data.invalid'), pv.invalid],
    [t('data.duplicates'), pv.duplicates], ...(pv.new_companies ? [[t('data.newCompanies'), pv.new_companies]] : [])]),
  mappingTable(job), stageTable(job, pipelines, remap), pv.ignored_fields.length ? h('p', { class: 'hint' }, t('data.ignored', { list: pv.ignored_fields.map(fieldName).join(', ') })) : null,
  rowErrors(pv.errors, job.labels), duplicateRows(pv.duplicate_rows, job.entity), sampleTable(job), h('div', { class: 'row-actions' }, recheck, start));
  return panel;
}

function importSection(alive, onStarted) {
  const entities = IMPORTABLE.filter((e) => can(PERMISSION[e], 'create'));
  if (!entities.length) return null;
  const slot = h('div', {});
  let last = null;
  let latest = 0;  // a newer upload's preview and progress replace an older one's
  const upload = async (mapping = null, stages = {}) => {
    const job = await post('/api/v1/imports', { entity: last.entity, filename: last.file.name,
      ...await fileSource(last.entity, last.file), mapping, ...stages });
    const mine = ++latest;
    // a deals import maps its stages to a pipeline's: read the pipelines (a role that may not keep the names matching)
    const pipelines = job.preview.stages?.length ? await get('/api/v1/pipelines').then((page) => page.items, () => []) : [];
    if (mine !== latest) return;
    mount(slot, importPreview(job, (next, more) => upload(next, more).catch(toastError), () => alive() && mine === latest,
      onStarted, pipelines));
  };
  return h('section', { class: 'panel' }, h('h2', {}, t('data.importTitle')), h('p', { class: 'muted' }, t('data.importIntro')),
    form({ submit: t('data.upload'), label: t('data.importTitle'), onSubmit: async (values, formEl) => {
      const file = formEl.querySelector('input[type="file"]').files[0];
      if (!file) {
        throw new ApiError(422, { code: 'validation_error', message: t('data.chooseFile'),
          details: [{ loc: ['file'], msg: t('data.chooseFile') }] });
      }
      if (file.size > MAX_UPLOADED_FILE) { // refused before a byte is read or sent
        throw new ApiError(413, { code: 'import_file_too_large', message: t('data.fileTooLarge'),
          details: [{ loc: ['file'], msg: t('data.fileTooLarge') }] });
      }
      last = { entity: values.entity, file };
      await upload();
    }, children: h('div', { class: 'form-grid' },
      field({ name: 'entity', label: t('data.entity'), options: entities.map((e) => [e, t(`data.entity.${e}`)]) }),
      field({ name: 'file', label: t('data.file'), type: 'file', accept: '.csv,.xlsx,.xls,text/csv', hint: t('data.fileHint') })) }),
    slot);
}

// -- the company's recent imports: found again after leaving the screen --------------------------------------------

const STATUS_BADGE = { done: 'badge-ok', failed: 'badge-off', queued: 'badge-warn', running: 'badge-warn' };

function importCounts(item) {
  const n = (key, value) => t(key, { n: value, count: formatNumber(value) });
  return [n('data.history.made', item.created), item.companies_created ? n('data.history.companies', item.companies_created) : null,
    item.duplicates ? n('data.history.skipped', item.duplicates) : null,
    item.failed ? n('data.history.errors', item.failed) : null].filter(Boolean).join(' · ');
}

function starterName(starter) {
  if (starter.kind === 'api_key') return t('data.history.byKey');
  return starter.name || t('data.history.byRemoved');
}

function importItem(item, open) {
  const undone = item.undo_status !== 'none';
  const when = item.started_at || item.created_at;
  return h('li', { 'data-import': item.id }, h('div', { class: 'grow' },
    h('button', { type: 'button', class: 'link title', 'aria-label': t('data.history.open', { name: item.filename }),
      onClick: () => open(item) }, item.filename),
    h('div', { class: 'meta' }, [t(`data.entity.${item.entity}`), importCounts(item), starterName(item.started_by),
      formatDateTime(when)].join(' · '))),
  h('span', { class: `badge ${STATUS_BADGE[item.status] || ''}` }, t(`data.status.${item.status}`)),
  undone ? h('span', { class: 'badge badge-off' }, t(item.undo_status === 'done' ? 'data.history.undone' : 'data.history.undoing'))
    : null);
}

/** One import of the list opened: its progress (followed while it runs), its result, errors, skipped rows and undo. */
async function openImport(item, slot, alive, refresh) {
  const path = `/api/v1/imports/${encodeURIComponent(item.id)}`;
  const draw = (job) => mount(slot, h('div', { class: 'import-detail', 'data-test': 'import-detail' },
    h('h3', {}, job.filename), progressView(job, item.undo_status, alive, refresh)));
  const job = await get(path);
  if (!alive()) return;
  draw(job);
  slot.scrollIntoView({ block: 'nearest' });
  if (OPEN.has(job.status)) poll(() => get(path), draw, (state) => !OPEN.has(state.status), alive);
}

/** Settings → Data, "Recent imports": newest first, each with its status, counts, who started it and when. */
function historySection(alive) {
  const list = h('div', {});
  const detail = h('div', { class: 'import-opened' });
  let asked = 0;
  const open = (item) => {
    const mine = ++asked;
    openImport(item, detail, () => alive() && mine === asked, () => load().catch(toastError)).catch(toastError);
  };
  const load = async () => {
    const page = await get('/api/v1/imports?limit=20');
    // a page holds the started imports among 20 (uploads left in preview are not listed): read on past empty ones
    for (let more = 4; !page.items.length && page.next_cursor && more > 0; more -= 1) {
      Object.assign(page, await get(`/api/v1/imports${query({ limit: 20, cursor: page.next_cursor })}`));
    }
    if (!alive()) return;
    const items = h('ul', { class: 'list import-list', 'data-test': 'import-list' }, page.items.map((item) => importItem(item, open)));
    const more = async (cursor) => {
      const next = await get(`/api/v1/imports${query({ limit: 20, cursor })}`);
      items.append(...next.items.map((item) => importItem(item, open)));
      const again = pager(next.next_cursor, more);
      if (again) items.after(again);
    };
    mount(list, page.items.length ? items : h('p', { class: 'muted' }, t('data.history.empty')), pager(page.next_cursor, more));
  };
  const section = h('section', { class: 'panel', 'data-test': 'import-history' }, h('h2', {}, t('data.history.title')),
    list, detail);
  return { section, refresh: () => load().catch(toastError) };
}

function downloadLink(url, expires, label) {
  return h('p', {}, h('a', { href: url, class: 'download', download: '', rel: 'noopener' }, label),
    expires ? h('span', { class: 'hint' }, ` ${t('data.linkExpires', { at: formatDateTime(expires) })}`) : null);
}

function exportState(job) {
  return h('div', { class: `notice ${job.status === 'done' ? 'notice-ok' : ''}`, role: 'status', 'data-test': 'export-status' },
    h('p', {}, t(`data.status.${job.status}`), job.rows ? ` · ${t('data.rowsCount', { n: job.rows, count: formatNumber(job.rows) })}` : ''),
    job.download_url ? downloadLink(job.download_url, job.download_expires_at, t('data.download', { name: job.filename || '' })) : null,
    job.failure ? h('p', {}, job.failure) : null);
}

function exportSection(alive) {
  const entities = EXPORTABLE.filter((e) => can(PERMISSION[e], 'export'));
  if (!entities.length) return null;
  const slot = h('div', {});
  let latest = 0;  // a newer export's polling replaces an older one's
  return h('section', { class: 'panel' }, h('h2', {}, t('data.exportTitle')), h('p', { class: 'muted' }, t('data.exportIntro')),
    form({ submit: t('data.export'), label: t('data.exportTitle'), onSubmit: async (values) => {
      const job = await post('/api/v1/exports', { entity: values.entity, format: values.format,
        include_sensitive: Boolean(values.include_sensitive) });
      const mine = ++latest;
      mount(slot, exportState(job));
      poll(() => get(`/api/v1/exports/${encodeURIComponent(job.id)}`), (state) => mount(slot, exportState(state)),
        (state) => !OPEN.has(state.status), () => alive() && mine === latest);
    }, children: h('div', { class: 'form-grid' },
      field({ name: 'entity', label: t('data.entity'), options: entities.map((e) => [e, t(`data.entity.${e}`)]) }),
      field({ name: 'format', label: t('data.format'), options: [['csv', 'CSV'], ['xlsx', 'XLSX (Excel)']] }),
      session.seesSensitive ? field({ name: 'include_sensitive', label: t('data.includeSensitive'), type: 'checkbox',
        hint: t('data.includeSensitiveHint') }) : null) }), slot);
}

function tenantExportState(job) {
  return h('div', { class: `notice ${job.status === 'done' ? 'notice-ok' : ''}`, role: 'status', 'data-test': 'tenant-export-status' },
    h('p', {}, t(`data.status.${job.status}`), ` · ${t('data.requestedAt', { at: formatDateTime(job.requested_at) })}`),
    job.download_url ? downloadLink(job.download_url, job.download_expires_at, t('data.downloadArchive')) : null,
    job.error ? h('p', {}, job.error) : null);
}

function tenantExportSection(alive) {
  const slot = h('div', {});
  const button = h('button', { type: 'button', class: 'secondary', onClick: async () => {
    button.disabled = true;
    try {
      const job = await post('/api/v1/tenant/export');
      mount(slot, tenantExportState(job));
      await poll(() => get(`/api/v1/tenant/export/${encodeURIComponent(job.id)}`), (s) => mount(slot, tenantExportState(s)),
        (s) => !OPEN.has(s.status), alive);
    } catch (error) { toastError(error); } finally { button.disabled = false; }
  } }, t('data.tenantExport'));
  return h('section', { class: 'panel' }, h('h2', {}, t('data.tenantExportTitle')),
    h('p', { class: 'muted' }, t('data.tenantExportIntro')), button, slot);
}

function deletionScheduled(answer, navigate) {
  return h('div', { class: 'secret-box', role: 'alert', 'data-test': 'deletion-scheduled' },
    h('p', {}, h('strong', {}, t('data.deletionScheduled', { at: formatDateTime(answer.purge_after) }))),
    h('p', {}, t('data.deletionCancelHow')),
    h('button', { type: 'button', class: 'secondary', onClick: () => { forget(); navigate('/login'); } }, t('shell.logout')));
}

function deletionSection(navigate) {
  const slot = h('div', {});
  const section = h('section', { class: 'panel danger-zone' }, h('h2', {}, t('data.deleteTitle')),
    h('p', {}, t('data.deleteIntro')), slot);
  mount(slot, form({ submit: t('data.deleteSubmit'), label: t('data.deleteTitle'), onSubmit: async (values) => {
    if (values.confirm_name !== session.tenant.name) {
      throw new ApiError(422, { code: 'validation_error', message: t('data.nameMismatch'),
        details: [{ loc: ['confirm_name'], msg: t('data.nameMismatch') }] });
    }
    const answer = await post('/api/v1/tenant/deletion', { password: values.password });
    mount(slot, deletionScheduled(answer, navigate));
  }, children: [
    field({ name: 'confirm_name', label: t('data.typeName', { name: session.tenant.name }), autocomplete: 'off', required: true }),
    field({ name: 'password', label: t('auth.password'), type: 'password', autocomplete: 'current-password', required: true }),
  ] }));
  slot.querySelector('button[type="submit"]').className = 'danger';
  return section;
}

/** #/settings/data: imports, exports and, for the owner, the company's full export and deletion. */
export async function data(root, { navigate, alive }) {
  const owner = session.user.role === 'owner';
  const history = IMPORTABLE.some((e) => can(PERMISSION[e], 'create')) ? historySection(alive) : null;
  const sections = [importSection(alive, () => history?.refresh()), history?.section, exportSection(alive),
    owner ? tenantExportSection(alive) : null, owner ? deletionSection(navigate) : null].filter(Boolean);
  if (history) await history.refresh();
  if (!alive()) return;
  mount(root, heading(t('settings.title')), settingsTabs('data'), dataTabs('data'),
    sections.length ? sections : empty(t('data.nothing')));
}

/** #/cancel-deletion?token=: the e-mailed link that stops a scheduled deletion (no sign-in needed). */
export async function cancelDeletion(root, { query: params }) {
  const token = params.get('token') || '';
  const result = h('div', {});
  const button = h('button', { type: 'button', class: 'primary', onClick: async () => {
    button.disabled = true;
    try {
      await api('DELETE', '/api/v1/tenant/deletion', { token });
      mount(result, h('p', { class: 'notice notice-ok', role: 'status' }, t('data.deletionCancelled')),
        h('p', {}, h('a', { href: '#/login' }, t('auth.login'))));
      button.remove();
      toast(t('data.deletionCancelled'));
    } catch (error) {
      button.disabled = false;
      mount(result, failed(error));
    }
  } }, t('data.cancelDeletion'));
  mount(root, h('div', { class: 'auth-card' }, heading(t('title.data.cancelDeletion')),
    h('p', {}, t('data.cancelIntro')), result, button));
}
