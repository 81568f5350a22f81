"""Merging contact B into contact A, and undoing it exactly.

A merge may need more writes than one transaction (B's timeline can be long), so it goes in steps
that never show half a merge:

1. one transaction writes the merge record (``in_progress``: B's snapshot, the sort keys to copy) and
   a marker in A's collection, on condition that A and B are still at the versions the caller saw;
2. B's links and timeline entries are copied into A's collection (idempotent puts); the card and the
   timeline hide the sort keys the marker names, so the copies stay invisible;
3. one transaction makes the merge visible: A with B's phones, e-mails, tags, companies and missing
   values, B in the trash with ``merged_into``, the lookups moved to A, the rows, the audit records,
   a "merge" entry on A, the record ``done`` and the marker gone.

B's own collection is never touched, so nothing of B is lost while it sits in the trash. Undo runs
the same way backwards: one transaction restores A from its snapshot and B from its own, moves the
lookups back, hides the copies behind a marker and marks the record ``undoing``; then the copies are
deleted and the record becomes ``undone``. Repeating a merge or an undo resumes an unfinished one.
"""

from __future__ import annotations

import importlib
from typing import Any

from chalicelib.contacts import derived, profile, sensitive
from chalicelib.contacts.models import Contact, ContactLink, MergeMarker, MergeRecord
from chalicelib.contacts.record import CONTACT
from chalicelib.contacts.schemas import MAX_COMPANIES, MAX_EMAILS, MAX_PHONES, MAX_TAGS, SENSITIVE_FIELDS
from chalicelib.contacts.service import check_access, get, get_any, get_or_raise
from chalicelib.core import db, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id, tenant_key
from chalicelib.identity import plans
from chalicelib.records import catalog, editing, links, listing, store, trash
from chalicelib.records import timeline as timeline_service
from chalicelib.records.models import TimelineEntry

MAX_COPIES = 5000
MOVED_KINDS = ("deal", "task", "ticket")
TRANSACTION_ITEMS = 100  # DynamoDB's limit on the actions of one transaction
FILLED = ("first_name", "last_name", "billing_address", "shipping_address", "birthday", "job_title",
          "source", "utm", "consent")


class MergeConflictError(errors.ConflictError):
    code = "merge_conflict"


def merges_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's merge records."""
    return tenant_key(ctx, "MERGE")


def marker_sk(merge_id: str) -> str:
    """Sort key of the marker of a merge in flight (sorts before the contact itself)."""
    return f"#MERGING#{merge_id}"


def get_record(ctx: TenantContext, merge_id: str) -> MergeRecord | None:
    """A merge record of the tenant, or None."""
    return db.get(ctx, MergeRecord, merges_pk(ctx), merge_id) if is_valid_id(merge_id) else None


def _collection(ctx: TenantContext, contact_id: str, *, head_only: bool = False) -> list[Any]:
    """Every item of a contact's collection (or only the markers, the contact and its links)."""
    condition = db.MainTable.sk < "TL#" if head_only else None
    with db.translate_errors():
        return list(db.MainTable.query(derived.contact_pk(ctx, contact_id), range_key_condition=condition))


def _markers(items: list[Any]) -> list[MergeMarker]:
    return [item for item in items if isinstance(item, MergeMarker)]


# -- the merged contact ---------------------------------------------------------------------


def _union(name: str, first: list[Any], second: list[Any], cap: int, key: Any = None) -> list[Any]:
    seen = {key(value) if key else value for value in first}
    merged = list(first) + [v for v in second if (key(v) if key else v) not in seen]
    if len(merged) > cap:
        raise MergeConflictError(f"Together the contacts have more than {cap} {name}; remove some first.",
                                 code="merge_too_large", details=[{"loc": [name], "msg": f"At most {cap}"}])
    return merged


