"""Erasure of one person's data on her request (GDPR Art. 17, 152-FZ art. 21): at once and for good.

What goes: the contact with her whole collection (links, timeline, notes) and derived items (list rows, phone and
e-mail lookups, company entries), the records about her alone (calls with their recordings, conversations with their
messages and attachments, tickets with their messages), the tasks about her alone, her consent and its history,
campaign deliveries, segment memberships, merge records, the form posts and provider events that named her, every
export and import file made before (any may list her: the erasure cannot tell which rows a file holds without
opening it), the rows of an import's preview and the filters of an export naming her, the users' notifications, the
automation runs and the due timers about her or naming her, the tasks on her deals and the entries and notes in their
timelines that name her, and the audit chains and sensitive-read logs of everything erased. An audit chain is one
hash chain per entity, so removing a whole entity's chain leaves every other chain verifiable.

What stays, detached from her, because the law makes the business keep it: orders (accounting records) and the
documents issued on them or on her deals (invoices and their PDFs, kept as issued: 10 years in Germany, AO s. 147
and HGB s. 257; 5 in Russia, 402-FZ art. 29), the orders with their audit history (a change to an accounting record
stays traceable, AO s. 146(4)); deals (the business's own), which lose her link and her name in their title, their
audit history (which names her) cut from an anchor up to the erasure, as the retention cuts it.

One erasure record (entity ``erasure``) says who erased which contact id when, and how many items of each kind went
and stayed, and why: no personal data. The steps here are run by ``slices``, in phases that each find only what is
left, so a failure part-way is finished by the next slice; the contact goes last, and the record is audited when
she is gone.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta
from typing import Any

from chalicelib.core import audit, crypto, db, errors
from chalicelib.core.config import settings
from chalicelib.core.tenancy import GLOBAL_PREFIX, TenantContext, tenant_key
from chalicelib.due import service as due
from chalicelib.housekeeping import retention
from chalicelib.personaldata import footprint
from chalicelib.personaldata.footprint import Footprint
from chalicelib.records import access, editing, store, trash, types
from chalicelib.records.models import TimelineEntry
from chalicelib.records.timeline import PROFILE_SK
from chalicelib.tenantdata import purge, registry
from chalicelib.tenantdata.registry import RawItem, kind_of, text

BATCH = 25  # BatchWriteItem's limit
KEPT = {
    "orders": "accounting records (10 years in Germany, AO s. 147 and HGB s. 257; 5 in Russia, 402-FZ art. 29): "
              "kept without the contact and her shipping address",
    "documents": "invoices and other documents as issued, with their PDFs (10 years in Germany, 5 in Russia): "
                 "kept as issued",
    "deals": "the business's own records: kept without her link",
}


# -- deleting -------------------------------------------------------------------------------------


def delete(ctx: TenantContext, keys: list[tuple[str, str]]) -> int:
    """Delete items by key (the tenant's only: a batch is outside db.commit's boundary check); how many were asked."""
    if any(not pk.startswith(ctx.prefix) for pk, _ in keys):
        raise errors.ForbiddenError("A write crossed the tenant boundary.")
    unique = sorted(set(keys))
    for batch in db.each_in_batches(unique, BATCH):
        purge.delete_batch(list(batch))
    return len(unique)


def _keys(items: list[RawItem]) -> list[tuple[str, str]]:
    return [(str(item["pk"]["S"]), str(item["sk"]["S"])) for item in items]


def _remove_objects(bucket: str, keys: list[str]) -> int:
    """Delete every version of these objects (each key ends in an id or a file name of its own: no other object
    starts with it); how many objects were asked."""
    for key in keys:
        purge.remove_objects(bucket, key)
    return len(keys)


def chains(ctx: TenantContext, entity: str, entity_id: str) -> list[tuple[str, str]]:
    """The keys of an entity's whole audit chain (its anchor too) and of its sensitive-read log."""
    return [*_keys(list(footprint.query(audit.entity_key(ctx, entity, entity_id)))),
            *_keys(list(footprint.query(audit.reads_key(ctx, entity, entity_id))))]


