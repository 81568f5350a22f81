// The app's entry: restores the session, draws the shell and routes #/... to lazily loaded screens.
import { onSessionEnded, post } from './api.js';
import { h, mount } from './dom.js';
import { LANGS, getLang, onLangChange, setLang, t } from './i18n.js';
import { can, forget, onSessionChange, restore, session, signOut, signedIn } from './session.js';
import { failed, heading, loading, toast, toastError } from './ui.js';
import { phonesReady } from './format.js';
import { settingsRoutes } from './settings-sections.js';
import './live.js'; // the live-updates socket while signed in: `crm:live` events on window
import './caller-card.js'; // who is calling, from the `call.ringing` events of that socket
import { bell } from './bell.js'; // the unread notifications, kept current by that socket
import { inboxCount } from './conversations.js'; // the unread conversations in the nav, kept current the same way

const SCREENS = {
  auth: () => import('../screens/auth.js'),
  tasks: () => import('../screens/tasks.js'),
  contacts: () => import('../screens/contacts.js'),
  companies: () => import('../screens/companies.js'),
  deals: () => import('../screens/deals.js'),
  calls: () => import('../screens/calls.js'),
  inbox: () => import('../screens/inbox.js'),
  products: () => import('../screens/products.js'),
  settings: () => import('../screens/settings.js'),
  people: () => import('../screens/people.js'),
  apikeys: () => import('../screens/apikeys.js'),
  customfields: () => import('../screens/customfields.js'),
  pipelines: () => import('../screens/pipelines.js'),
  audit: () => import('../screens/audit.js'),
  data: () => import('../screens/data.js'),
  integrations: () => import('../screens/integrations.js'),
  billing: () => import('../screens/billing.js'),
};

// [path pattern, screen module, export, options]
const ROUTES = [
  ['/login', 'auth', 'login', { public: true }],
  ['/signup', 'auth', 'signup', { public: true }],
  ['/forgot', 'auth', 'forgot', { public: true }],
  ['/reset', 'auth', 'reset', { public: true, any: true }],
  ['/accept', 'auth', 'accept', { public: true, any: true }],
  ['/confirm-email', 'auth', 'confirmEmail', { public: true, any: true }],
  ['/cancel-deletion', 'data', 'cancelDeletion', { public: true, any: true }],
  ['/tasks', 'tasks', 'tasks', { nav: 'tasks' }],
  ['/contacts', 'contacts', 'list', { nav: 'contacts' }],
  ['/contacts/:id', 'contacts', 'card', { nav: 'contacts' }],
  ['/companies', 'companies', 'list', { nav: 'companies' }],
  ['/companies/:id', 'companies', 'card', { nav: 'companies' }],
  ['/deals', 'deals', 'board', { nav: 'deals' }],
  ['/deals/:id', 'deals', 'card', { nav: 'deals' }],
  ['/calls', 'calls', 'calls', { nav: 'calls' }],
  ['/tickets', 'tickets', 'queue', { nav: 'tickets' }],
  ['/tickets/:id', 'tickets', 'card', { nav: 'tickets' }],
  ['/kb', 'kb', 'list', { nav: 'tickets' }],
  ['/kb/:id', 'kb', 'editor', { nav: 'tickets' }],
  ['/campaigns', 'campaigns', 'list', { nav: 'campaigns' }],
  ['/campaigns/new', 'campaigns', 'wizard', { nav: 'campaigns' }],
  ['/campaigns/:id/edit', 'campaigns', 'wizard', { nav: 'campaigns' }],
  ['/campaigns/:id', 'campaigns', 'results', { nav: 'campaigns' }],
  ['/segments', 'campaigns', 'segments', { nav: 'campaigns' }],
  ['/segments/:id', 'campaigns', 'segment', { nav: 'campaigns' }],
  ['/search', 'search', 'search', { title: 'search.title' }],
  ['/inbox', 'inbox', 'inbox', { nav: 'inbox' }],
  ['/inbox/:id', 'inbox', 'thread', { nav: 'inbox' }],
  ['/notifications', 'notifications', 'list', {}],
  ['/reports', 'reports', 'dashboard', { nav: 'reports' }],
  ['/products', 'products', 'list', { nav: 'products' }],
  ['/products/:id', 'products', 'card', { nav: 'products' }],
  ['/orders', 'orders', 'list', { nav: 'orders' }],
  ['/orders/new', 'orders', 'editor', { nav: 'orders' }],
  ['/orders/:id/edit', 'orders', 'editor', { nav: 'orders' }],
  ['/orders/:id', 'orders', 'card', { nav: 'orders' }],
  ['/settings', 'settings-nav', 'index', { nav: 'settings', limitedOk: true, title: 'settings.title' }],
  ...settingsRoutes(), // one entry in screens/settings-nav.js adds a section of Settings
  ['/settings/audit/reads', 'audit', 'reads', { nav: 'settings' }],
];
const REDIRECTS = { '': '/tasks', '/': '/tasks' };