def merged_contact(ctx: TenantContext, survivor: Contact, absorbed: Contact) -> Contact:
    """A's state after absorbing B: B's phones, e-mails, tags, companies and messengers added, A's empty values
    filled."""
    after = editing.clone(survivor)
    editing.touch(after)
    after.phones = _union("phones", survivor.phones or [], absorbed.phones or [], MAX_PHONES, lambda p: p["number"])
    after.emails = _union("emails", survivor.emails or [], absorbed.emails or [], MAX_EMAILS, lambda e: e["address"])
    after.tags = _union("tags", survivor.tags or [], absorbed.tags or [], MAX_TAGS)
    after.company_ids = _union("companies", survivor.company_ids or [], absorbed.company_ids or [], MAX_COMPANIES)
    for name in FILLED:
        if getattr(after, name) in (None, {}, []) and getattr(absorbed, name) not in (None, {}, []):
            setattr(after, name, getattr(absorbed, name))
    # messengers one by one: a customer who wrote on WhatsApp and to the bot keeps her Telegram beside her WhatsApp
    after.messengers = {**(absorbed.messengers or {}), **(after.messengers or {})} or None
    for name in SENSITIVE_FIELDS:
        if getattr(after, name) is None and getattr(absorbed, name) is not None:
            sensitive.copy_for(ctx, absorbed, after, name)  # tokens are sealed to their record
    profile.index_telegram(ctx, after)  # the Telegram username it took from the other, if any
    _merge_custom(after, absorbed)
    return after


def _merge_custom(after: Contact, absorbed: Contact) -> None:
    """Add B's custom values A lacks (sensitive ones stay with B: their tokens are sealed to B)."""
    secret = set(absorbed.custom_sensitive or [])
    added = {k: v for k, v in (absorbed.custom or {}).items() if k not in (after.custom or {}) and k not in secret}
    after.custom = {**(after.custom or {}), **added}
    after.custom_indexed = list(after.custom_indexed or []) + [pair for pair in absorbed.custom_indexed or []
                                                                if pair[0] in added]


# -- the steps ------------------------------------------------------------------------------


def merge(ctx: TenantContext, contact_id: str, *, other_id: str, version: int, other_version: int
          ) -> tuple[MergeRecord, Contact]:
    """Merge contact other_id into contact_id (both at the versions the caller saw)."""
    if other_id == contact_id:
        raise errors.ValidationError(details=[{"loc": ["other_id"], "msg": "A contact cannot absorb itself",
                                               "type": "same_contact"}])
    survivor = get_or_raise(ctx, contact_id, action="update")
    absorbed = get_or_raise(ctx, other_id, action="delete")
    head = _collection(ctx, contact_id, head_only=True)
    for marker in _markers(head):
        record = get_record(ctx, marker.merge_id)
        if record is not None and record.status == "in_progress" and record.other_id == other_id:
            return _finish(ctx, record), get(ctx, contact_id) or survivor
        raise MergeConflictError("Another merge of this contact is being written; try again shortly.",
                                 code="merge_in_progress")
    if int(survivor.version or 0) != version or int(absorbed.version or 0) != other_version:
        raise errors.VersionConflictError()
    record = _start(ctx, survivor, absorbed, head)
    return _finish(ctx, record), get(ctx, contact_id) or survivor


def _copies(ctx: TenantContext, record: MergeRecord, absorbed_items: list[Any]) -> list[db.MainTable]:
    """The items of B to put into A's collection, as the record planned them."""
    wanted, target = set(record.copied or []), derived.contact_pk(ctx, record.contact_id)
    copies: list[db.MainTable] = []
    for item in absorbed_items:
        if item.sk not in wanted:
            continue
        copy = type(item).from_raw_data(item.serialize())
        copy.pk = target
        if isinstance(copy, ContactLink):
            copy.merged_from = record.other_id
        elif isinstance(copy, TimelineEntry):
            copy.subject_id = record.contact_id
        copies.append(copy)
    return copies


