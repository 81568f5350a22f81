"""Contacts: read, create (with duplicate detection), update, lookups by phone and e-mail, links.

Other domains call ``get``/``get_or_raise``, ``find_by_phone``/``find_by_email``, ``create`` and
``link_item``/``unlink_item`` (deals and tasks put their link items into the contact's collection in
their own transaction, so the card needs no join).
"""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import derived, profile
from chalicelib.contacts.models import Contact, ContactLink, ContactLookup, MergeMarker
from chalicelib.contacts.record import CONTACT
from chalicelib.contacts.schemas import ContactCreate, ContactUpdate
from chalicelib.core import db, errors, permissions, phones
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.identity import service as identity_service
from chalicelib.records import access, editing, links, listing, matching, store, types
from chalicelib.records import timeline as timeline_service

PROFILE_SK = timeline_service.PROFILE_SK


class DuplicateContactError(errors.ConflictError):
    code = "duplicate_contact"
    message = "A contact with this phone or e-mail already exists."


# -- reading (the record engine's, typed for contacts) ------------------------------------


def get_any(ctx: TenantContext, contact_id: str) -> Contact | None:
    """The contact item whether live or in the trash, or None (no permission check)."""
    contact: Contact | None = access.get_any(ctx, CONTACT, contact_id)
    return contact


def remember(ctx: TenantContext, contact: Contact) -> None:
    """Within a processing run (``http.run_memo``), answer this run's later reads of the contact (a
    deal's or task's link check) from this item: one the run has just created or found and does not change."""
    access.remember(ctx, CONTACT, contact)


def get(ctx: TenantContext, contact_id: str) -> Contact | None:
    """A live contact of the tenant, or None (no permission check: for webhooks and jobs)."""
    contact: Contact | None = access.get(ctx, CONTACT, contact_id)
    return contact


def find_by_telegram(ctx: TenantContext, username: str) -> Contact | None:
    """The oldest live contact with this Telegram username (its blind-index lookup), or None."""
    pk = derived.blind_key(ctx, profile.TELEGRAM, profile.telegram_digest(ctx, username))
    with db.translate_errors():
        ids = sorted(item.contact_id for item in ContactLookup.query(pk, limit=20))
    return next((contact for contact_id in ids if (contact := get(ctx, contact_id)) is not None), None)


def check_access(ctx: TenantContext, contact: Contact, action: str = "read") -> None:
    """404 when the caller may not read the contact, 403 when it may read but not do action."""
    access.check_access(ctx, CONTACT, contact, action)


def get_or_raise(ctx: TenantContext, contact_id: str, *, action: str = "read") -> Contact:
    """A live contact the caller may act on: 404 when missing or out of read scope, 403 for the action."""
    contact: Contact = access.get_or_raise(ctx, CONTACT, contact_id, action=action)
    return contact


def hidden_in_flight(ctx: TenantContext, contact_id: str) -> set[str]:
    """Sort keys a merge (or undo) in flight keeps out of the contact's timeline and card."""
    pk = derived.contact_pk(ctx, contact_id)
    with db.translate_errors():
        markers = list(MergeMarker.query(pk, MergeMarker.sk.startswith("#MERGING#")))
    return {sk for marker in markers for sk in marker.hidden or []}


# -- lookups --------------------------------------------------------------------------------


def _lookup(ctx: TenantContext, pk: str) -> str | None:
    found = db.get(ctx, ContactLookup, pk, derived.LOOKUP_SK)
    return found.contact_id if found is not None else None


def find_by_phone(ctx: TenantContext, raw_phone: str) -> Contact | None:
    """The live contact with this phone (any format, the tenant's region): two GetItems at most."""
    international = raw_phone.strip().startswith("+")  # needs no region, so no read of the tenant
    e164 = phones.e164(raw_phone, None if international else matching.tenant_region(ctx))
    contact_id = _lookup(ctx, derived.phone_key(ctx, e164)) if e164 else None
    return get(ctx, contact_id) if contact_id else None


def find_by_email(ctx: TenantContext, email: str) -> Contact | None:
    """The live contact with this e-mail address (case-insensitive): two GetItems at most."""
    address = matching.normalise_email(email)
    contact_id = _lookup(ctx, derived.email_key(ctx, address)) if matching.is_email(address) else None
    return get(ctx, contact_id) if contact_id else None


