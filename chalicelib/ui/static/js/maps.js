// A place as a link that opens it in the phone's map: Yandex Maps where its customers use it, else Google Maps (each
// app takes its own web link on a phone), searched as written. Its own small module: the Tasks screen, the first an
// agent opens, shows a showing's address without loading the contact card's code.
import { h } from './dom.js';
import { t } from './i18n.js';
import { session } from './session.js';

const YANDEX_MAPS = new Set(['RU', 'BY', 'KZ', 'UZ']);

/** The text as a link to it in a map (the country, else the company's, chooses the map), or '' for none. */
export function placeLink(text, country = '') {
  if (!text) return '';
  const where = country || session.tenant?.country || '';
  const href = YANDEX_MAPS.has(where) ? `https://yandex.ru/maps/?text=${encodeURIComponent(text)}`
    : `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(text)}`;
  return h('a', { href, target: '_blank', rel: 'noopener', class: 'address-link', 'aria-label': t('contacts.addressOnMap', { address: text }) }, text);
}