const NAV = [
  ['tasks', '/tasks', 'tasks'],
  ['contacts', '/contacts', 'contacts'],
  ['companies', '/companies', 'companies'],
  ['deals', '/deals', 'deals'],
  ['inbox', '/inbox', 'conversations'],
  ['tickets', '/tickets', 'tickets'],
  ['calls', '/calls', 'calls'],
  ['products', '/products', 'products'],
  ['orders', '/orders', 'orders'],
  ['campaigns', '/campaigns', 'campaigns'],
  ['reports', '/reports', 'deals'],
  ['settings', '/settings', null],
];

/** The first main screen the signed-in role may open (Settings, which every role reaches, when none). */
function homePath() {
  const first = NAV.find(([, , entity]) => entity && can(entity, 'read'));
  return first ? first[1] : '/settings';
}

const app = document.getElementById('app');
let renderCount = 0;
// The screen drawn last. Its address is #app's data-drawn once it is drawn (its data in, its title focused): what a
// test waits for, since two screens may share a title (Settings). A screen opened from another starts at the top.
let drawnPath = null;

function drawn(where) {
  app.dataset.drawn = where.raw;
  drawnPath = where.path;
}

/** Go to a route: navigate('/contacts/123'). */
export function navigate(path) {
  const target = `#${path}`;
  if (location.hash === target) render();
  else location.hash = target;
}

