"""Segments: make, list, read, change, delete; their members, their count and a draft's live preview.

Segments are the business's marketing lists: reading them needs ``segments:read``, changing them
``segments:update`` (owners and administrators; a custom role may be granted either). Their members are contacts,
shown within the caller's read scope of contacts. A segment holds what the feed keeps (``segments.events``): its
count is one GetItem, its members a Query, and nothing reads the tenant's contacts on a view.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id, tenant_key
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.segments import conditions, facts, jobs, membership
from chalicelib.segments import schemas as s
from chalicelib.segments.models import ContactFacts, Segment, SegmentCount, SegmentMember

MAX_SEGMENTS = 25  # a contact's change places it in every segment in one transaction (2 items a segment, of 100)
SAMPLE = 1000


def audit_view(segment: Segment) -> dict[str, Any]:
    """What the audit trail records of a segment."""
    return {"name": segment.name, "match": segment.match, "conditions": segment.conditions}


def segment_read(segment: Segment, members: int) -> s.SegmentRead:
    """The API view of a segment with its count."""
    return s.SegmentRead(id=segment.segment_id, name=segment.name, match=segment.match,
                         conditions=list(segment.conditions or []), status=segment.status, members=max(members, 0),
                         built_at=segment.built_at, created_by=segment.created_by, created_at=segment.created_at,
                         updated_at=segment.updated_at, version=int(segment.version or 0))


def counts(ctx: TenantContext, segment_ids: list[str]) -> dict[str, int]:
    """Member counts of segments, in one BatchGetItem."""
    if not segment_ids:
        return {}
    found = db.get_many(ctx, [(membership.counts_pk(ctx), sid) for sid in segment_ids])
    return {item.sk: int(getattr(item, "members", 0) or 0) for item in found.values() if isinstance(item, SegmentCount)}


def get(ctx: TenantContext, segment_id: str) -> Segment | None:
    """A segment of the tenant, no permission check."""
    return db.get(ctx, Segment, membership.segments_pk(ctx), segment_id) if is_valid_id(segment_id) else None


def get_or_raise(ctx: TenantContext, segment_id: str, *, action: str = "read") -> Segment:
    """A segment the caller may act on, or 403/404."""
    permissions.require(ctx, "segments", action)
    segment = get(ctx, segment_id)
    if segment is None:
        raise errors.NotFoundError("No such segment.")
    return segment


def read_one(ctx: TenantContext, segment_id: str) -> s.SegmentRead:
    """A segment with its count."""
    segment = get_or_raise(ctx, segment_id)
    return segment_read(segment, counts(ctx, [segment_id]).get(segment_id, 0))


def list_segments(ctx: TenantContext, *, limit: int, cursor: str | None) -> s.SegmentPage:
    """The tenant's segments with their counts, oldest first."""
    permissions.require(ctx, "segments", "read")
    page = db.query_page(ctx, Segment, membership.segments_pk(ctx), scope="segments", limit=limit, cursor=cursor,
                         newest_first=False)
    found = counts(ctx, [segment.segment_id for segment in page.items])
    return s.SegmentPage(items=[segment_read(item, found.get(item.segment_id, 0)) for item in page.items],
                         next_cursor=page.next_cursor)


def _dumped(draft: list[s.SegmentCondition]) -> list[dict[str, Any]]:
    return [condition.model_dump(mode="json", exclude_none=True) for condition in draft]


def create(ctx: TenantContext, *, data: s.SegmentCreate) -> s.SegmentRead:
    """Make a segment (audited); its build places the tenant's contacts, and the feed keeps it from then on."""
    permissions.require(ctx, "segments", "update")
    if len(membership.segments_of(ctx, fresh=True)) >= MAX_SEGMENTS:
        raise errors.ValidationError(f"A company keeps at most {MAX_SEGMENTS} segments.", code="too_many_segments",
                                     details=[{"loc": ["body"], "msg": f"At most {MAX_SEGMENTS} segments",
                                               "type": "too_many_segments"}])
    segment_id = new_id()
    segment = Segment(membership.segments_pk(ctx), segment_id, segment_id=segment_id, name=data.name,
                      match=data.match, conditions=_dumped(data.conditions), status="building", build_id=new_id(),
                      created_by=ctx.actor_id)
    change = db.Change().save(segment)
    audit.attach(ctx, change, segment, entity="segment", entity_id=segment_id, action="create", before=None,
                 after=audit_view(segment))
    jobs.arm(ctx, segment_id=segment_id, change=change)
    db.commit(ctx, change)
    return segment_read(segment, 0)


def update(ctx: TenantContext, segment_id: str, *, data: s.SegmentUpdate) -> s.SegmentRead:
    """Rename a segment or change what it selects (which builds it again)."""
    segment = get_or_raise(ctx, segment_id, action="update")
    if int(segment.version or 0) != data.version:
        raise errors.VersionConflictError()
    before = audit_view(segment)
    if data.name is not None:
        segment.name = data.name
    rebuild = False
    if data.match is not None and data.match != segment.match:
        segment.match, rebuild = data.match, True
    if data.conditions is not None and _dumped(data.conditions) != segment.conditions:
        segment.conditions, rebuild = _dumped(data.conditions), True
    change = db.Change().save(segment)
    if rebuild:
        segment.status, segment.build_cursor, segment.build_id = "building", None, new_id()
        jobs.arm(ctx, segment_id=segment_id, change=change)
    audit.attach(ctx, change, segment, entity="segment", entity_id=segment_id, action="update", before=before,
                 after=audit_view(segment))
    db.commit(ctx, change)
    return segment_read(segment, counts(ctx, [segment_id]).get(segment_id, 0))


