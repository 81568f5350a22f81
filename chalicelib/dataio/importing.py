"""The work of an import: reading rows as records, the preview, and creating records row by row.

Every row is created in its own transaction under an id derived from the import id and the row's
number, so a chunk retried after a crash finds the rows it had already created instead of
creating them twice, and no row is ever half written.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from ulid import ULID

from chalicelib.core import db, errors, permissions
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import bitrix_rows, contact_companies, deal_stages, owners, queue, sheets, storage, targets
from chalicelib.dataio import mapping as columns
from chalicelib.dataio.models import ImportJob
from chalicelib.dataio.targets import Target, field_of
from chalicelib.identity import plans
from chalicelib.records.customfields import service as customfields_service

MAX_LISTED = 200  # errors and duplicates kept on the job item (all are counted); items stay < 400 KB
SAMPLE_ROWS = 5
PREVIEW_LOOKUP_ROWS = 500  # rows checked against existing records while the caller waits


def record_id(import_id: str, row_number: int) -> str:
    """The id of the record a row creates: the same for every retry of the row, sortable by import."""
    millis = ULID.from_str(import_id).milliseconds
    digest = hashlib.sha256(f"{import_id}:{row_number}".encode()).digest()
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + digest[:10]))


def reading_for(ctx: TenantContext, target: Target, choices: columns.Choices | None = None) -> columns.Reading:
    """The target's fields, the tenant's active custom fields, its region and currency, and the importer's choices."""
    from chalicelib.identity import service as identity_service

    tenant = identity_service.get_tenant(ctx)
    country = tenant.country if tenant is not None else "US"
    custom = {d.key: d for d in customfields_service.active_definitions(ctx, target.entity)}
    return columns.Reading(specs=target.specs, custom=custom, country=lambda: country,
                           currency=tenant.currency if tenant is not None else "USD",
                           choices=choices or columns.Choices())


def load_sheet(content: bytes, reading: columns.Reading, header_row: int | None = None, *,
               entity: str | None = None) -> sheets.Sheet:
    """The uploaded file as a sheet, its header recognised by the target's and custom fields' names; Bitrix24's
    records written over several rows (a deal's products, a company's requisites) one row each."""
    sheet = sheets.read(content, known=columns.recogniser(reading.specs, reading.custom), header_row=header_row)
    if entity == "deal":
        return bitrix_rows.deal_products(sheet)
    if entity == "company":
        return bitrix_rows.company_requisites(sheet)
    return sheet


@dataclass
class Evaluated:
    """A row read and validated: the create payload, or why it cannot be imported."""

    number: int
    values: dict[str, Any]
    data: Any = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # what of a valid row is left out, and why
    owner_notes: list[dict[str, Any]] = field(default_factory=list)  # why the row's record is not whom it names
    cell_notes: list[dict[str, Any]] = field(default_factory=list)  # what of its cells is not kept (an extension)

    @property
    def early_notes(self) -> list[dict[str, Any]]:
        """The notes known before the record is built: its cells', its owner's."""
        return [*self.cell_notes, *self.owner_notes]


def _problem(number: int, field_name: str, message: str, kind: str) -> dict[str, Any]:
    return {"row": number, "field": field_name, "message": message, "type": kind}


def _cell_note(number: int, note: columns.RowProblem) -> dict[str, Any]:
    return {**_problem(number, note.field, note.message, note.type), **({"value": note.value} if note.value else {})}


