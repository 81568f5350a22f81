"""The segments' tests drive the domain-event feed as the events tests do (moto's stream, app.domain_events), and
export members through the dataio export job (its bucket)."""

import pytest

from tests.events.conftest import feed, fresh_due_bookmark  # noqa: F401 - the fixtures, shared
from tests.seeds.dataio import ensure_bucket


@pytest.fixture(scope="module", autouse=True)
def export_bucket(embedded_aws: None) -> None:
    ensure_bucket()
