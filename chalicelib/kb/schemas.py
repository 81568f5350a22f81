"""Request and response schemas of the knowledge base."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema

Title = Annotated[str, Field(min_length=1, max_length=200)]
Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
SiteSlug = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Body = Annotated[str, Field(max_length=100_000)]
Category = Annotated[str, Field(min_length=1, max_length=60)]
Visibility = Literal["internal", "public"]


class ArticleCreate(Schema):
    single_line: ClassVar[frozenset[str]] = frozenset({"category"})
    title: Title
    slug: Slug | None = Field(default=None, description="Made from the title when left out")
    body: Body = ""
    category: Category | None = None
    visibility: Visibility = "internal"


class ArticleUpdate(Schema):
    single_line: ClassVar[frozenset[str]] = frozenset({"category"})
    not_null: ClassVar[frozenset[str]] = frozenset({"title", "slug", "body", "visibility"})
    version: int = Field(ge=1)
    title: Title | None = None
    slug: Slug | None = None
    body: Body | None = None
    category: Category | None = None
    visibility: Visibility | None = None


class ArticlePreviewIn(Schema):
    body: Body


class ArticlePreviewOut(BaseModel):
    html: str


class ArticleSummary(BaseModel):
    id: str
    title: str
    slug: str
    category: str | None
    visibility: Visibility
    updated_at: datetime


class ArticleRead(ArticleSummary):
    body: str
    html: str
    excerpt: str
    text: str = Field(description="The whole article as plain text for a message to a customer: no Markdown symbols, "
                                  "list items as bullets, links as 'label (address)'")
    public_url: str | None
    owner_id: str
    created_at: datetime
    version: int


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None


class ArticleQuery(Schema):
    q: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    category: Category | None = None
    visibility: Visibility | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, Field(max_length=2000)] | None = None


class SiteIn(Schema):
    version: int = Field(ge=0, description="0 the first time")
    slug: SiteSlug | None = Field(default=None, description="The public page's address: /kb/<slug> (none: no page)")
    title: Title | None = None


class SiteRead(BaseModel):
    slug: str | None
    title: str | None
    url: str | None
    version: int