def evaluate(ctx: TenantContext, target: Target, sheet: sheets.Sheet, index: int, mapping: dict[str, str | None],
             reading: columns.Reading, import_id: str) -> Evaluated:
    """Read row index through the mapping and validate it as the entity's create would."""
    number = sheet.numbers[index]
    values, problems = columns.read_row(sheet.rows[index], sheet.headers, mapping, reading)
    row = Evaluated(number=number, values=values,
                    problems=[_problem(number, p.field, p.message, p.type) for p in problems if not p.note],
                    cell_notes=[_cell_note(number, p) for p in problems if p.note])
    other = columns.other_entity(values, target.entity) if "record_type" in target.specs else None
    if other is not None:  # a combined export's row of the other kind, or a Тип that says neither
        (row.cell_notes if other.note else row.problems).append(_cell_note(number, other))
    if row.problems:
        return row
    if values.get("owner_id") and target.specs.get("owner_id") is columns.OWNER:  # a user, or the importer
        resolved = owners.resolve(ctx, target.permission, values["owner_id"])
        values = {**values, "owner_id": resolved.owner_id}
        note = resolved.note
        row.owner_notes = [_problem(number, note["field"], note["message"], note["type"])] if note else []
    try:
        row.data = target.build(ctx, values, record_id=record_id(import_id, number), import_id=import_id,
                                choices=reading.choices)
    except errors.ValidationError as exc:
        row.problems = [_problem(number, field_of(list(d.get("loc", []))), str(d.get("msg", "")),
                                 str(d.get("type", "invalid_value"))) for d in exc.details]
        # a phone left out may be why it fails (a row of one bad phone has nothing left): said with it
        row.problems += [note for note in row.cell_notes if note["type"] == "phone_dropped"]
        return row
    row.notes = [*row.early_notes, *_notes(target, number, row.data)]
    return row


def _notes(target: Target, number: int, data: Any) -> list[dict[str, Any]]:
    return [{**_problem(number, note["field"], note["message"], note["type"]),
             **({"value": note["value"]} if note.get("value") else {})} for note in target.notes(data)]


# -- the preview ----------------------------------------------------------------------------


@dataclass
class Preview:
    """Counts, a sample, and the first problems and duplicates of a file under a mapping."""

    rows: int = 0
    valid: int = 0
    invalid: int = 0
    duplicates: int = 0
    duplicates_checked_rows: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicate_rows: list[dict[str, Any]] = field(default_factory=list)
    ignored_fields: list[str] = field(default_factory=list)
    new_companies: int = 0  # a contacts import: the companies its rows name that it would make
    pipeline_id: str | None = None  # a deals import: the pipeline of rows naming none, whose stages are mapped
    stages: list[dict[str, Any]] = field(default_factory=list)  # a deals import: each stage value and its stage

    def as_dict(self) -> dict[str, Any]:
        """The JSON stored on the job."""
        return dict(self.__dict__)


def _sample(values: dict[str, Any], reading: columns.Reading) -> dict[str, Any]:
    shown = {name: customfields_service.MASK if reading.specs[name].sensitive else value
             for name, value in values.items() if name in reading.specs}  # not custom values, nor phones' kinds
    for key, value in (values.get("custom") or {}).items():
        sensitive = reading.custom[key].sensitive
        shown[columns.CUSTOM + key] = customfields_service.MASK if sensitive else value
    return shown


def _duplicate(ctx: TenantContext, target: Target, row: Evaluated, seen: dict[tuple[str, str], int],
               lookups_left: int) -> dict[str, Any] | None:
    keys = target.match_keys(row.values)
    earlier = next(((match, seen[(match, value)]) for match, value in keys if (match, value) in seen), None)
    for key in keys:
        seen.setdefault(key, row.number)
    if earlier is not None:
        return {"row": row.number, "match": earlier[0], "same_as_row": earlier[1]}
    if lookups_left <= 0:
        return None
    found = target.find_duplicates(ctx, row.data)
    return {"row": row.number, "match": found[0][0], "existing_id": found[0][1]} if found else None


