// Settings → Integrations, phone lines: each provider's credentials (a secret is never shown: the stored one's last
// characters are its placeholder, and a blank box keeps it), the employees' extensions, what a call from an unknown
// number makes, and the steps to paste the webhook URL into the provider's settings.
import { ApiError } from '../js/api.js';
import { h, uid } from '../js/dom.js';
import { has, t } from '../js/i18n.js';
import { field } from '../js/ui.js';
import { leadRouting, pipelineFields, responsibleFields } from './lead-routing.js';
import { MESSAGES } from '../js/messages.js';
import { TELEPHONY } from '../js/messages-telephony.js';

Object.assign(MESSAGES, TELEPHONY); // the texts of connecting a line load with it, not with the first load

// Each provider's credentials: [setting, input type, required]. Passwords are the secrets the API seals.
const CREDENTIALS = {
  zadarma: [['api_key', 'text', true], ['api_secret', 'password', true]],
  mango: [['api_key', 'text', true], ['api_salt', 'password', true], ['line_number', 'text', false]],
  twilio: [['account_sid', 'text', true], ['auth_token', 'password', true], ['caller_id', 'tel', false]],
  pbx: [],
};
export const LINE_TYPES = Object.keys(CREDENTIALS);
const UNKNOWN_CALLER = ['contact_and_deal', 'contact', 'ignore'];
const ZADARMA_EVENTS = ['NOTIFY_START', 'NOTIFY_INTERNAL', 'NOTIFY_ANSWER', 'NOTIFY_END', 'NOTIFY_OUT_START', 'NOTIFY_OUT_END',
  'NOTIFY_RECORD'];

/** True for a phone line (a telephony provider), false for a website form. */
export function isLine(type) {
  return type in CREDENTIALS;
}

function credentialField(type, [name, kind, required], integration) {
  const label = t(`telephony.field.${type}.${name}`);
  const hintKey = `telephony.hint.${type}.${name}`;
  if (kind === 'password') {
    const stored = integration?.credential_hints?.[name];
    return field({ name, label, type: 'password', autocomplete: 'new-password', spellcheck: 'false', placeholder: stored || '',
      required: !stored, hint: stored ? t('telephony.keepSecret', { hint: stored }) : (has(hintKey) ? t(hintKey) : null) });
  }
  return field({ name, label, type: kind, value: integration?.settings?.[name] || '', required, autocomplete: 'off',
    spellcheck: 'false', hint: has(hintKey) ? t(hintKey) : null });
}

/** The provider's credentials (none for a PBX of one's own: it signs with the line's secret). */
export function credentialFields(type, integration = null) {
  const fields = CREDENTIALS[type].map((credential) => credentialField(type, credential, integration));
  return fields.length ? h('div', { class: 'form-grid' }, fields) : h('p', { class: 'hint' }, t('telephony.noCredentials'));
}

// -- extensions ---------------------------------------------------------------------------------------------------

function extensionRow(users, extension = '', userId = '') {
  const numberId = uid('extension');
  const userSelectId = uid('extension-user');
  const people = users.filter((user) => user.status === 'active' || user.id === userId);
  // A colleague who left keeps their extension until it is given to someone else: marked, so it is seen to be done
  // (meanwhile its calls go to the line's responsible user).
  const named = (user) => (user.status === 'deactivated' ? t('owner.inactive', { name: user.name }) : user.name);
  const row = h('div', { class: 'extension-row' },
    h('div', { class: 'field' }, h('label', { for: numberId }, t('telephony.extension')),
      h('input', { id: numberId, class: 'extension-number', value: extension, maxlength: '64', autocomplete: 'off',
        spellcheck: 'false' })),
    h('div', { class: 'field' }, h('label', { for: userSelectId }, t('telephony.employee')),
      h('select', { id: userSelectId, class: 'extension-user' }, [['', t('telephony.chooseEmployee')], ...people.map((u) => [u.id, named(u)])]
        .map(([value, text]) => h('option', { value, selected: value === userId }, text)))),
    h('button', { type: 'button', class: 'secondary small', 'aria-label': t('telephony.removeExtension'), onClick: () => {
      row.closest('fieldset')?.querySelector('.add-extension')?.focus();
      row.remove();
    } }, '×'));
  return row;
}

function extensionsEditor(type, users, extensions) {
  const rows = h('div', { class: 'extension-rows' }, Object.entries(extensions || {}).map(([ext, userId]) => extensionRow(users, ext, userId)));
  if (!rows.children.length) rows.append(extensionRow(users));
  const add = h('button', { type: 'button', class: 'secondary small add-extension', onClick: () => {
    const row = extensionRow(users);
    rows.append(row);
    row.querySelector('input').focus();
  } }, t('telephony.addExtension'));
  return h('fieldset', { class: 'extensions' }, h('legend', {}, t('telephony.extensions')),
    h('p', { class: 'hint extensions-hint' }, t(`telephony.extensionsHint.${type}`)), rows, add);
}

