"""One person's data as she may ask for it (GDPR Art. 15 and 20, 152-FZ art. 14): one JSON document.

Every item of her footprint is opened the way the tenant export opens it (``tenantdata.archive.open_item``: the
registry knows where each kind keeps sealed values), then read through its model, so the document holds values,
not DynamoDB's typed JSON nor ciphertext. Her sensitive values are in clear (it is her data): the read is recorded
in the sensitive-read log, like any clear read, before anything is answered. A person's footprint is a contact card
with its history, mostly a few hundred items: one answer; one too large for it is written to a file by a job
(``exports``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, db
from chalicelib.core.tenancy import TenantContext
from chalicelib.personaldata.footprint import Footprint
from chalicelib.tenantdata import archive  # loads the walk, and with it the registry of sealed values
from chalicelib.tenantdata.registry import RawItem, kind_of

FORMAT = "crm-personal-data"
# What a reader of her data needs none of: keys, index keys, versions, chain heads, blind indexes, lookup keys.
PLUMBING = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "kind", "version", "audit_hash",
                      "blind", "lookup_keys", "masks", "item_pk", "item_sk", "entity_version", "prev_hash", "hash",
                      "custom_indexed", "custom_sensitive", "expires_at", "lease_until", "ref_key", "chat_key"})
SENSITIVE = ("passport_number", "tax_id", "iban")


def plain(ctx: TenantContext, item: RawItem) -> dict[str, Any]:
    """An item as values: its sealed values opened, read through its model, without its keys."""
    opened, _ = archive.open_item(ctx, item)
    try:
        model = db.MainTable.from_raw_data(opened)
        values = {name: getattr(model, name) for name in model.get_attributes()}
    except (ValueError, KeyError, TypeError, AttributeError):  # a kind no model reads: its stored values
        values = {name: archive.to_json(value) for name, value in opened.items()}
    return {name: audit.plain(value) for name, value in values.items() if name not in PLUMBING and value is not None}


def _by_kind(ctx: TenantContext, items: list[RawItem], *kinds: str) -> list[dict[str, Any]]:
    return [plain(ctx, item) for item in items if kind_of(item) in kinds]


def _raw(record: Any) -> RawItem:
    return {"pk": {"S": record.pk}, "sk": {"S": record.sk}, **record.serialize()}


def _records(ctx: TenantContext, found: Footprint, name: str, *timeline: str) -> list[dict[str, Any]]:
    """The records of a type naming her, each with what its collection holds of the kinds given."""
    shown = []
    for record in found.records.get(name, []):
        entry = plain(ctx, _raw(record))
        for kind in timeline:
            entry[kind] = _by_kind(ctx, found.collections.get(record.pk, []), kind)
        shown.append(entry)
    return shown


def _deals(ctx: TenantContext, found: Footprint) -> list[dict[str, Any]]:
    from chalicelib.deals import pipelines

    shown = []
    for deal in found.deals:
        pipeline = pipelines.get(ctx, deal.pipeline_id)
        stages = {stage.stage_id: stage.name for stage in (pipeline.stages if pipeline is not None else [])}
        shown.append({"id": deal.deal_id, "name": deal.title, "pipeline": pipeline.name if pipeline else None,
                      "stage": stages.get(deal.stage_id, deal.stage_id), "status": deal.status,
                      "amount_minor": deal.amount_minor, "currency": deal.currency})
    return shown


def _calls(ctx: TenantContext, found: Footprint) -> list[dict[str, Any]]:
    from chalicelib.telephony import recordings

    shown = _records(ctx, found, "call", "timeline_entry")
    for entry, call in zip(shown, found.records.get("call", []), strict=True):
        if call.recording_key:
            entry["recording"] = recordings.link(ctx, call)
    return shown


def document(ctx: TenantContext, found: Footprint, *, exported_at: str) -> dict[str, Any]:
    """Her data as one JSON document, by what it is."""
    contact = plain(ctx, _raw(found.contact))
    collection = found.collection
    return {
        "format": FORMAT, "version": 1, "contact_id": found.contact_id, "exported_at": exported_at,
        "contact": contact,
        "links": _by_kind(ctx, collection, "contact_link", "record_link"),
        "timeline": _by_kind(ctx, collection, "timeline_entry"),
        "consent": _by_kind(ctx, found.consent, "consent"),
        "consent_history": _by_kind(ctx, found.consent, "audit"),
        "deals": _deals(ctx, found),
        "tasks": [plain(ctx, task) for task in found.tasks + found.named_tasks],
        "calls": _calls(ctx, found),
        "conversations": _records(ctx, found, "conversation", "conversation_message"),
        "tickets": _records(ctx, found, "ticket", "timeline_entry"),
        "orders": _records(ctx, found, "order"),
        "documents": _by_kind(ctx, found.documents, "document"),
        "form_and_provider_deliveries": _by_kind(ctx, found.deliveries, "inbox_event", "inbox_payload"),
        "campaign_deliveries": _by_kind(ctx, found.sends, "campaign_send"),
        "segments": _by_kind(ctx, found.segments, "segment_member"),
        "merges": _by_kind(ctx, found.merges, "contact_merge"),
        "notifications": _by_kind(ctx, found.notifications, "notification"),
        "automation_runs": _by_kind(ctx, found.runs, "automation_run"),
        "timers": _by_kind(ctx, found.timers, "due_timer"),
        "audit_history": _by_kind(ctx, found.chain, "audit"),
        "sensitive_reads": _by_kind(ctx, found.reads, "sensitive_read"),
    }


def record_reads(ctx: TenantContext, contact: Any) -> None:
    """Her clear sensitive values and the export itself, recorded as reads before anything is handed out
    (throttled: 503, and nothing is shown)."""
    fields = [name for name in SENSITIVE if getattr(contact, name, None)]
    audit.record_reads(ctx, entity="contact", entity_id=str(contact.contact_id),
                       fields=[*fields, "personal_data_export"])
