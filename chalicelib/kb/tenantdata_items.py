"""The knowledge base's items declared to the tenant export and purge (``tenantdata.registry``).

Articles, their slugs, their search rows and the public page's settings are four fixed partitions. The public
page's address is a global claim, reached from the settings; it is not exported, and an imported company's page
arrives without an address (it would lead to the source company), to be given one of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext
from chalicelib.kb import service
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import Link, RawItem, text


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [service.articles_pk(ctx), service.slugs_pk(ctx), service.search_pk(ctx), service.site_pk(ctx)]


def _site_links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    slug = text(item, "slug")
    if not slug or not str(item["pk"]["S"]).startswith(ctx.prefix):
        return []
    return [(service.site_claim_key(slug), service.SITE_SK)]


def _without_address(item: RawItem, now: str) -> RawItem:
    return {name: value for name, value in item.items() if name != "slug"}


def register() -> None:
    """Declare the articles, slugs, search rows, the public page and its address's claim."""
    registry.register_partitions("kb", _partitions)
    registry.register_links("kb_site", _site_links)
    registry.register_on_import("kb_site", _without_address)
    registry.exclude_from_export("kb_site_claim", reason="names the source company's public page address")


register()