function currentLocation() {
  const raw = location.hash.replace(/^#/, '');
  const [path, search = ''] = raw.split('?');
  return { path: path.replace(/\/+$/, '') || '/', query: new URLSearchParams(search), raw };
}

function match(path) {
  const parts = path.split('/');
  for (const [pattern, module, name, options] of ROUTES) {
    const want = pattern.split('/');
    if (want.length !== parts.length) continue;
    const params = {};
    const ok = want.every((part, i) => {
      if (part.startsWith(':')) { params[part.slice(1)] = decodeURIComponent(parts[i]); return parts[i] !== ''; }
      return part === parts[i];
    });
    if (ok) return { module, name, options, params };
  }
  return null;
}

function languageSwitch() {
  const id = 'lang-switch';
  const select = h('select', { id, class: 'lang-select', onChange: (event) => setLang(event.target.value) },
    LANGS.map(([code, name]) => h('option', { value: code, selected: code === getLang(), lang: code }, name)));
  // A phone's top bar has no room for "Русский": it shows the code, the select lies invisibly over it (app.css).
  return h('div', { class: 'lang' }, h('label', { for: id, class: 'visually-hidden' }, t('shell.language')),
    h('span', { class: 'lang-code', 'aria-hidden': 'true' }, getLang().toUpperCase()), select);
}

function skipLink() {
  // A hash link would be taken for a route, so the skip link moves focus itself.
  return h('a', { class: 'skip-link', href: '#main', onClick: (event) => {
    event.preventDefault();
    document.getElementById('main')?.focus();
  } }, t('shell.skip'));
}

// The search across contacts, companies and deals, one tap away on every screen (#20 item 16).
function searchLink() {
  return h('a', { href: '#/search', class: 'topbar-search', 'aria-label': t('search.title'), title: t('search.title') },
    h('span', { class: 'icon icon-search', 'aria-hidden': 'true' }));
}

function userMenu() {
  const logout = (everywhere) => async () => {
    try { await signOut(everywhere); } catch (error) { toastError(error); }
    navigate('/login');
  };
  return h('details', { class: 'user-menu' },
    h('summary', { 'aria-label': t('shell.account') }, h('span', { class: 'avatar', 'aria-hidden': 'true' },
      (session.user?.name || '?').slice(0, 1).toUpperCase()), h('span', { class: 'user-name' }, session.user?.name)),
    h('div', { class: 'menu-panel' },
      h('p', { class: 'menu-email' }, session.user?.email),
      h('a', { href: '#/settings/profile' }, t('nav.profile')),
      h('button', { type: 'button', class: 'link', onClick: logout(false), 'data-test': 'logout' }, t('shell.logout')),
      h('button', { type: 'button', class: 'link', onClick: logout(true), 'data-test': 'logout-everywhere' },
        t('security.logoutEverywhere'))));
}

function sideNav(active) {
  const items = NAV.filter(([, , entity]) => !entity || can(entity, 'read'));
  const nav = h('nav', { class: 'main-nav', 'aria-label': t('shell.mainNav') }, h('ul', {}, items.map(([key, path]) =>
    h('li', {}, h('a', { href: `#${path}`, class: `nav-${key}`, 'aria-current': key === active ? 'page' : null },
      h('span', { class: `icon icon-${key}`, 'aria-hidden': 'true' }), h('span', { class: 'nav-label' }, t(`nav.${key}`)),
      key === 'inbox' ? inboxCount() : null)))));
  // On a phone the bar scrolls sideways: bring the current screen's place into view.
  requestAnimationFrame(() => {
    const current = nav.querySelector('[aria-current=page]');
    const bar = nav.querySelector('ul');
    if (current && bar && bar.scrollWidth > bar.clientWidth) {
      bar.scrollLeft = Math.max(0, current.parentElement.offsetLeft - (bar.clientWidth - current.offsetWidth) / 2);
    }
  });
  return nav;
}

// Where the subscription stands, above every screen: a trial's days and arrears to those who see billing, a
// suspension (read-only) to everyone. From the tenant /api/v1/me answered: no request of its own.
function billingBanner() {
  const tenant = session.tenant || {};
  const billing = can('billing', 'read') ? h('a', { href: '#/settings/billing' }, t('banner.billing')) : null;
  const banner = (kind, text) => h('div', { class: ['billing-banner', kind], role: 'status', 'data-test': 'billing-banner' },
    h('span', {}, text), billing);
  if (tenant.billing_status === 'suspended') return banner('banner-off', t('banner.suspended'));
  if (!billing) return h('div', { class: 'billing-banner', hidden: true });
  if (tenant.billing_status === 'past_due') {
    const date = new Date(tenant.grace_ends_at).toLocaleDateString(getLang(), { dateStyle: 'long' });
    return banner('banner-warn', t('banner.pastDue', { date }));
  }
  if (tenant.billing_status === 'trialing' && tenant.trial_ends_at) {
    const days = Math.max(0, Math.ceil((new Date(tenant.trial_ends_at).getTime() - Date.now()) / 86_400_000));
    return banner(null, t('banner.trial', { n: days }));
  }
  return h('div', { class: 'billing-banner', hidden: true });
}

// Until the owner confirms the address sign-up gave (7 days, then read-only): the owner is asked, with a way to
// get the link again; everyone else is told. From the tenant /api/v1/me answered: no request of its own.
function confirmBanner() {
  const due = session.tenant?.email_confirm_by;
  if (!due) return h('div', { class: 'confirm-banner', hidden: true });
  const owner = session.user?.role === 'owner';
  const date = new Date(due).toLocaleDateString(getLang(), { dateStyle: 'long' });
  const readOnly = new Date(due).getTime() <= Date.now();
  const text = readOnly ? t('banner.confirmReadOnly')
    : (owner ? t('banner.confirm', { email: session.user.email, date }) : t('banner.confirmOthers', { date }));
  const resend = async () => {
    try {
      await post('/api/v1/auth/confirm-email/resend', {});
      toast(t('banner.confirmSent', { email: session.user.email }));
    } catch (error) { toastError(error); }
  };
  return h('div', { class: ['confirm-banner', readOnly ? 'banner-off' : 'banner-warn'], role: 'status',
    'data-test': 'confirm-banner' }, h('span', {}, text),
  owner ? h('button', { type: 'button', class: 'link', onClick: resend, 'data-test': 'confirm-resend' },
    t('banner.confirmResend')) : null);
}

function shell(active) {
  const main = h('main', { id: 'main', tabindex: '-1', class: 'content' });
  mount(app, skipLink(),
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/tasks' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'C'),
        h('span', { class: 'brand-name' }, session.tenant?.name || 'CRM')),
      h('div', { class: 'topbar-tools' }, searchLink(), bell(), languageSwitch(), userMenu())),
    billingBanner(), confirmBanner(),
    h('div', { class: 'layout' }, sideNav(active), main));
  return main;
}

function publicLayout() {
  const main = h('main', { id: 'main', tabindex: '-1', class: 'auth-main' });
  mount(app, skipLink(), h('header', { class: 'topbar topbar-public' },
    h('span', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'C'),
      h('span', { class: 'brand-name' }, 'CRM')), h('div', { class: 'topbar-tools' }, languageSwitch())), main);
  return main;
}

function replaced() {
  return h('div', { class: 'form-status', role: 'alert' }, h('p', {}, t('shell.replaced')),
    h('button', { type: 'button', class: 'primary', onClick: () => location.reload() }, t('shell.reload')));
}

function notFound(root) {
  mount(root, h('h1', { tabindex: '-1', id: 'page-title' }, t('shell.notFound')),
    h('p', {}, h('a', { href: '#/tasks' }, t('shell.home'))));
}

