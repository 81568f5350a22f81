"""The knowledge base: articles (Markdown, a category, internal or public), their search, the public page.

An article and its audit record commit in one transaction with its slug's claim (unique in the company). Its
search rows (``models.SearchRow``: one per three-letter prefix of its stems) are rewritten right after, in batches
(a long article has more rows than a transaction takes); ``search_keys`` on the article names them, so an update
deletes exactly the rows its old words had. Reading: every signed-in role that may read ``kb`` reads every article
(the company's knowledge, not someone's records); changing one needs ``kb:update`` within the author's scope.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, global_key, is_valid_id, new_id, tenant_key
from chalicelib.kb import schemas as s
from chalicelib.kb import text
from chalicelib.kb.models import Article, ArticleSlug, SearchRow, Site, SiteClaim

ENTITY, SITE_ENTITY = "kb_article", "kb_site"
AUDITED = ("title", "slug", "body", "category", "visibility", "owner_id", "team_id")
SITE_SK = "SITE"
BUCKET = 3


def articles_pk(ctx: TenantContext) -> str:
    """Partition of the company's articles."""
    return tenant_key(ctx, "KB")


def public_pk(ctx: TenantContext) -> str:
    """gsi1 partition of the public articles (by slug): all the public pages ever read."""
    return tenant_key(ctx, "KBPUB")


def slugs_pk(ctx: TenantContext) -> str:
    """Partition of the articles' slug claims."""
    return tenant_key(ctx, "KBSLUG")


def search_pk(ctx: TenantContext) -> str:
    """Partition of the search rows."""
    return tenant_key(ctx, "KBTOK")


def site_pk(ctx: TenantContext) -> str:
    """Partition of the public page's settings."""
    return tenant_key(ctx, "KBSITE")


def site_claim_key(slug: str) -> str:
    """The global key that routes a public page's address to its company."""
    return global_key("kbsite", slug)


def slugify(title: str) -> str:
    """A slug from a title (Latin letters and digits; Cyrillic transliterated)."""
    table = str.maketrans({"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",  # noqa: RUF001
                           "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",  # noqa: RUF001
                           "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",  # noqa: RUF001
                           "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"})
    folded = unicodedata.normalize("NFKD", text.fold(title).translate(table))
    ascii_only = folded.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:70].strip("-")
    return slug or "article"


# -- reading ----------------------------------------------------------------------------------


def _item(ctx: TenantContext, article_id: str) -> Article | None:
    return db.get(ctx, Article, articles_pk(ctx), f"A#{article_id}") if is_valid_id(article_id) else None


def get_or_raise(ctx: TenantContext, article_id: str, *, action: str = "read") -> Article:
    """An article the caller may read (or change, with ``action``): 404 when missing, 403 for the action."""
    permissions.require(ctx, "kb", "read")
    article = _item(ctx, article_id)
    if article is None:
        raise errors.NotFoundError("No such article.")
    if action != "read":
        permissions.require_record(ctx, "kb", action, owner_id=article.owner_id, team_id=article.team_id)
    return article


def list_articles(ctx: TenantContext, query: s.ArticleQuery) -> db.Page[Any]:
    """The company's articles (newest first), by category or visibility; with ``q``, found by the stems of their
    words (one Query of the bucket of the longest word)."""
    permissions.require(ctx, "kb", "read")
    if query.q:
        return search(ctx, query.q, category=query.category, visibility=query.visibility, limit=query.limit)
    conditions = None
    if query.category:
        conditions = Article.category == query.category
    if query.visibility:
        condition = Article.visibility == query.visibility
        conditions = condition if conditions is None else conditions & condition
    fingerprint = f"kb:{query.category}:{query.visibility}"
    return db.query_page(ctx, Article, articles_pk(ctx), scope=fingerprint, limit=query.limit, cursor=query.cursor,
                         range_key_condition=Article.sk.startswith("A#"), filter_condition=conditions)


def search(ctx: TenantContext, q: str, *, category: str | None = None, visibility: str | None = None,
           limit: int = 20) -> db.Page[Any]:
    """Articles whose stems every word of q prefixes (Russian and English), best bucket first; one Query."""
    words = text.query_stems(q)
    if not words:
        return db.Page(items=[], next_cursor=None)
    conditions = None
    if category:
        conditions = SearchRow.category == category
    if visibility:
        condition = SearchRow.visibility == visibility
        conditions = condition if conditions is None else conditions & condition
    with db.translate_errors():
        rows = SearchRow.query(search_pk(ctx), SearchRow.sk.startswith(words[0][:BUCKET]),
                               filter_condition=conditions, limit=500)
        found: dict[str, SearchRow] = {}
        for row in rows:
            if isinstance(row, SearchRow) and row.article_id not in found and _matches(words, row.stems):
                found[row.article_id] = row
            if len(found) >= limit:
                break
    return db.Page(items=list(found.values()), next_cursor=None)


