// The signed-in user's profile and security, and the company's settings.
import { ApiError, get, patch, post } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { LANGS, getLang, setLang, t } from '../js/i18n.js';
import { begin, can, session, signOut, update } from '../js/session.js';
import { copyButton, field, form, heading, toast, toastError } from '../js/ui.js';
import { countryOptions } from './auth.js';
import { settingsTabs } from './settings-nav.js';
import { zoneOptions } from './zones.js';

/** #/settings/profile: name and language. */
export function profile(root) {
  const user = session.user;
  const submit = async (values) => {
    const saved = await patch(`/api/v1/users/${encodeURIComponent(user.id)}`, { version: user.version,
      name: values.name, locale: values.locale });
    update({ user: saved });
    toast(t('common.saved'));
    if (values.locale !== getLang()) setLang(values.locale);
  };
  mount(root, heading(t('settings.title')), settingsTabs('profile'),
    h('section', { class: 'panel' }, h('h2', {}, t('settings.profile')),
      h('dl', { class: 'props' }, h('dt', {}, t('auth.email')), h('dd', {}, user.email),
        h('dt', {}, t('users.role')), h('dd', {}, roleName(user.role))),
      form({ submit: t('common.save'), onSubmit: submit, label: t('settings.profile'), children: [
        field({ name: 'name', label: t('auth.yourName'), value: user.name, autocomplete: 'name', required: true }),
        field({ name: 'locale', label: t('auth.language'), value: user.locale || getLang(), options: LANGS }),
      ] })));
}

/** A role's name in the interface language (custom roles show their key). */
export function roleName(key) {
  return ['owner', 'admin', 'manager', 'agent', 'read_only'].includes(key) ? t(`role.${key}`) : key;
}

function limitedNotice() {
  if (session.limited === 'password') return h('p', { class: 'notice', role: 'alert' }, t('security.mustChangePassword'));
  if (session.limited === 'totp') return h('p', { class: 'notice', role: 'alert' }, t('security.mustEnrollTotp'));
  return null;
}

function passwordForm() {
  const submit = async (values, formEl) => {
    if (values.new_password !== values.new_password_confirm) {
      throw new ApiError(422, { code: 'passwords_differ', message: t('auth.passwordsDiffer'),
        details: [{ loc: ['new_password_confirm'], msg: t('auth.passwordsDiffer') }] });
    }
    let answer;
    try {
      answer = await post('/api/v1/auth/password', { current_password: values.current_password,
        new_password: values.new_password });
    } catch (error) {
      // The policy check names the field "password"; here it is the new one.
      error.details = error.details?.map((d) => ({ ...d, loc: (d.loc || []).map((p) => (p === 'password' ? 'new_password' : p)) }));
      throw error;
    }
    await begin(answer);
    formEl.reset();
    toast(t('security.passwordChanged'));
  };
  return h('section', { class: 'panel' }, h('h2', {}, t('security.password')),
    h('p', { class: 'muted' }, t('security.passwordIntro')),
    form({ submit: t('security.changePassword'), onSubmit: submit, label: t('security.password'), children: [
      field({ name: 'current_password', label: t('security.currentPassword'), type: 'password',
        autocomplete: 'current-password', required: true }),
      field({ name: 'new_password', label: t('auth.newPassword'), type: 'password', autocomplete: 'new-password',
        required: true, hint: t('security.minLength', { n: session.tenant.password_min_length }) }),
      field({ name: 'new_password_confirm', label: t('auth.repeatPassword'), type: 'password',
        autocomplete: 'new-password', required: true }),
    ] }));
}

function totpSection(rerender) {
  const box = h('section', { class: 'panel' }, h('h2', {}, t('security.totp')));
  if (session.user.totp_enabled) {
    box.append(h('p', {}, h('span', { class: 'badge badge-ok' }, t('security.totpOn'))),
      form({ submit: t('security.totpDisable'), label: t('security.totpDisable'), onSubmit: async (values) => {
        const user = await post('/api/v1/auth/totp/disable', { password: values.password, code: values.code });
        update({ user });
        toast(t('security.totpDisabled'));
        rerender();
      }, children: [
        field({ name: 'password', label: t('auth.password'), type: 'password', autocomplete: 'current-password' }),
        field({ name: 'code', label: t('auth.otp'), inputmode: 'numeric', autocomplete: 'one-time-code' }),
      ] }));
    return box;
  }
  const start = h('button', { type: 'button', class: 'secondary', onClick: async () => {
    start.disabled = true;
    try {
      const setup = await post('/api/v1/auth/totp/setup');
      start.replaceWith(enrolment(setup, rerender));
    } catch (error) {
      start.disabled = false;
      toastError(error);
    }
  } }, t('security.totpSetup'));
  box.append(h('p', { class: 'muted' }, t('security.totpIntro')), start);
  return box;
}

