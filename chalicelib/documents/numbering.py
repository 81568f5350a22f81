"""Numbers per company, document type and year without gaps (INV-2026-0001, INV-2026-0002 ...).

A counter item per type and year holds the last number given. Issuing reads it (a consistent GetItem), takes the
next number, and puts the counter back with that number in the transaction that writes the document, on the
condition of the version it read: of two documents racing for one number only one transaction commits, and the
other reads again and takes the next. A transaction that fails for any reason writes neither, so a number is
never consumed without its document, and never given twice. The counters are not audited (the documents are).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext
from chalicelib.documents import wording
from chalicelib.documents.models import DocumentCounter, counters_pk


@dataclass(frozen=True)
class Number:
    """A number being given: the year, its place in the year, and its text."""

    year: int
    seq: int
    text: str


def counter_sk(doc_type: str, year: int) -> str:
    """Sort key of a type's counter for a year."""
    return f"{doc_type}#{year:04d}"


def next_number(ctx: TenantContext, doc_type: str, year: int) -> tuple[DocumentCounter, Number]:
    """The counter set to the next number (to be saved in the document's transaction) and that number."""
    counter = db.get(ctx, DocumentCounter, counters_pk(ctx), counter_sk(doc_type, year))
    if counter is None:
        counter = DocumentCounter(counters_pk(ctx), counter_sk(doc_type, year), doc_type=doc_type, year=year, last=0)
    seq = int(counter.last or 0) + 1
    counter.last = seq
    counter.updated_at = db.utcnow()
    return counter, Number(year=year, seq=seq, text=wording.document_number(doc_type, year, seq))


def last_number(ctx: TenantContext, doc_type: str, year: int) -> int:
    """The last number given to a type in a year (0 when none)."""
    counter = db.get(ctx, DocumentCounter, counters_pk(ctx), counter_sk(doc_type, year))
    return int(counter.last or 0) if counter is not None else 0