def find_by_phone_or_email(ctx: TenantContext, e164: str | None, email: str | None
                           ) -> tuple[Contact | None, list[tuple[str, str]]]:
    """The live contact with this phone (E.164), else the one with this e-mail, as find_by_phone then
    find_by_email would answer, from one BatchGetItem of both lookups (then the contact); with every
    (match, contact id) the lookups hold, which ``create`` takes instead of reading them again."""
    address = matching.normalise_email(email) if email else None
    if address is not None and not matching.is_email(address):
        address = None
    matches = _matches(ctx, [e164] if e164 else [], [address] if address else [])
    for kind in ("phone", "email"):
        for match, contact_id in matches:
            contact = get(ctx, contact_id) if match == kind else None
            if contact is not None:
                return contact, matches
    return None, matches


def _matches(ctx: TenantContext, numbers: list[str], emails: list[str], *, exclude: str | None = None
             ) -> list[tuple[str, str]]:
    """(match, contact id) of every live contact holding one of these phones (E.164) or e-mails."""
    keys = [(derived.phone_key(ctx, p), "phone") for p in numbers] + [(derived.email_key(ctx, e), "email")
                                                                       for e in emails]
    if not keys:
        return []
    kinds = dict(keys)
    with db.translate_errors():
        found = list(ContactLookup.batch_get([(pk, derived.LOOKUP_SK) for pk, _ in keys], consistent_read=True))
    pairs = {(kinds[item.pk], item.contact_id) for item in found if db.owned(ctx, item) is not None}
    return sorted(pair for pair in pairs if pair[1] != exclude)


def find_duplicates(ctx: TenantContext, data: ContactCreate) -> list[tuple[str, str]]:
    """(match, contact id) pairs of live contacts sharing a phone or e-mail with data; never raises 409."""
    region = matching.tenant_region(ctx)
    numbers = [e164 for p in data.phones or [] if (e164 := phones.e164(p.number, region))]
    return _matches(ctx, numbers, [e.address for e in data.emails or []])


def duplicate_error(ctx: TenantContext, matches: list[tuple[str, str]]) -> DuplicateContactError:
    """409 naming the matching contacts the caller may see; of one outside their scope, only the kind of match and
    the colleague responsible for it, whom an agent can ask to hand the customer over (amoCRM's duplicate control
    names the responsible user too): the 409 already tells that the number is taken, never whose it is."""
    details: list[dict[str, Any]] = []
    for match, contact_id in matches:
        contact = get(ctx, contact_id)
        visible = contact is not None and access.may_read(ctx, CONTACT, contact)
        owner_id = contact.owner_id if contact is not None and not visible else None
        holder = identity_service.get_user(ctx, owner_id) if owner_id else None
        details.append({"match": match, **({"existing_id": contact_id} if visible else {}),
                        **({"owner_name": holder.name or holder.email} if holder is not None else {})})
    return DuplicateContactError(details=details)


# -- writing --------------------------------------------------------------------------------


def commit(ctx: TenantContext, change: db.Change, contact: Contact) -> None:
    """Commit a change of a contact; a taken phone or e-mail answers 409 duplicate_contact."""
    listing.check_size(change)
    try:
        db.commit(ctx, change)
    except errors.VersionConflictError:
        taken = _matches(ctx, [p["number"] for p in contact.phones or []],
                         [e["address"] for e in contact.emails or []], exclude=contact.contact_id)
        if taken and contact.deleted_at is None:
            raise duplicate_error(ctx, taken) from None
        raise


def save(ctx: TenantContext, before: Contact | None, after: Contact | None, *, action: str,
         change: db.Change | None = None) -> Contact | None:
    """Write a contact (None: delete it) with its derived items and its audit record in one transaction."""
    change = change or db.Change()
    subject: Contact = store.stage(change, before, after)
    derived.Derived().add(ctx, before, after).apply(change)
    store.attach_audit(ctx, CONTACT, change, before, after, action=action)
    commit(ctx, change, subject)
    return after


