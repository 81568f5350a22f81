"""Import an export archive as a NEW tenant: new id, new data key, every key rewritten, values sealed again.

Ids of records stay as they were (they are unique ULIDs); the source tenant's id is replaced
wherever it appears. Audit chains whose content changed with the tenant id (the tenant's own chain)
are re-linked, but only when they verified in the archive: a broken chain is carried over as it is,
for the verification to find. The tenant item is written last, so nobody can sign in to a tenant
half imported. Credentials never leave a tenant, so staff set their passwords again through a reset
link (sign-in memberships are rebuilt for active users), and API keys must be issued anew. An archive made before
one of the hourly tick's one-off passes comes in as a newer one would: every index is computed from the records,
and the passes are run for the new tenant (``housekeeping.catch_up``), which they would otherwise never walk.
"""

from __future__ import annotations

import json
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import UTCDateTimeAttribute

from chalicelib.core import audit, audit_anchors, aws, crypto, db, errors
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind, global_key, new_id
from chalicelib.housekeeping import catch_up
from chalicelib.identity.service import system_context
from chalicelib.records import store, types
from chalicelib.tenantdata import archive, registry
from chalicelib.tenantdata.registry import RawItem

BATCH = 25


class ArchiveError(ValueError):
    """The file is not an export archive this version can import."""


@dataclass
class ImportSummary:
    """What an import created."""

    tenant_id: str
    source_tenant_id: str
    counts: dict[str, int] = field(default_factory=dict)
    relinked_chains: int = 0
    broken_chains: list[str] = field(default_factory=list)
    users_to_reset: list[str] = field(default_factory=list)
    api_keys_to_reissue: list[str] = field(default_factory=list)
    caught_up: dict[str, int] = field(default_factory=dict)  # what the one-off passes gave it, by kind


def read_archive(path: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The manifest and the lines of an export archive."""
    with zipfile.ZipFile(path) as bundle:
        manifest = json.loads(bundle.read(archive.MANIFEST))
        if manifest.get("format") != archive.FORMAT or manifest.get("version") != archive.FORMAT_VERSION:
            raise ArchiveError("not a tenant export archive of a version this tool reads")
        lines = [json.loads(line) for name in sorted(bundle.namelist()) if name.startswith("items/")
                 for line in bundle.read(name).decode().splitlines() if line.strip()]
    return manifest, lines


def rewrite(value: Any, old: str, new: str) -> Any:
    """value with every occurrence of the old tenant id replaced (keys, lookups, JSON text)."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {key: rewrite(inner, old, new) for key, inner in value.items()}
    if isinstance(value, list):
        return [rewrite(inner, old, new) for inner in value]
    return value


def _kind(item: RawItem) -> str:
    return str(item.get("kind", {}).get("S", ""))


def _chains(items: list[RawItem]) -> dict[str, list[RawItem]]:
    chains: dict[str, list[RawItem]] = defaultdict(list)
    for item in items:
        if _kind(item) == "audit":
            chains[item["pk"]["S"]].append(item)
    return chains


def _anchors(items: list[RawItem]) -> dict[str, RawItem]:
    return {item["pk"]["S"]: item for item in items if _kind(item) == "audit_anchor"}


def relink(originals: list[RawItem], rewritten: list[RawItem], summary: ImportSummary, *, old: str,
           new: str) -> None:
    """Recompute the hashes of chains that verified in the archive; point their entities at the new heads.

    A chain whose oldest records expired starts from its anchor (the hash of the last record removed, which is
    not in the archive and so cannot change): its kept records are re-linked from there, and the anchor, whose
    entity id may name the tenant, is signed again once it verified in the archive."""
    new_heads: dict[str, str] = {}
    before = {pk.replace(old, new): records for pk, records in _chains(originals).items()}
    source_anchors = {pk.replace(old, new): audit_anchors.AuditAnchor.from_raw_data(item)
                      for pk, item in _anchors(originals).items()}
    anchors = _anchors(rewritten)
    for pk, item in anchors.items():
        if pk in source_anchors and audit_anchors.valid(source_anchors[pk]):
            moved = audit_anchors.sign(audit_anchors.AuditAnchor.from_raw_data(item))
            item["signature"] = {"S": moved.signature}
    for pk, records in _chains(rewritten).items():
        source = [audit.AuditRecord.from_raw_data(item) for item in before[pk]]
        if audit.verify_chain(source, source_anchors.get(pk)) is not None:
            summary.broken_chains.append(pk)
            continue
        prev = source_anchors[pk].hash if pk in source_anchors else audit.GENESIS
        for item in sorted(records, key=lambda raw: int(raw["seq"]["N"])):
            record = audit.AuditRecord.from_raw_data(item)
            new_hash = audit.chain_hash(prev, audit.record_content(record))
            new_heads[item["hash"]["S"]] = new_hash
            item["prev_hash"], item["hash"] = {"S": prev}, {"S": new_hash}
            prev = new_hash
        summary.relinked_chains += 1
    for item in rewritten:
        head = item.get("audit_hash", {}).get("S")
        if head in new_heads:
            item["audit_hash"] = {"S": new_heads[head]}


def _write(items: list[RawItem]) -> None:
    for batch in db.each_in_batches(items, BATCH):
        pending = {settings.table_name: [{"PutRequest": {"Item": item}} for item in batch]}
        for attempt in range(8):
            pending = aws.client("dynamodb").batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2**attempt, 2.0))
        if pending:
            raise errors.ServiceUnavailableError("DynamoDB kept items of the import unprocessed.")


