"""Contacts as flat export rows, read through the contacts domain's list and views.

A page is one list Query (the caller's read scope applied by the contacts domain) and a GetItem per
contact for its full record; rows outside the caller's export scope are left out. Sensitive values
appear only when revealed, and the contacts domain records each clear-text read.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import export_names, segment_export
from chalicelib.dataio.export_columns import address_text, custom_cells, moment, yes_no
from chalicelib.dataio.export_names import Naming
from chalicelib.dataio.record_rows import list_query
from chalicelib.records.customfields import service as customfields_service

SENSITIVE_BUILTINS = ("passport_number", "tax_id", "iban")
UTM = ("source", "medium", "campaign", "term", "content")


def _query(filters: dict[str, str], cursor: str | None, limit: int) -> Any:
    from chalicelib.contacts.schemas import ContactListQuery

    return list_query(ContactListQuery, filters, cursor, limit)


def check_filters(filters: dict[str, str]) -> None:
    """422 for filters the contacts list does not understand (checked when the export is asked for); a segment's
    export takes its one filter (``segment_export``)."""
    if segment_export.wanted(filters) is not None:
        segment_export.check_filters(filters)
        return
    _query(filters, None, 1)


def contact_row(read: Any, *, revealed: frozenset[str], names: Naming) -> dict[str, Any]:
    """One contact as columns, one a field (``export_columns``), clear sensitive values only where revealed."""
    data = read.model_dump(mode="json")
    messengers, utm, consent = data.get("messengers") or {}, data.get("utm") or {}, data.get("consent") or {}
    row: dict[str, Any] = {
        "id": data["id"], "first_name": data.get("first_name"), "last_name": data.get("last_name"),
        "phones": [phone["number"] for phone in data.get("phones") or []],
        "emails": [email["address"] for email in data.get("emails") or []],
        "company_ids": [names.record("company", company_id) or company_id
                        for company_id in data.get("company_ids") or []],
        "tags": data.get("tags") or [], "birthday": data.get("birthday"),
        "job_title": data.get("job_title"), "owner_id": names.user(data.get("owner_id")),
        "messengers.whatsapp": messengers.get("whatsapp"),
        "messengers.telegram": messengers.get("telegram_username") or messengers.get("telegram_id"),
        "billing_address": address_text(data.get("billing_address")),
        "shipping_address": address_text(data.get("shipping_address")), "source": data.get("source"),
        **{f"utm.{part}": utm.get(part) for part in UTM},
        "consent.marketing": yes_no(consent.get("marketing"), names.locale),
        "consent.at": moment(consent.get("at"), names.zone),
        **{name: data.get(name) for name in SENSITIVE_BUILTINS if name in revealed},
        "created_at": moment(data.get("created_at"), names.zone),
        "updated_at": moment(data.get("updated_at"), names.zone),
    }
    return {**row, **custom_cells(data.get("custom"), names.definitions, names.locale)}


def _reveal_set(ctx: TenantContext) -> frozenset[str]:
    sensitive = [d.key for d in customfields_service.active_definitions(ctx, "contact") if d.sensitive]
    return frozenset({*SENSITIVE_BUILTINS, *(f"custom.{key}" for key in sensitive)})


def page(ctx: TenantContext, *, scope: str, filters: dict[str, str], cursor: str | None, limit: int,
         reveal: bool) -> tuple[list[dict[str, Any]], str | None]:
    """One page of contacts the caller may export, as rows, and the cursor of the next page."""
    from chalicelib.contacts import service as contacts_service
    from chalicelib.contacts import views as contacts_views
    from chalicelib.records import search, types

    segment_id = segment_export.wanted(filters)
    if segment_id is not None:
        ids, next_cursor = segment_export.member_ids(ctx, segment_id, cursor=cursor, limit=limit)
    else:
        listed = search.list_records(ctx, types.get("contact"), _query(filters, cursor, limit))
        ids, next_cursor = [summary.record_id for summary in listed.items], listed.next_cursor
    wanted = _reveal_set(ctx) if reveal else frozenset()
    contacts = [contact for contact in (contacts_service.get(ctx, contact_id) for contact_id in ids)
                if contact is not None and permissions.may_touch(ctx, scope, owner_id=contact.owner_id,
                                                                 team_id=contact.team_id)]
    names = export_names.naming(ctx, "contact", owners=[contact.owner_id for contact in contacts],
                                records=[("company", company_id) for contact in contacts
                                         for company_id in contact.company_ids or []])
    rows = []
    for contact in contacts:
        read = contacts_views.contact_read(ctx, contact, reveal=wanted)
        rows.append(contact_row(read, revealed=frozenset(read.revealed) if reveal else frozenset(), names=names))
    return rows, next_cursor
