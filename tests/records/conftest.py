"""Fixtures of the shared record-type suites: the tenants and members every type is tried with."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, Member, add_member, signup
from tests.support import ApiClient


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    """The tenant the records are made in (GB, so its phones are typed the British way)."""
    return signup(ApiClient(app), company="Every Type Ltd", country="GB")


@pytest.fixture(scope="module")
def rival(app: Any) -> Company:
    """Another tenant, which must never see or touch the shop's records."""
    return signup(ApiClient(app), company="Rival Ltd", country="GB")


@pytest.fixture(scope="module")
def agents(app: Any, shop: Company) -> tuple[Member, Member]:
    """Two agents of the shop (read, create, update their own records; no delete)."""
    client = ApiClient(app)
    return (add_member(client, shop, role="agent", name="agentone"),
            add_member(client, shop, role="agent", name="agenttwo"))
