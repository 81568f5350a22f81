"""Calls through the API: the list and one call, its recording, click-to-call, and the counters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.calls import schemas as s
from chalicelib.calls.models import Call, CallRef, CallRow, CallStats, DialRequest
from chalicelib.calls.record import CALL, ref_pk, summary
from chalicelib.core import db, errors, permissions, phones
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.integrations import service as integrations_service
from chalicelib.records import access, listing, matching, store, types
from chalicelib.records import timeline as timeline_service
from chalicelib.telephony import caller_card, entries, processor, recordings, unended

DIAL_WAIT = timedelta(minutes=3)  # how long a click-to-call waits for the provider's first event of it
COUNTERS = ("calls", "answered", "missed", "busy", "failed", "talk_seconds", "callbacks", "callback_seconds")


# -- reading --------------------------------------------------------------------------------


def _filters(query: s.CallListQuery) -> list[tuple[str, str]]:
    pairs = [("contact", query.contact_id), ("status", query.status), ("direction", query.direction)]
    return [(key, value) for key, value in pairs if value]


class _Plan:
    """The engine's list query shape for calls: the user filter is the owner partition."""

    def __init__(self, query: s.CallListQuery) -> None:
        self.tag = None
        self.owner_id = query.user_id
        self.q = None
        self.sort = "created"
        self.order = "desc"
        self.limit = query.limit
        self.cursor = query.cursor


def list_calls(ctx: TenantContext, query: s.CallListQuery) -> db.Page[dict[str, Any]]:
    """One page of the calls the caller may see, newest first, filtered (one Query)."""
    scope = permissions.require(ctx, CALL.plural, "read")
    custom = _filters(query)
    plan = listing.plan(ctx, CallRow, _Plan(query), scope, custom)
    if query.started_from is not None:
        plan.conditions.append(CallRow.started_at >= query.started_from)
    if query.started_to is not None:
        plan.conditions.append(CallRow.started_at < query.started_to)
    plan.fingerprint.update({"from": str(query.started_from), "to": str(query.started_to)})
    page = listing.list_rows(ctx, CallRow, CALL.space or "", plan)
    names = _party_names(ctx, page.items)
    return db.Page(items=[summary(row, names) for row in page.items], next_cursor=page.next_cursor)


def _party_names(ctx: TenantContext, rows: list[CallRow]) -> dict[str, str | None]:
    """The names of a page's contacts and companies the caller may read (one BatchGetItem)."""
    wanted: dict[tuple[str, str], tuple[Any, str]] = {}
    for row in rows:
        for type_name, record_id in (("contact", row.contact_id), ("company", row.company_id)):
            rtype = types.find(type_name)
            if record_id and rtype is not None:
                wanted[(access.collection_pk(ctx, rtype, record_id), timeline_service.PROFILE_SK)] = (rtype, record_id)
    if not wanted:
        return {}
    found = db.get_many(ctx, list(wanted))
    names: dict[str, str | None] = {}
    for key, (rtype, record_id) in wanted.items():
        record: Any = found.get(key)
        visible = record is not None and record.deleted_at is None and access.may_read(ctx, rtype, record)
        names[record_id] = caller_card.display_name(record) if visible else None
    return names


def get_call(ctx: TenantContext, call_id: str) -> Call:
    """A call the caller may read (404 like a missing one otherwise)."""
    found: Call = access.get_or_raise(ctx, CALL, call_id)
    return found


def recording_link(ctx: TenantContext, call_id: str) -> dict[str, Any]:
    """A short-lived link to a call's recording (404 when the call has none yet)."""
    call = get_call(ctx, call_id)
    if not call.recording_key:
        raise errors.NotFoundError("This call has no recording (yet).", code="no_recording")
    return recordings.link(ctx, call)


