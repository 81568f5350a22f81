// Settings → Integrations, messengers: each one's credentials (a secret is never shown: the stored one's last
// characters are its placeholder, and a blank box keeps it), what a message from someone new makes, who gets new
// conversations, and the steps at Meta (Telegram needs none: the CRM registers its webhook itself, and the steps
// show that URL and the secret token Telegram sends with it, for the simulator or a check by hand).
import { h } from '../js/dom.js';
import { has, t } from '../js/i18n.js';
import { field } from '../js/ui.js';
import { leadRouting, pipelineFields, responsibleFields } from './lead-routing.js';
import { MESSAGES } from '../js/messages.js';
import { TELEPHONY } from '../js/messages-telephony.js';

Object.assign(MESSAGES, TELEPHONY); // the texts of connecting a line load with it, not with the first load

// Each messenger's credentials: [setting, input type, required]. Passwords are the secrets the API seals.
const CREDENTIALS = {
  whatsapp: [['phone_number_id', 'text', true], ['waba_id', 'text', true], ['access_token', 'password', true],
    ['app_secret', 'password', true]],
  telegram: [['bot_token', 'password', true]],
  email: [['from_address', 'email', false], ['from_name', 'text', false]],  // #17: nothing secret; null when left empty
};
export const MESSENGER_TYPES = Object.keys(CREDENTIALS);
const UNKNOWN_SENDER = ['contact', 'contact_and_deal', 'ignore'];
// The step that shows where the line is reached: the URL pasted at Meta, the URL the CRM gave Telegram (with the
// secret token it sends), the address a mailbox forwards to.
const URL_STEP = { whatsapp: 2, telegram: 1, email: 1 };

/** True for a messenger line. */
export function isMessenger(type) {
  return type in CREDENTIALS;
}

function credentialField(type, [name, kind, required], integration) {
  const label = t(`messenger.field.${type}.${name}`);
  if (kind === 'password') {
    const stored = integration?.credential_hints?.[name];
    return field({ name, label, type: 'password', autocomplete: 'new-password', spellcheck: 'false', placeholder: stored || '',
      required: !stored, hint: stored ? t('telephony.keepSecret', { hint: stored }) : null });
  }
  const hint = has(`messenger.hint.${type}.${name}`) ? t(`messenger.hint.${type}.${name}`) : null;
  return field({ name, label, type: kind, value: integration?.settings?.[name] || '', required, autocomplete: 'off',
    spellcheck: 'false', inputmode: type === 'whatsapp' ? 'numeric' : null, hint });
}

/** The credentials, then what a newcomer's message makes and who gets new conversations. */
export function messengerFields(type, ctx, integration = null) {
  const settings = integration?.settings || {};
  return [h('div', { class: 'form-grid messenger-credentials' }, CREDENTIALS[type].map((c) => credentialField(type, c, integration))),
    field({ name: 'unknown_sender', label: t('messenger.unknownSender'), value: settings.unknown_sender || 'contact',
      options: UNKNOWN_SENDER.map((choice) => [choice, t(`messenger.unknown.${choice}`)]) }),
    h('div', { class: 'form-grid' }, pipelineFields(ctx.pipelines, settings)),
    ...responsibleFields(ctx.users, settings.responsible, t('messenger.responsible'), ['conversations', 'contacts'])];
}

/** The settings a messenger's form sends: a secret left blank is left out, so the stored one is kept. */
export function messengerSettings(type, values, formEl, pipelines) {
  const credentials = {};
  for (const [name, kind] of CREDENTIALS[type]) {
    if (kind === 'password') { if (values[name]) credentials[name] = values[name]; } else credentials[name] = values[name] || (type === 'email' ? null : '');
  }
  return { ...credentials, unknown_sender: values.unknown_sender, ...leadRouting(values, formEl, pipelines) };
}

/** The numbered steps at the provider, the webhook URL (with its Copy button) in its place. */
export function messengerSteps(integration, urlField) {
  const type = integration.type;
  const steps = [];
  for (let n = 1; has(`messenger.steps.${type}.${n}`); n += 1) {
    const bot = integration.settings?.bot_username;
    const from = integration.settings?.from_address || t('messenger.ourAddress');
    steps.push(h('li', {}, h('p', {}, t(`messenger.steps.${type}.${n}`, { bot: bot ? `@${bot}` : '', from })),
      n === URL_STEP[type] ? urlField : null));
  }
  return h('details', { class: 'setup-steps', open: !integration.stats?.received_24h },
    h('summary', {}, t('telephony.stepsTitle', { provider: t(`integrations.type.${type}`) })), h('ol', {}, steps));
}
