// Numbers, money, dates and times formatted with Intl for the interface language.
import { getLang } from './i18n.js';

function locale() {
  const browser = navigator.language || '';
  return browser.toLowerCase().startsWith(getLang()) ? browser : (getLang() === 'ru' ? 'ru-RU' : 'en-US');
}

/** The locale tag Intl formats with. */
export function intlLocale() {
  return locale();
}

// ISO 4217 minor units where they are not 2, as the API counts amounts. Intl's display digits differ for some
// currencies (HUF, IDR, COP ... show none), so they cannot say how many minor units make one.
const EXPONENTS = {
  ...Object.fromEntries('BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ').map((c) => [c, 0])),
  ...Object.fromEntries('BHD IQD JOD KWD LYD OMR TND'.split(' ').map((c) => [c, 3])),
  CLF: 4, UYW: 4,
};

/** Decimal places of a currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD). */
export function currencyDigits(currency) {
  return EXPONENTS[String(currency || '').toUpperCase()] ?? 2;
}

/** A plain number. */
export function formatNumber(value) {
  return new Intl.NumberFormat(locale()).format(value);
}

/** A rate as the API gives it ('8.875', '20') as the reader writes a percentage ('8.875%', '8,875 %'). */
export function formatRate(rate) {
  if (rate === null || rate === undefined || rate === '' || Number.isNaN(Number(rate))) return rate ?? '';
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 5 }).format(Number(rate) / 100);
}

// Currencies whose minor unit no shop prints (Kazakhstan's tiyn): a whole amount is written without it ("8 900 ₸"),
// one with a fraction keeps it (a VAT of 4 979,46 ₸). They are written with their own sign, which CLDR gives only as
// the narrow symbol in Russian and English ("KZT" otherwise).
const WHOLE_UNITS = new Set(['KZT']);

/** Integer minor units of a currency, formatted as money. */
export function formatMoney(minor, currency) {
  if (minor === null || minor === undefined || !currency) return '';
  const digits = currencyDigits(currency);
  const whole = WHOLE_UNITS.has(currency) && minor % 10 ** digits === 0;
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency, minimumFractionDigits: whole ? 0 : digits,
      maximumFractionDigits: whole ? 0 : digits, currencyDisplay: WHOLE_UNITS.has(currency) ? 'narrowSymbol' : 'symbol' })
      .format(minor / 10 ** digits);
  } catch {
    return `${formatNumber(minor / 10 ** digits)} ${currency}`;
  }
}

/** Minor units as an editable amount in the interface's convention ("1234.50", "1234,50"; whole tenge "9968");
 * parseMoney reads it back. */
export function amountInput(minor, currency) {
  const digits = currencyDigits(currency);
  const places = WHOLE_UNITS.has(currency) && minor % 10 ** digits === 0 ? 0 : digits;
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: places, maximumFractionDigits: places, useGrouping: false })
    .format(minor / 10 ** digits);
}

/** A decimal typed by a person ("1 234,50" or "1234.5") as integer minor units, or null. */
export function parseMoney(text, currency) {
  const cleaned = String(text || '').replace(/[\s\u00a0\u202f']/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  return Math.round(Number(cleaned) * 10 ** currencyDigits(currency));
}

// Times of the company's work (cards' created and updated, timeline entries, calls, messages, a last login) are
// read on the company's clock, as tasks are (#20 item 4), whatever the browser's zone: one moment, one reading
// for the whole team. Where that clock differs from the browser's, the time names its zone ("14:30 GMT+3").
let companyClock = null;

/** The company's time zone (session.js sets it from the signed-in company; null: the browser's). */
export function useCompanyZone(zone) {
  companyClock = zone || null;
}

function zoneName(date, zone) {
  try {
    return new Intl.DateTimeFormat(locale(), { timeZone: zone, timeZoneName: 'short' }).formatToParts(date)
      .find((part) => part.type === 'timeZoneName')?.value || zone;
  } catch {
    return zone;
  }
}

/** A date (no time); a moment's date is the company's day. */
export function formatDate(iso) {
  if (!iso) return '';
  if (iso.length === 10) return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(`${iso}T12:00:00`));
  try {
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: companyClock || undefined }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(iso));
  }
}

