"""The export bucket for the dataio tests (the suite's conftest creates only tables, keys and secrets)."""

from __future__ import annotations

import pytest

from tests.seeds.dataio import ensure_bucket


@pytest.fixture(scope="module", autouse=True)
def export_bucket(embedded_aws: None) -> None:
    ensure_bucket()
