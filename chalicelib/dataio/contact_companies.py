"""A contacts import's Company column: each contact linked to the companies its row names.

A cell names one company or several joined by ";" (as an export writes a contact's companies). Each is an
existing company the importer sees, matched by name as the search folds it (case, accents, Cyrillic yo as ye) or, for a
web domain ("acme.example"), by its website; else a company the import makes, owned like the contact.

A new company's id is derived from the import and the folded name, so the rows naming it make one company,
in whatever batch or retry they run: the first row creates it (a conditional put), the others, and a retried
row, find it by that id with one consistent read (the search's index may not have it yet). Its creation is
counted in the same transaction (``ImportTally``), so the import's summary counts each once, and its audit
record carries the import's request id, so the import's undo trashes it with the contacts. What a name came
to is remembered for a minute per import (``FOUND``): a file names the same few companies on many rows.

What is not linked is said in the row's problems, never picked silently: several companies with the name,
a role that may not read companies, or one that may not create the company a row names.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from ulid import ULID

from chalicelib.core import db, errors, permissions, schema
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.dataio.company_target import visible_companies, website_host
from chalicelib.dataio.models import ImportTally
from chalicelib.records import access, matching, types
from chalicelib.records import service as records_service

SEPARATOR = ";"  # how an export joins a list in one cell (export_columns.plain)
FIELD = "company"
FOUND_SECONDS = 60.0
# (tenant, import, folded name) -> (when, company id): a file naming 50 companies over 10,000 rows searches 50 times
FOUND: dict[tuple[str, str, str], tuple[float, str]] = {}


@dataclass(frozen=True)
class NewCompany:
    """A company the import makes for a row: its id (the same for every row naming it) and its name."""

    company_id: str
    name: str


@dataclass
class CompanyLinks:
    """What a row's Company cell comes to: companies to link, companies to make, and what cannot be linked."""

    existing: list[str] = field(default_factory=list)
    new: list[NewCompany] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # the ids of both, as the cell names them
    notes: list[dict[str, str]] = field(default_factory=list)  # {field, message, type}


def names_in(cell: Any) -> list[str]:
    """The companies a cell names, in order, each once (folded), blanks dropped."""
    parts = [part.strip() for part in str(cell or "").split(SEPARATOR)]
    return list({matching.fold(part): part for part in reversed(parts) if part}.values())[::-1]


def new_company_id(import_id: str, name: str) -> str:
    """The id of the company an import makes for a name: the same for every row and retry, sortable by import."""
    millis = ULID.from_str(import_id).milliseconds
    digest = hashlib.sha256(f"{import_id}:company:{matching.fold(name)}".encode()).digest()
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + digest[:10]))


def _note(message: str, kind: str) -> dict[str, str]:
    return {"field": FIELD, "message": message, "type": kind}


def _matching(ctx: TenantContext, name: str) -> list[str]:
    """Ids of the companies the caller sees that a web domain ("acme.example") or, failing that, a name names."""
    host = website_host(name) if "." in name and " " not in name else ""
    found = []
    if host:
        found = [row.record_id for row in visible_companies(ctx, q=host) if website_host(row.website) == host]
    if not found:
        wanted = matching.fold(name)
        found = [row.record_id for row in visible_companies(ctx, q=name) if matching.fold(row.name) == wanted]
    return list(dict.fromkeys(found))


def _made_by_import(ctx: TenantContext, company_id: str) -> bool:
    """True when this import has already made the company (an earlier row or batch; the search may lag)."""
    company = access.get(ctx, types.get("company"), company_id)
    return company is not None and access.may_read(ctx, types.get("company"), company)


def _remembered(ctx: TenantContext, import_id: str, name: str) -> str | None:
    found = FOUND.get((ctx.tenant_id, import_id, matching.fold(name)))
    return found[1] if found is not None and time.monotonic() - found[0] <= FOUND_SECONDS else None


