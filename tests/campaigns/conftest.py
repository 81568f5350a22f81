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
    # The channels' next slots are the process's: a test's sends (5,000 in test_exactly_once.py, at 14 e-mails a
    # second) would push them minutes ahead, and a later test of the same worker that sends without this fixture
    # (tests/security/test_personal_data_at_rest.py) would really wait for them. Its own slots, dropped after it.
    monkeypatch.setattr(sending, "_next_at", {})
    yield queue()
