"""Fixtures of this test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contacts.helpers import copy_tables_once


@pytest.fixture(autouse=True, scope="package")
def fast_transactions() -> Iterator[None]:
    """moto's transactions back the table up once, not once per item (see helpers._CopyTablesOnce)."""
    with copy_tables_once():
        yield