def _remember(ctx: TenantContext, import_id: str, name: str, company_id: str) -> None:
    if len(FOUND) > 4096:  # a warm Lambda runs many imports: keep the memory small
        FOUND.clear()
    FOUND[(ctx.tenant_id, import_id, matching.fold(name))] = (time.monotonic(), company_id)


def _choose(ctx: TenantContext, links: CompanyLinks, name: str, *, import_id: str, may_create: bool) -> str | None:
    """The id a name links (an existing company, or one to make, added to links), or None with a note saying why."""
    remembered = _remembered(ctx, import_id, name)
    if remembered is not None:
        links.existing.append(remembered)
        return remembered
    found = _matching(ctx, name)
    made = new_company_id(import_id, name)
    if len(found) > 1 and made not in found:
        links.notes.append(_note(f"Several companies are called “{name}”: the contact is imported without "
                                 "this one (name it by its web domain)", "company_ambiguous"))
        return None
    if found or _made_by_import(ctx, made):
        links.existing.append(made if made in found or not found else found[0])
        _remember(ctx, import_id, name, links.existing[-1])
        return links.existing[-1]
    if not may_create:
        links.notes.append(_note(f"No company is called “{name}” and your role may not create companies: "
                                 "the contact is imported without it", "company_not_created"))
        return None
    links.new.append(NewCompany(made, name[:200]))
    return made


def resolve(ctx: TenantContext, cell: Any, *, import_id: str) -> CompanyLinks:
    """The companies a row's cell names: found, to be made, or why not linked. Reads only; nothing is made."""
    links = CompanyLinks()
    names = names_in(cell)
    if not names:
        return links
    if permissions.scope_of(ctx, "companies", "read") is None:
        links.notes.append(_note("Your role may not see companies: the contact is imported without them",
                                 "company_not_readable"))
        return links
    may_create = permissions.scope_of(ctx, "companies", "create") is not None
    for name in names:
        chosen = _choose(ctx, links, name, import_id=import_id, may_create=may_create)
        if chosen is not None and chosen not in links.order:
            links.order.append(chosen)
    return links


def tally_key(ctx: TenantContext, import_id: str) -> tuple[str, str]:
    """Key of the import's count of the companies it made."""
    return tenant_key(ctx, "IMPORT_TALLY"), import_id


def companies_created(ctx: TenantContext, import_id: str) -> int:
    """How many companies the import has made (0 before the first)."""
    pk, sk = tally_key(ctx, import_id)
    tally = db.get(ctx, ImportTally, pk, sk)
    return int(tally.companies_created or 0) if tally is not None else 0


def make(ctx: TenantContext, links: CompanyLinks, *, import_id: str) -> list[str]:
    """Make the row's new companies (each once, counted with it); answer the ids to link, in the row's order."""
    from chalicelib.companies.schemas import CompanyCreate

    company_type = types.get("company")
    ids = set(links.existing)
    for new in links.new:
        counted = db.Change().add(ImportTally(*tally_key(ctx, import_id)), companies_created=1)
        try:
            records_service.create(ctx, company_type, data=schema.validate(CompanyCreate, {"name": new.name}),
                                   record_id=new.company_id, change=counted)
        except errors.ConflictError:
            if access.get(ctx, company_type, new.company_id) is None:  # made, then deleted by hand meanwhile
                links.notes.append(_note(f"The company “{new.name}” this import made has been deleted: the contact "
                                         "is imported without it", "company_deleted"))
                continue
        except (errors.ForbiddenError, errors.PlanLimitError, errors.ValidationError) as exc:
            links.notes.append(_note(f"The company “{new.name}” could not be created ({exc.message}): the contact "
                                     "is imported without it", "company_not_created"))
            continue
        ids.add(new.company_id)
        _remember(ctx, import_id, new.name, new.company_id)
    return [company_id for company_id in links.order if company_id in ids]