def create(ctx: TenantContext, *, data: ContactCreate, source: str | None = None,
           contact_id: str | None = None, matches: list[tuple[str, str]] | None = None,
           change: db.Change | None = None) -> Contact:
    """Create a contact (or, with ``on_duplicate="merge"``, fold data into the one it duplicates).

    An import passes the id it chose for the row, so a retried row cannot create a second contact.
    A caller that has just read the data's lookups (``find_by_phone_or_email``) passes what they held
    as ``matches`` (not read again), and may pass a ``change`` of its own writes that must commit in
    the new contact's transaction (an inbox event's checkpoint): they never commit with an absorb, so
    a caller passing one passes ``matches=[]`` or expects the 409 of a duplicate.
    """
    return create_or_absorb(ctx, data=data, source=source, contact_id=contact_id, matches=matches,
                            change=change)[0]


def create_or_absorb(ctx: TenantContext, *, data: ContactCreate, source: str | None = None,
                     contact_id: str | None = None, matches: list[tuple[str, str]] | None = None,
                     change: db.Change | None = None) -> tuple[Contact, bool]:
    """Create a contact; the flag says whether it is new (False: merged into an existing duplicate)."""
    if contact_id is not None and not is_valid_id(contact_id):
        raise ValueError("a contact id must be a ULID")
    scope = permissions.require(ctx, CONTACT.plural, "create")
    region = matching.tenant_region(ctx)
    fields = data.model_dump(mode="json", exclude_unset=True, exclude={"company_ids", "on_duplicate", "custom",
                                                                       "owner_id"})
    typed = editing.phones(fields.get("phones") or [], region)
    if matches is None:
        matches = _matches(ctx, [p["number"] for p in typed], [e.address for e in data.emails or []])
    if matches:
        if data.on_duplicate != "merge" or change is not None:  # the caller's writes go with a new contact only
            raise duplicate_error(ctx, matches)
        return absorb(ctx, matches, data=data, source=source), False
    owner_id, team_id = editing.resolve_owner(ctx, data.owner_id, scope)
    contact_id = contact_id or new_id()
    contact = Contact(derived.contact_pk(ctx, contact_id), PROFILE_SK, contact_id=contact_id, owner_id=owner_id,
                      team_id=team_id, source=data.source or source)
    profile.apply(ctx, contact, fields, region)
    profile.require_identity(contact)
    editing.apply_custom(ctx, CONTACT, contact, data.custom, new=True)
    change = db.Change().extend(change)  # its own lists: a failed attempt leaves the caller's as they were
    _link_companies(ctx, change, contact, data.company_ids)
    timeline_service.add_entry(ctx, change, subject_type="contact", subject_id=contact_id, kind="created",
                               summary="Contact created", data={"source": contact.source})
    return write(ctx, None, contact, action="create", change=change), True


def _link_companies(ctx: TenantContext, change: db.Change, contact: Contact, company_ids: list[str]) -> None:
    company_type = types.get("company")
    for position, company_id in enumerate(company_ids):
        company = access.get(ctx, company_type, company_id)
        if company is None or not access.may_read(ctx, company_type, company):
            raise errors.ValidationError(details=[{"loc": ["company_ids", position], "msg": "No such company",
                                                   "type": "unknown_company"}])
        links.link_item(ctx, change, "contact", subject_id=contact.contact_id, kind="company", ref_id=company_id,
                  summary=company_type.hooks["link_summary"](company))
    contact.company_ids = list(company_ids)


