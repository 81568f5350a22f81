// Sign-up, sign-in (second factor, company choice), invitation, password reset, e-mail confirmation.
import { ApiError, get, post } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { LANGS, getLang, has, setLang, t } from '../js/i18n.js';
import { regionName } from '../js/format.js';
import { begin, signedIn, update } from '../js/session.js';
import { field, form, heading } from '../js/ui.js';
import { ZONE_COUNTRY, browserZone, zoneFor, zoneOptions } from './zones.js';

const COUNTRIES = ('AD AE AF AG AI AL AM AO AR AT AU AW AZ BA BB BD BE BF BG BH BI BJ BM BN BO BR BS BT BW BY BZ CA '
  + 'CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FO FR GA GB GD GE GH GI GL '
  + 'GM GN GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KM KN KR KW KY KZ LA LB LC LI LK '
  + 'LR LS LT LU LV LY MA MC MD ME MG MK ML MM MN MO MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NZ OM PA PE PG PH '
  + 'PK PL PR PS PT PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS SV SY SZ TD TG TH TJ TL TM TN TO TR '
  + 'TT TW TZ UA UG US UY UZ VC VE VN VU WS YE ZA ZM ZW').split(' ');

/** Countries as select options, by name in the interface language. */
export function countryOptions() {
  return COUNTRIES.map((code) => [code, regionName(code)]).sort((a, b) => a[1].localeCompare(b[1], getLang()));
}

// Where the company most likely is: the country of the browser's time zone (a computer in Moscow with an English
// interface is still in Russia), else the region of the browser's language, else the interface language's (#20 item 6).
function guessCountry() {
  const zoned = ZONE_COUNTRY[browserZone()];
  if (zoned && COUNTRIES.includes(zoned)) return zoned;
  const region = (navigator.language || '').split('-')[1];
  return region && COUNTRIES.includes(region.toUpperCase()) ? region.toUpperCase() : (getLang() === 'ru' ? 'RU' : 'US');
}

/** The time zone box of sign-up: preset from the browser and the country, following the country until touched. */
function zoneField(countryField) {
  const country = countryField.querySelector('select');
  const zone = field({ name: 'timezone', label: t('auth.timezone'), value: zoneFor(country.value),
    options: zoneOptions(zoneFor(country.value), country.value), hint: t('auth.timezoneHint') });
  const select = zone.querySelector('select');
  let touched = false;
  select.addEventListener('change', () => { touched = true; });
  country.addEventListener('change', () => { // the country's zones first; its usual one chosen until one is picked
    const chosen = touched ? select.value : zoneFor(country.value);
    select.replaceChildren(...zoneOptions(chosen, country.value).map(([value, text]) => h('option', { value }, text)));
    select.value = chosen;
  });
  return zone;
}

function card(...children) {
  return h('section', { class: 'auth-card' }, children);
}

function mismatch(name) {
  return new ApiError(422, { code: 'passwords_differ', message: t('auth.passwordsDiffer'),
    details: [{ loc: [name], msg: t('auth.passwordsDiffer') }] });
}

// A link's token the API refuses: unknown, used or expired (400 invalid_token), or cut short on its way (a 422 on the
// token, which no field of the page shows): both are the link, said as such (code: the page's own words for it).
function linkError(error, code) {
  const tokenOnly = error?.code === 'validation_error' && error.details?.length
    && error.details.every((detail) => Array.isArray(detail.loc) && detail.loc.includes('token'));
  if (error?.code !== 'invalid_token' && !tokenOnly) return error;
  return new ApiError(400, { code, message: t(`error.${code}`) });
}

function safeNext(query) {
  const next = query.get('next') || '';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/tasks';
}