def _start(ctx: TenantContext, survivor: Contact, absorbed: Contact, head: list[Any]) -> MergeRecord:
    """Plan the merge, check it fits, and write the record and the marker (step 1)."""
    taken = {item.sk for item in head if isinstance(item, ContactLink)}
    planned = [item.sk for item in _collection(ctx, absorbed.contact_id)
               if (isinstance(item, ContactLink) and item.sk not in taken) or isinstance(item, TimelineEntry)]
    if len(planned) > MAX_COPIES:
        raise MergeConflictError("The contact being merged has too much history to merge at once.",
                                 code="merge_too_large")
    merge_id = new_id()
    record = MergeRecord(merges_pk(ctx), merge_id, merge_id=merge_id, contact_id=survivor.contact_id,
                         other_id=absorbed.contact_id, status="in_progress",
                         contact_version=int(survivor.version or 0), other_version=int(absorbed.version or 0),
                         other_snapshot=absorbed.serialize(), copied=planned, actor_id=ctx.actor_id)
    _final_change(ctx, editing.clone(record), survivor, absorbed)  # a dry run: refuses a merge that cannot fit
    change = db.Change().create(record)
    change.create(MergeMarker(survivor.pk, marker_sk(merge_id), merge_id=merge_id, hidden=planned))
    change.checks += [(Contact, survivor.pk, derived.PROFILE_SK, Contact.version == record.contact_version),
                      (Contact, absorbed.pk, derived.PROFILE_SK, Contact.version == record.other_version)]
    db.commit(ctx, change)
    return record


def _final_change(ctx: TenantContext, record: MergeRecord, survivor: Contact, absorbed: Contact) -> db.Change:
    """The transaction that makes a merge visible (step 3); 409 when it cannot fit in one."""
    after_a = merged_contact(ctx, survivor, absorbed)
    after_b = editing.clone(absorbed)
    after_b.deleted_at, after_b.updated_at = after_a.updated_at, after_a.updated_at
    after_b.expires_at = after_a.updated_at + CONTACT.retention
    after_b.merged_into, after_b.merge_id = survivor.contact_id, record.merge_id
    change = db.Change().save(after_a).save(after_b)
    # The absorbed contact waits in the trash like a deleted one: the job purges it (and ends the undo) in 30 days.
    trash.schedule_purge(ctx, change, CONTACT, absorbed.contact_id, after_a.updated_at)
    plans.require(ctx, count="contacts", by=-1, change=change)  # it no longer counts toward the plan
    derived.Derived().add(ctx, survivor, after_a).add(ctx, absorbed, after_b).apply(change)
    name = derived.full_name(absorbed) or derived.primary(absorbed, "emails", "address") or absorbed.contact_id
    entry = timeline_service.add_entry(ctx, change, subject_type="contact", subject_id=survivor.contact_id,
                                       kind="merge", summary=f"Merged {name} into this contact",
                                       data={"merge_id": record.merge_id, "other_id": absorbed.contact_id})
    store.attach_audit(ctx, CONTACT, change, survivor, after_a, action="merge")
    store.attach_audit(ctx, CONTACT, change, absorbed, after_b, action="merged_into")
    record.status, record.contact_snapshot, record.merge_entry_sk = "done", survivor.serialize(), entry.sk
    record.contact_version_after = int(survivor.version or 0) + 1
    record.other_version_after = int(absorbed.version or 0) + 1
    record.added_companies = [c for c in after_a.company_ids or [] if c not in (survivor.company_ids or [])]
    change.save(record).delete(MergeMarker(survivor.pk, marker_sk(record.merge_id)))
    for name in catalog.MERGE_PARTS:  # what other packages keep per contact (consent), combined in this transaction
        module, _, function = name.partition(":")
        getattr(importlib.import_module(module), function)(ctx, change, survivor_id=survivor.contact_id,
                                                           absorbed_id=absorbed.contact_id)
    listing.check_size(change, what="merge")
    return change


def _finish(ctx: TenantContext, record: MergeRecord) -> MergeRecord:
    """Copy B's items into A (step 2) and make the merge visible (step 3); abandon it on a conflict."""
    _write(_copies(ctx, record, _collection(ctx, record.other_id)))
    survivor, absorbed = get(ctx, record.contact_id), get(ctx, record.other_id)
    if (survivor is None or absorbed is None or int(survivor.version or 0) != int(record.contact_version)
            or int(absorbed.version or 0) != int(record.other_version)):
        abandon(ctx, record)
        raise errors.VersionConflictError()
    moves = [(link.link_kind, link.ref_id, False) for link in _record_links(ctx, record.other_id)]
    chunks = _with_moves(ctx, _final_change(ctx, record, survivor, absorbed), moves,
                         from_id=record.other_id, to_id=record.contact_id)
    try:
        db.commit(ctx, chunks[0])
    except errors.VersionConflictError:
        abandon(ctx, get_record(ctx, record.merge_id) or record)
        raise
    _commit_rest(ctx, chunks[1:])
    follow(ctx, record)
    return record


