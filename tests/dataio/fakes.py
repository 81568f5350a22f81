"""A stand-in for the contacts domain's writes, with its semantics and none of its cost.

Records live in memory: one record per id created atomically and only if the id is free, one
owner per phone and e-mail (409 duplicate_contact when taken). It lets the job machinery (job item,
checkpoints, leases, the stored file) be tested on its own, counts creates, and can crash on purpose.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio.targets import ContactTarget


@dataclass
class FakeRecord:
    record_id: str
    first_name: str | None
    last_name: str | None
    owner_id: str


class Crash(BaseException):
    """The Lambda dying mid-run: not an error any handler catches."""


class FakeContacts(ContactTarget):
    """ContactTarget's reading and validation, with in-memory writes."""

    def __init__(self) -> None:
        self.creates = 0
        self.crash_on_create: int | None = None
        self.records: dict[tuple[str, str], FakeRecord] = {}
        self.lookups: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()

    def _keys(self, data: Any) -> list[tuple[str, str]]:
        contact = data.contact  # the row's ContactCreate (ContactRow also holds the companies it names)
        return [("phone", p.number) for p in contact.phones or []] + [
            ("email", e.address) for e in contact.emails or []]

    def find_duplicates(self, ctx: TenantContext, data: Any) -> list[tuple[str, str]]:
        found = [(match, self.lookups.get((ctx.tenant_id, match, value))) for match, value in self._keys(data)]
        return [(match, record_id) for match, record_id in found if record_id]

    def create(self, ctx: TenantContext, data: Any, *, record_id: str) -> None:
        self.creates += 1
        if self.crash_on_create is not None and self.creates >= self.crash_on_create:
            raise Crash()
        keys = [(ctx.tenant_id, match, value) for match, value in self._keys(data)]
        with self._lock:  # all or nothing, like the transaction it stands for
            taken = [key for key in keys if key in self.lookups]
            if (ctx.tenant_id, record_id) in self.records or taken:
                raise errors.ConflictError("duplicate", code="duplicate_contact",
                                           details=[{"match": key[1], "existing_id": self.lookups[key]}
                                                    for key in taken])
            self.records[(ctx.tenant_id, record_id)] = FakeRecord(record_id, data.contact.first_name,
                                                                  data.contact.last_name, ctx.actor_id)
            self.lookups.update(dict.fromkeys(keys, record_id))

    def exists(self, ctx: TenantContext, record_id: str) -> bool:
        return (ctx.tenant_id, record_id) in self.records

    def of(self, tenant_id: str) -> list[FakeRecord]:
        return [record for (tid, _), record in self.records.items() if tid == tenant_id]
