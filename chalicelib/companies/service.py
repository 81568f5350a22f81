"""Companies: read, create, update, the card, and the items other domains put into a company's collection.

List rows work as for contacts (``contacts.listing``, space ``COX``). Contacts are linked from the
contact's side (``contacts.links``), which also writes the company's ``CONTACT#<id>`` item through
:func:`member_item`; deals put ``DEAL#<id>`` items with :func:`link_item` in their own transaction.
"""

from __future__ import annotations

from typing import Any

from chalicelib.companies.models import Company, CompanyLink, CompanyRow
from chalicelib.companies.schemas import CompanyCard, CompanyCreate, CompanyRead, CompanyUpdate
from chalicelib.contacts import editing, listing, matching
from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.customfields import service as customfields_service
from chalicelib.timeline import service as timeline_service

ENTITY = "companies"
AUDIT_ENTITY = "company"
SPACE = "COX"
PROFILE_SK = timeline_service.PROFILE_SK
LINK_PREFIX = {"contact": "CONTACT", "deal": "DEAL", "task": "TASK"}
AUDIT_FIELDS = ("name", "phones", "emails", "website", "industry", "address", "tags", "owner_id", "team_id",
                "deleted_at")
CARD_ENTRIES = 20


def company_pk(ctx: TenantContext, company_id: str) -> str:
    """The company's item collection."""
    return timeline_service.subject_pk(ctx, "company", company_id)


# -- reading --------------------------------------------------------------------------------


def get_any(ctx: TenantContext, company_id: str) -> Company | None:
    """The company item whether live or in the trash, or None (no permission check)."""
    return db.get(ctx, Company, company_pk(ctx, company_id), PROFILE_SK) if is_valid_id(company_id) else None


def get(ctx: TenantContext, company_id: str) -> Company | None:
    """A live company of the tenant, or None (no permission check)."""
    company = get_any(ctx, company_id)
    return company if company is not None and company.deleted_at is None else None


def may_read(ctx: TenantContext, company: Company) -> bool:
    """True when the caller's read scope covers the company."""
    return permissions.may_read_record(ctx, ENTITY, owner_id=company.owner_id, team_id=company.team_id)


def check_access(ctx: TenantContext, company: Company, action: str = "read") -> None:
    """404 when the caller may not read the company, 403 when it may read but not do action."""
    permissions.check_record(ctx, ENTITY, action, owner_id=company.owner_id, team_id=company.team_id,
                             missing="No such company.")


def get_or_raise(ctx: TenantContext, company_id: str, *, action: str = "read") -> Company:
    """A live company the caller may act on: 404 when missing or out of read scope, 403 for the action."""
    permissions.require(ctx, ENTITY, action)
    company = get(ctx, company_id)
    if company is None:
        raise errors.NotFoundError("No such company.")
    check_access(ctx, company, action)
    return company


def link_summary(company: Company) -> dict[str, Any]:
    """What a contact's card shows of its company."""
    return {"name": company.name, "website": company.website}


def company_read(ctx: TenantContext, company: Company) -> CompanyRead:
    """The API view of a company."""
    custom = (customfields_service.view(ctx, entity="company", record_id=company.company_id, stored=company.custom)
              if company.custom else {})
    return CompanyRead(
        id=company.company_id, name=company.name, phones=list(company.phones or []),
        emails=list(company.emails or []), website=company.website, industry=company.industry,
        address=company.address, tags=list(company.tags or []), owner_id=company.owner_id, team_id=company.team_id,
        custom=custom, created_at=company.created_at, updated_at=company.updated_at, deleted_at=company.deleted_at,
        version=int(company.version or 0),
    )


def card(ctx: TenantContext, company_id: str) -> CompanyCard:
    """The company card (company, its contacts and deals, newest timeline entries) from one Query."""
    permissions.require(ctx, ENTITY, "read")
    items: list[Any] = []
    complete = True
    if is_valid_id(company_id):
        with db.translate_errors():
            results = db.MainTable.query(company_pk(ctx, company_id), limit=CARD_ENTRIES + 80,
                                         page_size=CARD_ENTRIES + 80)
            items = [item for item in results if db.owned(ctx, item) is not None]
            complete = results.last_evaluated_key is None
    company = next((item for item in items if isinstance(item, Company)), None)
    if company is None or company.deleted_at is not None:
        raise errors.NotFoundError("No such company.")
    check_access(ctx, company)
    return _card(ctx, company, items, complete=complete)


