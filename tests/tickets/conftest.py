"""What the tickets' test modules share: one API client a module (its companies are made once a module)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import ApiClient


@pytest.fixture(scope="module")
def api(app: Any) -> ApiClient:
    return ApiClient(app)