def follow(ctx: TenantContext, record: MergeRecord) -> None:
    """What names the absorbed contact outside its collection (its chats) follows the merge to the survivor
    (``catalog.MERGE_FOLLOWERS``; each is idempotent, so a merge made before one existed is followed later)."""
    for name in catalog.MERGE_FOLLOWERS:
        module, _, function = name.partition(":")
        getattr(importlib.import_module(module), function)(ctx, survivor_id=record.contact_id,
                                                           absorbed_id=record.other_id)


# -- deals and tasks of the absorbed contact --------------------------------------------------


def _record_links(ctx: TenantContext, contact_id: str) -> list[ContactLink]:
    """The deals and tasks linked in a contact's own collection (B's is never touched by a merge)."""
    return [item for item in _collection(ctx, contact_id, head_only=True)
            if isinstance(item, ContactLink) and item.link_kind in MOVED_KINDS]


def _with_moves(ctx: TenantContext, change: db.Change, moves: list[tuple[str, str, bool]], *, from_id: str,
                to_id: str) -> list[db.Change]:
    """change with as many deal and task moves as fit in its transaction; the rest in further ones (<= 100)."""
    chunks = [change]
    for kind, ref_id, keep_from in moves:
        piece = db.Change()
        links.relinker(kind)(ctx, piece, ref_id, from_id=from_id, to_id=to_id, keep_from=keep_from)
        if listing.change_size(chunks[-1]) + listing.change_size(piece) > TRANSACTION_ITEMS:
            chunks.append(db.Change())
        for name in ("saves", "creates", "deletes", "checks"):
            getattr(chunks[-1], name).extend(getattr(piece, name))
    return chunks


def _commit_rest(ctx: TenantContext, chunks: list[db.Change]) -> None:
    """Commit the moves that did not fit; a deal changed meanwhile keeps its old link until its next write."""
    for chunk in chunks:
        try:
            db.commit(ctx, chunk)
        except errors.VersionConflictError:
            logger.warning("merge: some deals or tasks were changed meanwhile and were not moved")


def _write(items: list[db.MainTable]) -> None:
    with db.translate_errors(), db.MainTable.batch_write() as batch:
        for item in items:
            batch.save(item)


def _delete(ctx: TenantContext, contact_id: str, sort_keys: list[str]) -> None:
    pk = derived.contact_pk(ctx, contact_id)
    with db.translate_errors(), db.MainTable.batch_write() as batch:
        for sk in sort_keys:
            batch.delete(db.MainTable(pk, sk))


def abandon(ctx: TenantContext, record: MergeRecord) -> MergeRecord:
    """Give up a merge that never became visible: delete its copies, its marker, mark it abandoned."""
    if record.status != "in_progress":
        return record
    _delete(ctx, record.contact_id, list(record.copied or []))
    record.status = "abandoned"
    change = db.Change().save(record).delete(MergeMarker(derived.contact_pk(ctx, record.contact_id),
                                                         marker_sk(record.merge_id)))
    db.commit(ctx, change)
    return record


# -- undo -----------------------------------------------------------------------------------


def undo(ctx: TenantContext, merge_id: str) -> tuple[MergeRecord, Contact, Contact]:
    """Undo a merge: A as it was before, B back from the trash, the copies gone (409 if A changed since)."""
    record = get_record(ctx, merge_id)
    survivor = get_any(ctx, record.contact_id) if record is not None else None
    absorbed = get_any(ctx, record.other_id) if record is not None else None
    if record is None:
        raise errors.NotFoundError("No such merge.")
    if survivor is None or absorbed is None:
        raise MergeConflictError("One of the merged contacts has been purged.", code="merge_not_undoable")
    check_access(ctx, survivor, "update")
    check_access(ctx, absorbed, "delete")
    if record.status == "in_progress":
        abandon(ctx, record)
    elif record.status == "undoing":
        _cleanup(ctx, record)
    elif record.status == "done":
        _restore(ctx, record, survivor, absorbed)
        _cleanup(ctx, record)
    else:
        raise MergeConflictError("This merge has already been undone.", code="merge_not_undoable")
    return record, get_any(ctx, record.contact_id) or survivor, get_any(ctx, record.other_id) or absorbed


