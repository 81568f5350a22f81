"""Every item of one tenant, found with Queries and GetItems from the registered partitions and links.

No Scan: in a pooled table a Scan reads every tenant's items to find one tenant's, so its cost grows
with the whole table, and the request role holds no Scan permission. The walk reads only what the
tenant owns, and refuses anything outside it (an item a link led to that is not the tenant's is a
registry bug, never something to export or delete).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


def _query_page(pk: str, *, feed: bool, start: dict[str, Any] | None,
                limit: int | None) -> tuple[list[RawItem], dict[str, Any] | None]:
    """One page of a partition (of the table, or of gsi1 for a feed) and where the next one starts."""
    name = "gsi1pk" if feed else "pk"
    request: dict[str, Any] = {
        "TableName": settings.table_name, "KeyConditionExpression": "#p = :p",
        "ExpressionAttributeNames": {"#p": name}, "ExpressionAttributeValues": {":p": {"S": pk}},
    }
    if feed:
        request["IndexName"] = "gsi1"
    else:
        request["ConsistentRead"] = True
    if start:
        request["ExclusiveStartKey"] = start
    if limit:
        request["Limit"] = limit
    page = aws.client("dynamodb").query(**request)
    return page.get("Items", []), page.get("LastEvaluatedKey") or None


def _get(key: Key) -> RawItem | None:
    answer = aws.client("dynamodb").get_item(TableName=settings.table_name, ConsistentRead=True,
                                             Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}})
    item: RawItem | None = answer.get("Item")
    return item


@dataclass
class WalkState:
    """Where a walk stands: what is left to read, the page it is in, and the items it has already found.

    It is plain data (``to_json``/``from_json``), so a walk cut short by a time limit resumes where it
    stopped in another process, and never yields an item twice.
    """

    feeds: list[str]
    partitions: list[str]
    keys: list[Key] = field(default_factory=list)
    read: set[str] = field(default_factory=set)
    seen: set[Key] = field(default_factory=set)
    current: str | None = None  # the feed or partition being read page by page
    current_is_feed: bool = False
    cursor: dict[str, Any] | None = None  # its LastEvaluatedKey

    @classmethod
    def start(cls, ctx: TenantContext) -> WalkState:
        """The state of a walk of ctx's tenant that has not begun."""
        return cls(feeds=registry.feeds(ctx), partitions=list(registry.partitions(ctx)))

    def to_json(self) -> dict[str, Any]:
        """The state as JSON-safe data."""
        return {"feeds": self.feeds, "partitions": self.partitions, "keys": [list(key) for key in self.keys],
                "read": sorted(self.read), "seen": sorted([list(key) for key in self.seen]),
                "current": self.current, "current_is_feed": self.current_is_feed, "cursor": self.cursor}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WalkState:
        """The state saved by to_json."""
        return cls(feeds=list(data["feeds"]), partitions=list(data["partitions"]),
                   keys=[(str(pk), str(sk)) for pk, sk in data["keys"]], read=set(data["read"]),
                   seen={(str(pk), str(sk)) for pk, sk in data["seen"]}, current=data["current"],
                   current_is_feed=bool(data["current_is_feed"]), cursor=data["cursor"])


class Walker:
    """Walks a tenant one step at a time (a page of a partition, or one linked item), handing items to sink."""

    def __init__(self, ctx: TenantContext, state: WalkState, sink: Callable[[RawItem], None], *,
                 page_limit: int | None = None) -> None:
        self.ctx, self.state, self.sink, self.page_limit = ctx, state, sink, page_limit

    def add(self, item: RawItem) -> None:
        """Hand an item of the tenant to the sink once, and queue what it links to."""
        if not belongs(self.ctx, item):
            raise ForeignItemError(f"{registry.kind_of(item)} item {key_of(item)[0]!r} is not the tenant's")
        if key_of(item) in self.state.seen:
            return
        self.state.seen.add(key_of(item))
        self.sink(item)
        for pk, sk in registry.links(self.ctx, item):
            if sk is None:
                self.state.partitions.append(pk)
            else:
                self.state.keys.append((pk, sk))

    def _follow(self, key: Key) -> None:
        if key in self.state.seen:
            return
        if not key[0].startswith((self.ctx.prefix, GLOBAL_PREFIX)):
            raise ForeignItemError(f"a link leads to {key[0]!r}, outside the tenant")
        linked = _get(key)
        # A global key is shared by every tenant: the item there may be another's (an imported API key
        # still names its source's lookup). Only the ones naming this tenant are its own.
        if linked is not None and (key[0].startswith(self.ctx.prefix) or belongs(self.ctx, linked)):
            self.add(linked)

    def _read_page(self) -> None:
        state = self.state
        items, state.cursor = _query_page(str(state.current), feed=state.current_is_feed, start=state.cursor,
                                          limit=self.page_limit)
        if state.cursor is None:
            state.current = None
        for item in items:
            self.add(item)

    def _open_next(self) -> bool:
        """Start reading the next feed or unread partition; False when none is left."""
        state = self.state
        if state.feeds:
            state.current, state.current_is_feed, state.cursor = state.feeds.pop(0), True, None
            return True
        while state.partitions:
            pk = state.partitions.pop()
            if not pk.startswith(self.ctx.prefix):
                raise ForeignItemError(f"a link leads to partition {pk!r}, outside the tenant")
            if pk not in state.read:
                state.read.add(pk)
                state.current, state.current_is_feed, state.cursor = pk, False, None
                return True
        return False

    def step(self) -> bool:
        """Read one page or follow one link; False when the walk is complete."""
        if self.state.current is None and not self._open_next():
            if not self.state.keys:
                return False
            self._follow(self.state.keys.pop())
            return True
        self._read_page()
        return True

    def run(self) -> None:
        """Walk to the end."""
        while self.step():
            pass


def tenant_items(ctx: TenantContext) -> dict[Key, RawItem]:
    """Every item of ctx's tenant by key, in DynamoDB's typed form (call with ctx's tenant bound)."""
    found: dict[Key, RawItem] = {}
    Walker(ctx, WalkState.start(ctx), lambda item: found.__setitem__(key_of(item), item)).run()
    return found
