"""Where an entity's audit chain starts once its oldest records expired (the plan's audit retention).

Records of one entity form a hash chain from ``GENESIS``. Expiring the oldest would leave the first kept
record pointing at a hash nobody can check, so the records are removed in the same transaction that writes
(or moves) the entity's anchor: the seq and hash of the last record removed, sitting in the chain's own
partition just before record 1 (sk ``000000000000``), signed with a key of the stage secret. Verification
starts from a valid anchor instead of ``GENESIS``: the kept records still prove nothing was altered after the
anchor, and nobody who can only write the table can forge an anchor to hide records cut from the middle or
the tail. One Query of the partition reads an anchor with the records; a chain whose records all expired keeps
its anchor, so an id created again continues from it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core import db
from chalicelib.core.db import VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key

ANCHOR_SK = f"{0:012d}"  # sorts before record 1 of the chain
SIGNING_LABEL = b"crm audit anchor v1"


class AuditAnchor(VersionedItem, discriminator="audit_anchor"):
    """The start of an entity's chain after expiry: ``T#<tid>#AUDIT#<entity>#<id>`` / ``000000000000``, on the
    tenant's anchor feed (gsi1 ``T#<tid>#AUDITANCHOR``) so the tenant export and purge find it."""

    entity = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    seq = NumberAttribute()  # the last record removed: the first kept record is seq + 1
    hash = UnicodeAttribute()  # its hash: the first kept record's prev_hash
    removed = NumberAttribute(default=0)  # records removed in all
    expired_before = UTCDateTimeAttribute()  # the retention window's start when last cut
    item_pk = UnicodeAttribute(null=True)  # the audited item (its chain head is checked against the anchor)
    item_sk = UnicodeAttribute(null=True)
    signature = UnicodeAttribute()


def feed_key(ctx: TenantContext) -> str:
    """The tenant's feed of anchors (gsi1)."""
    return tenant_key(ctx, "AUDITANCHOR")


def _key() -> bytes:
    from chalicelib.core import secrets

    return hmac.new(secrets.cursor_key(), SIGNING_LABEL, hashlib.sha256).digest()  # its own subkey


def signature(*, entity: str, entity_id: str, seq: int, hash_: str, removed: int, expired_before: datetime) -> str:
    """The anchor's signature over what it claims."""
    message = f"{entity}|{entity_id}|{seq}|{hash_}|{removed}|{expired_before.isoformat()}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def sign(anchor: AuditAnchor) -> AuditAnchor:
    """Sign an anchor as it stands (the retention job; an import that moved it to a new tenant id)."""
    anchor.signature = signature(entity=anchor.entity, entity_id=anchor.entity_id, seq=int(anchor.seq),
                                 hash_=anchor.hash, removed=int(anchor.removed), expired_before=anchor.expired_before)
    return anchor


def valid(anchor: AuditAnchor) -> bool:
    """True when the anchor carries the stage's signature of what it claims."""
    expected = signature(entity=anchor.entity, entity_id=anchor.entity_id, seq=int(anchor.seq), hash_=anchor.hash,
                         removed=int(anchor.removed), expired_before=anchor.expired_before)
    return hmac.compare_digest(expected, anchor.signature or "")


def get(ctx: TenantContext, pk: str) -> AuditAnchor | None:
    """The anchor of the chain in partition pk (one GetItem), or None while nothing of it expired."""
    return db.get(ctx, AuditAnchor, pk, ANCHOR_SK)
