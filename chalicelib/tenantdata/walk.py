"""Every item of one tenant, found with Queries and GetItems from the registered partitions and links.

No Scan: in a pooled table a Scan reads every tenant's items to find one tenant's, so its cost grows
with the whole table, and the request role holds no Scan permission. The walk reads only what the
tenant owns, and refuses anything outside it (an item a link led to that is not the tenant's is a
registry bug, never something to export or delete).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.tenancy import GLOBAL_PREFIX, TenantContext
from chalicelib.tenantdata import catalog, registry
from chalicelib.tenantdata.registry import RawItem

catalog.register()

Key = tuple[str, str]


class ForeignItemError(RuntimeError):
    """The walk reached an item that is not the tenant's: a link or partition is declared wrong."""


def key_of(item: RawItem) -> Key:
    """The (pk, sk) of a raw item."""
    return str(item["pk"]["S"]), str(item["sk"]["S"])


def belongs(ctx: TenantContext, item: RawItem) -> bool:
    """True for the tenant's own items and the global lookups that name it."""
    pk, sk = key_of(item)
    if pk.startswith(ctx.prefix):
        return True
    return pk.startswith(GLOBAL_PREFIX) and ctx.tenant_id in (registry.text(item, "tenant_id"), sk)


def _query(pk: str, *, index: str | None = None) -> Iterator[RawItem]:
    """Every item of one partition (of the table, or of gsi1), page by page."""
    name = "gsi1pk" if index else "pk"
    request: dict[str, Any] = {
        "TableName": settings.table_name, "KeyConditionExpression": "#p = :p",
        "ExpressionAttributeNames": {"#p": name}, "ExpressionAttributeValues": {":p": {"S": pk}},
    }
    if index:
        request["IndexName"] = index
    else:
        request["ConsistentRead"] = True
    while True:
        page = aws.client("dynamodb").query(**request)
        yield from page.get("Items", [])
        if not page.get("LastEvaluatedKey"):
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _get(key: Key) -> RawItem | None:
    answer = aws.client("dynamodb").get_item(TableName=settings.table_name, ConsistentRead=True,
                                             Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}})
    item: RawItem | None = answer.get("Item")
    return item


class _Walk:
    """One walk: partitions still to read, keys still to get, what was found."""

    def __init__(self, ctx: TenantContext) -> None:
        self.ctx = ctx
        self.found: dict[Key, RawItem] = {}
        self.partitions: list[str] = list(registry.partitions(ctx))
        self.keys: list[Key] = []
        self.read: set[str] = set()

    def add(self, item: RawItem) -> None:
        """Keep an item of the tenant and queue what it links to."""
        if not belongs(self.ctx, item):
            raise ForeignItemError(f"{registry.kind_of(item)} item {key_of(item)[0]!r} is not the tenant's")
        if key_of(item) in self.found:
            return
        self.found[key_of(item)] = item
        for pk, sk in registry.links(self.ctx, item):
            if sk is None:
                self.partitions.append(pk)
            else:
                self.keys.append((pk, sk))

    def _follow(self, key: Key) -> None:
        if key in self.found:
            return
        if not key[0].startswith((self.ctx.prefix, GLOBAL_PREFIX)):
            raise ForeignItemError(f"a link leads to {key[0]!r}, outside the tenant")
        linked = _get(key)
        # A global key is shared by every tenant: the item there may be another's (an imported API key
        # still names its source's lookup). Only the ones naming this tenant are its own.
        if linked is not None and (key[0].startswith(self.ctx.prefix) or belongs(self.ctx, linked)):
            self.add(linked)

    def run(self) -> dict[Key, RawItem]:
        """Read the feeds, then partitions and linked keys until nothing new turns up."""
        for feed in registry.feeds(self.ctx):
            for item in _query(feed, index="gsi1"):
                self.add(item)
        while self.partitions or self.keys:
            while self.partitions:
                pk = self.partitions.pop()
                if not pk.startswith(self.ctx.prefix):
                    raise ForeignItemError(f"a link leads to partition {pk!r}, outside the tenant")
                if pk not in self.read:
                    self.read.add(pk)
                    for item in _query(pk):
                        self.add(item)
            while self.keys:
                self._follow(self.keys.pop())
        return self.found


def tenant_items(ctx: TenantContext) -> dict[Key, RawItem]:
    """Every item of ctx's tenant by key, in DynamoDB's typed form (call with ctx's tenant bound)."""
    return _Walk(ctx).run()
