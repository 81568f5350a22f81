// The settings menu: the sections of js/settings-sections.js in their groups, beside each section on a desktop and
// as the #/settings page itself on a phone.
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { GROUPS, mayUseTrash, visibleSections } from '../js/settings-sections.js';

function menu(current) {
  const sections = visibleSections().filter((section) => !section.within);
  const marked = visibleSections().find((section) => section.key === current)?.within || current;
  return GROUPS.map((group) => [group, sections.filter((section) => section.group === group)])
    .filter(([, members]) => members.length)
    .map(([group, members]) => h('div', { class: 'settings-group' },
      h('h2', {}, t(`settings.group.${group}`)),
      h('ul', {}, members.map(({ key }) => h('li', {}, h('a', { href: `#/settings/${key}`,
        'aria-current': key === marked ? 'page' : null }, t(`settings.tab.${key}`)))))));
}

/** Data's sub-tabs: import and export, and the trash for whoever may delete records (null when there is no trash). */
export function dataTabs(current) {
  if (!mayUseTrash()) return null;
  return h('nav', { 'aria-label': t('settings.tab.data') }, h('ul', { class: 'tabs tabs-sub' },
    [['data', t('data.tab.transfer')], ['trash', t('settings.tab.trash')]].map(([key, label]) =>
      h('li', {}, h('a', { href: `#/settings/${key}`, 'aria-current': key === current ? 'page' : null }, label)))));
}

// On a desktop the menu keeps to the window (app.css): no taller than the room below where it starts (under the top
// bar, the banners and the title), it scrolls on its own when the sections outgrow that room (an owner's, under a
// new company's two banners, on a 1366x800 laptop), and sticks beside the section as the page scrolls. Where it
// starts is measured under the title, which does not move with the page as the sticking menu does; the observer sees
// the menu laid out once its screen mounts it.
const laidOut = new ResizeObserver((entries) => entries.forEach(({ target }) => {
  if (fitToWindow(target)) laidOut.unobserve(target);
}));
window.addEventListener('resize', () => document.querySelectorAll('.settings-nav').forEach(fitToWindow));

function fitToWindow(nav) {
  const head = nav.previousElementSibling;
  if (!nav.isConnected || !head) return false;
  const top = head.getBoundingClientRect().bottom + window.scrollY + parseFloat(getComputedStyle(head).marginBottom);
  nav.style.setProperty('--menu-top', `${Math.round(top)}px`);
  // the current section in view in the menu's own scroll (Audit log is at its end)
  const current = nav.querySelector('.settings-menu [aria-current=page]');
  const below = current ? current.getBoundingClientRect().bottom - nav.getBoundingClientRect().bottom : 0;
  if (below > 0) nav.scrollTop += below + current.offsetHeight;
  return true;
}

/**
 * The settings menu beside a section (a column on desktops), the current one marked. On a phone the menu is the
 * #/settings page: a section shows the way back to it and its own name instead.
 */
export function settingsTabs(current) {
  const nav = h('nav', { class: 'settings-nav', 'aria-label': t('nav.settings') },
    h('p', { class: 'settings-where' }, h('a', { href: '#/settings', class: 'settings-back' }, t('settings.all')),
      h('span', { class: 'settings-current' }, t(`settings.tab.${current}`))),
    h('div', { class: 'settings-menu' }, menu(current)));
  laidOut.observe(nav);
  return nav;
}

/** #/settings: every section this user may open, in groups (the whole menu on a phone). */
export function index(root) {
  root.replaceChildren(h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', id: 'page-title' },
    t('settings.title'))), h('nav', { class: 'settings-index', 'aria-label': t('nav.settings') }, menu(null)));
}
