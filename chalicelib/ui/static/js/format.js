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

/** Integer minor units of a currency, formatted as money. */
export function formatMoney(minor, currency) {
  if (minor === null || minor === undefined || !currency) return '';
  const digits = currencyDigits(currency);
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency, minimumFractionDigits: digits,
      maximumFractionDigits: digits }).format(minor / 10 ** digits);
  } catch {
    return `${formatNumber(minor / 10 ** digits)} ${currency}`;
  }
}

/** Minor units as an editable amount in the interface's convention ("1234.50", "1234,50"); parseMoney reads it back. */
export function amountInput(minor, currency) {
  const digits = currencyDigits(currency);
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false })
    .format(minor / 10 ** digits);
}

/** A decimal typed by a person ("1 234,50" or "1234.5") as integer minor units, or null. */
export function parseMoney(text, currency) {
  const cleaned = String(text || '').replace(/[\s\u00a0\u202f']/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  return Math.round(Number(cleaned) * 10 ** currencyDigits(currency));
}

/** A date (no time). */
export function formatDate(iso) {
  if (!iso) return '';
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(date);
}

/** A date with the time. */
export function formatDateTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
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
