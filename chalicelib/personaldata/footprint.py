"""What a tenant holds on one person: every item naming a contact, found with Queries and GetItems only.

The export of her data (GDPR Art. 15/20) and its erasure (Art. 17, 152-FZ art. 21) read the same footprint. It starts
from the contact's item collection (profile, links, timeline: notes, forms, calls), her audit chain and sensitive-read
log, and reaches the records of other types through the engine's registry: every record type listed by contact
(``CF#contact#<id>`` rows: calls, conversations, tickets, orders) is one Query each, so a type declared later is
found without a line here. What other packages keep per contact lives under keys they publish (consent, campaign
sends, segment memberships, merges, form and provider deliveries in the inbox, documents of her orders and deals).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import audit, aws, db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records import access, types
from chalicelib.records.matching import key_segment
from chalicelib.tenantdata.registry import RawItem, kind_of, text

# Record types whose records linked to her are hers alone, erased with her; the others (orders) are kept detached.
ABOUT_HER = ("call", "conversation", "ticket")
# Items a bounded read may still take (``bounded``): a request stops reading where an answer or 29 seconds would end.
_LEFT: ContextVar[list[int] | None] = ContextVar("footprint_left", default=None)


class TooLargeError(Exception):
    """Her footprint holds more items than the bounded read allowed: a job reads it instead."""


@contextmanager
def bounded(limit: int | None) -> Iterator[None]:
    """While inside, the footprint's Queries read at most limit items in all (None: no bound), then raise
    TooLargeError: a customer with years of chats is found by a job, not within a request."""
    token = _LEFT.set([limit] if limit is not None else None)
    try:
        yield
    finally:
        _LEFT.reset(token)


@dataclass
class Footprint:
    """Everything found on one contact, as raw items (DynamoDB's typed JSON) and the records' models."""

    contact: Any
    collection: list[RawItem] = field(default_factory=list)  # her profile, links and timeline
    chain: list[RawItem] = field(default_factory=list)  # her audit records (and the chain's anchor)
    reads: list[RawItem] = field(default_factory=list)  # clear reads of her sensitive values
    records: dict[str, list[Any]] = field(default_factory=dict)  # type name -> records naming her
    collections: dict[str, list[RawItem]] = field(default_factory=dict)  # record pk -> its collection
    deals: list[Any] = field(default_factory=list)
    tasks: list[Any] = field(default_factory=list)  # tasks about her alone
    consent: list[RawItem] = field(default_factory=list)  # her consent item and its audit chain
    sends: list[RawItem] = field(default_factory=list)  # campaign deliveries and their provider ids
    segments: list[RawItem] = field(default_factory=list)  # her segment facts and memberships
    merges: list[RawItem] = field(default_factory=list)
    bindings: list[RawItem] = field(default_factory=list)  # Telegram deep links naming her
    replays: list[RawItem] = field(default_factory=list)  # answers kept for Idempotency-Key replays naming her
    deliveries: list[RawItem] = field(default_factory=list)  # inbox events (forms, calls, messages) and fields
    documents: list[RawItem] = field(default_factory=list)  # documents issued on her orders and deals
    named_tasks: list[RawItem] = field(default_factory=list)  # tasks on her deals whose words name her
    notifications: list[RawItem] = field(default_factory=list)  # users' bells about her or naming her
    runs: list[RawItem] = field(default_factory=list)  # automation runs about her or naming her
    timers: list[RawItem] = field(default_factory=list)  # due timers (reminders, waits) naming her or hers

    @property
    def contact_id(self) -> str:
        """The contact's id."""
        return str(self.contact.contact_id)

    def ids(self) -> set[str]:
        """Her id and the ids of the records about her: what an event or entry naming her names."""
        found = {self.contact_id}
        for name in ABOUT_HER:
            rtype = types.get(name)
            found |= {rtype.record_id(record) for record in self.records.get(name, [])}
        for items in self.collections.values():
            found |= {str(text(item, "message_id")) for item in items if text(item, "message_id")}
        found |= {str(text(merge, "other_id")) for merge in self.merges  # her duplicates, erased with her
                  if kind_of(merge) == "contact_merge" and text(merge, "contact_id") == self.contact_id}
        found |= {str(text(task, "task_id")) for task in [*self.tasks, *self.named_tasks]}
        found |= {str(text(run, "run_id")) for run in self.runs}
        return found - {"None", ""}

    def size(self) -> int:
        """How many items were found (the records' collections with them)."""
        lists = [value for value in vars(self).values() if isinstance(value, list)]
        return 1 + sum(map(len, lists)) + sum(map(len, self.collections.values()))


def her_values(contact: Any, *, names: bool = False) -> tuple[list[str], list[str]]:
    """What of her a text would hold: her id, e-mails and full name (folded), and her phones' last 10 digits;
    with names, each of her names alone too (what a search for her, or a title made of a lead's name, holds)."""
    words = [str(contact.contact_id), *(str(e.get("address", "")).casefold() for e in contact.emails or [])]
    if contact.first_name and contact.last_name:
        words.append(f"{contact.first_name} {contact.last_name}".casefold())
    if names:
        words += [str(name) for name in (contact.first_name, contact.last_name) if name and len(name) >= 3]
    digits = [re.sub(r"\D", "", str(p.get("number", "")))[-10:] for p in contact.phones or []]
    return [w.casefold() for w in words if w], [d for d in digits if len(d) >= 7]


def names_her(said: str, words: list[str], digits: list[str]) -> bool:
    """True when a text holds one of her values (``her_values``), whatever its case."""
    said = said.casefold()
    return any(word in said for word in words) or any(d in re.sub(r"\D", "", said) for d in digits)


def query(pk: str, *, index: str | None = None, consistent: bool = True) -> Iterator[RawItem]:
    """Every item of a partition (of the table, or of an index), page by page."""
    request: dict[str, Any] = {
        "TableName": settings.table_name, "KeyConditionExpression": "#p = :p",
        "ExpressionAttributeNames": {"#p": f"{index}pk" if index else "pk"},
        "ExpressionAttributeValues": {":p": {"S": pk}}}
    if index:
        request["IndexName"] = index
    else:
        request["ConsistentRead"] = consistent
    client = aws.client("dynamodb")
    while True:
        with db.translate_errors():
            page = client.query(**request)
        left = _LEFT.get()
        if left is not None:
            left[0] -= len(page.get("Items", []))
            if left[0] < 0:
                raise TooLargeError()
        yield from page.get("Items", [])
        if not page.get("LastEvaluatedKey"):
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def get(key: tuple[str, str]) -> RawItem | None:
    """One item by key, or None."""
    with db.translate_errors():
        found = aws.client("dynamodb").get_item(TableName=settings.table_name, ConsistentRead=True,
                                                Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}})
    item: RawItem | None = found.get("Item")
    return item


