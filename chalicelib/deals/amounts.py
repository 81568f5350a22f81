"""A deal's amount that follows its orders (as Pipedrive's value follows a deal's products): while the deal has
orders that are not cancelled or returned, its amount is their total, written by the system in the order's own
transaction (the ``follow_orders`` hook of the deal type, called by ``orders.effects``), and a person's edit of it
answers 409 ``amount_follows_orders``.

Several orders add up in the currency of the oldest; one in another currency is named on the deal
(``amount_other_orders``) and not added: no rate is kept to convert it, and a sum of two currencies would be no
amount at all. When its last order is cancelled, returned or trashed, the deal takes again the amount it had by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals import pipelines, records
from chalicelib.deals.board import Tally
from chalicelib.deals.models import Deal
from chalicelib.deals.record import DEAL
from chalicelib.records import access, editing


@dataclass(frozen=True)
class OrderAmount:
    """One order a deal's amount counts: its id, currency, total (minor units) and number (None: not given yet)."""

    order_id: str
    currency: str
    total_minor: int
    number: int | None = None


def follows_orders(deal: Deal) -> bool:
    """Whether a deal's amount is its orders' total (read-only to a person)."""
    return bool(deal.amount_orders)


def refuse_hand_edit(deal: Deal, minor: int, currency: str) -> None:
    """409 when a person sets another amount than its orders' total on a deal that follows them."""
    if follows_orders(deal) and (int(deal.amount_minor), deal.currency) != (minor, currency):
        raise errors.ConflictError("The deal's amount is the total of its orders: change the order instead.",
                                   code="amount_follows_orders", details=[{
                                       "loc": ["amount"], "type": "amount_follows_orders",
                                       "msg": "Follows the deal's orders", "orders": list(deal.amount_orders or [])}])


def follow(ctx: TenantContext, change: db.Change, deal_id: str, *, orders: list[OrderAmount], cause: str) -> None:
    """Set a deal's amount from its counted orders (oldest first) in change, audited as the system's change named
    after the order that caused it; nothing when the amount and its orders stay as they are, or the deal is gone.
    A deal in the trash follows too (off the board: no stage total moves), so it comes back at its orders' total."""
    deal = access.get_any(ctx, DEAL, deal_id)
    pipeline = pipelines.get(ctx, deal.pipeline_id) if isinstance(deal, Deal) else None
    if not isinstance(deal, Deal) or pipeline is None:  # gone, or in the trash of a deleted pipeline: nowhere to show
        return
    before = editing.clone(deal)
    _apply(deal, orders)
    if records.audit_view(before) == records.audit_view(deal):
        return
    tally = Tally(ctx)
    if deal.deleted_at is None:
        tally.add(deal.pipeline_id, deal.stage_id, count=0, currency=before.currency, minor=-int(before.amount_minor))
        tally.add(deal.pipeline_id, deal.stage_id, count=0, currency=deal.currency, minor=int(deal.amount_minor))
    deal.updated_at = db.utcnow()
    from chalicelib.deals import service

    system = TenantContext(tenant_id=ctx.tenant_id, actor_id=f"order:{cause}", actor_kind="system", role="system",
                           source=ctx.source, request_id=ctx.request_id)
    service._written(system, change, before, deal, pipeline, tally, action="order_amount")


def _apply(deal: Deal, orders: list[OrderAmount]) -> None:
    if not orders:
        if follows_orders(deal) and deal.hand_amount:
            deal.amount_minor = int(deal.hand_amount["minor"])
            deal.currency = str(deal.hand_amount["currency"])
        deal.amount_orders = deal.amount_other_orders = deal.hand_amount = deal.amount_order_numbers = None
        return
    if not follows_orders(deal):
        deal.hand_amount = {"minor": int(deal.amount_minor), "currency": deal.currency}
    currency = orders[0].currency
    counted = [order for order in orders if order.currency == currency]
    deal.currency, deal.amount_minor = currency, sum(order.total_minor for order in counted)
    deal.amount_orders = [order.order_id for order in counted]
    deal.amount_other_orders = [order.order_id for order in orders if order.currency != currency] or None
    # what the card calls them ("Order #154"), kept with the ids: the card reads no order to name them
    deal.amount_order_numbers = {order.order_id: order.number for order in orders if order.number is not None} or None