def _own_links(ctx: TenantContext, items: list[RawItem]) -> list[tuple[str, str]]:
    """The single items the registry says these items lead to (a call's provider reference, a message's), never a
    shared partition (list rows) nor a global item."""
    return [(pk, sk) for item in items for pk, sk in registry.links(ctx, item)
            if sk is not None and not pk.startswith(GLOBAL_PREFIX) and pk.startswith(ctx.prefix)]


# -- the steps ------------------------------------------------------------------------------------


def _collection_parts(ctx: TenantContext, name: str, items: list[RawItem]) -> tuple[list[tuple[str, str]], list[str]]:
    """What goes with these items of a record's collection: their own links (a call's provider reference), the
    provider references of its messages, and their attachments in S3."""
    keys = _own_links(ctx, items)
    objects: list[str] = []
    for item in items:
        if kind_of(item) == "conversation_message":
            objects += [str(a["key"]) for a in json.loads(text(item, "attachments") or "[]") if a.get("key")]
            keys.append((tenant_key(ctx, "TKSRC"), f"message#{text(item, 'message_id')}"))
    return keys, objects


def drain(ctx: TenantContext, name: str, pk: str, *, budget: int, removed: Counter[str],
          kinds: frozenset[str] | None = None) -> int:
    """Delete up to budget items of a record's collection (but the record and its purge entry; of kinds, if named),
    with what goes with them, a batch at a time, each counted once it is gone: a collection of tens of thousands of
    messages goes in slices, and a slice cut short counts exactly what went. How many it deleted."""
    page: list[RawItem] = []
    for item in footprint.query(pk):
        sk = str(item["sk"]["S"])
        if sk in (PROFILE_SK, trash.DUE_SK) or (kinds is not None and kind_of(item) not in kinds):
            continue
        page.append(item)
        if len(page) >= budget:
            break
    for batch in db.each_in_batches(page, BATCH):
        keys, objects = _collection_parts(ctx, name, list(batch))
        removed["files"] += _remove_objects(settings.recordings_bucket, objects)  # first: the items name them
        delete(ctx, keys)
        delete(ctx, _keys(list(batch)))  # one request: the batch is gone, and counted, or it is all still there
        removed["messages"] += sum(kind_of(item) == "conversation_message" for item in batch)
        if name == "contact":  # her timeline (a record's entries go uncounted, with the record)
            removed["timeline_entries"] += sum(kind_of(item) == "timeline_entry" for item in batch)
    return len(page)


def release_record(ctx: TenantContext, name: str, record: Any) -> int:
    """Before a call, conversation or ticket about her is purged, what goes with it but its history: its own links
    and provider references, its chat's claim, its purge timer, its recording and attachments. How many files."""
    rtype = types.get(name)
    record_id = rtype.record_id(record)
    links, files = _collection_parts(ctx, name, list(footprint.query(record.pk)))
    files += [record.recording_key] if getattr(record, "recording_key", None) else []
    extra = [(due.timers_pk(ctx), due.timer_sk(trash.PURGE_KIND, trash.purge_ref(rtype, record_id))),
             (tenant_key(ctx, "TKSRC"), f"{name}#{record_id}")]
    if getattr(record, "chat_key", None):
        extra.append((tenant_key(ctx, "CVCLAIM", record.integration_id), record.chat_key))
    delete(ctx, links + extra)
    return _remove_objects(settings.recordings_bucket, files)


def _hers(name: str, record: Any, owner: str) -> bool:
    """True for a record erased with her: one about her, her contact, or a duplicate merged into her."""
    return name != "contact" or record.merged_into in (None, owner)


def purge_record(ctx: TenantContext, name: str, record_id: str, *, owner: str) -> None:
    """A record about her (or her contact, or a duplicate merged into her) purged with its collection, if it is
    still there."""
    rtype = types.get(name)
    record = access.get_any(ctx, rtype, record_id)
    if record is not None and _hers(name, record, owner):
        trash.purge_record(ctx, rtype, record)


