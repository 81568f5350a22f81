"""Services priced from their parts: materials (component products times quantities) plus labour.

A service's price is computed when it is written (``apply``) and again when a part's price changes. That second
step runs from the domain-event feed (``consume``, one of ``events.consumer.CONSUMERS``), not in the part's own
write: a part may be used by any number of services, and re-pricing each in the part's transaction would put a
product's save past DynamoDB's 100 items (every service's record, rows, lookups and audit record) and make a
price edit fail because of services nobody is looking at. From the feed each service is its own small, audited,
retried write, seconds later. A part may not itself be made of parts (one level), so re-pricing never cascades
and no two services can price each other in a loop.

``ComponentUse`` items (``T#<tid>#PR#<part>`` / ``USEDIN#<service>``) are written in the service's transaction,
so the consumer finds a part's services with one Query.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.products.models import ComponentUse, Product
from chalicelib.records import money

USED_IN = "USEDIN#"
PRICE_FIELDS = ("price_minor", "currency", "prices")


def _invalid(loc: list[str | int], msg: str, kind: str) -> errors.ValidationError:
    return errors.ValidationError(details=[{"loc": loc, "msg": msg, "type": kind}])


def apply(ctx: TenantContext, product: Product, fields: dict[str, Any]) -> None:
    """Set a service's parts and labour from a request and price it from them (422 naming a part that is
    missing, is itself made of parts, is the service, or has no price in the service's currency)."""
    if "components" in fields:
        parts = fields["components"] or []
        product.components = [{"product_id": p["product_id"], "quantity_milli": money.to_milli(p["quantity"])}
                              for p in parts]
        if len({p["product_id"] for p in product.components}) != len(product.components):
            raise _invalid(["components"], "Each part once", "duplicate_component")
        if product.components and _used_as_part(ctx, product.product_id):
            raise _invalid(["components"], "This product is a part of a service; parts have no parts",
                           "nested_components")
    if "labour_minor" in fields:
        product.labour_minor = fields["labour_minor"]
    if product.components:
        product.price_minor = price_of(ctx, product, scoped=True)


def price_of(ctx: TenantContext, product: Product, *, scoped: bool) -> int:
    """The service's price in its currency: each part's price times its quantity, rounded half up to the minor
    unit once for the sum, plus labour."""
    from chalicelib.products import stock

    ids = [c["product_id"] for c in product.components or []]
    terms = stock.sale_terms(ctx, ids, product.currency, scoped=scoped)
    total = Decimal(0)
    for position, part in enumerate(product.components or []):
        found = terms.get(part["product_id"])
        if found is None or part["product_id"] == product.product_id:
            raise _invalid(["components", position, "product_id"], "No such product", "unknown_component")
        if found.get("has_parts"):
            raise _invalid(["components", position, "product_id"], "A part has no parts", "nested_components")
        if found["price_minor"] is None:
            raise _invalid(["components", position, "product_id"], f"No price in {product.currency}",
                           "no_price_in_currency")
        part["name"] = found["name"]  # as priced: the card names its parts without reading them
        total += Decimal(int(found["price_minor"])) * Decimal(int(part["quantity_milli"])) / money.MILLI
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP)) + int(product.labour_minor or 0)


def _used_as_part(ctx: TenantContext, product_id: str) -> bool:
    with db.translate_errors():
        return any(True for _ in ComponentUse.query(tenant_key(ctx, "PR", product_id),
                                                    ComponentUse.sk.startswith(USED_IN), limit=1))


def mark_uses(ctx: TenantContext, change: db.Change, before: Product | None, after: Product | None) -> None:
    """Add to change the marks of the parts a service uses now and the removal of those it no longer uses."""
    def parts(product: Product | None) -> set[str]:
        if product is None or product.deleted_at is not None:
            return set()
        return {c["product_id"] for c in product.components or []}

    subject = after if after is not None else before
    if subject is None:
        return
    old, new = parts(before), parts(after)
    for part in new - old:
        change.save(ComponentUse(tenant_key(ctx, "PR", part), f"{USED_IN}{subject.product_id}",
                                 service_id=subject.product_id))
    for part in old - new:
        change.delete(ComponentUse(tenant_key(ctx, "PR", part), f"{USED_IN}{subject.product_id}"))


# -- from the feed ------------------------------------------------------------------------------------


def consume(ctx: TenantContext, event: Any) -> None:
    """A product whose price changed: price again every service it is a part of (idempotent: a service already
    at its price is not written)."""
    if event.entity != "product" or not any(event.changed(name) for name in PRICE_FIELDS):
        return
    with db.translate_errors():
        uses = [u for u in ComponentUse.query(tenant_key(ctx, "PR", event.entity_id),
                                              ComponentUse.sk.startswith(USED_IN)) if isinstance(u, ComponentUse)]
    for use in uses:
        reprice(ctx, use.service_id)


def reprice(ctx: TenantContext, service_id: str) -> None:
    """Price a service again from its parts; a part gone or without a price leaves it as it was."""
    from chalicelib.records import access, editing, store, types

    rtype = types.get("product")
    service = access.get(ctx, rtype, service_id)
    if service is None or not service.components:
        return
    try:
        price = price_of(ctx, service, scoped=False)
    except errors.ValidationError:
        return
    if price == int(service.price_minor):
        return
    after = editing.clone(service)
    after.price_minor = price
    editing.touch(after)
    store.write(ctx, rtype, service, after, action="update")
