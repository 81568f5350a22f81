"""Report counters from the domain-event feed: each event's numbers added once, in one transaction.

An event's additions are summed per counter item first (a transaction names an item once), then written
with a claim of the event (``ReportClaim``), created only if absent: a redelivered event fails the claim
and adds nothing. Days are the company's days: the event's time on its time zone's clock (``day_of``, the zone
remembered for five minutes per warm Lambda and forgotten when this process commits the tenant), so a report's
"today" ends at the company's midnight. What each event adds:

- contact created: ``sources`` leads +1 by its source (``utm_source / utm_medium``, else its channel: the form's name,
  ``call``, a messenger ...), owner;
- deal created: ``sources`` deals +1 (the source of its first contact), ``funnel`` entered +1 and value (its
  amount) at its stage; a stage change: ``funnel`` left +1 and the seconds it sat there at the old stage,
  entered +1 and value at the new one when the deal never entered it before (a return counts no new entry);
  won: ``funnel``/``sources``/``managers`` won +1 and revenue (minor units, by currency); a won deal's amount
  changing (its order filled in: ``deals.amounts``): revenue by the difference, on the day it was won; lost: lost +1
  and ``lost_reasons`` by reason;
- task done: ``managers`` tasks_done +1 (its assignee); a task overdue (the overdue timer): tasks_overdue +1;
- call ended: ``communications`` by channel ``call`` and direction (calls, answered, missed, talk seconds)
  and ``managers`` calls +1 (its employee, else the one responsible);
- a record an import made (its audit record's source ``import``): nothing; a deal's facts are remembered, so its
  later moves count as any deal's;
- message (issue #17's conversations, expected): an audit record of entity ``message`` with action
  ``create`` and ``channel`` (whatsapp, telegram, email ...), ``direction`` (inbound | outbound),
  ``owner_id`` (the conversation's) and, on the first answer to a customer, ``response_seconds``:
  ``communications`` messages +1 (responses +1 and response_seconds), ``managers`` messages +1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.calls.models import Call
from chalicelib.contacts.models import Contact
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.deals.models import Deal
from chalicelib.events.feed import DomainEvent
from chalicelib.identity import zones
from chalicelib.reports.models import DealFacts, ReportClaim, ReportCounter

CLAIM_KEPT = timedelta(days=3)
IMPORTED = "import"  # the source of an import's changes (dataio's jobs, a tenant's data brought in)
FINAL_CALL = frozenset({"answered", "missed", "busy", "failed"})
NONE = "-"
# The dimensions of each report, in the order its sort keys hold them.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "funnel": ("pipeline_id", "stage_id", "owner_id", "currency"),
    "lost_reasons": ("pipeline_id", "reason", "owner_id"),
    "sources": ("source", "owner_id", "pipeline_id", "currency"),
    "managers": ("owner_id", "pipeline_id", "currency"),
    "communications": ("channel", "direction", "owner_id"),
}


def day_of(ctx: TenantContext, moment: datetime) -> date:
    """The company's day of a moment (``identity.zones.company_day``, as orders, tickets and the messengers keep
    their day counters)."""
    return zones.company_day(ctx, moment)


def report_pk(ctx: TenantContext, report: str) -> str:
    """Partition of one report's counters."""
    return tenant_key(ctx, "RPT", report)


def claims_pk(ctx: TenantContext) -> str:
    """Partition of the claims of counted causes (an event id, or a timer's digest, as sort key)."""
    return tenant_key(ctx, "RPTDONE")


def facts_pk(ctx: TenantContext) -> str:
    """Partition of what the counters remember of deals (the deal id as sort key)."""
    return tenant_key(ctx, "RPTDEAL")


def clean(value: Any, limit: int = 60) -> str:
    """A dimension's value as a sort key holds it: text, no '#', bounded."""
    text = str(value).replace("#", " ").strip()[:limit] if value not in (None, "") else NONE
    return text or NONE


