// Where an integration's new leads go and who gets them: the pipeline and stage of the lead deal, and the
// responsible users (fixed or in turn). Website forms and phone lines share these settings.
import { h, mount, uid } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { field } from '../js/ui.js';
import { reads } from '../js/users.js';

function stageOptions(pipelines, pipelineId) {
  const pipeline = pipelines.find((p) => p.id === pipelineId) || pipelines.find((p) => p.is_default) || pipelines[0];
  return [['', t('integrations.firstStage')], ...(pipeline?.stages || []).filter((s) => s.kind === 'open').map((s) => [s.id, s.name])];
}

/** The pipeline and stage selects (the stage list follows the pipeline chosen). */
export function pipelineFields(pipelines, settings) {
  const pipelineField = field({ name: 'pipeline_id', label: t('deals.pipeline'), value: settings.pipeline_id || '',
    options: [['', t('integrations.defaultPipeline')], ...pipelines.map((p) => [p.id, p.name])] });
  const stageField = field({ name: 'stage_id', label: t('deals.stage'), value: settings.stage_id || '',
    options: stageOptions(pipelines, settings.pipeline_id) });
  pipelineField.querySelector('select').addEventListener('change', (event) => {
    const select = stageField.querySelector('select');
    mount(select, stageOptions(pipelines, event.target.value).map(([value, text]) => h('option', { value }, text)));
  });
  return [pipelineField, stageField];
}

/**
 * A member saved on the line whose role no longer reads what it hands over (her role was changed since): the round
 * skips her, so she is flagged with what her role cannot read, and one click takes her off the line (on Save, with
 * the rest of the form). Until then she stays: giving her role the reading puts her back in the round.
 */
function flaggedMember(user, missing, said) {
  const box = field({ name: `responsible.${user.id}`, label: user.name, type: 'checkbox', value: true, disabled: true,
    hint: t('integrations.cannotRead', { what: missing.map((entity) => t(`entity.${entity}`)).join(', ') }) });
  box.classList.add('member-flagged');
  box.dataset.test = 'member-flagged';
  box.querySelector('input').dataset.user = user.id;
  box.append(h('button', { type: 'button', class: 'secondary small', 'data-test': 'member-remove',
    'aria-label': t('integrations.removeMember', { name: user.name }), onClick: () => {
      const fieldset = box.closest('fieldset');
      box.remove();
      said.textContent = t('integrations.memberRemoved', { name: user.name });
      fieldset?.querySelector('input:not([disabled])')?.focus();
    } }, t('integrations.remove')));
  return box;
}

const FIND_FROM = 12; // a longer list of colleagues gets a box that narrows it as one types

function folded(text) {
  return text.toLocaleLowerCase().replace(/ё/g, 'е');
}

/** A box that narrows the colleagues' rows to those whose name holds what is typed (a company of 205 scrolled 205
 * boxes to find one); rows hidden keep their ticks. */
function memberFinder(rows) {
  const id = uid('find-member');
  const input = h('input', { id, type: 'search', autocomplete: 'off', enterkeyhint: 'search', 'data-test': 'member-find' });
  input.addEventListener('input', () => {
    const wanted = folded(input.value.trim());
    for (const row of rows) row.hidden = Boolean(wanted) && !folded(row.querySelector('label').textContent).includes(wanted);
  });
  input.addEventListener('keydown', (event) => { if (event.key === 'Enter') event.preventDefault(); }); // not a Save
  return h('div', { class: 'field member-find' }, h('label', { for: id }, t('integrations.findMember')), input);
}

/**
 * Who handles what a line brings, fixed or in turn; label says what they are responsible for. `needs`: what it hands
 * over (a form: the lead's contact and deal); a colleague whose role reads not all of it is skipped by the round, so
 * her box is shown disabled saying why, and flagged with a Remove when she is on the line already.
 */
export function responsibleFields(users, responsible, label = t('integrations.responsible'), needs = ['contacts', 'deals']) {
  const chosen = new Set(responsible?.user_ids || []);
  const said = h('p', { class: 'visually-hidden', role: 'status' });
  const rows = users.filter((u) => u.status === 'active').map((user) => {
    const missing = needs.filter((entity) => !reads(user, entity));
    if (missing.length && chosen.has(user.id)) return flaggedMember(user, missing, said);
    const box = field({ name: `responsible.${user.id}`, label: user.name, type: 'checkbox', value: chosen.has(user.id),
      ...(missing.length ? { disabled: true, hint: t('integrations.skipped') } : {}) });
    box.querySelector('input').dataset.user = user.id;
    return box;
  });
  return [field({ name: 'responsible_mode', label, value: responsible?.mode || 'fixed',
    options: [['fixed', t('integrations.mode.fixed')], ['round_robin', t('integrations.mode.round_robin')]],
    hint: t('integrations.responsibleHint') }),
  h('fieldset', { class: 'responsible-users' }, h('legend', {}, t('integrations.users')),
    rows.length >= FIND_FROM ? memberFinder(rows) : null, rows, said)];
}

/** The pipeline, stage and responsible settings of a form's values. */
export function leadRouting(values, formEl, pipelines) {
  const userIds = [...formEl.querySelectorAll('input[data-user]')].filter((box) => box.checked).map((box) => box.dataset.user);
  // The stage list of "the default pipeline" is that pipeline's: a chosen stage names it.
  const fallback = values.stage_id ? (pipelines.find((p) => p.is_default) || pipelines[0])?.id : null;
  return { pipeline_id: values.pipeline_id || fallback || null, stage_id: values.stage_id || null,
    responsible: { mode: values.responsible_mode, user_ids: userIds } };
}
