"""A segment's members as a contacts export (#24): ``POST /api/v1/exports`` with ``entity: contact`` and the one
filter ``segment``. The job is the contacts export's (queued, pages kept in the bucket as they are read, one file,
a download link, audited as an export, its bytes counted in the plan's storage); only its pages come from the
segment's member items (one Query a page, in contact id order) instead of the contacts list. Each member is read
and shown as the contacts export shows a contact, within the caller's export scope.
"""

from __future__ import annotations

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext, is_valid_id

FILTER = "segment"


def wanted(filters: dict[str, str]) -> str | None:
    """The segment an export's filters name, or None (an ordinary contacts export)."""
    return filters.get(FILTER)


def check_filters(filters: dict[str, str]) -> None:
    """422 unless the segment filter is a well-formed id and the only filter."""
    if not is_valid_id(str(filters.get(FILTER) or "")):
        raise errors.ValidationError(details=[{"loc": ["body", "filters", FILTER], "msg": "Not a segment id",
                                               "type": "value_error"}])
    others = sorted(name for name in filters if name != FILTER)
    if others:
        raise errors.ValidationError(details=[{"loc": ["body", "filters", others[0]],
                                               "msg": "A segment's export takes no other filter",
                                               "type": "segment_only"}])


def check_access(ctx: TenantContext, filters: dict[str, str]) -> None:
    """When an export names a segment: 404 unless it is one of the company's, 403 unless the caller may read
    segments (asked when the export is requested, before anything is queued)."""
    segment_id = wanted(filters)
    if segment_id is not None:
        from chalicelib.segments import service as segments_service

        segments_service.get_or_raise(ctx, segment_id)


def member_ids(ctx: TenantContext, segment_id: str, *, cursor: str | None, limit: int) -> tuple[list[str], str | None]:
    """One page of the segment's members' contact ids and the cursor of the next page."""
    from chalicelib.segments import service as segments_service

    page = segments_service.member_ids(ctx, segment_id, limit=limit, cursor=cursor, scope="segment-export")
    return [member.contact_id for member in page.items], page.next_cursor
