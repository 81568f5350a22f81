"""Import and export jobs: one item each, the checkpoint of a job that outlives any one Lambda.

pk ``T#<tid>#IMPORT`` / ``T#<tid>#EXPORT``, sk ``<job id>``. A job waiting for the scheduler also
carries the sparse index key ``gsi2pk = G#jobs#dataio`` (removed when it finishes), so one Query
finds the work of every tenant without a Scan; the tenant is then bound from the item itself.

What a job keeps of the customers' data is sealed under the tenant's key (``MainTable.personal``): an import's file
name, its columns and their mapping, its preview (sample rows), problems and duplicates; an export's filters (a
search for a name). Each is bound to its job's id, not to the partition all the tenant's jobs share, so one job's
token does not open as another's. A job written before they were sealed reads as it was (no token: attributes in
clear) and is sealed at its next save.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.core.db import MainTable, VersionedItem


class JobFields(VersionedItem):
    """What both kinds of job carry: who started it (replayed by the scheduler) and its lease."""

    tenant_id = UnicodeAttribute()
    entity = UnicodeAttribute()
    status = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_kind = UnicodeAttribute()
    role = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    permissions = ListAttribute(of=UnicodeAttribute, default=list)
    lease_until = UTCDateTimeAttribute(null=True)
    lease_owner = UnicodeAttribute(null=True)
    failure = UnicodeAttribute(null=True)
    queued_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)


class ImportJob(JobFields, discriminator="import_job"):
    """An uploaded file, its column mapping, its preview and, once started, its progress."""

    # The file's name and columns, its rows' values (sample, problems quoting them, duplicates) and a deals
    # import's stage values: the customer's data (the counts, statuses and ids stay in clear).
    personal = frozenset({"filename", "headers", "mapping", "choices", "preview", "errors", "duplicates"})
    seal_identity = "import_id"

    import_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    file_key = UnicodeAttribute()
    file_size = NumberAttribute()
    file_format = UnicodeAttribute()
    encoding = UnicodeAttribute(null=True)
    delimiter = UnicodeAttribute(null=True)
    header_row = NumberAttribute(default=1)
    headers = ListAttribute(of=UnicodeAttribute, default=list)
    mapping = JSONAttribute(default=dict)  # column -> field or null
    choices = JSONAttribute(null=True)  # a deals import: {pipeline_id, stages: {folded value: stage id or null}}
    preview = JSONAttribute(default=dict)  # counts, sample rows, per-row errors and duplicates
    total_rows = NumberAttribute(default=0)
    next_row = NumberAttribute(default=0)  # checkpoint: index of the first data row not yet done
    created_count = NumberAttribute(default=0)
    duplicate_count = NumberAttribute(default=0)
    failed_count = NumberAttribute(default=0)
    companies_created = NumberAttribute(default=0)  # a contacts import's new companies, read from its tally
    errors = JSONAttribute(default=list)  # [{row, field, message, type}], capped
    duplicates = JSONAttribute(default=list)  # [{row, match, existing_id}], capped
    started_at = UTCDateTimeAttribute(null=True)


class ImportTally(MainTable, discriminator="import_tally"):
    """The companies a contacts import created, counted in each company's own transaction, so a row retried after a
    crash never counts one twice nor loses one (the job's counters are only as new as its last checkpoint).
    pk ``T#<tid>#IMPORT_TALLY``, sk the import's id."""

    companies_created = NumberAttribute(default=0)


class ExportJob(JobFields, discriminator="export_job"):
    """A requested export: its filters, its pages built so far, and the finished file."""

    personal = frozenset({"filters"})  # a search for a name, a phone, an e-mail (the file's name is the CRM's own)
    seal_identity = "export_id"

    export_id = UnicodeAttribute()
    file_format = UnicodeAttribute()
    filters = JSONAttribute(default=dict)
    include_sensitive = BooleanAttribute(default=False)
    cursor = UnicodeAttribute(null=True)
    fetched = BooleanAttribute(default=False)  # every page is written; the file is assembled next
    pages = NumberAttribute(default=0)
    row_count = NumberAttribute(default=0)
    file_key = UnicodeAttribute(null=True)
    filename = UnicodeAttribute(null=True)


class ImportUndo(JobFields, discriminator="import_undo_job"):
    """Undoing a whole import (#20 item 17): every record it created goes to the trash, each through a revert of its
    creation's audit record, itself audited. pk ``T#<tid>#IMPORT_UNDO``, sk the import's id (one undo an import)."""

    import_id = UnicodeAttribute()
    since = UTCDateTimeAttribute()  # the import's run: where its audit records lie in the tenant's feed
    until = UTCDateTimeAttribute()
    cursor = UnicodeAttribute(null=True)  # checkpoint: the next page of the import's records
    undone_count = NumberAttribute(default=0)
    skipped_count = NumberAttribute(default=0)  # already gone (deleted by hand since)
    failed_count = NumberAttribute(default=0)
    errors = JSONAttribute(default=list)  # [{entity_id, message}], capped