def _card(ctx: TenantContext, company: Company, items: list[Any], *, complete: bool) -> CompanyCard:
    from chalicelib.contacts.schemas import LinkOut
    from chalicelib.timeline.models import TimelineEntry

    links: dict[str, list[LinkOut]] = {kind: [] for kind in LINK_PREFIX}
    for item in items:
        if isinstance(item, CompanyLink):
            links.setdefault(item.link_kind, []).append(LinkOut(id=item.ref_id, linked_at=item.linked_at,
                                                                summary=item.summary or {}))
    entries = [timeline_service.entry_view(item) for item in items if isinstance(item, TimelineEntry)]
    more_links = not complete and not entries  # the Query stopped before reaching the timeline
    return CompanyCard(**company_read(ctx, company).model_dump(), contact_ids=[c.id for c in links["contact"]],
                       links=links, timeline=entries[:CARD_ENTRIES],
                       more_timeline=len(entries) > CARD_ENTRIES or not complete, more_links=more_links)


# -- derived items --------------------------------------------------------------------------


def facets(company: Company) -> listing.Facets:
    """What the company is listed, filtered and found by."""
    emails = [email["address"] for email in company.emails or []]
    host = (company.website or "").split("://", 1)[-1].split("/", 1)[0].removeprefix("www.").lower()
    return listing.Facets(
        record_id=company.company_id, owner_id=company.owner_id, team_id=company.team_id,
        tags=tuple(company.tags or ()), custom=tuple((k, v) for k, v in company.custom_indexed or []),
        tokens=tuple(matching.search_tokens(company.name, extra=[*emails, host])),
        sort_name=matching.fold(company.name), updated_at=company.updated_at.isoformat(),
        deleted_at=company.deleted_at.isoformat() if company.deleted_at else None,
    )


def row_builder(company: Company) -> Any:
    """A function making the company's row for a list key."""
    found = facets(company)

    def make_row(key: listing.RowKey) -> CompanyRow:
        phones, emails = company.phones or [], company.emails or []
        row = CompanyRow(
            record_id=company.company_id, name=company.name, phone=phones[0]["number"] if phones else None,
            email=emails[0]["address"] if emails else None, website=company.website, industry=company.industry,
            tags=set(found.tags) or None, cf={f"{k}={v}" for k, v in found.custom} or None,
            tokens=" ".join(found.tokens) or None, owner_id=company.owner_id, team_id=company.team_id,
            created_at=company.created_at, updated_at=company.updated_at, deleted_at=company.deleted_at,
            version=int(company.version or 0) + 1,  # rows are written with the save that bumps it
        )
        return listing.apply_row_key(row, key)  # type: ignore[return-value]

    return make_row


def audit_view(company: Company | None) -> dict[str, Any] | None:
    """The fields of a company the audit trail records."""
    if company is None:
        return None
    view = {name: audit.plain(getattr(company, name)) for name in AUDIT_FIELDS}
    view.update({f"custom.{key}": value for key, value in (company.custom or {}).items()})
    return view


def save(ctx: TenantContext, before: Company | None, after: Company | None, *, action: str,
         change: db.Change | None = None) -> None:
    """Write a company (None: delete it) with its rows and its audit record in one transaction."""
    change = change or db.Change()
    subject = after if after is not None else before
    if subject is None:
        raise ValueError("a company change needs a before or an after")
    if after is not None:
        change.save(after)
    else:
        change.delete(subject)
    old = listing.row_keys(ctx, SPACE, facets(before)) if before is not None else []
    new = listing.row_keys(ctx, SPACE, facets(after)) if after is not None else []
    listing.rewrite_rows(change, row_builder(subject), old=old, new=new)
    secret = frozenset(f"custom.{k}" for c in (before, after) if c is not None for k in c.custom_sensitive or [])
    audit.attach(ctx, change, subject, entity=AUDIT_ENTITY, entity_id=subject.company_id, action=action,
                 before=audit_view(before), after=audit_view(after), sensitive=secret)
    listing.check_size(change)
    db.commit(ctx, change)


# -- writing --------------------------------------------------------------------------------


def _apply(ctx: TenantContext, company: Company, fields: dict[str, Any]) -> None:
    if "name" in fields:
        company.name = fields["name"].strip()
    if "phones" in fields:
        company.phones = editing.phones(fields["phones"] or [], matching.tenant_region(ctx))
    if "emails" in fields:
        company.emails = editing.emails(fields["emails"] or [])
    if "tags" in fields:
        company.tags = list(fields["tags"] or [])
    if "address" in fields:
        address = {k: v for k, v in (fields["address"] or {}).items() if v is not None}
        company.address = address or None
    for name in ("website", "industry"):
        if name in fields:
            setattr(company, name, fields[name] or None)