def lead_source(utm: Any, source: Any) -> str:
    """A lead's source: its utm_source with its utm_medium as Google Analytics shows them ("google / cpc": Google
    Ads, apart from "google / organic"), else its channel (a form's name, call, a messenger, manual)."""
    if isinstance(utm, dict) and utm.get("source"):
        medium = str(utm.get("medium") or "").strip()
        return clean(f"{str(utm['source']).strip()} / {medium}" if medium else utm["source"])
    text = str(source or "")
    if text.startswith("form:"):
        return clean(text[len("form:"):]) or "form"
    if text.startswith("call:") or text == "call":
        return "call"
    return clean(text) if text else "manual"


@dataclass
class Tally:
    """What one event adds, summed per counter item, and the items written with it."""

    ctx: TenantContext
    cause: str
    at: datetime
    amounts: dict[tuple[str, str], tuple[dict[str, Any], dict[str, int]]] = field(default_factory=dict)
    saves: list[db.MainTable] = field(default_factory=list)
    team_of: dict[str, str | None] = field(default_factory=dict)

    def add(self, report: str, dims: dict[str, Any], **amounts: int) -> None:
        """Add numbers to the event's day's item of a report for these dimensions."""
        self.add_on(self.at, report, dims, amounts)

    def add_on(self, at: datetime, report: str, dims: dict[str, Any], amounts: dict[str, int]) -> None:
        """Add numbers to the item of a report for these dimensions on the day of at."""
        values = {name: clean(dims.get(name)) for name in DIMENSIONS[report]}
        sk = "#".join([day_of(self.ctx, at).isoformat(), *values.values()])
        found = self.amounts.setdefault((report, sk), ({**values, "team_id": dims.get("team_id")}, {}))
        for name, value in amounts.items():
            if value:
                found[1][name] = found[1].get(name, 0) + int(value)

    def commit(self) -> bool:
        """Write the additions with the event's claim; False when the event was counted already."""
        if not any(numbers for _, numbers in self.amounts.values()) and not self.saves:
            return False
        change = db.Change().create(ReportClaim(claims_pk(self.ctx), self.cause,
                                                expires_at=self.at + CLAIM_KEPT))
        for (report, sk), (dims, numbers) in self.amounts.items():
            if numbers:
                counter = ReportCounter(report_pk(self.ctx, report), sk, day=sk[:10])
                for name, value in dims.items():
                    setattr(counter, name, value if value != NONE else None)
                change.add(counter, **numbers)
        for item in self.saves:
            change.save(item)
        try:
            db.commit(self.ctx, change)
        except errors.VersionConflictError:
            return False  # the claim was there: counted before
        return True


# -- deals -------------------------------------------------------------------------------------


def _deal_source(ctx: TenantContext, source: Any, utm: Any, contact_ids: Any) -> str:
    """A deal's source: the channel it was made by (a form, a call, a chat: kept on the deal, so a lead made without
    a contact counts too), else its first contact's, else manual."""
    if source or (isinstance(utm, dict) and utm.get("source")):
        return lead_source(utm, source)
    if not contact_ids:
        return "manual"
    contact = db.get(ctx, Contact, tenant_key(ctx, "C", str(contact_ids[0])), "#PROFILE")
    return lead_source(contact.utm, contact.source) if contact is not None else "manual"