def settle(ctx: TenantContext, name: str, record_id: str, removed: Counter[str], *, owner: str, count: int) -> bool:
    """After its purge, a record's audit chain and read log go (the purge's own record with them) and it is counted
    (count: its files; her timeline entries). False when it is still there (its purge failed: it is erased again)."""
    rtype = types.get(name)
    still = access.get_any(ctx, rtype, record_id)
    if still is not None and _hers(name, still, owner):
        return False
    chain = list(footprint.query(audit.entity_key(ctx, name, record_id)))
    reads = list(footprint.query(audit.reads_key(ctx, name, record_id)))
    keys = _keys(chain) + _keys(reads)
    if name == "contact":
        keys.append((due.timers_pk(ctx), due.timer_sk(trash.PURGE_KIND, trash.purge_ref(rtype, record_id))))
    if record_id == owner:  # her own history (its purge's record with it)
        removed["audit_records"] += sum(kind_of(item) == "audit" for item in chain)
        removed["sensitive_reads"] += len(reads)
        removed["timeline_entries"] += count
    else:
        removed["files"] += count
    delete(ctx, keys)
    removed[rtype.plural] += 1
    return True


def _naming_her(ctx: TenantContext, found: Footprint, pk: str) -> list[tuple[str, str]]:
    """What a kept record's collection holds of her: her link, links to tasks erased with her, and entries naming her
    or a record about her, or quoting her name, e-mail or number ("Task created: Call back Elena")."""
    ids = found.ids()
    words, digits = footprint.her_values(found.contact, names=True)
    doomed = []
    for item in footprint.query(pk):
        sk = str(item["sk"]["S"])
        if sk.endswith(f"#{found.contact_id}") or (kind_of(item).endswith("_link") and text(item, "ref_id") in ids):
            doomed.append((pk, sk))
        elif kind_of(item) == "timeline_entry":
            entry = TimelineEntry.from_raw_data(item)
            said = json.dumps([entry.summary, audit.plain(entry.data)], ensure_ascii=False)
            if any(value in said for value in ids) or footprint.names_her(said, words, digits):
                doomed.append((pk, sk))
                if entry.entry_kind == "note":  # a note quoting her (a mention): its pointer and history too
                    doomed += [(tenant_key(ctx, "NOTE", entry.entry_id), "NOTE"), *chains(ctx, "note", entry.entry_id)]
    return doomed


def _detach_orders(ctx: TenantContext, found: Footprint, kept: Counter[str], removed: Counter[str]) -> None:
    """Her orders stay as accounting records, naming no contact and no shipping address."""
    rtype = types.get("order")
    for order in found.records.get("order", []):
        before = access.get_any(ctx, rtype, order.order_id)
        if before is None:
            continue
        after = editing.clone(before)
        after.contact_id, after.shipping, after.updated_at = None, {}, db.utcnow()
        store.write(ctx, rtype, before, after, action="erasure")
        removed["entries"] += delete(ctx, _naming_her(ctx, found, before.pk))
        kept["orders"] += 1
    kept["documents"] += sum(kind_of(item) == "document" for item in found.documents)


def _scrub(said: str, words: list[str], digits: list[str]) -> str:
    """A text without her values (``footprint.her_values``): each name, e-mail or number becomes "…"."""
    for word in sorted(words, key=len, reverse=True):
        said = re.sub(re.escape(word), "…", said, flags=re.IGNORECASE)
    for number in digits:  # her number as typed: +7 916 111-00-22, (916) 111 0022 ...
        said = re.sub(r"\+?\d{0,3}[\s().-]*" + r"[\s().-]*".join(number), "…", said)
    return said.strip() or "…"


def _detach_deals(ctx: TenantContext, found: Footprint, kept: Counter[str], removed: Counter[str]) -> None:
    """Deals she was on stay, without her; a title made of her name (a lead's deal, "Elena Kuznetsova — Website")
    loses it."""
    rtype = types.get("deal")
    words, digits = footprint.her_values(found.contact, names=True)
    for listed in found.deals:
        before = access.get_any(ctx, rtype, listed.deal_id)
        if before is None or found.contact_id not in (before.contact_ids or []):
            continue
        after = editing.clone(before)
        after.contact_ids = [cid for cid in before.contact_ids if cid != found.contact_id]
        if footprint.names_her(before.title or "", words, digits):
            after.title = _scrub(before.title, words, digits)
            removed["deal_titles"] += 1
        after.updated_at = db.utcnow()
        store.write(ctx, rtype, before, after, action="erasure")
        removed["entries"] += delete(ctx, _naming_her(ctx, found, before.pk))
        # its history names her (its contacts, a title of her name): cut from an anchor, as the retention cuts it
        removed["deal_history"] += max(0, retention.expire_chain(ctx, entity="deal", entity_id=before.deal_id,
                                                                 cutoff=db.utcnow() + timedelta(microseconds=1)))
        kept["deals"] += 1


