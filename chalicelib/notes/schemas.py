"""Request and response schemas of notes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema
from chalicelib.records.schemas import RecordTypeName

MAX_TEXT = 10_000
Id = Annotated[str, Field(min_length=1, max_length=26)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
SubjectType = RecordTypeName


class Subject(Schema):
    type: SubjectType
    id: Id


class NoteCreate(Schema):
    subject: Subject
    text: Text


class NoteEdit(Schema):
    version: int
    text: Text


class SubjectRead(BaseModel):
    type: SubjectType
    id: str


class NoteRead(BaseModel):
    id: str
    subject: SubjectRead
    text: str
    author_id: str
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None
    version: int
