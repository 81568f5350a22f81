"""Request and response schemas of imports and exports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from chalicelib.core.schema import Schema
from chalicelib.records.schemas import RecordTypeName

# A file sent inline (the web app's import form): its base64 is 4/3 of it, and a Lambda is handed at most 6 MB of
# request, so 4 MB of file (5.6 MB of text) is what fits; a larger one goes through POST /api/v1/imports/uploads.
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
# base64 is 4/3 of the bytes: a longer text cannot decode to 4 MB or less
MAX_BASE64_CHARS = (MAX_UPLOAD_BYTES + 2) // 3 * 4
MAX_INLINE_BODY = MAX_BASE64_CHARS + 64 * 1024  # the import's body: the file's text, its name, mapping and stages
Entity = RecordTypeName  # a type without an import target answers 422 from the service
Column = Annotated[str, Field(min_length=1, max_length=200)]
Target = Annotated[str, Field(max_length=60)]
Mapping = Annotated[dict[Column, Target | None], Field(max_length=200)]
StageId = Annotated[str, Field(min_length=1, max_length=40)]
StageMap = Annotated[dict[Annotated[str, Field(min_length=1, max_length=500)], StageId | None], Field(max_length=100)]
PipelineId = Annotated[str, Field(min_length=26, max_length=26)]


class ImportIn(Schema):
    entity: Entity
    filename: str = Field(min_length=1, max_length=255)
    content_base64: str | None = Field(default=None, min_length=1, description="The file, up to 4 MB")
    upload_id: Annotated[str, Field(min_length=26, max_length=26)] | None = Field(
        default=None, description="A file put in the bucket through POST /api/v1/imports/uploads, up to 20 MB")
    mapping: Mapping | None = None
    pipeline_id: PipelineId | None = Field(default=None, description="A deals import: the pipeline of rows naming "
                                           "none (the default pipeline when left out)")
    stages: StageMap | None = Field(default=None, description="A deals import: the stage id each stage value of the "
                                    "file becomes (null: left unmapped, its rows fail); the rest as suggested")

    @model_validator(mode="after")
    def _one_file(self) -> ImportIn:
        if (self.content_base64 is None) == (self.upload_id is None):
            raise ValueError("give either content_base64 or upload_id")
        return self


class UploadIn(Schema):
    entity: Entity
    filename: str = Field(min_length=1, max_length=255)


class UploadRead(BaseModel):
    upload_id: str
    url: str = Field(description="POST the form here: every field below, then the file as the field 'file'")
    fields: dict[str, str]
    max_bytes: int
    expires_at: datetime


class ImportStartIn(Schema):
    version: int
    mapping: Mapping | None = None
    pipeline_id: PipelineId | None = Field(default=None, description="As in the upload; the preview is redone")
    stages: StageMap | None = Field(default=None, description="As in the upload; the preview is redone")


class RowErrorRead(BaseModel):
    row: int
    field: str
    message: str
    type: str
    value: str | None = Field(default=None, description="What the note is about as the file has it (a phone with "
                              "the extension that is not kept); never a cell that fails the row")


class DuplicateRead(BaseModel):
    row: int
    match: str
    existing_id: str | None = None
    same_as_row: int | None = None


class StageValueRead(BaseModel):
    value: str
    rows: int
    stage_id: str | None


class PreviewRead(BaseModel):
    rows: int
    valid: int
    invalid: int
    duplicates: int
    duplicates_checked_rows: int
    sample: list[dict[str, Any]]
    errors: list[RowErrorRead]
    duplicate_rows: list[DuplicateRead]
    ignored_fields: list[str]
    new_companies: int = Field(default=0, description="A contacts import: companies its rows name that it would make")
    pipeline_id: str | None = Field(default=None, description="A deals import: the pipeline of rows naming none")
    stages: list[StageValueRead] = Field(default_factory=list, description="A deals import: each stage value of the "
                                         "file, its rows and the stage of pipeline_id it becomes (null: unmapped)")


class ProgressRead(BaseModel):
    processed: int
    created: int
    companies_created: int = Field(default=0, description="A contacts import: the companies it made for its rows")
    duplicates: int
    failed: int
    errors: list[RowErrorRead]
    duplicate_rows: list[DuplicateRead]


class ImportRead(BaseModel):
    id: str
    entity: str
    status: str = Field(description="preview | queued | running | done | failed")
    filename: str
    file_format: str
    encoding: str | None
    delimiter: str | None
    header_row: int
    columns: list[str]
    mapping: dict[str, str | None]
    fields: list[str] = Field(description="Fields a column may be mapped to")
    labels: dict[str, str] = Field(default_factory=dict, description="The labels of the custom fields among them "
                                   "(custom.<key>), as the company named them")
    total_rows: int
    preview: PreviewRead
    progress: ProgressRead
    failure: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    version: int


class ImportListQuery(Schema):
    limit: int = Field(default=20, ge=1, le=50)
    cursor: Annotated[str, Field(max_length=2000)] | None = None


class StarterRead(BaseModel):
    id: str
    kind: str = Field(description="user | api_key")
    name: str | None = Field(description="The user's name now; none for an API key or a user since removed")


class ImportSummary(BaseModel):
    """An import as the company's list of imports shows it (open it for its rows' errors and duplicates)."""

    id: str
    entity: str
    status: str = Field(description="queued | running | done | failed")
    filename: str
    total_rows: int
    processed: int
    created: int
    duplicates: int = Field(description="Rows skipped: a record with their phone, e-mail or key exists")
    failed: int
    companies_created: int = Field(default=0, description="A contacts import: the companies it made for its rows")
    failure: str | None
    started_by: StarterRead
    undo_status: str = Field(description="none | queued | running | done | failed")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportPage(BaseModel):
    items: list[ImportSummary]
    next_cursor: str | None


Filters = Annotated[dict[Annotated[str, Field(max_length=60)], Annotated[str, Field(max_length=200)]],
                    Field(max_length=10)]


class ExportIn(Schema):
    entity: Entity
    format: Literal["csv", "xlsx"] = "csv"
    filters: Filters | None = None
    include_sensitive: bool = False


class ExportRead(BaseModel):
    id: str
    entity: str
    format: str
    status: str = Field(description="queued | running | done | failed")
    rows: int
    filters: dict[str, str]
    include_sensitive: bool
    filename: str | None
    download_url: str | None = Field(description="Presigned, valid 15 minutes from this answer")
    download_expires_at: datetime | None
    failure: str | None
    created_at: datetime
    finished_at: datetime | None


class UndoRead(BaseModel):
    """Undoing a whole import (#20 item 17): every record it created goes to the trash, audited as reverts."""

    import_id: str
    status: str = Field(description="none | queued | running | done | failed")
    to_undo: int = Field(description="The records the import created (a contacts import's companies too)")
    undone: int = 0
    skipped: int = Field(default=0, description="Already deleted since")
    failed: int = 0
    errors: list[dict[str, Any]] = Field(default_factory=list)
    failure: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