def delete(ctx: TenantContext, segment_id: str) -> None:
    """Delete a segment (audited); its member items are removed by a job, a page at a time."""
    segment = get_or_raise(ctx, segment_id, action="update")
    change = db.Change().delete(segment).delete(SegmentCount(membership.counts_pk(ctx), segment_id))
    audit.attach(ctx, change, segment, entity="segment", entity_id=segment_id, action="delete",
                 before=audit_view(segment), after=None)
    due.set_timer(ctx, kind=jobs.PURGE, ref=segment_id, due_at=db.utcnow(), change=change)
    change.delete(DueTimer(due.timers_pk(ctx), due.timer_sk(jobs.BUILD, segment_id)))  # a build under way stops
    db.commit(ctx, change)


def purge_members(ctx: TenantContext, segment_id: str, *, pages: int = 20) -> bool:
    """Delete a deleted segment's member items (True when none is left)."""
    for _ in range(pages):
        with db.translate_errors():
            found = list(SegmentMember.query(membership.members_pk(ctx), SegmentMember.sk.startswith(f"{segment_id}#"),
                                             limit=25))
            if not found:
                return True
            with SegmentMember.batch_write() as batch:
                for item in found:
                    batch.delete(item)
    return False


def member_ids(ctx: TenantContext, segment_id: str, *, limit: int, cursor: str | None,
               scope: str = "segment-members") -> db.Page[SegmentMember]:
    """One page of a segment's members (ids and when they joined), in contact id order."""
    return db.query_page(ctx, SegmentMember, membership.members_pk(ctx), scope=f"{scope}:{segment_id}",
                         limit=limit, cursor=cursor, newest_first=False,
                         range_key_condition=SegmentMember.sk.startswith(f"{segment_id}#"))


def _contacts(ctx: TenantContext, ids: list[str]) -> dict[str, Any]:
    keys = [(tenant_key(ctx, "C", cid), "#PROFILE") for cid in ids]
    return {getattr(item, "contact_id", ""): item for item in (db.get_many(ctx, keys).values() if keys else [])}


def members(ctx: TenantContext, segment_id: str, *, limit: int, cursor: str | None) -> s.SegmentMemberPage:
    """A page of a segment's members: the contacts the caller may read, with their names and first address."""
    get_or_raise(ctx, segment_id)
    scope = permissions.require(ctx, "contacts", "read")
    page = member_ids(ctx, segment_id, limit=limit, cursor=cursor)
    found = _contacts(ctx, [item.contact_id for item in page.items])
    items = []
    for item in page.items:
        contact = found.get(item.contact_id)
        if contact is None or contact.deleted_at is not None or not permissions.may_touch(
                ctx, scope, owner_id=contact.owner_id, team_id=contact.team_id):
            continue
        emails, phones = contact.emails or [], contact.phones or []
        items.append(s.SegmentMemberRead(id=item.contact_id, first_name=contact.first_name, last_name=contact.last_name,
                                  email=emails[0].get("address") if emails else None,
                                  phone=phones[0].get("number") if phones else None, joined_at=item.joined_at))
    return s.SegmentMemberPage(items=items, next_cursor=page.next_cursor)


CLEAR_FACTS = ["pk", "sk", "kind", "contact_id", "owner_id", "team_id", "tags", "source", "contact_created_at",
               "last_activity_at", "last_purchase_at", "purchases", "deleted"]
SEALED_CONDITIONS = frozenset({"birthday_this_month", "custom_is"})


def _projection(wanted: list[dict[str, Any]]) -> list[str]:
    """What a count reads of the facts: their sealed token only when a condition needs a birthday or a custom
    value (opening a thousand tokens is most of a count's CPU)."""
    return CLEAR_FACTS + (["pd"] if any(c.get("type") in SEALED_CONDITIONS for c in wanted) else [])


def preview(ctx: TenantContext, *, draft: s.SegmentDraft, now: datetime | None = None) -> s.SegmentPreview:
    """How many contacts a draft selects, over a bounded sample of the contacts' facts (one or two Query pages):
    exact while the tenant has at most ``SAMPLE`` contacts, else the sample's share of the live contacts."""
    permissions.require(ctx, "segments", "read")
    now = membership.company_now(ctx, now or db.utcnow())
    wanted = _dumped(draft.conditions)
    sampled = matched = 0
    exact = True
    with db.translate_errors():
        for item in ContactFacts.query(facts.facts_pk(ctx), limit=SAMPLE + 1, page_size=500,
                                       attributes_to_get=_projection(wanted)):
            if not isinstance(item, ContactFacts) or item.deleted:
                continue
            if sampled == SAMPLE:
                exact = False
                break
            sampled += 1
            matched += conditions.matches(draft.match, wanted, item, now)
    if exact:
        return s.SegmentPreview(count=matched, sampled=sampled, estimated=matched, exact=True)
    from chalicelib.billing import limits

    total = max(limits.usage(ctx).get("contacts", sampled), sampled)
    return s.SegmentPreview(count=matched, sampled=sampled, estimated=round(matched * total / sampled), exact=False)