def _clean_companies(ctx: TenantContext, found: Footprint, removed: Counter[str]) -> None:
    """The companies she is on stay (the business's own; she leaves them with her contact): the entries, notes and
    task links in their collections that name her go."""
    rtype = types.get("company")
    for company_id in found.contact.company_ids or []:
        removed["entries"] += delete(ctx, _naming_her(ctx, found, access.collection_pk(ctx, rtype, company_id)))


def _delete_rest(ctx: TenantContext, found: Footprint, removed: Counter[str]) -> None:
    """Tasks about her alone, her notes' pointers and chains, consent, sends, segments, merges, deliveries."""
    keys: list[tuple[str, str]] = []
    for task in found.tasks + found.named_tasks:
        task_id = str(text(task, "task_id"))
        keys += _keys(list(footprint.query(str(task["pk"]["S"])))) + chains(ctx, "task", task_id)
    deals = {deal.deal_id: deal for deal in found.deals}
    for task in found.named_tasks:  # a deal's task shows on its contacts' cards too
        deal = deals.get(str(text(task, "related_id")))
        keys += [(access.collection_pk(ctx, types.get("contact"), cid), f"TASK#{text(task, 'task_id')}")
                 for cid in (deal.contact_ids if deal is not None else None) or []]
    for item in found.collection:
        if kind_of(item) == "timeline_entry" and text(item, "entry_kind") == "note":
            note_id = str(text(item, "entry_id"))
            keys += [(tenant_key(ctx, "NOTE", note_id), "NOTE"), *chains(ctx, "note", note_id)]
            removed["notes"] += 1
    keys += _keys(found.consent + found.sends + found.segments + found.merges + found.bindings + found.replays
                  + found.deliveries + found.notifications + found.runs + found.timers)
    for phone in found.contact.phones or []:  # a missed call of hers waiting to be called back is keyed by her number
        keys.append((tenant_key(ctx, "CALLBACK"), crypto.blind_key(ctx, kind="phone", value=str(phone["number"]))))
    for event in found.deliveries:  # an event's steps are audited: its chain goes with it
        if kind_of(event) == "inbox_event":
            keys += chains(ctx, "inbox_event", str(text(event, "event_id")))
    delete(ctx, keys)
    _uncount_segments(ctx, found)
    removed["tasks"] += len(found.tasks) + len(found.named_tasks)
    removed["notifications"] += len(found.notifications)
    removed["automation_runs"] += len(found.runs)
    removed["timers"] += len(found.timers)
    removed["consent"] += sum(kind_of(item) == "consent" for item in found.consent)
    removed["campaign_deliveries"] += sum(kind_of(item) == "campaign_send" for item in found.sends)
    removed["segment_memberships"] += sum(kind_of(item) == "segment_member" for item in found.segments)
    removed["merges"] += len(found.merges)
    removed["telegram_links"] += len(found.bindings)
    removed["replay_answers"] += len(found.replays)
    removed["deliveries"] += sum(kind_of(item) == "inbox_event" for item in found.deliveries)


def _uncount_segments(ctx: TenantContext, found: Footprint) -> None:
    from chalicelib.segments.models import SegmentCount

    members = [item for item in found.segments if kind_of(item) == "segment_member"]
    if members:
        change = db.Change()
        for item in members:
            change.add(SegmentCount(tenant_key(ctx, "SEGCOUNT"), str(text(item, "segment_id"))), members=-1)
        db.commit(ctx, change)


def _names_her(said: str, words: list[str], digits: list[str]) -> bool:
    """True when a text holds one of her values (``_her_values``)."""
    return footprint.names_her(said, words, digits)


