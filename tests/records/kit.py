"""What the shared record-type suites do with a record type over the API: make, read, list, change.

Every list a test asserts on is narrowed to a tag of its own (``fresh_tag``), so records made by other
tests in the same tenant never show up in it.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ulid import ULID

from chalicelib.records import types
from chalicelib.records.types import RecordType
from tests.records.samples import SAMPLES, Sample
from tests.support import ApiClient, body

# The types listed in every partition (tags, owners, teams, custom values, words, the trash): every suite here
# runs over them. A type that keeps only some (a deal: its search rows) is tested in its own domain's suite.
LISTED = [t for t in types.all_types() if t.space and t.lists is None]
IDS = [t.name for t in LISTED]


def fresh_tag() -> str:
    """A tag no other test uses."""
    return f"t{str(ULID()).lower()}"


def letters(size: int = 10) -> str:
    """Random lower-case letters (a name word no other record starts with)."""
    return "".join(random.choices(string.ascii_lowercase, k=size))


@dataclass(frozen=True)
class Kind:
    """One record type as the API answers it."""

    rtype: RecordType

    @property
    def sample(self) -> Sample:
        return SAMPLES[self.rtype.name]

    @property
    def base(self) -> str:
        return f"/api/v1/{self.rtype.plural}"

    @property
    def trash(self) -> str:
        return f"/api/v1/trash/{self.rtype.plural}"

    @property
    def name_field(self) -> str:
        return self.sample.name_field

    def item(self, record_id: str, tail: str = "") -> str:
        return f"{self.base}/{record_id}{tail}"

    def body(self, **fields: Any) -> dict[str, Any]:
        """A create body from the sample, with fields added or replaced."""
        return {**self.sample.create(), **fields}

    def make(self, client: ApiClient, token: str, **fields: Any) -> dict[str, Any]:
        """Create a record (asserts 201) and answer its body."""
        response = client.post(self.base, self.body(**fields), token=token)
        assert response.status_code == 201, response.body
        made: dict[str, Any] = body(response)
        return made

    def get(self, client: ApiClient, token: str, record_id: str) -> Any:
        return client.get(self.item(record_id), token=token)

    def shown(self, client: ApiClient, token: str, record_id: str) -> dict[str, Any]:
        """The record as GET answers it (asserts 200)."""
        response = self.get(client, token, record_id)
        assert response.status_code == 200, response.body
        shown: dict[str, Any] = body(response)
        return shown

    def page(self, client: ApiClient, token: str, **query: Any) -> dict[str, Any]:
        """One page of the list (asserts 200)."""
        response = client.get(self.list_path(**query), token=token)
        assert response.status_code == 200, response.body
        page: dict[str, Any] = body(response)
        return page

    def list_path(self, **query: Any) -> str:
        params = {name.replace("__", "."): value for name, value in query.items() if value is not None}
        return f"{self.base}?{urlencode(params)}" if params else self.base

    def listed(self, client: ApiClient, token: str, **query: Any) -> list[str]:
        """Ids of the first page of the list (filters as keyword arguments; ``custom__k`` is ``custom.k``)."""
        return [item["id"] for item in self.page(client, token, **query)["items"]]

    def patch(self, client: ApiClient, token: str, record_id: str, version: int, **fields: Any) -> Any:
        return client.patch(self.item(record_id), {"version": version, **fields}, token=token)

    def trashed(self, client: ApiClient, token: str) -> list[str]:
        """Ids in the type's trash (first page, asserts 200)."""
        response = client.get(f"{self.trash}?limit=200", token=token)
        assert response.status_code == 200, response.body
        return [item["id"] for item in body(response)["items"]]


KINDS = [Kind(t) for t in LISTED]


def error_code(response: Any) -> str | None:
    """The error code of an error answer."""
    found = body(response)
    return found.get("error", {}).get("code") if isinstance(found, dict) else None
