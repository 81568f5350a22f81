"""Knowledge base items.

- :class:`Article`: ``T#<tid>#KB`` / ``A#<article id>``: title, slug, Markdown body, category, visibility, author.
  A public article also sits on gsi1 ``T#<tid>#KBPUB`` / ``<slug>``: the public pages read that index only, so an
  internal article is never in reach of them (it has no gsi1 key at all).
- :class:`ArticleSlug`: ``T#<tid>#KBSLUG`` / ``<slug>``: an article's slug, claimed in its transaction (unique in
  the company).
- :class:`SearchRow`: ``T#<tid>#KBTOK`` / ``<prefix>#<article id>``: one row per distinct three-letter prefix of the
  article's stems (Snowball, Russian or English by script), holding every stem, so a search is one Query of the
  bucket of its longest word's prefix, the other words checked on the rows.
- :class:`Site`: ``T#<tid>#KBSITE`` / ``SITE``: the public page's address and title; its address is claimed at
  ``G#kbsite#<slug>`` / ``SITE`` (:class:`SiteClaim`), the one global key of the KB, read only to route a public
  page to its company.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem


class Article(VersionedItem, discriminator="kb_article"):
    """One article of the company's knowledge base."""

    article_id = UnicodeAttribute()
    title = UnicodeAttribute()
    slug = UnicodeAttribute()
    body = UnicodeAttribute(default="")  # Markdown, sanitised when rendered
    category = UnicodeAttribute(null=True)
    visibility = UnicodeAttribute(default="internal")  # internal | public
    owner_id = UnicodeAttribute()  # the author (record scope: who may change it)
    team_id = UnicodeAttribute(null=True)
    search_keys = ListAttribute[str](default=list)  # the sort keys of its search rows


class ArticleSlug(MainTable, discriminator="kb_slug"):
    """A slug taken by an article."""

    article_id = UnicodeAttribute()


class SearchRow(MainTable, discriminator="kb_search_row"):
    """What a search finds of an article under one prefix of its stems."""

    article_id = UnicodeAttribute()
    title = UnicodeAttribute()
    slug = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    visibility = UnicodeAttribute()
    stems = UnicodeAttribute()  # space-separated
    updated_at = UTCDateTimeAttribute()


class Site(VersionedItem, discriminator="kb_site"):
    """The company's public knowledge base page."""

    slug = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)


class SiteClaim(MainTable, discriminator="kb_site_claim"):
    """A public page's address -> its company."""

    tenant_id = UnicodeAttribute()