def _delete_exports(ctx: TenantContext, found: Footprint, removed: Counter[str]) -> None:
    """Export files finished before the erasure: any of them may list her, so they go (the bucket keeps them 7 days
    anyway). The jobs stay, audited: who exported what and when is the company's security record; a job's filters
    naming her (a search for her name) are emptied. A job still running is left (it reads the data as it finds it)."""
    from chalicelib.dataio import storage
    from chalicelib.dataio.models import ExportJob
    from chalicelib.tenantdata import service as tenant_exports

    words, digits = _her_values(found.contact, names=True)
    jobs = [item for item in footprint.query(tenant_key(ctx, "EXPORT"))
            if text(item, "status") not in ("queued", "pending", "running")]
    files = [storage.export_prefix(ctx, str(text(item, "export_id"))) for item in jobs  # its pages and its file
             if kind_of(item) == "export_job"]
    files += [tenant_exports.object_key(ctx.tenant_id, str(text(item, "export_id"))) for item in jobs
              if kind_of(item) == "tenant_export"]
    removed["export_files"] += _remove_objects(settings.export_bucket, files)
    for item in jobs:
        job = ExportJob.from_raw_data(item) if kind_of(item) == "export_job" else None
        if job is not None and _names_her(json.dumps(job.filters, ensure_ascii=False).casefold(), words, digits):
            job.filters = {}
            db.commit(ctx, db.Change().save(job))
            removed["export_filters"] += 1  # its history repeats them: cut from an anchor (the job keeps who, when)
            retention.expire_chain(ctx, entity="export", entity_id=job.export_id,
                                   cutoff=db.utcnow() + timedelta(microseconds=1))


def _her_values(contact: Any, *, names: bool = False) -> tuple[list[str], list[str]]:
    """What of her a file's rows would hold (``footprint.her_values``)."""
    return footprint.her_values(contact, names=names)


def _delete_imports(ctx: TenantContext, found: Footprint, removed: Counter[str]) -> None:
    """Imported files hold whole rows: every finished import's file goes (its run is over). An import's preview
    keeps sample rows, duplicates and problems: where they name her, a finished import keeps only its counts and
    one not started is withdrawn (started later, it would bring her back). A running one is left."""
    from chalicelib.dataio.models import ImportJob
    from chalicelib.dataio.storage import import_key

    words, digits = _her_values(found.contact)
    files, doomed = [], []
    for item in footprint.query(tenant_key(ctx, "IMPORT")):
        status = text(item, "status")
        if kind_of(item) != "import_job" or status in ("queued", "running"):
            continue
        import_id = str(text(item, "import_id"))
        if status in ("done", "failed"):
            files.append(import_key(ctx, import_id))
        job = ImportJob.from_raw_data(item)
        if not _names_her(json.dumps([job.preview, job.duplicates, job.errors], ensure_ascii=False).casefold(),
                          words, digits):
            continue
        if status == "preview":
            doomed.append((job.pk, job.sk))
            files.append(import_key(ctx, import_id))
            continue
        job.preview = {**(job.preview or {}), "sample": [], "errors": [], "duplicate_rows": []}  # the counts stay
        job.duplicates, job.errors = [], []
        db.commit(ctx, db.Change().save(job))
        removed["import_previews"] += 1
    removed["import_previews"] += delete(ctx, doomed)
    removed["import_files"] += _remove_objects(settings.export_bucket, files)


def twins(found: Footprint) -> list[str]:
    """Her duplicates, merged into her: they live on hidden, naming her, and go with her."""
    return [str(text(merge, "other_id")) for merge in found.merges
            if kind_of(merge) == "contact_merge" and text(merge, "contact_id") == found.contact_id]


def erase_around(ctx: TenantContext, found: Footprint, removed: Counter[str], kept: Counter[str]) -> None:
    """Everything found through her and the ids of what is about her, while all of it is still there to find:
    her orders and deals detached, her companies cleaned, tasks, notes, consent, sends, deliveries, notifications,
    runs and timers, export and import files. Her calls, conversations and tickets, and she, go after (in slices)."""
    _detach_orders(ctx, found, kept, removed)
    _detach_deals(ctx, found, kept, removed)
    _clean_companies(ctx, found, removed)
    _delete_rest(ctx, found, removed)
    _delete_exports(ctx, found, removed)
    _delete_imports(ctx, found, removed)


def kept_parts(kept: dict[str, int]) -> list[dict[str, Any]]:
    """What stayed, with why (the erasure record's ``kept``)."""
    return [{"what": what, "count": count, "why": KEPT[what]} for what, count in sorted(kept.items()) if count]