def _matches(words: list[str], stems: str) -> bool:
    have = stems.split()
    return all(any(stem.startswith(word) for stem in have) for word in words)


# -- writing ----------------------------------------------------------------------------------


def _audit_view(article: Article | None) -> dict[str, Any] | None:
    return {name: audit.plain(getattr(article, name)) for name in AUDITED} if article is not None else None


def _place(ctx: TenantContext, article: Article) -> None:
    """Public articles on the public index by slug; internal ones on no index at all."""
    if article.visibility == "public":
        article.gsi1pk, article.gsi1sk = public_pk(ctx), article.slug
    else:
        article.gsi1pk, article.gsi1sk = None, None


def _rows(ctx: TenantContext, article: Article) -> list[SearchRow]:
    stems = text.stems(article.title, article.category, article.body)
    joined = " ".join(stems)
    buckets = sorted({stem[:BUCKET] for stem in stems})
    return [SearchRow(search_pk(ctx), f"{bucket}#{article.article_id}", article_id=article.article_id,
                      title=article.title, slug=article.slug, category=article.category,
                      visibility=article.visibility, stems=joined, updated_at=article.updated_at)
            for bucket in buckets]


def _reindex(ctx: TenantContext, old_keys: list[str], rows: list[SearchRow]) -> None:
    """Rewrite an article's search rows (after its transaction: a long article has more than one takes)."""
    new_keys = {row.sk for row in rows}
    with db.translate_errors(), SearchRow.batch_write() as batch:
        for row in rows:
            batch.save(row)
        for sk in old_keys:
            if sk not in new_keys:
                batch.delete(SearchRow(search_pk(ctx), sk))


def _commit(ctx: TenantContext, before: Article | None, after: Article | None, *, action: str,
            subject: Article) -> None:
    change = db.Change()
    old_slug = before.slug if before is not None else None
    new_slug = after.slug if after is not None else None
    if new_slug != old_slug:
        if new_slug is not None:
            change.create(ArticleSlug(slugs_pk(ctx), new_slug, article_id=subject.article_id))
        if old_slug is not None:
            change.delete(ArticleSlug(slugs_pk(ctx), old_slug))
    if after is not None:
        change.save(after)
    else:
        change.delete(subject)
    audit.attach(ctx, change, subject, entity=ENTITY, entity_id=subject.article_id, action=action,
                 before=_audit_view(before), after=_audit_view(after))
    db.commit(ctx, change, conflict=lambda: _conflict(ctx, subject.article_id, new_slug, old_slug))


def _conflict(ctx: TenantContext, article_id: str, new_slug: str | None, old_slug: str | None) -> errors.CRMError:
    if new_slug is not None and new_slug != old_slug:
        taken = db.get(ctx, ArticleSlug, slugs_pk(ctx), new_slug)
        if taken is not None and taken.article_id != article_id:
            return errors.ConflictError("Another article has this address.", code="duplicate_slug")
    return errors.VersionConflictError()


def create(ctx: TenantContext, data: s.ArticleCreate) -> Article:
    """Write a new article (its author the caller)."""
    permissions.require(ctx, "kb", "create")
    article_id = new_id()
    article = Article(articles_pk(ctx), f"A#{article_id}", article_id=article_id, title=data.title,
                      slug=data.slug or slugify(data.title), body=data.body, category=data.category,
                      visibility=data.visibility, owner_id=ctx.actor_id, team_id=ctx.team_id)
    if data.slug is None and db.get(ctx, ArticleSlug, slugs_pk(ctx), article.slug) is not None:
        article.slug = f"{article.slug[:60]}-{article_id[-6:].lower()}"
    rows = _rows(ctx, article)
    article.search_keys = [row.sk for row in rows]
    _place(ctx, article)
    _commit(ctx, None, article, action="create", subject=article)
    _reindex(ctx, [], rows)
    return article


def update(ctx: TenantContext, article_id: str, data: s.ArticleUpdate) -> Article:
    """Change an article (with its version: 409 when stale)."""
    before = get_or_raise(ctx, article_id, action="update")
    if int(before.version or 0) != data.version:
        raise errors.VersionConflictError()
    after = Article.from_raw_data(before.serialize())
    for name in ("title", "slug", "body", "visibility"):
        if getattr(data, name) is not None:
            setattr(after, name, getattr(data, name))
    if "category" in data.model_fields_set:
        after.category = data.category
    after.updated_at = db.utcnow()
    rows = _rows(ctx, after)
    after.search_keys = [row.sk for row in rows]
    _place(ctx, after)
    _commit(ctx, before, after, action="update", subject=after)
    _reindex(ctx, list(before.search_keys or []), rows)
    return after