def preview(ctx: TenantContext, target: Target, sheet: sheets.Sheet, mapping: dict[str, str | None],
            reading: columns.Reading, import_id: str) -> Preview:
    """What importing the file would do: nothing is created."""
    mapped = {name for name in mapping.values() if name and name != columns.SKIP}
    result = Preview(rows=len(sheet.rows), ignored_fields=sorted(mapped & target.ignored),
                     pipeline_id=reading.choices.pipeline_id,
                     stages=deal_stages.listed(sheet, mapping, reading.choices) if target.entity == "deal" else [])
    seen: dict[tuple[str, str], int] = {}
    new_companies: set[str] = set()
    for index in range(len(sheet.rows)):
        row = evaluate(ctx, target, sheet, index, mapping, reading, import_id)
        if len(result.sample) < SAMPLE_ROWS:
            result.sample.append({"row": row.number, **_sample(row.values, reading)})
        if row.problems:
            result.invalid += 1
            result.errors += row.problems[: max(0, MAX_LISTED - len(result.errors))]
            continue
        result.errors += row.notes[: max(0, MAX_LISTED - len(result.errors))]  # imported, with what is left out
        if isinstance(row.data, targets.ContactRow):
            new_companies.update(new.company_id for new in row.data.companies.new)
            result.new_companies = len(new_companies)
        lookups_left = PREVIEW_LOOKUP_ROWS - result.duplicates_checked_rows
        duplicate = _duplicate(ctx, target, row, seen, lookups_left)
        result.duplicates_checked_rows += 1 if lookups_left > 0 else 0
        if duplicate is None:
            result.valid += 1
            continue
        result.duplicates += 1
        if len(result.duplicate_rows) < MAX_LISTED:
            result.duplicate_rows.append(duplicate)
    return result


# -- creating -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one row when the import ran."""

    kind: str  # created | duplicate | failed
    problems: list[dict[str, Any]] = field(default_factory=list)
    duplicate: dict[str, Any] | None = None


def _conflict(ctx: TenantContext, target: Target, number: int, rid: str, exc: errors.ConflictError) -> Outcome:
    if target.exists(ctx, rid):  # the row was created by an earlier, interrupted run
        return Outcome("created")
    existing = next((d.get("existing_id") for d in exc.details if isinstance(d, dict)), None)
    if exc.code.startswith("duplicate"):
        match = next((d.get("match") for d in exc.details if isinstance(d, dict)), None) or "unique"
        return Outcome("duplicate", duplicate={"row": number, "match": match, "existing_id": existing})
    return Outcome("failed", problems=[_problem(number, "*", exc.message, exc.code)])


def import_row(ctx: TenantContext, target: Target, sheet: sheets.Sheet, index: int, mapping: dict[str, str | None],
               reading: columns.Reading, import_id: str) -> Outcome:
    """Create the record of one row, at most once however often the row is retried."""
    row = evaluate(ctx, target, sheet, index, mapping, reading, import_id)
    if row.problems:
        return Outcome("failed", problems=row.problems)
    rid = record_id(import_id, row.number)
    found = target.find_duplicates(ctx, row.data)
    if any(existing == rid for _, existing in found):  # created before a crash, found now by its own phone or e-mail
        return Outcome("created", problems=[*row.early_notes, *_notes(target, row.number, row.data)])
    if found:
        return Outcome("duplicate", duplicate={"row": row.number, "match": found[0][0], "existing_id": found[0][1]})
    try:
        target.create(ctx, row.data, record_id=rid)
    except errors.ConflictError as exc:
        return _conflict(ctx, target, row.number, rid, exc)
    except errors.ServiceUnavailableError:
        raise  # retry the row on the next run; nothing was written
    except errors.ValidationError as exc:
        return Outcome("failed", problems=[_problem(row.number, field_of(list(d.get("loc", []))), str(d.get("msg")),
                                                    str(d.get("type"))) for d in exc.details])
    except errors.CRMError as exc:
        return Outcome("failed", problems=[_problem(row.number, "*", exc.message, exc.code)])
    return Outcome("created", problems=[*row.early_notes, *_notes(target, row.number, row.data)])


