// English and Russian. The chosen language is the only thing the app keeps in localStorage.
import { MESSAGES } from './messages.js';

export const LANGS = [['en', 'English'], ['ru', 'Русский']];
const STORE_KEY = 'crm.lang';
const INDEX = { en: 0, ru: 1 };
const listeners = new Set();

function initialLang() {
  let stored = null;
  try { stored = localStorage.getItem(STORE_KEY); } catch { /* storage may be disabled */ }
  if (stored in INDEX) return stored;
  return (navigator.language || 'en').toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

let lang = initialLang();
document.documentElement.lang = lang;

/** The interface language: "en" or "ru". */
export function getLang() {
  return lang;
}

/** Switch the interface language and remember the choice on this device. */
export function setLang(next) {
  if (!(next in INDEX) || next === lang) return;
  lang = next;
  document.documentElement.lang = lang;
  try { localStorage.setItem(STORE_KEY, lang); } catch { /* not remembered, still switched */ }
  for (const listener of listeners) listener(lang);
}

/** Be told when the language changes. */
export function onLangChange(listener) {
  listeners.add(listener);
}

/** The text for a key, with {placeholders} filled; a missing key is reported and shown as is. */
export function t(key, params = {}) {
  const entry = MESSAGES[key];
  if (!entry) {
    console.error(`missing text: ${key}`);
    return key;
  }
  let text = entry[INDEX[lang]];
  if (params.n !== undefined && params.count === undefined) {
    params = { ...params, count: new Intl.NumberFormat(lang).format(params.n) };
  }
  if (typeof text === 'object') {
    const form = new Intl.PluralRules(lang).select(Number(params.n ?? 0));
    text = text[form] ?? text.other;
  }
  // A name quoted in a text that carries its own quotes («Салон красоты «Лилия»») is not quoted twice: the slot's
  // quotes go (Russian typesetting drops the outer pair rather than nest «« »»).
  return text.replace(/(«?)\{(\w+)\}(»?)/g, (match, open, name, close) => {
    if (!(name in params)) return match;
    const value = String(params[name]);
    return open && close && /[«»"]/.test(value) ? value : `${open}${value}${close}`;
  });
}

/** True when a text exists for the key. */
export function has(key) {
  return key in MESSAGES;
}

// Refusals whose API message names what the code alone cannot (the fields, the limit, the reason, the template's
// line): an English screen keeps the API's own words, another language reads our general text of the code.
const OWN_WORDS_IN_ENGLISH = new Set(['not_revertable', 'field_read_only', 'field_hidden', 'merge_too_large',
  'too_many_custom_fields', 'too_many_segments', 'test_refused', 'same_plan', 'content_required', 'invalid_campaign',
  'unknown_reference', 'unknown_merge_field', 'template_syntax', 'template_error', 'template_unsafe',
  'template_too_large', 'document_layout', 'document_tag_refused', 'document_too_long',
  'import_file_too_large']);

/** What to tell a person about an API error: our translation of its code, else the API's message. */
export function errorMessage(error) {
  const code = error && error.code ? `error.${error.code}` : null;
  if (code && lang === 'en' && OWN_WORDS_IN_ENGLISH.has(error.code) && error.message) return error.message;
  if (code && has(code)) return t(code);
  if (error && error.status === 0) return t('error.network_error');
  return (error && error.message) || t('error.unknown');
}

/** A field problem from the API: its own words in English, our translation by type otherwise. */
export function detailMessage(detail) {
  if (lang !== 'en' && detail.type && has(`detail.${detail.type}`)) return t(`detail.${detail.type}`, detail.ctx || {});
  return detail.msg;
}