def find(ctx: TenantContext, contact: Any) -> Footprint:
    """What ctx's tenant holds on this contact."""
    found = Footprint(contact=contact)
    cid = found.contact_id
    found.collection = list(query(contact.pk))
    found.chain = list(query(audit.entity_key(ctx, "contact", cid)))
    found.reads = list(query(audit.reads_key(ctx, "contact", cid)))
    _linked_records(ctx, found)
    _deals_and_tasks(ctx, found)
    _kept_by_other_packages(ctx, found)
    _deliveries(ctx, found)
    _documents(ctx, found)
    _runs(ctx, found)
    _notifications(ctx, found)
    _timers(ctx, found)
    return found


def _linked_records(ctx: TenantContext, found: Footprint) -> None:
    """Records of every type listed by contact (its ``CF#contact#<id>`` rows), with their collections."""
    for rtype in types.all_types():
        if rtype.space is None or rtype.name == "contact" or (rtype.lists is not None and "CF" not in rtype.lists):
            continue
        rows = list(query(tenant_key(ctx, rtype.space, "CF", "contact", key_segment(found.contact_id))))
        # a record in the trash keeps one row, in the type's trash, which names its contact
        rows += [row for row in query(tenant_key(ctx, rtype.space, "TRASH"))
                 if text(row, "contact_id") == found.contact_id]
        ids = sorted({str(text(row, "record_id")) for row in rows if text(row, "record_id")})
        records = [record for record in (access.get_any(ctx, rtype, rid) for rid in ids) if record is not None]
        if records:
            found.records[rtype.name] = records
        for record in records:
            found.collections[record.pk] = list(query(record.pk))