/** #/login: e-mail and password, then a code or a company when the API asks for one. */
export function login(root, { query, navigate }) {
  const state = { otp: false, tenants: null };
  const otpField = field({ name: 'otp', label: t('auth.otp'), inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9 -]{6,9}', maxlength: '9' }); // as the app shows it too: "123 456"
  otpField.hidden = true;
  const chooser = h('fieldset', { hidden: true }, h('legend', {}, t('auth.chooseCompany')));
  const submit = async (values) => {
    const body = { email: values.email, password: values.password };
    if (state.otp) body.otp = values.otp;
    if (state.tenants) body.tenant_id = values.tenant_id;
    try {
      const answer = await post('/api/v1/auth/login', body);
      await begin(answer);
      navigate(answer.must_change_password || answer.must_enroll_totp ? '/settings/security' : safeNext(query));
    } catch (error) {
      if (error.code === 'otp_required') return askForCode();
      if (error.code === 'tenant_choice_required') return askForCompany(error.details);
      throw error;
    }
  };
  const askForCode = () => {
    state.otp = true;
    otpField.hidden = false;
    otpField.querySelector('input').focus();
  };
  const askForCompany = (choices) => {
    state.tenants = choices;
    mount(chooser, h('legend', {}, t('auth.chooseCompany')), choices.map((choice, i) =>
      h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'tenant_id', value: choice.tenant_id,
        checked: i === 0 }), choice.name)));
    chooser.hidden = false;
    chooser.querySelector('input').focus();
  };
  mount(root, card(heading(t('auth.loginTitle')),
    form({ submit: t('auth.login'), onSubmit: submit, label: t('auth.loginTitle'), children: [
      field({ name: 'email', label: t('auth.email'), type: 'email', autocomplete: 'username', required: true }),
      field({ name: 'password', label: t('auth.password'), type: 'password', autocomplete: 'current-password',
        required: true }),
      otpField, chooser] }),
    h('div', { class: 'auth-links' }, h('a', { href: '#/forgot' }, t('auth.forgotLink')),
      h('a', { href: '#/signup' }, t('auth.signupLink')))));
}

/** #/signup: a new company and its owner. */
export function signup(root, { navigate }) {
  const submit = async (values) => {
    const answer = await post('/api/v1/auth/signup', {
      company_name: values.company_name, name: values.name, email: values.email, password: values.password,
      country: values.country, locale: values.locale, timezone: values.timezone,
    });
    setLang(values.locale);
    await begin(answer);
    navigate('/tasks');
  };
  const country = field({ name: 'country', label: t('auth.country'), value: guessCountry(), options: countryOptions() });
  mount(root, card(heading(t('auth.signupTitle')), h('p', { class: 'muted' }, t('auth.signupIntro')),
    form({ submit: t('auth.signup'), onSubmit: submit, label: t('auth.signupTitle'), children: [
      field({ name: 'company_name', label: t('auth.companyName'), autocomplete: 'organization', required: true }),
      field({ name: 'name', label: t('auth.yourName'), autocomplete: 'name', required: true }),
      field({ name: 'email', label: t('auth.email'), type: 'email', autocomplete: 'email', required: true }),
      field({ name: 'password', label: t('auth.password'), type: 'password', autocomplete: 'new-password',
        required: true, hint: t('auth.passwordHint') }),
      country, zoneField(country),
      field({ name: 'locale', label: t('auth.language'), value: getLang(), options: LANGS }),
    ] }),
    h('div', { class: 'auth-links' }, h('span', {}, t('auth.haveAccount'), ' ',
      h('a', { href: '#/login' }, t('auth.loginLink'))))));
}

/** #/forgot: ask for a reset link. */
export function forgot(root) {
  const done = h('p', { class: 'notice notice-ok', role: 'status', hidden: true }, t('auth.resetSent'));
  mount(root, card(heading(t('auth.forgotTitle')), h('p', { class: 'muted' }, t('auth.forgotIntro')), done,
    form({ submit: t('auth.sendLink'), label: t('auth.forgotTitle'), onSubmit: async (values) => {
      await post('/api/v1/auth/password-reset', { email: values.email });
      done.hidden = false;
    }, children: [field({ name: 'email', label: t('auth.email'), type: 'email', autocomplete: 'email', required: true })] }),
    h('div', { class: 'auth-links' }, h('a', { href: '#/login' }, t('auth.backToLogin')))));
}

