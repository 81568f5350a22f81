// #/kb (#24): the knowledge base: articles by category, a search in Russian and English, and #/kb/:id (or
// #/kb/new), the editor: Markdown with a preview the server renders and sanitises (the same HTML the public page
// shows), category, visibility, the public link.
import { del, get, patch, post, query } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { formatDateTime } from '../js/format.js';
import { MESSAGES } from '../js/messages.js';
import { TICKETS } from '../js/messages-tickets.js';
import { can } from '../js/session.js';
import { confirmAction, empty, field, form, heading, pager, toast, toastError } from '../js/ui.js';

Object.assign(MESSAGES, TICKETS);

/** Server-sanitised HTML (nh3) as nodes: parsed inert by DOMParser, never assigned to innerHTML of the page. */
export function sanitisedNodes(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  return [...parsed.body.childNodes].map((node) => document.importNode(node, true));
}

function articleItem(article) {
  return h('li', { 'data-article': article.id }, h('a', { href: `#/kb/${encodeURIComponent(article.id)}` }, article.title),
    ' ', article.category ? h('span', { class: 'badge' }, article.category) : null, ' ',
    h('span', { class: ['badge', article.visibility === 'public' ? 'badge-ok' : null] }, t(`kb.visibility.${article.visibility}`)),
    h('span', { class: 'muted' }, ` · ${formatDateTime(article.updated_at)}`));
}

/** #/kb?q=: the articles (newest first) or those a search finds. */
export async function list(root, { query: params, navigate, alive }) {
  const q = (params.get('q') || '').slice(0, 100);
  const path = (cursor) => `/api/v1/kb/articles${query({ q, limit: 50, cursor })}`;
  const page = await get(path(null));
  if (!alive()) return;
  const items = h('ul', { class: 'kb-list', 'data-test': 'kb-list' }, page.items.map(articleItem));
  const more = async (cursor) => {
    const next = await get(path(cursor));
    next.items.forEach((article) => items.append(articleItem(article)));
    const again = pager(next.next_cursor, more);
    if (again) items.after(again);
  };
  const search = h('input', { type: 'search', id: 'kb-q', value: q, maxlength: 100, placeholder: t('kb.search') });
  const searchForm = h('form', { class: 'list-tools', role: 'search', onSubmit: (event) => {
    event.preventDefault();
    navigate(`/kb${query({ q: search.value.trim() })}`);
  } }, h('label', { for: 'kb-q', class: 'visually-hidden' }, t('kb.search')), search);
  const add = can('kb', 'create') ? h('a', { class: 'button-link primary', href: '#/kb/new', 'data-test': 'new-article' }, t('kb.new')) : null;
  mount(root, heading(t('title.kb.list'), add), searchForm,
    page.items.length ? items : empty(t(q ? 'kb.noMatch' : 'kb.empty')), pager(page.next_cursor, more));
}

function previewPane() {
  const pane = h('div', { class: 'kb-preview panel', 'data-test': 'kb-preview', 'aria-live': 'polite' });
  let timer = null;
  const show = (body) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const answer = await post('/api/v1/kb/preview', { body });
        mount(pane, ...sanitisedNodes(answer.html));
      } catch (error) { toastError(error); }
    }, 300);
  };
  return { pane, show };
}

/** #/kb/:id (or new): the editor with its preview. */
export async function editor(root, { params, navigate, alive }) {
  const isNew = params.id === 'new';
  const article = isNew ? { title: '', body: '', category: '', visibility: 'internal' }
    : await get(`/api/v1/kb/articles/${encodeURIComponent(params.id)}`);
  if (!alive()) return;
  const { pane, show } = previewPane();
  const el = form({ className: 'form kb-editor', submit: t('kb.save'), label: t('title.kb.editor'), children: [
    field({ name: 'title', label: t('kb.title'), value: article.title, required: true, maxlength: 200 }),
    field({ name: 'category', label: t('kb.category'), value: article.category || '', maxlength: 60 }),
    field({ name: 'visibility', label: t('kb.visibility'), value: article.visibility,
      options: ['internal', 'public'].map((value) => [value, t(`kb.visibility.${value}`)]) }),
    field({ name: 'body', label: t('kb.body'), type: 'textarea', rows: 14, value: article.body, maxlength: 100000,
      'data-test': 'kb-body' }),
  ], onSubmit: async (values) => {
    const body = { title: values.title, category: values.category || null, visibility: values.visibility, body: values.body };
    const saved = isNew ? await post('/api/v1/kb/articles', body)
      : await patch(`/api/v1/kb/articles/${encodeURIComponent(article.id)}`, { ...body, version: article.version });
    toast(t('kb.saved'), 'ok');
    if (isNew) navigate(`/kb/${saved.id}`);
    else Object.assign(article, saved);
  } });
  const bodyInput = el.querySelector('textarea[name=body]');
  bodyInput.addEventListener('input', () => show(bodyInput.value));
  if (article.html !== undefined) mount(pane, ...sanitisedNodes(article.html));
  const remove = !isNew && can('kb', 'delete') ? h('button', { type: 'button', class: 'secondary danger', onClick: async () => {
    if (!(await confirmAction(t('kb.deleteConfirm'), t('kb.delete')))) return;
    try {
      await del(`/api/v1/kb/articles/${encodeURIComponent(article.id)}`);
      toast(t('kb.deleted'), 'ok');
      navigate('/kb');
    } catch (error) { toastError(error); }
  } }, t('kb.delete')) : null;
  const publicLink = article.public_url ? h('a', { href: article.public_url, target: '_blank', rel: 'noopener' }, t('kb.publicLink')) : null;
  mount(root, heading(isNew ? t('kb.new').replace('+ ', '') : article.title, publicLink, remove),
    h('p', { class: 'back' }, h('a', { href: '#/kb' }, `← ${t('title.kb.list')}`)),
    h('div', { class: 'kb-edit' }, el, h('section', {}, h('h2', {}, t('kb.preview')), pane)));
}