def _restored(ctx: TenantContext, snapshot: dict[str, Any], current: Contact) -> Contact:
    """A contact as its snapshot was, written over its current version (the audit chain continues), with the
    indexes its values give now: a snapshot taken before a one-off pass indexed them (a Telegram username) would
    otherwise take back what the pass gave the contact meanwhile."""
    contact = Contact.from_raw_data(snapshot)
    contact.version, contact.audit_hash = current.version, current.audit_hash
    contact.deleted_at = contact.expires_at = contact.merged_into = contact.merge_id = None
    profile.reindex(ctx, contact)
    editing.touch(contact)
    return contact


def _restore(ctx: TenantContext, record: MergeRecord, survivor: Contact, absorbed: Contact) -> None:
    """Step 1 of an undo: both contacts as they were, the lookups back with B, the copies hidden."""
    if survivor.deleted_at is not None or int(survivor.version or 0) != int(record.contact_version_after or 0):
        raise MergeConflictError("The contact has changed since the merge; the merge can no longer be undone.",
                                 code="merge_undo_conflict")
    if absorbed.merged_into != record.contact_id or int(absorbed.version or 0) != int(record.other_version_after or 0):
        raise MergeConflictError("The merged contact has changed since the merge.", code="merge_undo_conflict")
    old_a, old_b = _restored(ctx, record.contact_snapshot, survivor), _restored(ctx, record.other_snapshot, absorbed)
    change = db.Change().save(old_a).save(old_b)
    trash.cancel_purge(ctx, change, CONTACT, absorbed.contact_id)
    plans.require(ctx, count="contacts", by=1, change=change)  # back in the lists: counted (within the plan)
    derived.Derived().add(ctx, survivor, old_a).add(ctx, absorbed, old_b).apply(change)
    for before, after in ((survivor, old_a), (absorbed, old_b)):
        store.attach_audit(ctx, CONTACT, change, before, after, action="merge_undo")
    hidden = [*(record.copied or []), *([record.merge_entry_sk] if record.merge_entry_sk else [])]
    change.create(MergeMarker(survivor.pk, marker_sk(record.merge_id), merge_id=record.merge_id, hidden=hidden))
    record.status = "undoing"
    change.save(record)
    listing.check_size(change, what="undo")
    chunks = _with_moves(ctx, change, _moves_back(ctx, record), from_id=record.contact_id, to_id=record.other_id)
    db.commit(ctx, chunks[0], conflict=lambda: MergeConflictError("The contacts changed while undoing; retry.",
                                                                  code="merge_undo_conflict"))
    _commit_rest(ctx, chunks[1:])


def _moves_back(ctx: TenantContext, record: MergeRecord) -> list[tuple[str, str, bool]]:
    """B's deals and tasks to point at B again; a deal A was already linked to keeps A as well."""
    copied = set(record.copied or [])
    had = {item.sk for item in _record_links(ctx, record.contact_id) if item.sk not in copied}
    return [(link.link_kind, link.ref_id, link.sk in had) for link in _record_links(ctx, record.other_id)]


def _cleanup(ctx: TenantContext, record: MergeRecord) -> None:
    """Step 2 of an undo: delete the copies and the merge entry, drop the marker, mark the record undone."""
    hidden = [*(record.copied or []), *([record.merge_entry_sk] if record.merge_entry_sk else [])]
    _delete(ctx, record.contact_id, hidden)
    record.status = "undone"
    db.commit(ctx, db.Change().save(record).delete(MergeMarker(derived.contact_pk(ctx, record.contact_id),
                                                               marker_sk(record.merge_id))))