async function render({ focus = true } = {}) {
  const count = ++renderCount;
  const where = currentLocation();
  delete app.dataset.drawn;
  if (where.path in REDIRECTS) { location.replace(`#${REDIRECTS[where.path]}`); return; }
  // Tasks is home; a role that may not read tasks starts on the first screen it may open (no 403 on sign-in)
  if (where.path === '/tasks' && signedIn() && !can('tasks', 'read')) { location.replace(`#${homePath()}`); return; }
  const route = match(where.path);
  if (route && !route.options.public && !signedIn()) {
    navigate(`/login?next=${encodeURIComponent(where.raw)}`);
    return;
  }
  if (route && route.options.public && !route.options.any && signedIn()) { navigate('/tasks'); return; }
  if (route && signedIn() && session.limited && !route.options.limitedOk && !route.options.public) {
    navigate('/settings/security');
    return;
  }
  const root = route && route.options.public ? publicLayout() : (signedIn() ? shell(route?.options.nav) : publicLayout());
  if (!route) { notFound(root); drawn(where); return; }
  const title = t(route.options.title || `title.${route.module}.${route.name}`);
  document.title = `${title} · CRM`;
  mount(root, loading());
  if (where.path !== drawnPath) window.scrollTo(0, 0); // not at the scroll the last screen left
  let module;
  try {
    module = await (SCREENS[route.module] || (() => import(`../screens/${route.module}.js`)))();
  } catch {
    // The screen's file did not come: the CRM was updated since this tab opened (the old build's files are gone,
    // and mixing them with the new build's would break), or the connection dropped. Reloading fixes both.
    if (count === renderCount) mount(root, heading(title), replaced());
  }
  if (count !== renderCount) return;
  if (module) {
    try {
      await module[route.name](root, { params: route.params, query: where.query, navigate, alive: () => count === renderCount });
    } catch (error) {
      if (count === renderCount) mount(root, heading(title), failed(error));
    }
  }
  if (focus && count === renderCount) (root.querySelector('#page-title') || root).focus({ preventScroll: false });
  if (count === renderCount) drawn(where);
}

onSessionEnded(() => {
  forget();
  toast(t('shell.sessionEnded'), 'error');
  navigate('/login');
});
onLangChange(() => render({ focus: false }));
// Edits of the profile or the company show in the header at once.
onSessionChange(() => {
  const set = (selector, text) => { const el = app.querySelector(selector); if (el && text) el.textContent = text; };
  set('.topbar a.brand .brand-name', session.tenant?.name);
  set('.user-menu .user-name', session.user?.name);
  set('.user-menu .avatar', session.user?.name?.slice(0, 1).toUpperCase());
  app.querySelector('.billing-banner')?.replaceWith(billingBanner());
  app.querySelector('.confirm-banner')?.replaceWith(confirmBanner());
});
window.addEventListener('hashchange', () => render());
// Escape closes an open menu and returns focus to its button.
document.addEventListener('keydown', (event) => {
  const menu = event.key === 'Escape' ? app.querySelector('details.user-menu[open]') : null;
  if (menu) { menu.open = false; menu.querySelector('summary').focus(); }
});

// A table wider than its screen (a report in Russian, a phone) scrolls sideways in its .table-wrap; with nothing in it
// to focus, a keyboard user could not scroll it (WCAG 2.1.1). Such a wrap takes the focus, named by its table's
// caption; one that fits again gives it back.
function scrollableTables() {
  for (const wrap of app.querySelectorAll('.table-wrap')) {
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls === (wrap.getAttribute('tabindex') === '0')) continue;
    const caption = wrap.querySelector('caption')?.textContent;
    const marks = { tabindex: '0', role: 'region', 'aria-label': caption || null };
    for (const [name, value] of Object.entries(marks)) {
      if (scrolls && value) wrap.setAttribute(name, value); else wrap.removeAttribute(name);
    }
  }
}
let tablesQueued = false;
function queueTables() {
  if (tablesQueued) return;
  tablesQueued = true;
  requestAnimationFrame(() => { tablesQueued = false; scrollableTables(); });
}
new MutationObserver(queueTables).observe(app, { childList: true, subtree: true });
window.addEventListener('resize', queueTables);

async function start() {
  // The app's frame at once, then the screen's shape while the session and the screen load (#20 item 14).
  mount(app, h('div', { class: 'boot-frame' }, h('div', { class: 'topbar' }, h('span', { class: 'brand' },
    h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'C'))), h('main', { class: 'content' }, loading())));
  const path = currentLocation().path;
  const route = match(path);
  // Public pages that take a one-time token need no session; everything else tries to restore one.
  // Numbers on screen are grouped by libphonenumber once its lazily loaded module is in (format.js), fetched
  // beside the session's restore.
  if (!(route && route.options.public && route.options.any)) await Promise.all([restore(), phonesReady]);
  await render({ focus: false });
}

start();