def stats(ctx: TenantContext, query: s.StatsQuery) -> list[dict[str, Any]]:
    """The call counters of a period (whole days, UTC), per employee and direction: one Query."""
    scope = permissions.require(ctx, CALL.plural, "read")
    assert query.started_from is not None and query.started_to is not None  # the schema fills them in
    first, last = query.started_from.strftime("%Y-%m-%d"), query.started_to.strftime("%Y-%m-%d")
    totals: dict[tuple[str, str], dict[str, int]] = {}
    teams: dict[str, str | None] = {}
    with db.translate_errors():
        found = list(CallStats.query(processor.stats_pk(ctx), CallStats.sk.between(first, last + "~")))
    for item in found:
        if db.owned(ctx, item) is None or (query.user_id and item.user_id != query.user_id):
            continue
        if not _may_see_counters(ctx, scope, item.user_id, teams):
            continue
        sums = totals.setdefault((item.user_id, item.direction), {})
        for name in COUNTERS:
            sums[name] = sums.get(name, 0) + int(getattr(item, name) or 0)
    rows = []
    for (user_id, direction), sums in sorted(totals.items()):
        callbacks = sums.get("callbacks", 0)
        rows.append({"user_id": None if user_id == "-" else user_id, "direction": direction,
                     **{name: sums.get(name, 0) for name in ("calls", "answered", "missed", "busy", "failed",
                                                             "talk_seconds", "callbacks")},
                     "average_callback_seconds": sums.get("callback_seconds", 0) // callbacks if callbacks else None})
    return rows


def _may_see_counters(ctx: TenantContext, scope: str, user_id: str, teams: dict[str, str | None]) -> bool:
    """Whether the caller's read scope of calls covers an employee's counters (own, team, all)."""
    if scope == "all":
        return True
    if user_id == ctx.actor_id:
        return True
    if scope != "team" or ctx.team_id is None or user_id == "-":
        return False
    if user_id not in teams:
        from chalicelib.identity import service as identity_service

        user = identity_service.get_user(ctx, user_id)
        teams[user_id] = user.team_id if user is not None else None
    return teams[user_id] == ctx.team_id


def _dials_out(integration: Any) -> bool:
    """Whether a line takes click-to-calls: a PBX of one's own does not; Twilio needs a number to call from."""
    if integration.integration_type == "pbx":
        return False
    return integration.integration_type != "twilio" or bool((integration.settings or {}).get("caller_id"))


def my_lines(ctx: TenantContext) -> list[dict[str, Any]]:
    """The active telephone lines on which the caller has an extension (what click-to-call may use)."""
    permissions.require(ctx, CALL.plural, "create")
    lines = []
    for integration in integrations_service.active_of_types(ctx, set(processor.PROVIDERS)):
        extension = _extension_of(processor.settings_of(integration), ctx.actor_id)
        if extension is not None:
            lines.append({"integration_id": integration.integration_id, "name": integration.name,
                          "type": integration.integration_type, "extension": extension,
                          "click_to_call": _dials_out(integration)})
    return lines


# -- click-to-call --------------------------------------------------------------------------


def _extension_of(settings: Any, user_id: str) -> str | None:
    return next((ext for ext, uid in settings.extensions.items() if uid == user_id), None)


def click_to_call(ctx: TenantContext, data: s.CallCreate) -> Call:
    """Ask the provider to ring the caller's extension, then the customer; the call is recorded at once
    (ringing) and the provider's events of it fold into it."""
    permissions.require(ctx, CALL.plural, "create")
    integration = integrations_service.get(ctx, data.integration_id)
    if integration is None or integration.integration_type not in processor.PROVIDERS:
        raise errors.ValidationError(details=[{"loc": ["body", "integration_id"], "type": "unknown_reference",
                                               "msg": "No such telephony integration"}])
    if integration.status != "active":
        raise errors.ConflictError("This telephony integration is disabled.", code="integration_disabled")
    settings = processor.settings_of(integration)
    extension = _extension_of(settings, ctx.actor_id)
    if extension is None:
        raise errors.ConflictError("You have no extension on this line; ask an admin to add yours in its settings.",
                                   code="no_extension")
    contact_id, number = data.contact_id, data.number
    if contact_id is not None:
        contact = access.require_visible(ctx, "contact", contact_id, loc=["body", "contact_id"])
        numbers = [p.get("number") for p in (getattr(contact, "phones", None) or []) if isinstance(p, dict)]
        number = next((n for n in numbers if n), None)
        if number is None:
            raise errors.ValidationError(details=[{"loc": ["body", "contact_id"], "msg": "The contact has no phone",
                                                   "type": "no_phone"}])
    e164 = phones.e164(str(number)[:phones.MAX_TYPED], matching.tenant_region(ctx))
    if e164 is None:
        raise errors.ValidationError(details=[{"loc": ["body", "number"], "msg": "Not a phone number",
                                               "type": "invalid_phone"}])
    adapter = processor.adapter_of(integration)
    credentials = integrations_service.adapter_credentials(ctx, integration)
    dialled = adapter.dial(credentials, extension=extension, number=e164)  # a refusal answers 502, nothing written
    call_id = new_id()
    now = db.utcnow()
    call = Call(access.collection_pk(ctx, CALL, call_id), timeline_service.PROFILE_SK, call_id=call_id,
                integration_id=integration.integration_id, provider=integration.integration_type,
                provider_call_id=dialled.provider_call_id or f"dial:{call_id}", direction="outbound",
                status="ringing", from_number=extension, to_number=e164, customer_number=e164,
                user_id=ctx.actor_id, owner_id=ctx.actor_id, team_id=ctx.team_id, extension=extension,
                started_at=now, contact_id=contact_id, party_resolved=1 if contact_id else 0,
                deal_id=processor.open_deal(ctx, "contact", contact_id) if contact_id else None)
    change = db.Change()
    if dialled.provider_call_id:
        change.create(CallRef(ref_pk(ctx, integration.integration_id), dialled.provider_call_id,
                                        call_id=call_id))
    else:
        change.save(DialRequest(processor.dial_pk(ctx, integration.integration_id), processor.callback_sk(ctx, e164),
                                call_id=call_id,
                                valid_until=now + DIAL_WAIT, expires_at=now + DIAL_WAIT))
    unended.follow(ctx, change, None, call)  # a call its provider never reports still ends
    entries.write(ctx, change, call)
    store.save(ctx, CALL, None, call, action="create", change=change)
    return call