def records_about(ctx: TenantContext, contact_id: str) -> Iterator[tuple[str, Any]]:
    """Her calls, conversations and tickets (live or in the trash), one at a time, read as they are needed: the
    erasure's slices purge them one after another without reading them all first."""
    for name in ABOUT_HER:
        rtype = types.get(name)
        if rtype.space is None or (rtype.lists is not None and "CF" not in rtype.lists):
            continue
        rows = query(tenant_key(ctx, rtype.space, "CF", "contact", key_segment(contact_id)))
        trashed = (row for row in query(tenant_key(ctx, rtype.space, "TRASH")) if text(row, "contact_id") == contact_id)
        seen: set[str] = set()
        for row in itertools.chain(rows, trashed):
            record_id = str(text(row, "record_id") or "")
            if not record_id or record_id in seen:
                continue
            seen.add(record_id)
            record = access.get_any(ctx, rtype, record_id)
            if record is not None:
                yield name, record


def _deals_and_tasks(ctx: TenantContext, found: Footprint) -> None:
    """The deals she is on and the tasks about her alone (their links sit in her collection)."""
    links = [item for item in found.collection if kind_of(item) in ("contact_link", "record_link")]
    deals, tasks = types.get("deal"), []
    for item in links:
        kind, ref = text(item, "link_kind"), str(text(item, "ref_id"))
        if kind == "deal":
            deal = access.get_any(ctx, deals, ref)
            if deal is not None and found.contact_id in (deal.contact_ids or []):
                found.deals.append(deal)
        elif kind == "task":
            tasks.append(ref)
    for task_id in tasks:
        task = get((tenant_key(ctx, "TASK", task_id), "#TASK"))
        about = (text(task, "related_type"), text(task, "related_id")) if task is not None else None
        if task is not None and about == ("contact", found.contact_id):
            found.tasks.append(task)
    _named_tasks(ctx, found)


def kept_records(ctx: TenantContext, found: Footprint) -> dict[str, str]:
    """The partitions of the records she is on that stay (her deals and companies), by record id: their tasks,
    timelines, notifications and runs may name her by her first name alone."""
    kept = {deal.deal_id: deal.pk for deal in found.deals}
    kept.update({company_id: access.collection_pk(ctx, types.get("company"), company_id)
                 for company_id in found.contact.company_ids or []})
    return kept


def _named_tasks(ctx: TenantContext, found: Footprint) -> None:
    """Tasks on her deals and companies whose title, description or place names her (a lead's "Call back: Priya
    Shah", a missed call's "Call back Priya Shah (+44 20 7946 0000)"): about calling her, they go with her."""
    from chalicelib.tasks.models import Task

    words, digits = her_values(found.contact, names=True)
    seen = {str(text(task, "task_id")) for task in found.tasks}
    for pk in kept_records(ctx, found).values():
        for link in query(pk):
            task_id = str(text(link, "ref_id"))
            if not kind_of(link).endswith("_link") or text(link, "link_kind") != "task" or task_id in seen:
                continue
            item = get((tenant_key(ctx, "TASK", task_id), "#TASK"))
            if item is None:
                continue
            task = Task.from_raw_data(item)
            if names_her(" ".join(filter(None, (task.title, task.description, task.location))), words, digits):
                found.named_tasks.append(item)
                seen.add(task_id)


def _kept_by_other_packages(ctx: TenantContext, found: Footprint) -> None:
    """Consent, campaign deliveries, segment memberships and merges: each package's items naming her."""
    cid = found.contact_id
    consent = get((tenant_key(ctx, "CONSENT"), cid))
    found.consent = ([consent] if consent else []) + list(query(audit.entity_key(ctx, "consent", cid)))
    found.sends = [item for item in query(tenant_key(ctx, "CAMPCONTACT", cid), index="gsi1")
                   if text(item, "contact_id") == cid]
    found.sends += [item for item in query(tenant_key(ctx, "CAMPMSG")) if text(item, "contact_id") == cid]
    found.merges = [item for item in query(tenant_key(ctx, "MERGE"))
                    if cid in (text(item, "contact_id"), text(item, "other_id"))]
    twins = [str(text(item, "other_id")) for item in found.merges  # her duplicates, merged into her
             if kind_of(item) == "contact_merge" and text(item, "contact_id") == cid]
    for contact_id in [cid, *twins]:
        facts = get((tenant_key(ctx, "SEGFACTS"), contact_id))
        if facts is not None:
            found.segments.append(facts)
            for segment_id in [str(value.get("S")) for value in facts.get("segments", {}).get("L", [])]:
                member = get((tenant_key(ctx, "SEGMEMBER"), f"{segment_id}#{contact_id}"))
                if member is not None:
                    found.segments.append(member)
    # answers kept 24 hours for Idempotency-Key replays that repeat what was made of her (her contact's creation)
    from chalicelib.core.idempotency import IdempotencyRecord

    for item in query(tenant_key(ctx, "IDEM"), index="gsi1"):
        kept = db.MainTable.from_raw_data(item)
        if isinstance(kept, IdempotencyRecord) and cid in (kept.response_body or ""):
            found.replays.append(item)
    # Telegram deep links made to bind her chat (they expire within days: a few a company)
    found.bindings = [item for item in query(tenant_key(ctx, "TGBIND")) if text(item, "contact_id") == cid]


