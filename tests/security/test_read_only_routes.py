"""What a read-only company still writes: signing in and out, its billing, its exports, its own deletion and the
live ticket, matched by whole route templates. The list once matched by prefix, the bug the second factor's limited
token had ("/api/v1/me" let "/api/v1/merges/{merge_id}/undo" through): a route added later under a look-alike path
("/api/v1/billing-details", "/api/v1/exports-settings") would have written for a suspended company."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.billing import limits
from chalicelib.billing.models import Subscription
from chalicelib.billing.standing import evaluate
from chalicelib.core import db, errors
from tests.billing import helpers
from tests.factories import Company, signup
from tests.registry_walk import route_name, write_routes
from tests.security.test_cross_tenant import sample_body
from tests.support import ApiClient, body

SOME_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
# Written out rather than read from billing.limits, so a route joins the list only with this test changed.
ALLOWED = frozenset({
    "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/password",
    "/api/v1/auth/totp/setup", "/api/v1/auth/totp/enable", "/api/v1/auth/totp/disable",
    "/api/v1/auth/confirm-email", "/api/v1/auth/confirm-email/resend",
    "/api/v1/billing/checkout", "/api/v1/billing/portal", "/api/v1/billing/plan",
    "/api/v1/exports", "/api/v1/tenant/export", "/api/v1/tenant/deletion", "/api/v1/live/ticket"})
LAST = ("/api/v1/tenant/deletion", "/api/v1/auth/logout")  # walked last: they could end the walk's session


def _suspended(client: ApiClient) -> Company:
    company = signup(client, company="Unpaid Ltd")
    helpers.send(client, "customer.subscription.created",
                 helpers.subscription(helpers.customer(client, company), status="unpaid"))
    assert helpers.billing(client, company)["status"] == "suspended"
    return company


def _unconfirmed(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> Company:
    company = signup(client, company="Unconfirmed Ltd", confirm=False)
    real = db.utcnow
    monkeypatch.setattr(db, "utcnow", lambda: real() + timedelta(days=8))  # past its 7 days
    return company


@pytest.mark.parametrize(("make", "status", "code"), [
    (lambda client, _: _suspended(client), 402, "subscription_inactive"),
    (_unconfirmed, 403, "email_unconfirmed"),
], ids=["suspended", "unconfirmed"])
def test_only_the_listed_routes_write_for_a_read_only_company(
        client: ApiClient, monkeypatch: pytest.MonkeyPatch,
        make: Callable[[ApiClient, pytest.MonkeyPatch], Company], status: int, code: str) -> None:
    company = make(client, monkeypatch)
    walked = sorted((spec for spec in write_routes() if not spec.public), key=lambda spec: spec.path in LAST)
    wrong = []
    for spec in walked:
        path = spec.path
        for name in spec.path_params:
            path = path.replace("{" + name + "}", SOME_ID)
        answer = client.request(spec.method, path, json_body=sample_body(spec.body) if spec.body else {},
                                token=company.owner.token)
        gated = answer.status_code == status and body(answer)["error"]["code"] == code
        if gated == (spec.path in ALLOWED) or answer.status_code >= 500:
            wrong.append((route_name(spec), answer.status_code))
    assert wrong == [] and len(walked) > 100


@pytest.mark.parametrize("path", ["/api/v1/billing-details", "/api/v1/billing", "/api/v1/exports-settings",
                                  "/api/v1/exports/{export_id}/share", "/api/v1/tenant/exporters",
                                  "/api/v1/tenant/deletions", "/api/v1/live/tickets", "/api/v1/authors"])
def test_a_look_alike_of_a_listed_route_is_read_only(path: str) -> None:
    now = datetime.now(UTC)
    standing = evaluate(Subscription(status="unpaid", plan="start", subscription_id="sub_1"), legacy_plan=None,
                        trial_ends_at=None, now=now)
    assert standing.read_only
    with pytest.raises(errors.SubscriptionInactiveError):
        limits.writable(standing, method="POST", path=path)
    limits.writable(standing, method="POST", path="/api/v1/exports")
    limits.writable(standing, method="GET", path=path)
