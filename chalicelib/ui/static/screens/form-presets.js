// How to connect a website form, step by step, for the site builders people use (#20 item 13): Tilda, WordPress with
// Contact Form 7 or Elementor, Wix, any other site (the embed snippet) and your own server, in plain words; the
// address and the code to paste are right above the steps.
import { h, mount, uid } from '../js/dom.js';
import { has, t } from '../js/i18n.js';

export const BUILDERS = ['tilda', 'cf7', 'elementor', 'wix', 'snippet', 'server'];

function steps(builder) {
  const items = [];
  for (let n = 1; has(`preset.${builder}.${n}`); n += 1) items.push(h('li', {}, h('p', {}, t(`preset.${builder}.${n}`))));
  return h('ol', { 'data-test': `preset-${builder}` }, items);
}

/** "Where is your form?": a choice of site builder and its steps, open until the form has sent something. */
export function presetSteps(integration) {
  const id = uid('builder');
  const place = h('div', {});
  const select = h('select', { id, 'data-test': 'builder' }, BUILDERS.map((key) => h('option', { value: key },
    t(`preset.name.${key}`))));
  const show = () => mount(place, steps(select.value));
  select.addEventListener('change', show);
  show();
  return h('details', { class: 'setup-steps form-presets', open: !integration.stats?.received_24h },
    h('summary', {}, t('preset.title')),
    h('div', { class: 'field' }, h('label', { for: id }, t('preset.where')), select), place);
}
