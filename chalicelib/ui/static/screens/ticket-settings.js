// Settings → Service and SLA (#24): business hours (working days, opening and closing, time zone, holidays), SLA
// targets per priority in business minutes, whether customers are asked for a rating on close, and the address of
// the public knowledge base page.
import { api, get } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { MESSAGES } from '../js/messages.js';
import { TICKETS } from '../js/messages-tickets.js';
import { field, form, heading, toast } from '../js/ui.js';
import { settingsTabs } from './settings-nav.js';
import { zoneOptions } from './zones.js';

Object.assign(MESSAGES, TICKETS);

const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const COMPANY_ZONE = '';

function daysField(days) {
  return h('fieldset', { class: 'field days-field' }, h('legend', {}, t('tks.days')),
    [0, 1, 2, 3, 4, 5, 6].map((day) => h('label', { class: 'day-choice' },
      h('input', { type: 'checkbox', name: `day${day}`, checked: days.includes(day) }), ` ${t(`day.${day}`)}`)));
}

function targetsTable(targets) {
  return h('fieldset', { class: 'field sla-targets' }, h('legend', {}, t('tks.targets')),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tk.priority')),
      h('th', { scope: 'col' }, t('tk.firstResponse')), h('th', { scope: 'col' }, t('tk.resolution')))),
    h('tbody', {}, PRIORITIES.map((priority) => h('tr', {}, h('th', { scope: 'row' }, t(`tk.priority.${priority}`)),
      ['first_response', 'resolution'].map((kind) => h('td', {}, h('input', {
        type: 'number', min: 1, max: 525600, required: true, name: `${priority}.${kind}`,
        value: targets[priority][kind], 'aria-label': `${t(`tk.priority.${priority}`)}: ${t(kind === 'first_response'
          ? 'tk.firstResponse' : 'tk.resolution')}` })))))))));
}

function hoursForm(settings, reload) {
  const zones = [[COMPANY_ZONE, t('tks.zoneCompany', { zone: settings.timezone })], ...zoneOptions(settings.timezone)];
  return form({ className: 'form ticket-settings', submit: t('tk.save'), label: t('tks.hours'), children: [
    h('p', { class: 'hint' }, t('tks.intro')),
    field({ name: 'timezone', label: t('tks.zone'), value: settings.timezone_is_company ? COMPANY_ZONE : settings.timezone,
      options: zones }),
    daysField(settings.days),
    h('div', { class: 'field-row' },
      field({ name: 'opens', label: t('tks.opens'), type: 'time', value: settings.opens, required: true }),
      field({ name: 'closes', label: t('tks.closes'), type: 'time', value: settings.closes, required: true,
        hint: t('tks.closesHint') })),
    field({ name: 'holidays', label: t('tks.holidays'), type: 'textarea', rows: 3, value: settings.holidays.join('\n') }),
    targetsTable(settings.targets),
    field({ name: 'csat', label: t('tks.csat'), type: 'checkbox', value: settings.csat }),
  ], onSubmit: async (values) => {
    const targets = Object.fromEntries(PRIORITIES.map((priority) => [priority, {
      first_response: Number(values[`${priority}.first_response`]), resolution: Number(values[`${priority}.resolution`]) }]));
    await api('PUT', '/api/v1/ticket-settings', {
      version: settings.version, timezone: values.timezone || null,
      days: [0, 1, 2, 3, 4, 5, 6].filter((day) => values[`day${day}`]), opens: values.opens.slice(0, 5),
      closes: values.closes.slice(0, 5), holidays: values.holidays.split(/\s+/).filter(Boolean), targets, csat: values.csat });
    toast(t('tks.saved'), 'ok');
    await reload();
  } });
}

function siteForm(site, reload) {
  return form({ className: 'form kb-site', submit: t('tk.save'), label: t('tks.site'), children: [
    h('h2', {}, t('tks.site')),
    field({ name: 'slug', label: t('tks.siteSlug'), value: site.slug || '', pattern: '[a-z0-9]+(-[a-z0-9]+)*', minlength: 3,
      maxlength: 40, hint: t('tks.siteHint') }),
    field({ name: 'title', label: t('tks.siteTitle'), value: site.title || '', maxlength: 200 }),
    site.url ? h('p', {}, h('a', { href: site.url, target: '_blank', rel: 'noopener' }, t('tks.siteOpen'))) : null,
  ], onSubmit: async (values) => {
    await api('PUT', '/api/v1/kb/site', { version: site.version, slug: values.slug || null, title: values.title || null });
    toast(t('tks.saved'), 'ok');
    await reload();
  } });
}

/** #/settings/service: business hours, SLA targets, CSAT and the public knowledge base page. */
export async function settings(root, { alive }) {
  const load = async () => {
    const [current, site] = await Promise.all([get('/api/v1/ticket-settings'), get('/api/v1/kb/site')]);
    if (!alive()) return;
    mount(root, heading(t('settings.title')), settingsTabs('service'), h('h2', {}, t('tks.hours')), hoursForm(current, load),
      siteForm(site, load));
  };
  await load();
}
