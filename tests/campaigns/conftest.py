"""Campaigns' tests: the queue, and pacing without waiting (no timed test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.campaigns import sending
from tests.campaigns.helpers import Queue, queue
from tests.events.conftest import feed, fresh_due_bookmark  # noqa: F401 - the fixtures, shared


@pytest.fixture
def campaign_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    monkeypatch.setattr(sending, "SLEEP", lambda seconds: None)
    yield queue()