def absorb(ctx: TenantContext, matches: list[tuple[str, str]], *, data: ContactCreate,
           source: str | None = None) -> Contact:
    """Fold new data into the one contact it duplicates: missing values filled, lists unioned."""
    ids = {contact_id for _, contact_id in matches}
    existing = get(ctx, next(iter(ids))) if len(ids) == 1 else None
    if existing is None or not access.may_act(ctx, CONTACT, existing, "update"):
        raise duplicate_error(ctx, matches)
    before, after = existing, editing.clone(existing)
    editing.touch(after)
    region = matching.tenant_region(ctx)
    fields = data.model_dump(mode="json", exclude_unset=True, exclude={"company_ids", "on_duplicate", "custom",
                                                                       "owner_id"})
    _absorb_lists(after, fields, region)
    missing = {name: value for name, value in fields.items() if name not in ("phones", "emails", "tags")
               and value is not None and getattr(after, name) in (None, {}, [])}
    profile.apply(ctx, after, missing, region)
    new_custom = {k: v for k, v in (data.custom or {}).items() if k not in (after.custom or {})}
    if new_custom:
        editing.apply_custom(ctx, CONTACT, after, new_custom, new=False)
    change = db.Change()
    new_companies = [c for c in data.company_ids if c not in (after.company_ids or [])]
    if new_companies:
        kept = list(after.company_ids or [])
        _link_companies(ctx, change, after, new_companies)
        after.company_ids = kept + new_companies
    timeline_service.add_entry(ctx, change, subject_type="contact", subject_id=after.contact_id, kind="updated",
                               summary="Details merged from a duplicate", data={"source": data.source or source})
    return write(ctx, before, after, action="absorb_duplicate", change=change)


def _absorb_lists(contact: Contact, fields: dict[str, Any], region: str) -> None:
    from chalicelib.contacts.schemas import MAX_EMAILS, MAX_PHONES, MAX_TAGS

    have_phones = {p["number"] for p in contact.phones or []}
    have_emails = {e["address"] for e in contact.emails or []}
    contact.phones = list(contact.phones or []) + [p for p in editing.phones(fields.get("phones") or [], region)
                                                   if p["number"] not in have_phones]
    contact.emails = list(contact.emails or []) + [e for e in editing.emails(fields.get("emails") or [])
                                                   if e["address"] not in have_emails]
    contact.tags = list(dict.fromkeys([*(contact.tags or []), *(fields.get("tags") or [])]))
    for name, values, cap in (("phones", contact.phones, MAX_PHONES), ("emails", contact.emails, MAX_EMAILS),
                              ("tags", contact.tags, MAX_TAGS)):
        if len(values) > cap:
            raise errors.ValidationError(details=[{"loc": [name], "msg": f"At most {cap} after merging",
                                                   "type": "too_many"}])


def update(ctx: TenantContext, contact_id: str, *, data: ContactUpdate) -> Contact:
    """Change a contact; a stale version answers 409 and changes nothing."""
    before = get_or_raise(ctx, contact_id, action="update")
    after: Contact = editing.updating(ctx, CONTACT, before, data)
    fields = data.model_dump(mode="json", exclude_unset=True, exclude={"version", "custom", "owner_id"})
    profile.apply(ctx, after, fields, matching.tenant_region(ctx))
    profile.require_identity(after)
    if "custom" in data.model_fields_set:
        editing.apply_custom(ctx, CONTACT, after, data.custom, new=False)
    return write(ctx, before, after, action="update")


def write(ctx: TenantContext, before: Contact | None, after: Contact, *, action: str,
          change: db.Change | None = None) -> Contact:
    """save through the engine (which counts a contact in or out of the plan's limit), for a contact that
    stays (it answers the contact written)."""
    store.write(ctx, CONTACT, before, after, action=action, change=change)
    return after


def change_with(ctx: TenantContext, contact_id: str, *, action: str, mutate: Any) -> Contact:
    """Apply mutate(contact) to the current version of a contact (bulk actions, links)."""
    before = get_or_raise(ctx, contact_id, action="update")
    after = editing.clone(before)
    editing.touch(after)
    mutate(after)
    return write(ctx, before, after, action=action)


# -- links of other domains -----------------------------------------------------------------


def unlinking(ctx: TenantContext, change: db.Change, contact_id: str, sk: str) -> None:
    """With a link leaving a contact's collection, its copy in the contact it was merged into goes too."""
    contact = get_any(ctx, contact_id)
    if contact is not None and contact.merged_into:
        copy = db.get(ctx, ContactLink, derived.contact_pk(ctx, contact.merged_into), sk)
        if copy is not None and copy.merged_from == contact_id:
            change.delete(copy)


def resolve(ctx: TenantContext, contact_id: str) -> str:
    """The id a contact lives on as: itself, or the contact it was merged into."""
    return access.resolve(ctx, CONTACT, contact_id)
