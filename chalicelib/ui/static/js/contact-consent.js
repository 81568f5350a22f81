// The contact card's consent to messages per channel (#24): read when the panel is opened (the card itself costs no
// request more), changed with how it was given; an unsubscribe link the customer followed shows here as withdrawn.
import { api, get } from './api.js';
import { h, mount, uid } from './dom.js';
import { t } from './i18n.js';
import { formatDateTime } from './format.js';
import { MESSAGES } from './messages.js';
import { CAMPAIGNS } from './messages-campaigns.js';
import { can } from './session.js';
import { toast, toastError } from './ui.js';

Object.assign(MESSAGES, CAMPAIGNS);
const CHANNELS = ['email', 'sms', 'whatsapp', 'telegram'];
const SOURCES = ['contact_card', 'verbal', 'written', 'web_form', 'import'];

function view(contactId, consent, place) {
  const editable = can('contacts', 'update');
  const selects = {};
  const rows = CHANNELS.map((channel) => {
    const state = consent[channel];
    const selectId = uid(`consent-${channel}`);
    selects[channel] = h('select', { id: selectId, disabled: !editable, 'data-test': `consent-${channel}` },
      ['granted', 'withdrawn', 'unknown'].map((status) => h('option', { value: status, selected: status === state.status,
        disabled: status === 'unknown' && state.status !== 'unknown' }, t(`consent.status.${status}`))));
    const since = state.at ? t('consent.since', { at: formatDateTime(state.at) }) : '';
    const how = state.source ? t(`consent.source.${state.source}`) : '';
    return h('li', { class: 'consent-row' }, h('label', { for: selectId }, t(`cm.channel.${channel}`)), selects[channel],
      h('span', { class: 'muted' }, [how, since].filter(Boolean).join(' · ')));
  });
  const sourceId = uid('consent-source');
  const source = h('select', { id: sourceId }, SOURCES.map((value) => h('option', { value }, t(`consent.source.${value}`))));
  const save = h('button', { type: 'button', class: 'secondary small', 'data-test': 'consent-save', onClick: async () => {
    const body = { source: source.value };
    for (const channel of CHANNELS) {
      if (selects[channel].value !== 'unknown' && selects[channel].value !== consent[channel].status) body[channel] = selects[channel].value;
    }
    try {
      const saved = await api('PUT', `/api/v1/contacts/${encodeURIComponent(contactId)}/consent`, body);
      toast(t('consent.saved'), 'ok');
      view(contactId, saved, place);
    } catch (error) { toastError(error); }
  } }, t('consent.save'));
  mount(place, h('ul', { class: 'consent-list' }, rows),
    editable ? h('div', { class: 'consent-save' }, h('label', { for: sourceId }, t('consent.source')), source, save) : null);
}

/** The panel (closed at first: opening it reads the consent). */
export function consentPanel(contact) {
  const place = h('div', {});
  const panel = h('details', { class: 'panel', 'data-test': 'consent-panel' }, h('summary', {}, t('consent.title')), place);
  panel.addEventListener('toggle', async () => {
    if (!panel.open || place.childElementCount) return;
    try {
      view(contact.id, await get(`/api/v1/contacts/${encodeURIComponent(contact.id)}/consent`), place);
    } catch (error) { toastError(error); }
  });
  return panel;
}