def safe_import_row(ctx: TenantContext, run: Callable[[], Outcome], number: int) -> Outcome:
    """A row's outcome; a bug in one row fails that row, logged, not the whole import."""
    try:
        return run()
    except (errors.ServiceUnavailableError, errors.VersionConflictError):
        raise
    except Exception:  # noqa: BLE001 - logged whole; the row is reported failed and the import goes on
        logger.exception("import row failed", extra={"row": number})
        return Outcome("failed", problems=[_problem(number, "*", "An internal error occurred", "internal_error")])


# -- the run --------------------------------------------------------------------------------

CHUNK_ROWS = 100  # progress is checkpointed on the job after every chunk


def _count(job: ImportJob, outcome: Outcome) -> None:
    if outcome.kind == "created":
        job.created_count = int(job.created_count) + 1
        job.errors = [*job.errors, *outcome.problems][:MAX_LISTED]  # what of the row was left out
    elif outcome.kind == "duplicate":
        job.duplicate_count = int(job.duplicate_count) + 1
        if outcome.duplicate is not None and len(job.duplicates) < MAX_LISTED:
            job.duplicates = [*job.duplicates, outcome.duplicate]
    else:
        job.failed_count = int(job.failed_count) + 1
        job.errors = [*job.errors, *outcome.problems][:MAX_LISTED]


def _prepare(ctx: TenantContext, job: ImportJob) -> tuple[Target, sheets.Sheet, dict[str, str | None],
                                                          columns.Reading] | None:
    """The target, sheet, mapping and reading of a job; None (after failing it) when the file is gone."""
    target = targets.target(job.entity)
    permissions.require(ctx, target.permission, "create")
    content = storage.get(job.file_key)
    if content is None:
        queue.finish(ctx, job, status="failed", failure="The uploaded file has expired; upload it again.",
                     now=db.utcnow())
        return None
    reading = reading_for(ctx, target, columns.Choices.of(job.choices))
    sheet = load_sheet(content, reading, header_row=int(job.header_row), entity=target.entity)
    return target, sheet, columns.check_mapping(dict(job.mapping), sheet.headers, reading), reading


def run_import(ctx: TenantContext, job: ImportJob, *, deadline: float, now: Callable[[], datetime]) -> None:
    """Import rows from the checkpoint on until the file ends or the time is up (one row at least)."""
    prepared = _prepare(ctx, job)
    if prepared is None:
        return
    target, sheet, mapping, reading = prepared
    if job.status == "queued":
        job.status, job.started_at = "running", now()
    index = done = int(job.next_row)
    with plans.held() as plan:  # each row's check of the contacts limit reads the plan once a chunk, not once a row
        try:
            while index < len(sheet.rows) and (index == done or time.monotonic() < deadline):
                _count(job, safe_import_row(ctx, partial(import_row, ctx, target, sheet, index, mapping, reading,
                                                         job.import_id), sheet.numbers[index]))
                index += 1
                if (index - done) % CHUNK_ROWS == 0:
                    job.next_row = index
                    _tally(ctx, target, job)
                    queue.checkpoint(ctx, job)
                    plan.clear()  # a plan changed meanwhile (an upgrade) counts from the next chunk on
        except errors.ServiceUnavailableError:
            logger.warning("import paused: a service is unavailable", extra={"import_id": job.import_id})
    job.next_row = index
    _tally(ctx, target, job)
    if index < len(sheet.rows):
        queue.checkpoint(ctx, job)
        return
    queue.finish(ctx, job, status="done", now=now(), summary={
        "created": int(job.created_count), "duplicates": int(job.duplicate_count), "failed": int(job.failed_count),
        **({"companies_created": int(job.companies_created)} if target.entity == "contact" else {})})


def _tally(ctx: TenantContext, target: Target, job: ImportJob) -> None:
    """The companies a contacts import has made so far, as counted with each (one read a checkpoint)."""
    if target.entity == "contact":
        job.companies_created = contact_companies.companies_created(ctx, job.import_id)
