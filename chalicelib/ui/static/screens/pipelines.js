// Settings → Pipelines: rename, stages (add, rename, reorder, kind, remove with their deals moved), lost reasons.
import { ApiError, del, get, patch, post } from '../js/api.js';
import { h, mount, uid } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can } from '../js/session.js';
import { confirmAction, field, form, heading, openModal, toast, toastError } from '../js/ui.js';
import { settingsTabs } from './settings-nav.js';

const KINDS = ['open', 'won', 'lost'];

/** Ask which stage receives the deals of removed stages; resolves to its id or null. */
function askMoveTo(stages, occupied) {
  return new Promise((resolve) => {
    const selectId = uid('move-to');
    const select = h('select', { id: selectId }, stages.map((stage) => h('option', { value: stage.id }, stage.name)));
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${selectId}-title` },
      h('form', { method: 'dialog' }, h('h2', { id: `${selectId}-title` }, t('pipelines.moveTitle')),
        h('p', {}, t('pipelines.moveText', { n: occupied, count: occupied })),
        h('div', { class: 'field' }, h('label', { for: selectId }, t('pipelines.moveTo')), select),
        h('div', { class: 'dialog-actions' }, h('button', { value: 'cancel', class: 'secondary' }, t('common.cancel')),
          h('button', { value: 'ok', class: 'primary' }, t('pipelines.moveAndSave')))));
    openModal(dialog, (answer) => resolve(answer === 'ok' ? select.value : null));
  });
}

class StageEditor {
  constructor(pipeline, editable) {
    this.rows = pipeline.stages.map((stage) => ({ id: stage.id, name: stage.name, kind: stage.kind }));
    this.editable = editable;
    this.list = h('ol', { class: 'stage-list' });
    this.draw();
  }

  move(index, by, focusClass) {
    const target = index + by;
    if (target < 0 || target >= this.rows.length) return;
    [this.rows[index], this.rows[target]] = [this.rows[target], this.rows[index]];
    this.draw();
    this.list.children[target]?.querySelector(`.${focusClass}`)?.focus();
  }

  stageRow(row, index) {
    const last = this.rows.length - 1;
    const name = h('input', { name: `stages.${index}.name`, value: row.name, maxlength: '60', 'aria-label': t('pipelines.stageName', { n: index + 1 }),
      readOnly: !this.editable, onInput: (event) => { row.name = event.target.value; } });
    const kind = h('select', { 'aria-label': t('pipelines.stageKind', { name: row.name || index + 1 }), disabled: !this.editable,
      onChange: (event) => { row.kind = event.target.value; } },
    KINDS.map((k) => h('option', { value: k, selected: k === row.kind }, t(`pipelines.kind.${k}`))));
    const button = (label, cls, onClick, disabled) => h('button', { type: 'button', class: `secondary small ${cls}`,
      'aria-label': `${label}: ${row.name}`, disabled, onClick }, label);
    const tools = this.editable ? h('div', { class: 'row-actions' },
      button(t('pipelines.up'), 'stage-up', () => this.move(index, -1, 'stage-up'), index === 0),
      button(t('pipelines.down'), 'stage-down', () => this.move(index, 1, 'stage-down'), index === last),
      button(t('pipelines.removeStage'), 'stage-remove', () => { this.rows.splice(index, 1); this.draw(); },
        this.rows.length <= 2)) : null;
    // Alt+arrow keys reorder from the name box, so the keyboard needs no trip to the buttons.
    name.addEventListener('keydown', (event) => {
      if (!this.editable || !event.altKey || !['ArrowUp', 'ArrowDown'].includes(event.key)) return;
      event.preventDefault();
      this.move(index, event.key === 'ArrowUp' ? -1 : 1, 'stage-name');
    });
    name.classList.add('stage-name');
    return h('li', { class: `stage-row stage-${row.kind}`, 'data-stage': row.id || '' }, name, kind, tools);
  }

  draw() {
    mount(this.list, this.rows.map((row, index) => this.stageRow(row, index)));
  }

  add() {
    this.rows.push({ id: null, name: '', kind: 'open' });
    // New stages go before the closing ones, where an open stage belongs.
    const firstClosed = this.rows.findIndex((row) => row.kind !== 'open');
    if (firstClosed >= 0 && firstClosed < this.rows.length - 1) this.rows.splice(firstClosed, 0, this.rows.pop());
    this.draw();
    const index = firstClosed >= 0 && firstClosed < this.rows.length - 1 ? firstClosed : this.rows.length - 1;
    this.list.children[index]?.querySelector('.stage-name')?.focus();
  }

  stages() {
    return this.rows.map((row) => (row.id ? { id: row.id, name: row.name.trim(), kind: row.kind }
      : { name: row.name.trim(), kind: row.kind }));
  }
}

function reasonsOf(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean);
}

async function save(pipeline, body, reload) {
  try {
    return await patch(`/api/v1/pipelines/${encodeURIComponent(pipeline.id)}`, body);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    if (error.code !== 'stage_not_empty' || !error.details.some((d) => d && d.stage_id)) {
      if (error.code === 'version_conflict') { toast(t('common.conflict'), 'error'); await reload(); return null; }
      throw error;
    }
    const kept = body.stages.filter((stage) => stage.id).map((stage) => ({ id: stage.id, name: stage.name }));
    const occupied = error.details.reduce((sum, d) => sum + (Number(d.deals) || 0), 0);
    const moveTo = await askMoveTo(kept, occupied);
    if (!moveTo) return null;
    return patch(`/api/v1/pipelines/${encodeURIComponent(pipeline.id)}`, { ...body, move_to: moveTo });
  }
}

function pipelinePanel(pipeline, reload) {
  const editable = can('pipelines', 'update');
  const editor = new StageEditor(pipeline, editable);
  const addStage = editable ? h('button', { type: 'button', class: 'secondary', onClick: () => editor.add() },
    t('pipelines.addStage')) : null;
  const remove = can('pipelines', 'delete') && !pipeline.is_default ? h('button', { type: 'button', class: 'secondary small',
    onClick: async () => {
      if (!(await confirmAction(t('pipelines.deleteConfirm', { name: pipeline.name }), t('common.delete')))) return;
      try { await del(`/api/v1/pipelines/${encodeURIComponent(pipeline.id)}`); toast(t('common.deleted')); await reload(); } catch (error) {
        toastError(error);
      }
    } }, t('pipelines.delete')) : null;
  const edit = form({ submit: t('common.save'), label: pipeline.name, onSubmit: async (values) => {
    const saved = await save(pipeline, { version: pipeline.version, name: values.name, stages: editor.stages(),
      lost_reasons: reasonsOf(values.lost_reasons) }, reload);
    if (!saved) return;
    toast(t('common.saved'));
    await reload();
  }, children: [
    field({ name: 'name', label: t('pipelines.name'), value: pipeline.name, required: true, maxlength: '80', readOnly: !editable }),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, t('pipelines.stages')),
      h('p', { class: 'hint' }, t('pipelines.stagesHint')), editor.list, addStage, h('p', { class: 'field-error', id: uid('stages') })),
    field({ name: 'lost_reasons', label: t('pipelines.lostReasons'), type: 'textarea', value: pipeline.lost_reasons.join('\n'),
      hint: t('pipelines.lostReasonsHint'), readOnly: !editable }),
  ] });
  if (!editable) edit.querySelector('.form-actions').hidden = true;
  return h('section', { class: 'panel', 'data-pipeline': pipeline.id },
    h('div', { class: 'page-head' }, h('h2', {}, pipeline.name, pipeline.is_default ? [' ', h('span', { class: 'badge' },
      t('pipelines.default'))] : null), remove), edit);
}

/** #/settings/pipelines: every pipeline with its stage editor, and a form for a new pipeline. */
export async function pipelines(root, { alive }) {
  const list = await get('/api/v1/pipelines');
  if (!alive()) return;
  const reload = () => pipelines(root, { alive });
  const create = can('pipelines', 'create') ? h('section', { class: 'panel' }, h('h2', {}, t('pipelines.createTitle')),
    form({ submit: t('pipelines.create'), label: t('pipelines.createTitle'), onSubmit: async (values) => {
      await post('/api/v1/pipelines', { name: values.name });
      toast(t('common.saved'));
      await reload();
    }, children: [field({ name: 'name', label: t('pipelines.newName'), required: true, maxlength: '80',
      hint: t('pipelines.newHint') })] })) : null;
  mount(root, heading(t('settings.title')), settingsTabs('pipelines'),
    list.items.map((pipeline) => pipelinePanel(pipeline, reload)), create);
}