def _derived(ctx: TenantContext, items: list[RawItem]) -> list[RawItem]:
    """The list rows and lookups of the imported records, made as the engine makes them: their keys carry
    blind indexes of names, phones and e-mails, which only the new tenant's key computes (#21)."""
    made: list[RawItem] = []
    for item in items:
        rtype = types.find(_kind(item))
        if rtype is None or _kind(item) != store.kind_of(rtype.model):
            continue
        record = rtype.model.from_raw_data(item)
        made += [derived.serialize() for derived in store.derived_items(ctx, rtype, record)]
        made.append(record.serialize())  # its lookup_keys, now the new key's digests
    return made


def _logins(ctx: TenantContext, users: list[RawItem]) -> list[RawItem]:
    """Sign-in memberships of the active users (they set a password through a reset link)."""
    return [{"pk": {"S": global_key("email", user["email"]["S"])}, "sk": {"S": ctx.tenant_id},
             "kind": {"S": "email_login"}, "tenant_id": {"S": ctx.tenant_id}, "user_id": user["user_id"]}
            for user in users if user.get("status", {}).get("S") == "active" and "email" in user]


def import_archive(path: str) -> ImportSummary:
    """Create a new tenant holding the archive's data; the summary names it."""
    manifest, lines = read_archive(path)
    skipped = store.derived_kinds()  # rows and lookups: built again below, their keys under the new key
    lines = [line for line in lines if _kind(archive.from_json(line["item"])) not in skipped]
    old, new = str(manifest["tenant_id"]), new_id()
    ctx = system_context(new, actor_id="operator", source="import")
    summary = ImportSummary(tenant_id=new, source_tenant_id=old)
    originals = [archive.from_json(line["item"]) for line in lines]
    with bind(ctx):
        crypto.provision_key(ctx)
        now = UTCDateTimeAttribute().serialize(db.utcnow())
        items = [registry.on_import(archive.seal_item(ctx, rewrite(item, old, new), rewrite(line["sealed"], old, new)),
                                    now) for item, line in zip(originals, lines, strict=True)]
        relink(originals, items, summary, old=old, new=new)
        tenants = [item for item in items if _kind(item) == "tenant"]
        if len(tenants) != 1:
            raise ArchiveError("the archive must hold exactly one tenant item")
        users = [item for item in items if _kind(item) == "user"]
        rest = {(item["pk"]["S"], item["sk"]["S"]): item for item in items if _kind(item) != "tenant"}
        rest |= {(item["pk"]["S"], item["sk"]["S"]): item for item in _derived(ctx, items)}
        _write(list(rest.values()) + _logins(ctx, users))
        # What the one-off passes gave the tenants there were (tasks on everyone's list, merges' chats moved ...):
        # an archive made before them holds none of it, and they never walk a tenant made after them.
        summary.caught_up = catch_up.run(new)
        if tenants[0].get("status", {}).get("S") == "deleting":
            tenants[0]["status"] = {"S": "active"}  # the new tenant has no deletion scheduled
        _write(tenants)  # last: the tenant exists only once all its data does
    for item in items:
        summary.counts[_kind(item)] = summary.counts.get(_kind(item), 0) + 1
    summary.users_to_reset = [u["email"]["S"] for u in users if u.get("status", {}).get("S") == "active"]
    summary.api_keys_to_reissue = [key["key_id"]["S"] for key in originals
                                   if _kind(key) == "api_key" and "revoked_at" not in key]
    return summary
