"""Numbers per company, document type and year without gaps (INV-2026-0001, INV-2026-0002 ...; a Russian company's
1, 2 ... of the year, as "Счёт на оплату № 12 от 07.12.2026" reads).

The prefix of each type is the company's (kept with its requisites, changed in Settings → Requisites), else the one
a company of its documents' language starts with: QUO, INV, DN in English, none in Russian (the company's locale or
country RU), RE, AN, LS in German (chosen with the documents' language). A prefix changed later names the next
numbers only: issued documents keep theirs, and the count of the year goes on (one counter per type and year,
whatever the prefix), so no number is given twice.

A counter item per type and year holds the last number given (``records.numbering``, as orders keep theirs).
Issuing reads it (a consistent GetItem), takes the
next number, and puts the counter back with that number in the transaction that writes the document, on the
condition of the version it read: of two documents racing for one number only one transaction commits, and the
other reads again and takes the next. A transaction that fails for any reason writes neither, so a number is
never consumed without its document, and never given twice. The counters are not audited (the documents are).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext
from chalicelib.documents import wording
from chalicelib.documents.models import DocumentCounter, counters_pk
from chalicelib.records import numbering as records_numbering


@dataclass(frozen=True)
class Number:
    """A number being given: the year, its place in the year, and its text."""

    year: int
    seq: int
    text: str


def counter_sk(doc_type: str, year: int) -> str:
    """Sort key of a type's counter for a year."""
    return f"{doc_type}#{year:04d}"


def company_prefixes(ctx: TenantContext, requisites: Any = None) -> dict[str, str]:
    """The prefixes a company starts with: its documents' language's where it chose one (German RE, AN, LS), else
    Russian ones (none) for a company working in Russian or in Russia, else English ones."""
    from chalicelib.identity import service as identity_service

    chosen = getattr(requisites, "document_locale", None)
    if chosen:
        return wording.default_prefixes(chosen)
    tenant = identity_service.tenant_settings(ctx)
    russian = str(getattr(tenant, "locale", None) or "")[:2].lower() == "ru" or getattr(tenant, "country", None) == "RU"
    return wording.default_prefixes("ru" if russian else "en")


def any_issued(ctx: TenantContext) -> bool:
    """True once the company has numbered a document (a counter of some type and year exists): one Query, one item."""
    return bool(db.query_page(ctx, DocumentCounter, counters_pk(ctx), scope="document-counters", limit=1).items)


def prefixes(ctx: TenantContext, requisites: Any) -> dict[str, str]:
    """The prefix of each type's numbers: the company's own (in its requisites), else its language's default."""
    found = company_prefixes(ctx, requisites)
    stored = getattr(requisites, "number_prefixes", None) or {}
    found.update({doc_type: str(prefix) for doc_type, prefix in stored.items()
                  if doc_type in wording.DOC_TYPES and isinstance(prefix, str)})
    return found


def next_number(ctx: TenantContext, doc_type: str, year: int, *, prefix: str) -> tuple[DocumentCounter, Number]:
    """The counter set to the next number (to be saved in the document's transaction) and that number."""
    counter, seq = records_numbering.advance(ctx, DocumentCounter, counters_pk(ctx), counter_sk(doc_type, year),
                                             doc_type=doc_type, year=year)
    return counter, Number(year=year, seq=seq, text=wording.document_number(prefix, year, seq))


def last_number(ctx: TenantContext, doc_type: str, year: int) -> int:
    """The last number given to a type in a year (0 when none)."""
    return records_numbering.last(ctx, DocumentCounter, counters_pk(ctx), counter_sk(doc_type, year))
