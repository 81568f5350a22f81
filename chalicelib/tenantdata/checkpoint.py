"""A tenant export built across several runs of the scheduled job, each stopping on time.

The walk goes one step at a time (a page of a partition, or one linked item); the entries it yields
are written to numbered part objects, and after each part the walk's position (``walk.WalkState``:
feeds and partitions left, the page it is in, the keys of every item already found) is saved beside
them. A run that reaches its deadline writes what it holds as a part, saves the position and stops;
the next run loads it and carries on. When the walk is complete the parts are combined into the
archive and removed (they hold sealed values in clear).

Crash safety: a part is written before the position that counts it, so a run that dies in between
resumes from the previous position and writes that part again under the same name; parts past the
saved count are never read, and the combination keeps one entry per key whatever happens.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

from botocore.exceptions import ClientError

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.tenantdata import archive, service, walk
from chalicelib.tenantdata.registry import RawItem

PART_ENTRIES = 5000  # entries per part object; a run also writes one when it stops
PAGE_LIMIT: int | None = None  # items per Query page (None: DynamoDB's 1 MB pages)


@dataclass
class Checkpoint:
    """How far an export has got: the walk's position and the parts written so far."""

    state: walk.WalkState
    parts: int = 0

    def to_json(self) -> str:
        """The checkpoint as JSON text."""
        return json.dumps({"parts": self.parts, "walk": self.state.to_json()})

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """The checkpoint saved by to_json."""
        data = json.loads(text)
        return cls(state=walk.WalkState.from_json(data["walk"]), parts=int(data["parts"]))


def work_prefix(tenant_id: str, export_id: str) -> str:
    """Where an export's parts and checkpoint live while it is built (under the tenant's export prefix,
    so the tenant purge removes them too)."""
    return f"exports/{tenant_id}/{export_id}/"


def _put(key: str, body: bytes) -> None:
    aws.client("s3").put_object(Bucket=settings.export_bucket, Key=key, Body=body, ServerSideEncryption="aws:kms",
                                SSEKMSKeyId=settings.kms_key_id)


def _read(key: str) -> bytes | None:
    try:
        answer = aws.client("s3").get_object(Bucket=settings.export_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise
    data: bytes = answer["Body"].read()
    return data


def load(ctx: TenantContext, export_id: str) -> Checkpoint:
    """The saved checkpoint of an export, or a fresh one."""
    saved = _read(work_prefix(ctx.tenant_id, export_id) + "checkpoint.json")
    return Checkpoint.from_json(saved.decode()) if saved else Checkpoint(state=walk.WalkState.start(ctx))


def _part_key(ctx: TenantContext, export_id: str, number: int) -> str:
    return f"{work_prefix(ctx.tenant_id, export_id)}part-{number:06d}.jsonl"


def _save(ctx: TenantContext, export_id: str, checkpoint: Checkpoint, entries: list[archive.Entry]) -> None:
    """Write the entries as the next part (if any), then the position that counts it."""
    if entries:
        checkpoint.parts += 1
        body = "\n".join(entry.to_json() for entry in entries) + "\n"
        _put(_part_key(ctx, export_id, checkpoint.parts), body.encode())
        entries.clear()
    _put(work_prefix(ctx.tenant_id, export_id) + "checkpoint.json", checkpoint.to_json().encode())


def _parts(ctx: TenantContext, export_id: str, count: int) -> Iterator[archive.Entry]:
    for number in range(1, count + 1):
        body = _read(_part_key(ctx, export_id, number))
        if body is None:
            raise RuntimeError(f"part {number} of export {export_id} is missing")
        for line in body.decode().splitlines():
            if line.strip():
                yield archive.Entry.from_json(line)


def _remove_work(ctx: TenantContext, export_id: str) -> None:
    s3 = aws.client("s3")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.export_bucket,
                                                            Prefix=work_prefix(ctx.tenant_id, export_id)):
        keys = [{"Key": found["Key"]} for found in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=settings.export_bucket, Delete={"Objects": keys, "Quiet": True})


def _combine(ctx: TenantContext, export_id: str, checkpoint: Checkpoint, created_at: str) -> archive.ExportSummary:
    """Write the archive from the parts, store it, and remove the parts."""
    with tempfile.TemporaryFile() as spool:  # /tmp, not memory: an archive may be large
        summary = archive.write_zip(spool, _parts(ctx, export_id, checkpoint.parts), tenant_id=ctx.tenant_id,
                                    export_id=export_id, created_at=created_at)
        summary.size = spool.tell()
        spool.seek(0)
        aws.client("s3").upload_fileobj(spool, settings.export_bucket, service.object_key(ctx.tenant_id, export_id),
                                        ExtraArgs={"ServerSideEncryption": "aws:kms",
                                                   "SSEKMSKeyId": settings.kms_key_id,
                                                   "ContentType": "application/zip"})
    _remove_work(ctx, export_id)
    return summary


def build(ctx: TenantContext, export_id: str, *, deadline: float, created_at: str) -> archive.ExportSummary | None:
    """Carry an export on until the deadline (one step at least); its summary once the archive is stored."""
    checkpoint = load(ctx, export_id)
    pending: list[archive.Entry] = []

    def keep(item: RawItem) -> None:
        entry = archive.entry_of(ctx, item)
        if entry is not None:
            pending.append(entry)

    walker = walk.Walker(ctx, checkpoint.state, keep, page_limit=PAGE_LIMIT)
    while walker.step():
        if len(pending) >= PART_ENTRIES:
            _save(ctx, export_id, checkpoint, pending)
        if time.monotonic() >= deadline:
            _save(ctx, export_id, checkpoint, pending)
            return None
    _save(ctx, export_id, checkpoint, pending)
    return _combine(ctx, export_id, checkpoint, created_at)
