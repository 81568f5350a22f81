"""What the tenant export, import and purge do for contacts beyond what every record type gets (``registry``).

A contact is reached through the audit feed (its records name its partition); its list rows and its
phone and e-mail lookups follow from it as for every record type (``tenantdata.catalog``), and its
type's ``tenant_links`` hook (``contacts.derived.tenant_links``) adds its blind-index lookups and its
entries in its companies' collections. Merge records live in one partition of their own.

Blind indexes are keyed by the tenant's data key, so an import into a new tenant computes them again
from the values it has just sealed: the contact's ``blind`` map, the ``CBI`` lookups that carry the
digest in their key, and the copies a merge record keeps. The importer hands items over one at a
time, contacts before their lookups (archive files are read in name order: ``contact.jsonl`` before
``contact_lookup.jsonl``), so the new digests are remembered per contact until the lookups come.
"""

from __future__ import annotations

import json

from chalicelib.contacts import merge, profile
from chalicelib.contacts.models import Contact
from chalicelib.contacts.schemas import SENSITIVE_FIELDS
from chalicelib.core.tenancy import TenantContext, bound_tenant, tenant_key
from chalicelib.identity.service import system_context
from chalicelib.tenantdata import registry
from chalicelib.tenantdata.registry import RawItem, SealedValues, text

CUSTOM = ("custom", "custom.")
# (tenant, contact id) -> field -> blind index under the importing tenant's key (see the module's docstring)
_imported_digests: dict[tuple[str, str], dict[str, str]] = {}


class ImportOrderError(RuntimeError):
    """A blind-index lookup came before its contact: the archive is not in the order the export writes."""


def _merges(ctx: TenantContext) -> list[str]:
    return [merge.merges_pk(ctx)]


def _importing() -> TenantContext:
    tenant_id = bound_tenant()
    if tenant_id is None:
        raise RuntimeError("an import runs with the new tenant bound")
    return system_context(tenant_id, source="import")


def _digests(ctx: TenantContext, values: RawItem) -> dict[str, str]:
    """Blind indexes of a (typed) contact's values under ctx's key, computed from the values themselves
    (``profile.reindex``), in the order of the map it came with: an archive made before an index existed (a
    Telegram username's) holds no digest of it, and the new tenant must not start without one."""
    contact = Contact.from_raw_data(values)  # its personal and sensitive values sealed under ctx's key by now
    profile.reindex(ctx, contact)
    found = dict(contact.blind or {})
    archived = json.loads(text(values, "blind") or "{}")
    return {**{field: found[field] for field in archived if field in found}, **found}


def _reindexed_contact(item: RawItem, now: str) -> RawItem:
    """The imported contact with its blind indexes computed under the new tenant's key."""
    ctx = _importing()
    contact_id = str(text(item, "contact_id"))
    digests = _digests(ctx, item)
    _imported_digests[(ctx.tenant_id, contact_id)] = dict(digests)
    return {**item, "blind": {"S": json.dumps(digests)}} if digests or "blind" in item else item


def _reindexed_lookup(item: RawItem, now: str) -> RawItem:
    """A blind-index lookup moved to the digest the new tenant's key gives (phone and e-mail ones stay)."""
    ctx = _importing()
    parts = item["pk"]["S"].removeprefix(ctx.prefix).split("#")
    if parts[0] != "CBI":
        return item
    contact_id, field = item["sk"]["S"], parts[1]
    digest = _imported_digests.get((ctx.tenant_id, contact_id), {}).pop(field, None)  # each lookup comes once
    if digest is None:
        raise ImportOrderError(f"the blind-index lookup of contact {contact_id} came before the contact")
    return {**item, "pk": {"S": tenant_key(ctx, "CBI", field, digest)}}


def _reindexed_merge(item: RawItem, now: str) -> RawItem:
    """A merge record whose contact copies carry blind indexes under the new tenant's key (an undo uses them)."""
    ctx = _importing()
    item = dict(item)
    for attribute, id_attribute in (("contact_snapshot", "contact_id"), ("other_snapshot", "other_id")):
        snapshot_text, contact_id = text(item, attribute), text(item, id_attribute)
        if not snapshot_text or not contact_id:
            continue
        snapshot = json.loads(snapshot_text)
        digests = _digests(ctx, snapshot)  # an undo writes the contact with these (``merge._restored``)
        if digests or "blind" in snapshot:
            snapshot["blind"] = {"S": json.dumps(digests)}
        # The source key's lookup partitions: an undo writes the contact again, which names them anew.
        snapshot.pop("lookup_keys", None)
        item[attribute] = {"S": json.dumps(snapshot, ensure_ascii=False)}
    return item


def register() -> None:
    """Declare contacts' items, sealed values and import adjustments."""
    registry.register_partitions("contact_merges", _merges)
    for attribute, id_attribute in (("contact_snapshot", "contact_id"), ("other_snapshot", "other_id")):
        registry.register_sealed(SealedValues(kind="contact_merge", entity="contact", record_id_attribute=id_attribute,
                                              fields=SENSITIVE_FIELDS, nested=CUSTOM, within=attribute))
    registry.register_on_import("contact", _reindexed_contact)
    registry.register_on_import("contact_lookup", _reindexed_lookup)
    registry.register_on_import("contact_merge", _reindexed_merge)


register()
