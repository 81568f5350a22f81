"""Routes of the knowledge base: articles (list, search, read, write, preview), the public page's settings, and
the public pages themselves."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.core import db
from chalicelib.core.config import settings
from chalicelib.core.http import Api, ApiRequest
from chalicelib.core.tenancy import TenantContext
from chalicelib.kb import public, service, text
from chalicelib.kb import schemas as s
from chalicelib.kb.models import Article, SearchRow

api = Api(__name__, tag="kb")
BASE = "/api/v1/kb/articles"
ITEM = BASE + "/{article_id}"


def _summary(item: Article | SearchRow) -> s.ArticleSummary:
    return s.ArticleSummary(id=item.article_id, title=item.title, slug=item.slug, category=item.category,
                            visibility=item.visibility, updated_at=item.updated_at)  # type: ignore[arg-type]


def _read(ctx: TenantContext, article: Article) -> s.ArticleRead:
    site = service.get_site(ctx) if article.visibility == "public" else None
    url = f"{settings.public_url}/kb/{site.slug}/{article.slug}" if site is not None and site.slug else None
    return s.ArticleRead(id=article.article_id, title=article.title, slug=article.slug, category=article.category,
                         visibility=article.visibility, updated_at=article.updated_at, body=article.body,  # type: ignore[arg-type]
                         html=text.render(article.body), excerpt=text.plain(article.body),
                         text=text.message_text(article.body), public_url=url,
                         owner_id=article.owner_id, created_at=article.created_at, version=int(article.version or 0))


@api.route(BASE, summary="Knowledge base articles, newest first; by category or visibility; q finds them by the "
                         "stems of their words (Russian and English)", query=s.ArticleQuery, response=s.ArticlePage,
           errors=(400, 403))
def kb_list(request: ApiRequest) -> Any:
    page: db.Page[Any] = service.list_articles(request.tenant, request.query)
    return s.ArticlePage(items=[_summary(item) for item in page.items], next_cursor=page.next_cursor)


@api.route(BASE, method="POST", summary="Write an article (Markdown)", body=s.ArticleCreate,
           response=s.ArticleRead, status=201, errors=(403, 409))
def kb_create(request: ApiRequest) -> Any:
    return _read(request.tenant, service.create(request.tenant, request.body))


@api.route(ITEM, summary="An article with its sanitised HTML", response=s.ArticleRead, errors=(403, 404))
def kb_get(request: ApiRequest, article_id: str) -> Any:
    return _read(request.tenant, service.get_or_raise(request.tenant, article_id))


@api.route(ITEM, method="PATCH", summary="Change an article (with its version)", body=s.ArticleUpdate,
           response=s.ArticleRead, errors=(403, 404, 409))
def kb_update(request: ApiRequest, article_id: str) -> Any:
    return _read(request.tenant, service.update(request.tenant, article_id, request.body))


@api.route(ITEM, method="DELETE", summary="Delete an article", status=204, errors=(403, 404))
def kb_delete(request: ApiRequest, article_id: str) -> None:
    service.delete(request.tenant, article_id)


@api.route("/api/v1/kb/preview", method="POST", summary="The sanitised HTML of a draft's Markdown",
           body=s.ArticlePreviewIn, response=s.ArticlePreviewOut, errors=(403,))
def kb_preview(request: ApiRequest) -> Any:
    return s.ArticlePreviewOut(html=service.preview(request.tenant, request.body.body))


def _site(site: Any) -> s.SiteRead:
    return s.SiteRead(slug=site.slug, title=site.title, url=f"{settings.public_url}/kb/{site.slug}" if site.slug
                      else None, version=int(site.version or 0))


@api.route("/api/v1/kb/site", summary="The public knowledge base page's address and title", response=s.SiteRead,
           errors=(403,))
def kb_site_get(request: ApiRequest) -> Any:
    from chalicelib.core import permissions

    permissions.require(request.tenant, "kb", "read")
    return _site(service.get_site(request.tenant))


@api.route("/api/v1/kb/site", method="PUT", summary="Set the public page's address and title", body=s.SiteIn,
           response=s.SiteRead, errors=(403, 409))
def kb_site_put(request: ApiRequest) -> Any:
    return _site(service.update_site(request.tenant, request.body))


@api.route("/kb/{site}", summary="A company's public knowledge base (no sign-in)", public=True, in_schema=False)
def kb_public_index(request: ApiRequest, site: str) -> Response:
    q = (request.raw.query_params or {}).get("q")
    return public.index(site, q=q.strip() if q and q.strip() else None)


@api.route("/kb/{site}/{article}", summary="A public article (no sign-in)", public=True, in_schema=False)
def kb_public_article(request: ApiRequest, site: str, article: str) -> Response:
    return public.article(site, article)