def _facts(ctx: TenantContext, event: DomainEvent) -> DealFacts:
    found = db.get(ctx, DealFacts, facts_pk(ctx), event.entity_id)
    if found is not None:
        return found
    deal = db.get(ctx, Deal, event.item_pk, event.item_sk) if event.item_pk and event.item_sk else None
    if event.created or deal is None:  # what it was made with (the deal may have moved on since)
        contacts = event.after("contact_ids") or (deal.contact_ids if deal else None)
        source = _deal_source(ctx, event.after("source") or (deal.source if deal else None),
                              event.after("utm") or (deal.utm if deal else None), contacts)
        return DealFacts(facts_pk(ctx), event.entity_id, source=source,
                         owner_id=event.after("owner_id"), team_id=event.after("team_id"),
                         pipeline_id=event.after("pipeline_id"), stage_id=event.after("stage_id"),
                         stage_entered_at=event.at, currency=event.after("currency"),
                         amount_minor=int(event.after("amount_minor") or 0), status=event.after("status") or "open")
    return DealFacts(facts_pk(ctx), event.entity_id, source=_deal_source(ctx, deal.source, deal.utm, deal.contact_ids),
                     owner_id=deal.owner_id, team_id=deal.team_id, pipeline_id=event.before("pipeline_id")
                     or deal.pipeline_id, stage_id=event.before("stage_id") or deal.stage_id,
                     stage_entered_at=deal.stage_entered_at, currency=deal.currency,
                     amount_minor=int(deal.amount_minor or 0), status=event.before("status") or deal.status)


def _deal(ctx: TenantContext, event: DomainEvent, tally: Tally) -> None:
    facts = _facts(ctx, event)
    where = {"pipeline_id": facts.pipeline_id, "stage_id": facts.stage_id, "owner_id": facts.owner_id,
             "team_id": facts.team_id, "currency": facts.currency, "source": facts.source}
    if event.created:
        tally.add("sources", where, deals=1)
        tally.add("managers", where, deals=1)
        _entered(facts, where, tally)
    counted = (facts.currency, int(facts.amount_minor or 0))
    for name in ("owner_id", "team_id", "currency", "amount_minor"):
        if event.changed(name) and not event.created:
            setattr(facts, name, event.after(name) if name != "amount_minor" else int(event.after(name) or 0))
    moved = event.changed("stage_id") and not event.created and event.after("stage_id")
    if moved:
        entered = facts.stage_entered_at or event.at
        tally.add("funnel", where, left=1, stage_seconds=max(0, int((event.at - entered).total_seconds())))
        facts.pipeline_id = event.after("pipeline_id") or facts.pipeline_id
        facts.stage_id, facts.stage_entered_at = event.after("stage_id"), event.at
    now = {"pipeline_id": facts.pipeline_id, "stage_id": facts.stage_id, "owner_id": facts.owner_id,
           "team_id": facts.team_id, "currency": facts.currency, "source": facts.source}
    if moved:
        _entered(facts, now, tally)
    status = event.after("status") if event.changed("status") else None
    if status == "won" and facts.status != "won":
        amount = int(facts.amount_minor or 0)
        for report in ("funnel", "sources", "managers"):
            tally.add(report, now, won=1, revenue=amount)
    elif status == "lost" and facts.status != "lost":
        for report in ("funnel", "managers"):
            tally.add(report, now, lost=1)
        tally.add("lost_reasons", {**now, "reason": event.after("lost_reason") or "unspecified"}, lost_count=1)
    elif status is None and facts.status == "won" and counted != (facts.currency, int(facts.amount_minor or 0)):
        _revenue_moved(facts, now, counted, tally)
    if status == "won":
        facts.won_at = event.at
    if status is not None:
        facts.status = status
    tally.saves.append(facts)


def _revenue_moved(facts: DealFacts, where: dict[str, Any], counted: tuple[str | None, int], tally: Tally) -> None:
    """A won deal's amount changed (its order filled in, a line added): its revenue moves by the difference, on the
    day it was won, so a period's won revenue is its won deals' amounts as they are now, each counted once."""
    at = facts.won_at or tally.at
    for report in ("funnel", "sources", "managers"):
        tally.add_on(at, report, {**where, "currency": counted[0]}, {"revenue": -counted[1]})
        tally.add_on(at, report, where, {"revenue": int(facts.amount_minor or 0)})