/** Say in the extensions' hint what an extension is at this provider (the create form's provider changed). */
export function describeExtensions(formEl, type) {
  const hint = formEl.querySelector('.extensions-hint');
  if (hint) hint.textContent = t(`telephony.extensionsHint.${type}`);
}

function readExtensions(formEl) {
  const extensions = {};
  for (const row of formEl.querySelectorAll('.extension-row')) {
    const number = row.querySelector('.extension-number').value.trim();
    const select = row.querySelector('.extension-user');
    if (!number) continue;
    if (!select.value) {
      select.setAttribute('aria-invalid', 'true');
      throw new ApiError(422, { code: 'validation_error', message: t('telephony.pickEmployee', { extension: number }) });
    }
    extensions[number] = select.value;
  }
  return extensions;
}

// -- the settings as a whole --------------------------------------------------------------------------------------

/** Everything but the credentials: extensions, unknown callers, the lead's pipeline, who handles calls, call-back tasks. */
export function lineFields(type, ctx, settings = {}) {
  return [extensionsEditor(type, ctx.users, settings.extensions),
    field({ name: 'unknown_caller', label: t('telephony.unknownCaller'), value: settings.unknown_caller || 'contact_and_deal',
      options: UNKNOWN_CALLER.map((choice) => [choice, t(`telephony.unknown.${choice}`)]) }),
    h('div', { class: 'form-grid' }, pipelineFields(ctx.pipelines, settings)),
    ...responsibleFields(ctx.users, settings.responsible, t('telephony.responsible'), ['calls', 'contacts', 'tasks']),
    field({ name: 'missed_call_task', label: t('telephony.missedCallTask'), type: 'checkbox',
      value: settings.missed_call_task ?? true, hint: t('telephony.missedCallTaskHint') })];
}

/** The settings a line's form sends: a secret left blank is left out, so the stored one is kept. */
export function lineSettings(type, values, formEl, pipelines) {
  const credentials = {};
  for (const [name, kind, required] of CREDENTIALS[type]) {
    if (kind === 'password') { if (values[name]) credentials[name] = values[name]; } else credentials[name] = values[name] || (required ? '' : null);
  }
  return { ...credentials, extensions: readExtensions(formEl), unknown_caller: values.unknown_caller,
    ...leadRouting(values, formEl, pipelines), missed_call_task: values.missed_call_task };
}

// -- the steps at the provider --------------------------------------------------------------------------------------

function twimlSample(url) {
  return ['<Response>', `  <Dial record="record-from-answer" recordingStatusCallback="${url}">`,
    `    <Sip statusCallback="${url}" statusCallbackEvent="initiated ringing answered completed">alice@example.sip.twilio.com</Sip>`,
    '  </Dial>', '</Response>'].join('\n');
}

function pbxSample(url) {
  return [`POST ${url}`, 'Content-Type: application/json', 'X-CRM-Timestamp: 1765008000',
    'X-CRM-Signature: v1=<hex HMAC-SHA256 of "1765008000.<body>" under the secret>', '',
    '{"event_id": "1765008000.42-end", "call_id": "1765008000.42", "event": "end", "direction": "inbound",',
    ' "from": "+79161234567", "to": "+74951234567", "extension": "101", "disposition": "answered", "duration": 42}'].join('\n');
}

// What some steps show under their words: the URL to copy, the notifications to tick, a sample.
function stepExtras(type, urlField, url) {
  const codes = (names) => h('p', { class: 'codes' }, names.map((name) => [h('code', {}, name), ' ']));
  const sample = (text) => h('pre', { class: 'mono sample' }, text);
  return {
    zadarma: { 2: urlField, 3: codes(ZADARMA_EVENTS) },
    mango: { 2: urlField },
    twilio: { 2: urlField, 3: sample(twimlSample(url)) },
    pbx: { 1: urlField, 2: sample(pbxSample(url)) },
  }[type];
}

/** The numbered steps to connect the provider to this line, the webhook URL (with its Copy button) in its place. */
export function setupSteps(integration, urlField) {
  const type = integration.type;
  const extras = stepExtras(type, urlField, integration.webhook_url);
  const steps = [];
  for (let n = 1; has(`telephony.steps.${type}.${n}`); n += 1) {
    steps.push(h('li', {}, h('p', {}, t(`telephony.steps.${type}.${n}`)), extras[n] || null));
  }
  const title = t('telephony.stepsTitle', { provider: t(`integrations.type.${type}`) });
  // Open until the provider has been heard from.
  return h('details', { class: 'setup-steps', open: !integration.stats?.received_24h }, h('summary', {}, title), h('ol', {}, steps));
}
