"""Settings -> Billing shows the campaign messages a company sent this month against its plan's limit (every message
sent counts, a test send to yourself too), read in the billing overview's one BatchGetItem, and never another
company's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from chalicelib.campaigns import usage
from chalicelib.core.tenancy import TenantContext
from tests.campaigns.helpers import Queue
from tests.campaigns.test_campaigns import _campaign, _contact, _segment, _send
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.watcher import Watcher

LIMIT = "campaign_messages_per_month"


@pytest.fixture
def one_month(monkeypatch: pytest.MonkeyPatch) -> None:
    """The month of the first send, for the whole test: a send at 23:59:59 on the 31st and the overview read a second
    later would be two months (the counter is per UTC month), and the test must not depend on the time of day."""
    real: Callable[[TenantContext, datetime], tuple[str, str]] = usage.usage_key
    first: dict[str, datetime] = {}
    monkeypatch.setattr(usage, "usage_key", lambda ctx, now: real(ctx, first.setdefault("now", now)))


def _billing(client: ApiClient, company: Company) -> dict[str, Any]:
    answer = client.get("/api/v1/billing", token=company.owner.token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def _recipients(client: ApiClient, company: Company, names: list[str]) -> None:
    for name in names:
        person = _contact(client, company.owner.token, f"{name}{company.tenant_id[-6:].lower()}")
        granted = client.put(f"/api/v1/contacts/{person['id']}/consent", {"email": "granted"},
                             token=company.owner.token)
        assert granted.status_code == 200, granted.body


def test_a_company_sees_the_messages_it_sent_this_month_of_its_limit(client: ApiClient, campaign_queue: Queue,
                                                                     one_month: None, tenancy_watcher: Watcher) -> None:
    sender, quiet = signup(client, company="Usage sender"), signup(client, company="Usage quiet")
    before = _billing(client, sender)
    assert before["usage"][LIMIT] == {"used": 0, "limit": 50_000}  # a trial tries pro
    _recipients(client, sender, ["Alla", "Bella", "Cora"])
    results = _send(client, sender, _campaign(client, sender, _segment(client, sender), "Usage"), campaign_queue)
    assert results["sent"] == 3
    tenancy_watcher.reset()
    shown = _billing(client, sender)
    assert [operation for operation, _ in tenancy_watcher.requests] == ["BatchGetItem"]  # no request of its own
    assert shown["usage"][LIMIT] == {"used": 4, "limit": 50_000}  # three recipients and the test send to the owner
    assert LIMIT not in shown["over_limits"]
    assert _billing(client, quiet)["usage"][LIMIT] == {"used": 0, "limit": 50_000}  # another company's never shows
    _recipients(client, quiet, ["Dora"])
    _send(client, quiet, _campaign(client, quiet, _segment(client, quiet), "Quiet"), campaign_queue)
    assert _billing(client, quiet)["usage"][LIMIT]["used"] == 2
    assert _billing(client, sender)["usage"][LIMIT]["used"] == 4