def delete(ctx: TenantContext, article_id: str) -> None:
    """Delete an article for good (audited), its slug and search rows with it."""
    article = get_or_raise(ctx, article_id, action="delete")
    _commit(ctx, article, None, action="delete", subject=article)
    _reindex(ctx, list(article.search_keys or []), [])


def preview(ctx: TenantContext, body: str) -> str:
    """The sanitised HTML of a draft (for the editor)."""
    permissions.require(ctx, "kb", "read")
    return text.render(body)


# -- the public page ----------------------------------------------------------------------------


def get_site(ctx: TenantContext) -> Site:
    """The company's public page settings (none yet: an empty one)."""
    found = db.get(ctx, Site, site_pk(ctx), SITE_SK)
    return found if found is not None else Site(site_pk(ctx), SITE_SK)


def update_site(ctx: TenantContext, data: s.SiteIn) -> Site:
    """Set the public page's address and title (who may change the company's settings); an address is one
    company's only (409 ``slug_taken``)."""
    permissions.require(ctx, "settings", "update")
    before = get_site(ctx)
    if int(before.version or 0) != data.version:
        raise errors.VersionConflictError()
    after = Site.from_raw_data(before.serialize()) if before.version else Site(site_pk(ctx), SITE_SK)
    sent = data.model_dump(exclude_unset=True)
    if "slug" in sent:
        after.slug = sent["slug"]
    if "title" in sent:
        after.title = sent["title"]
    change = db.Change().save(after)
    if after.slug != before.slug:
        if after.slug:
            change.create(SiteClaim(site_claim_key(after.slug), SITE_SK, tenant_id=ctx.tenant_id))
        if before.slug:
            change.delete(SiteClaim(site_claim_key(before.slug), SITE_SK))
    audit.attach(ctx, change, after, entity=SITE_ENTITY, entity_id="site", action="update" if before.version
                 else "create", before={"slug": before.slug, "title": before.title} if before.version else None,
                 after={"slug": after.slug, "title": after.title})
    db.commit(ctx, change, conflict=lambda: errors.ConflictError("This address is taken.", code="slug_taken")
              if after.slug != before.slug else errors.VersionConflictError())
    return after


def site_tenant(slug: str) -> str | None:
    """The company a public page's address leads to (the routing read of a global key), or None."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug or "") or len(slug) > 40:
        return None
    with db.translate_errors():
        try:
            return str(SiteClaim.get(site_claim_key(slug), SITE_SK).tenant_id)
        except SiteClaim.DoesNotExist:
            return None


def public_articles(ctx: TenantContext) -> list[Article]:
    """Every public article of a company (one Query of the public index; internal ones are never on it)."""
    with db.translate_errors():
        return [item for item in Article.gsi1.query(public_pk(ctx), limit=1000)
                if isinstance(item, Article) and item.visibility == "public"]


def public_article(ctx: TenantContext, slug: str) -> Article | None:
    """A public article by its slug (one Query of the public index), or None."""
    with db.translate_errors():
        found = [item for item in Article.gsi1.query(public_pk(ctx), Article.gsi1sk == slug, limit=1)
                 if isinstance(item, Article) and item.visibility == "public"]
    return found[0] if found else None


def public_search(ctx: TenantContext, q: str) -> list[SearchRow]:
    """Public articles found by q."""
    return [row for row in search(ctx, q, visibility="public", limit=20).items if row.visibility == "public"]


# -- a team move ----------------------------------------------------------------------------


def follow_team(ctx: TenantContext, *, owner_id: str, team_id: str | None,
                cursor: dict[str, Any] | None) -> tuple[int, dict[str, Any] | None]:
    """One page of the company's articles, those of the author not in the author's team given it (``records.teams``,
    catalog.TEAM_FOLLOWERS: a team-scoped manager changes their team's articles); answers (moved, next cursor)."""
    from chalicelib.records import teams

    condition = (Article.owner_id == owner_id) & teams.not_in_team(Article.team_id, team_id)
    with db.translate_errors():
        found = Article.query(articles_pk(ctx), Article.sk.startswith("A#"), limit=100, page_size=100,
                              last_evaluated_key=cursor, filter_condition=condition,
                              attributes_to_get=["pk", "sk", "kind", "article_id"])
        ids = [str(article.article_id) for article in found if isinstance(article, Article)]
        cursor = found.last_evaluated_key
    return sum(_restamp(ctx, article_id, owner_id=owner_id, team_id=team_id) for article_id in ids), cursor


def _restamp(ctx: TenantContext, article_id: str, *, owner_id: str, team_id: str | None) -> bool:
    from chalicelib.records import teams

    def write(before: Article) -> None:
        after = Article.from_raw_data(before.serialize())
        after.team_id = team_id
        _commit(ctx, before, after, action="team_move", subject=after)

    return teams.restamp_once(lambda: _item(ctx, article_id), write, owner_id=owner_id, team_id=team_id)