/** A date with the time, on the company's clock (its zone named where the browser's differs). */
export function formatDateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const zone = companyClock;
  if (zone && zone !== browserZone()) {
    try {
      const text = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(date);
      return `${text} ${zoneName(date, zone)}`;
    } catch { /* a zone this browser does not know: its own clock */ }
  }
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** "in 3 days", "2 hours ago". */
export function formatRelative(iso) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(0, 'minute');
}

/** A region's name in the interface language ("DE" -> "Germany"). */
export function regionName(code) {
  try {
    return new Intl.DisplayNames([locale()], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/** A call's length: "1:42", "1:02:05". */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.round(Number(seconds) || 0));
  const pad = (n) => String(n).padStart(2, '0');
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return hours ? `${hours}:${pad(minutes)}:${pad(total % 60)}` : `${minutes}:${pad(total % 60)}`;
}

// Country codes of two digits (the rest of E.164 has one: 1, 7, or three).
const TWO_DIGIT_CODES = new Set(('20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 '
  + '64 65 66 81 82 84 86 90 91 92 93 94 95 98').split(' '));

// Numbers are grouped by libphonenumber's metadata, as the server's core.phones.readable groups them (a call-back
// task's title, a new caller's name), so one number reads the same in every place: "+44 7400 123456", not
// "+44 740 012 3456". The library (vendor/libphonenumber.js, 29 KB gzipped) loads lazily, beside the session's
// restore; the app's first screen waits for it (phonesReady), and until then the rough grouping below stands in.
let international = null;

/** Resolves once numbers are grouped as libphonenumber groups them (never rejects). */
export const phonesReady = import('../vendor/libphonenumber.js')
  .then((module) => { international = module.international; })
  .catch(() => {});

/** An E.164 number for reading: "+7 916 123-45-67", "+1 415-555-0199", "+44 20 3769 1880"; anything else as it came. */
export function formatPhone(number) {
  const text = String(number || '');
  const digits = /^\+(\d{7,15})$/.exec(text)?.[1];
  if (!digits) return text;
  if (international) return international(text) || text;
  const part = (from, to) => digits.slice(from, to);
  if (digits.length === 11 && digits[0] === '7') return `+7 ${part(1, 4)} ${part(4, 7)}-${part(7, 9)}-${part(9)}`;
  if (digits.length === 11 && digits[0] === '1') return `+1 ${part(1, 4)}-${part(4, 7)}-${part(7)}`;
  const code = TWO_DIGIT_CODES.has(part(0, 2)) ? 2 : 3;
  const rest = digits.slice(code);
  const last = rest.length - 4; // groups of three, the last four together
  const groups = [];
  for (let i = 0; i < last; i += 3) groups.push(rest.slice(i, Math.min(i + 3, last)));
  groups.push(rest.slice(Math.max(last, 0)));
  return `+${part(0, code)} ${groups.join(' ')}`;
}

// -- the company's clock (#20 item 4): "today" and due times follow the company's time zone, not the browser's --

/** The browser's time zone (UTC when it gives none). */
export function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
}

function zoneParts(moment, zone) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(moment);
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

function zoneOffset(moment, zone) {
  const p = zoneParts(moment, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(moment.getTime() / 1000) * 1000;
}

/** A moment as the value of a datetime-local box on the zone's clock ("2026-12-07T02:00"). */
export function zonedInput(moment, zone) {
  const p = zoneParts(moment instanceof Date ? moment : new Date(moment), zone);
  const pad = (n) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** A datetime-local box's value read on the zone's clock, as an ISO moment (null when empty). */
export function fromZonedInput(value, zone) {
  const found = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || '');
  if (!found) return null;
  const [, y, m, d, hh, mm] = found.map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let moment = wall - zoneOffset(new Date(wall), zone);
  moment = wall - zoneOffset(new Date(moment), zone); // once more across a change of offset (summer time)
  return new Date(moment).toISOString();
}

/** A date with the time on the zone's clock. */
export function formatZonedDateTime(iso, zone) {
  if (!iso) return '';
  try {
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(iso));
  } catch {
    return formatDateTime(iso);
  }
}