function enrolment(setup, rerender) {
  return h('div', {},
    h('div', { class: 'secret-box' }, h('p', {}, t('security.totpScan')),
      h('p', {}, h('strong', {}, t('security.totpSecret'))), h('code', { class: 'mono', 'data-test': 'totp-secret' },
        setup.secret), copyButton(setup.secret),
      h('p', {}, h('strong', {}, t('security.totpUri'))), h('code', { class: 'mono' }, setup.otpauth_uri),
      copyButton(setup.otpauth_uri)),
    form({ submit: t('security.totpEnable'), label: t('security.totpEnable'), onSubmit: async (values) => {
      await begin(await post('/api/v1/auth/totp/enable', { code: values.code }));
      toast(t('security.totpEnabled'));
      rerender();
    }, children: [field({ name: 'code', label: t('auth.otp'), inputmode: 'numeric', autocomplete: 'one-time-code',
      required: true })] }));
}

function sessionsSection(navigate) {
  const everywhere = h('button', { type: 'button', class: 'secondary', onClick: async () => {
    everywhere.disabled = true;
    try { await signOut(true); } finally { navigate('/login'); }
  } }, t('security.logoutEverywhere'));
  return h('section', { class: 'panel' }, h('h2', {}, t('security.sessions')),
    h('p', { class: 'muted' }, t('security.sessionsIntro')), everywhere);
}

/** #/settings/security: password, second factor, sessions. */
export function security(root, { navigate }) {
  const rerender = () => security(root, { navigate });
  mount(root, heading(t('settings.title')), settingsTabs('security'), limitedNotice(),
    session.limited === 'totp' ? null : passwordForm(), totpSection(rerender), sessionsSection(navigate));
}

function currencies() {
  const fallback = ['USD', 'EUR', 'GBP', 'RUB', 'KZT', 'UAH', 'BYN', 'CHF', 'PLN', 'CZK', 'SEK', 'NOK', 'DKK',
    'TRY', 'AED', 'INR', 'CNY', 'JPY', 'CAD', 'AUD', 'BRL', 'MXN'];
  const all = Intl.supportedValuesOf ? Intl.supportedValuesOf('currency') : fallback;
  return all.map((code) => [code, code]);
}


function companyForm(tenant, reload) {
  const readOnly = !can('settings', 'update');
  const submit = async (values) => {
    const body = { version: tenant.version, name: values.name, locale: values.locale, country: values.country,
      currency: values.currency, timezone: values.timezone, require_totp: values.require_totp,
      prices_include_tax: values.prices_include_tax, calendar_feeds: values.calendar_feeds,
      password_min_length: Number(values.password_min_length) || values.password_min_length };
    if (values.password_max_age_days !== '') body.password_max_age_days = Number(values.password_max_age_days);
    try {
      const saved = await patch('/api/v1/tenant', body);
      update({ tenant: saved });
      toast(t('common.saved'));
      await reload(saved); // the answer is the company as saved: no second read, and no moment of the old form
    } catch (error) {
      if (error.status === 409) { toast(t('common.conflict'), 'error'); await reload(); return; }
      throw error;
    }
  };
  const fields = [
    field({ name: 'name', label: t('company.name'), value: tenant.name, required: true }),
    field({ name: 'locale', label: t('company.locale'), value: tenant.locale, options: LANGS }),
    field({ name: 'country', label: t('auth.country'), value: tenant.country, options: countryOptions() }),
    field({ name: 'currency', label: t('company.currency'), value: tenant.currency, options: currencies() }),
    field({ name: 'prices_include_tax', label: t('company.pricesIncludeTax'), type: 'checkbox',
      value: tenant.prices_include_tax, hint: t('company.pricesIncludeTaxHint') }),
    field({ name: 'timezone', label: t('company.timezone'), value: tenant.timezone, options: zoneOptions(tenant.timezone, tenant.country) }),
    field({ name: 'password_min_length', label: t('company.passwordMin'), type: 'number', min: '8', max: '128',
      value: tenant.password_min_length }),
    field({ name: 'password_max_age_days', label: t('company.passwordMaxAge'), type: 'number', min: '0', max: '3650',
      value: tenant.password_max_age_days ?? '', hint: t('company.passwordMaxAgeHint') }),
    field({ name: 'require_totp', label: t('company.requireTotp'), type: 'checkbox', value: tenant.require_totp }),
    field({ name: 'calendar_feeds', label: t('company.calendarFeeds'), type: 'checkbox', value: tenant.calendar_feeds,
      hint: t('company.calendarFeedsHint') }),
  ];
  const el = form({ submit: t('common.save'), onSubmit: submit, label: t('settings.tab.company'),
    children: h('div', { class: 'form-grid' }, fields) });
  if (readOnly) {
    for (const control of el.elements) control.disabled = true;
    el.querySelector('.form-actions').hidden = true;
  }
  return el;
}

/** #/settings/company: name, locale, country, currency, time zone and security policy. */
export async function company(root, { alive }) {
  const reload = async (known = null) => {
    const tenant = known || await get('/api/v1/tenant');
    if (!alive()) return;
    mount(root, heading(t('settings.title')), settingsTabs('company'),
      h('section', { class: 'panel' }, h('h2', {}, t('settings.tab.company')), companyForm(tenant, reload)));
  };
  await reload();
}