def _apply_custom(ctx: TenantContext, company: Company, values: dict[str, Any] | None, *, new: bool) -> None:
    cleaned = customfields_service.clean(ctx, entity="company", record_id=company.company_id, values=values or {},
                                         existing=None if new else dict(company.custom or {}))
    company.custom, company.custom_sensitive = cleaned.stored, sorted(cleaned.sensitive)
    company.custom_indexed = [[key, value] for key, value in cleaned.indexed]


def create(ctx: TenantContext, *, data: CompanyCreate, company_id: str | None = None) -> Company:
    """Create a company, owned by the caller unless another owner is given.

    An import passes the id it chose for the row, so a retried row cannot create a second company
    (the item is written only where none exists).
    """
    scope = permissions.require(ctx, ENTITY, "create")
    owner_id, team_id = editing.resolve_owner(ctx, data.owner_id, scope)
    company_id = company_id or new_id()
    company = Company(company_pk(ctx, company_id), PROFILE_SK, company_id=company_id, name=data.name,
                      owner_id=owner_id, team_id=team_id)
    _apply(ctx, company, data.model_dump(mode="json", exclude_unset=True, exclude={"custom", "owner_id"}))
    _apply_custom(ctx, company, data.custom, new=True)
    change = db.Change()
    timeline_service.add_entry(ctx, change, subject_type="company", subject_id=company_id, kind="created",
                               summary="Company created")
    save(ctx, None, company, action="create", change=change)
    return company


def update(ctx: TenantContext, company_id: str, *, data: CompanyUpdate) -> Company:
    """Change a company; a stale version answers 409 and changes nothing."""
    before = get_or_raise(ctx, company_id, action="update")
    if int(before.version or 0) != data.version:
        raise errors.VersionConflictError()
    after = editing.clone(before)
    after.updated_at = db.utcnow()
    _apply(ctx, after, data.model_dump(mode="json", exclude_unset=True, exclude={"version", "custom", "owner_id"}))
    if "custom" in data.model_fields_set:
        _apply_custom(ctx, after, data.custom, new=False)
    if data.owner_id is not None and data.owner_id != before.owner_id:  # null changes nothing: records keep an owner
        after.owner_id, after.team_id = editing.resolve_owner(ctx, data.owner_id,
                                                              permissions.require(ctx, ENTITY, "update"))
    save(ctx, before, after, action="update")
    if link_summary(before) != link_summary(after):
        _refresh_contact_links(ctx, after)
    return after


def _refresh_contact_links(ctx: TenantContext, company: Company) -> None:
    """Show a renamed company's new name on its contacts' cards (best effort, after the commit)."""
    from chalicelib.contacts import links as contact_links

    for link in contact_ids(ctx, company.company_id):
        contact_links.refresh_link_summary(ctx, contact_id=link, kind="company", ref_id=company.company_id,
                                           summary=link_summary(company))


def contact_ids(ctx: TenantContext, company_id: str) -> list[str]:
    """Ids of every contact linked to a company (one Query over its ``CONTACT#`` items)."""
    with db.translate_errors():
        found = CompanyLink.query(company_pk(ctx, company_id), CompanyLink.sk.startswith("CONTACT#"))
        return [link.ref_id for link in found]


# -- items other domains write --------------------------------------------------------------


def link_key(kind: str, ref_id: str) -> str:
    """Sort key of a link item in a company's collection."""
    prefix = LINK_PREFIX.get(kind)
    if prefix is None or not is_valid_id(ref_id):
        raise errors.ValidationError(details=[{"loc": ["link"], "msg": "Unknown link", "type": "unknown_link"}])
    return f"{prefix}#{ref_id}"


def member_item(ctx: TenantContext, *, company_id: str, contact_id: str, summary: dict[str, Any]) -> CompanyLink:
    """The ``CONTACT#<id>`` item of a company's collection (written by the contacts domain)."""
    return CompanyLink(company_pk(ctx, company_id), link_key("contact", contact_id), link_kind="contact",
                       ref_id=contact_id, summary=summary, linked_at=db.utcnow())


def link_item(ctx: TenantContext, change: db.Change, *, company_id: str, kind: str, ref_id: str,
              summary: dict[str, Any]) -> CompanyLink:
    """Put a deal or task link (or its new summary) into the company's collection, in change."""
    item = CompanyLink(company_pk(ctx, company_id), link_key(kind, ref_id), link_kind=kind, ref_id=ref_id,
                       summary=summary, linked_at=db.utcnow())
    change.save(item)
    return item


def unlink_item(ctx: TenantContext, change: db.Change, *, company_id: str, kind: str, ref_id: str) -> None:
    """Remove a link from the company's collection, in change."""
    change.delete(CompanyLink(company_pk(ctx, company_id), link_key(kind, ref_id)))