def _entered(facts: DealFacts, where: dict[str, Any], tally: Tally) -> None:
    """The deal reached its stage: counted in the funnel the first time only, with its amount as it came."""
    seen = set(facts.stages_seen or ())
    if not facts.stage_id or facts.stage_id in seen:
        return
    tally.add("funnel", where, entered=1, value=int(facts.amount_minor or 0))
    facts.stages_seen = seen | {facts.stage_id}


# -- contacts, tasks, calls, messages ----------------------------------------------------------


def _contact(ctx: TenantContext, event: DomainEvent, tally: Tally) -> None:
    if not event.created:
        return
    tally.add("sources", {"source": lead_source(event.after("utm"), event.after("source")),
                          "owner_id": event.after("owner_id"), "team_id": event.after("team_id")}, leads=1)


def _task(ctx: TenantContext, event: DomainEvent, tally: Tally) -> None:
    if event.changed("done_at") and event.after("done_at") and not event.before("done_at"):
        assignee = event.after("assignee_id") or event.before("assignee_id")
        if assignee is None:
            from chalicelib.tasks import service as tasks_service

            task = tasks_service.get(ctx, event.entity_id)
            assignee = task.assignee_id if task is not None else None
        tally.add("managers", {"owner_id": assignee}, tasks_done=1)


def _call(ctx: TenantContext, event: DomainEvent, tally: Tally) -> None:
    status = event.after("status")
    if status not in FINAL_CALL or event.before("status") in FINAL_CALL:
        return
    call = db.get(ctx, Call, event.item_pk, event.item_sk) if event.item_pk and event.item_sk else None
    if call is None:
        return
    who = {"channel": "call", "direction": call.direction, "owner_id": call.user_id or call.owner_id,
           "team_id": call.team_id}
    tally.add("communications", who, calls=1, answered=int(status == "answered"), missed=int(status == "missed"),
              talk_seconds=int(call.duration_seconds or 0))
    tally.add("managers", who, calls=1, missed=int(status == "missed"), talk_seconds=int(call.duration_seconds or 0))


def _message(ctx: TenantContext, event: DomainEvent, tally: Tally) -> None:
    if not event.created:
        return
    who = {"channel": event.after("channel") or "message", "direction": event.after("direction"),
           "owner_id": event.after("owner_id"), "team_id": event.after("team_id")}
    seconds = event.after("response_seconds")
    answered = {"responses": 1, "response_seconds": int(seconds)} if isinstance(seconds, int | float) else {}
    tally.add("communications", who, messages=1, **answered)
    tally.add("managers", who, messages=1, **answered)


HANDLERS: dict[str, Callable[[TenantContext, DomainEvent, Tally], None]] = {
    "deal": _deal, "contact": _contact, "task": _task, "call": _call, "message": _message,
}


def consume(ctx: TenantContext, event: DomainEvent) -> None:
    """Add what an event counts, once; an import's creations count nothing (``_imported``)."""
    handler = HANDLERS.get(event.entity)
    if handler is None:
        return
    tally = Tally(ctx, cause=event.event_id, at=event.at)
    handler(ctx, event, tally)
    if event.source == IMPORTED and event.created:
        _imported(tally)
    tally.commit()


def _imported(tally: Tally) -> None:
    """A record an import made is the company's history arriving, not this period's leads, deals, wins or losses:
    its numbers are dropped, and what the counters remember of a deal (its source, stage, status) is kept, so a move
    of it later counts as any deal's does."""
    tally.amounts.clear()


def count_overdue(ctx: TenantContext, *, task_id: str, assignee_id: str, due: str, at: datetime) -> None:
    """A task became overdue (its overdue timer fired): tasks_overdue +1 for its assignee, once per due time."""
    cause = hashlib.sha256(f"overdue|{task_id}|{due}".encode()).hexdigest()[:32]
    tally = Tally(ctx, cause=cause, at=at)
    tally.add("managers", {"owner_id": assignee_id}, tasks_overdue=1)
    tally.commit()