function newPasswordFields() {
  return [
    field({ name: 'password', label: t('auth.newPassword'), type: 'password', autocomplete: 'new-password', required: true }),
    field({ name: 'password_confirm', label: t('auth.repeatPassword'), type: 'password', autocomplete: 'new-password',
      required: true }),
  ];
}

/** #/reset?token=: set a new password from an e-mailed link. */
export function reset(root, { query }) {
  const token = query.get('token') || '';
  const done = h('p', { class: 'notice notice-ok', role: 'status', hidden: true }, t('auth.resetDone'), ' ',
    h('a', { href: '#/login' }, t('auth.loginLink')));
  const submit = async (values, formEl) => {
    if (values.password !== values.password_confirm) throw mismatch('password_confirm');
    try {
      await post('/api/v1/auth/password-reset/confirm', { token, new_password: values.password });
    } catch (error) {
      const refused = linkError(error, 'invalid_token');
      if (refused.details) refused.details = refused.details.map((d) => ({ ...d, loc: fixLoc(d.loc) }));
      throw refused;
    }
    formEl.hidden = true;
    done.hidden = false;
  };
  mount(root, card(heading(t('auth.resetTitle')), done,
    token ? form({ submit: t('auth.setPassword'), onSubmit: submit, label: t('auth.resetTitle'),
      children: newPasswordFields() }) : h('p', { class: 'form-status', role: 'alert' }, t('error.invalid_token'))));
}

// The API names the new password new_password; the form calls it password.
function fixLoc(loc) {
  return Array.isArray(loc) ? loc.map((part) => (part === 'new_password' ? 'password' : part)) : loc;
}

/** #/confirm-email?token=: confirm the owner's e-mail address from the link sign-up sent (signed in or not). */
export async function confirmEmail(root, { query }) {
  const token = query.get('token') || '';
  const status = h('p', { class: 'form-status', role: 'alert' });
  mount(root, card(heading(t('auth.confirmTitle')), status));
  try {
    if (!token) throw Object.assign(new Error(), { code: 'invalid_token' });
    await post('/api/v1/auth/confirm-email', { token });
  } catch (error) {
    const code = linkError(error, 'invalid_token').code;
    status.textContent = has(`error.${code}`) ? t(`error.${code}`) : t('error.invalid_token');
    return;
  }
  if (signedIn()) update({ tenant: (await get('/api/v1/me')).tenant }); // the banner goes away
  mount(root, card(heading(t('auth.confirmTitle')),
    h('p', { class: 'notice notice-ok', role: 'status', 'data-test': 'confirm-done' }, t('auth.confirmDone')),
    h('p', {}, h('a', { href: signedIn() ? '#/tasks' : '#/login' }, t('auth.confirmOpen')))));
}

/** #/accept?token=: join a company from an invitation. */
export function accept(root, { query, navigate }) {
  const token = query.get('token') || '';
  const submit = async (values) => {
    if (values.password !== values.password_confirm) throw mismatch('password_confirm');
    const answer = await post('/api/v1/auth/accept-invitation', { token, password: values.password,
      name: values.name || null }).catch((error) => { throw linkError(error, 'invitation_expired'); });
    await begin(answer);
    navigate('/tasks');
  };
  mount(root, card(heading(t('auth.acceptTitle')), h('p', { class: 'muted' }, t('auth.acceptIntro')),
    token ? form({ submit: t('auth.join'), onSubmit: submit, label: t('auth.acceptTitle'), children: [
      field({ name: 'name', label: t('auth.yourName'), autocomplete: 'name', hint: t('auth.nameHint') }),
      ...newPasswordFields()] }) : h('p', { class: 'form-status', role: 'alert' }, t('error.invalid_token'))));
}