def _integration_ids(ctx: TenantContext) -> list[str]:
    ids = [str(text(item, "integration_id")) for item in query(tenant_key(ctx, "INTEGRATION"))
           if kind_of(item) == "integration"]
    from chalicelib.campaigns import mail_events  # SES's events: stored under no integration of the tenant's

    return [*ids, mail_events.MAIL_EVENTS.integration_id]


def _deliveries(ctx: TenantContext, found: Footprint) -> None:
    """Inbox events (a form post, a provider's call or message) whose outcome names her or a record about her,
    with their sealed fields: kept 30 days for retries and replays, and hers."""
    ids = found.ids()
    for integration_id in _integration_ids(ctx):
        for event in query(tenant_key(ctx, "INBOX", integration_id)):
            outcome = text(event, "outcome") or ""
            if kind_of(event) == "inbox_event" and any(value in outcome for value in ids):
                found.deliveries.append(event)
                fields = get((tenant_key(ctx, "INBOXRAW", integration_id), str(event["sk"]["S"])))
                if fields is not None:
                    found.deliveries.append(fields)


def _documents(ctx: TenantContext, found: Footprint) -> None:
    """Documents issued on her orders and deals (gsi1 of each source)."""
    sources = [("order", order.order_id) for order in found.records.get("order", [])]
    sources += [("deal", deal.deal_id) for deal in found.deals]
    for kind, source_id in sources:
        found.documents += list(query(tenant_key(ctx, "DOCS", kind, source_id), index="gsi1"))


def _runs(ctx: TenantContext, found: Footprint) -> None:
    """Automation runs (kept 90 days) about her or a record about her, or whose steps name her (a message sent to
    her; on one of her deals or companies, her first name alone will do): their subject and log are hers."""
    from chalicelib.automations.models import AutomationRun

    ids, deals = found.ids(), set(kept_records(ctx, found))
    full, names = her_values(found.contact), her_values(found.contact, names=True)
    for item in query(tenant_key(ctx, "AUTORUN")):
        if kind_of(item) != "automation_run":
            continue
        run = AutomationRun.from_raw_data(item)
        said = json.dumps(run.steps, ensure_ascii=False, default=str)
        if run.subject_id in ids or run.task_id in ids \
                or names_her(said, *(names if run.subject_id in deals else full)):
            found.runs.append(item)


def _notifications(ctx: TenantContext, found: Footprint) -> None:
    """Users' notifications (kept 90 days) about her or a record about her, or whose title or excerpt names her
    ("New lead: Elena Kuznetsova", a mention quoting her name); on one of her deals or companies her first name alone
    will do."""
    from chalicelib.notifications import service as notifications
    from chalicelib.notifications.models import Notification

    ids, deals = found.ids(), set(kept_records(ctx, found))
    full, names = her_values(found.contact), her_values(found.contact, names=True)
    for item in query(notifications.notifications_pk(ctx)):
        if kind_of(item) != "notification":
            continue
        told = Notification.from_raw_data(item)
        said = " ".join(filter(None, (notifications.open_text(ctx, told.title),
                                      notifications.open_text(ctx, told.excerpt))))
        if told.subject_id in ids or names_her(said, *(names if told.subject_id in deals else full)):
            found.notifications.append(item)


def _timers(ctx: TenantContext, found: Footprint) -> None:
    """Due timers whose subject or payload names her or a record about her (a task's reminder, an automation's
    wait or retry): one partition per tenant."""
    from chalicelib.due import service as due

    ids = found.ids()
    for item in query(due.timers_pk(ctx)):
        said = f"{text(item, 'ref') or ''} {text(item, 'payload') or ''}"
        if kind_of(item) == "due_timer" and any(value in said for value in ids):
            found.timers.append(item)
