"""The public knowledge base pages: ``/kb/<company's address>`` (its public articles by category, a search) and
``/kb/<address>/<article>``: HTML without script, cacheable for five minutes, no sign-in.

They read the company's public index only (``service.public_articles`` / ``public_article``), so an internal
article, or another company's, answers the same 404 as a missing one. Every value is escaped; an article's body is
the sanitised render of its Markdown.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from urllib.parse import quote

from chalice import Response

from chalicelib.core import tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.kb import service, text

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
CACHE = "public, max-age=300"
WORDS = {
    "en": {"search": "Search", "none": "No articles yet.", "found": "Found", "nothing": "Nothing found.",
           "back": "All articles", "other": "Other", "missing": "No such page."},
    "ru": {"search": "Поиск", "none": "Статей пока нет.", "found": "Найдено", "nothing": "Ничего не найдено.",
           "back": "Все статьи", "other": "Другое", "missing": "Такой страницы нет."},  # noqa: RUF001
}


def _page(title: str, body: str, *, status: int = 200, lang: str = "en") -> Response:
    html = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="icon" href="/static/icon.svg">'
            '<link rel="stylesheet" href="/static/public.css"></head>'
            f'<body><main class="public kb">{body}</main></body></html>')
    return Response(body=html, status_code=status, headers={
        "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP,
        "Cache-Control": CACHE if status == 200 else "no-store"})


def _words(lang: str | None) -> dict[str, str]:
    return WORDS.get((lang or "en")[:2], WORDS["en"])


def _missing(lang: str | None) -> Response:
    words = _words(lang)
    return _page(words["missing"], f"<h1>{escape(words['missing'])}</h1>", status=404)


def _company(site_slug: str) -> TenantContext | None:
    tenant_id = service.site_tenant(site_slug)
    if tenant_id is None:
        return None
    return TenantContext(tenant_id=tenant_id, actor_id="public", actor_kind="system", role="system", source="kb")


def _language(ctx: TenantContext) -> str:
    from chalicelib.identity import service as identity_service

    tenant = identity_service.tenant_settings(ctx)
    return "ru" if str(getattr(tenant, "locale", None) or "en")[:2] == "ru" else "en"


def _company_name(ctx: TenantContext) -> str | None:
    from chalicelib.identity import service as identity_service

    return getattr(identity_service.tenant_settings(ctx), "name", None) or None


def index(site_slug: str, *, q: str | None = None) -> Response:
    """A company's public articles by category, or those a search finds."""
    ctx = _company(site_slug)
    if ctx is None:
        return _missing(None)
    with tenancy.bind(ctx):
        site = service.get_site(ctx)
        lang = _language(ctx)
        words = _words(lang)
        title = site.title or _company_name(ctx) or site_slug  # not the address, "demo-flowers", as a heading
        base = f"/kb/{quote(site_slug)}"
        search = (f'<form class="kb-search" method="get" action="{escape(base, quote=True)}">'
                  f'<input type="search" name="q" maxlength="100" value="{escape(q or "", quote=True)}" '
                  f'aria-label="{escape(words["search"], quote=True)}">'
                  f'<button type="submit">{escape(words["search"])}</button></form>')
        if q:
            rows = service.public_search(ctx, q[:100])
            items = "".join(f'<li><a href="{escape(base + "/" + quote(row.slug), quote=True)}">{escape(row.title)}'
                            "</a></li>" for row in rows)
            found = f"<ul>{items}</ul>" if items else f"<p>{escape(words['nothing'])}</p>"
            return _page(title, f"<h1>{escape(title)}</h1>{search}{found}", lang=lang)
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for article in service.public_articles(ctx):
            groups[article.category or words["other"]].append((article.title, article.slug))
        sections = "".join(
            f"<section><h2>{escape(category)}</h2><ul>" + "".join(
                f'<li><a href="{escape(base + "/" + quote(slug), quote=True)}">{escape(name)}</a></li>'
                for name, slug in sorted(articles)) + "</ul></section>"
            for category, articles in sorted(groups.items()))
        content = sections or f"<p>{escape(words['none'])}</p>"
        return _page(title, f"<h1>{escape(title)}</h1>{search}{content}", lang=lang)


def article(site_slug: str, article_slug: str) -> Response:
    """One public article, rendered."""
    ctx = _company(site_slug)
    if ctx is None:
        return _missing(None)
    with tenancy.bind(ctx):
        found = service.public_article(ctx, article_slug[:80])
        lang = _language(ctx)
        if found is None:
            return _missing(lang)
        words = _words(lang)
        back = f'<p class="back"><a href="/kb/{escape(quote(site_slug), quote=True)}">{escape(words["back"])}</a></p>'
        category = f'<p class="category">{escape(found.category)}</p>' if found.category else ""
        return _page(found.title, f"{back}{category}<h1>{escape(found.title)}</h1>"
                                  f'<article>{text.render(found.body)}</article>', lang=lang)
