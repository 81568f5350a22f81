"""Per-tenant rate limits: a token bucket per warm Lambda and a shared per-minute counter written every tenth of
the limit; one noisy tenant is refused (429, Retry-After) while the others are served."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.billing import ratelimit, traffic
from chalicelib.core import errors
from chalicelib.core.tenancy import bind
from chalicelib.identity import plans
from tests.billing import helpers
from tests.factories import Company, signup
from tests.support import ApiClient, body

T0 = 1_800_000_000.0  # a minute boundary + 20 s: 2027-01-15T08:00:00Z
TENANT = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


class Clock:
    def __init__(self, now: float = T0 + 20) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """The API and webhook limiters on a clock the test moves."""
    fixed = Clock()
    for limiter in (plans.API, plans.WEBHOOKS):
        monkeypatch.setattr(limiter, "clock", fixed)
        limiter.forget()
    yield fixed
    for limiter in (plans.API, plans.WEBHOOKS):
        limiter.forget()


def test_a_bucket_admits_the_plan_a_minute_then_waits_for_tokens() -> None:
    clock, shared = Clock(), []
    limiter = ratelimit.Limiter("api", clock=clock)
    flush = lambda tenant, minute, n: shared.append(n) or sum(shared)  # noqa: E731
    for _ in range(60):
        limiter.admit(TENANT, 60, flush)
    with pytest.raises(errors.RateLimitedError) as refused:
        limiter.admit(TENANT, 60, flush)
    assert refused.value.headers["Retry-After"] == "1"
    assert shared == [6] * 10  # one shared write per 6 requests (a tenth of 60), not one per request
    clock.now += 1.0  # a token a second
    limiter.admit(TENANT, 60, flush)
    limiter.admit("01ARZ3NDEKTSV4RRFFQ69G5FAW", 60, flush)  # another tenant has its own bucket
    limiter.admit(TENANT, None, flush)  # unlimited


def test_the_shared_counter_stops_a_tenant_spread_over_lambdas() -> None:
    clock, totals = Clock(), {"n": 0}

    def flush(tenant: str, minute: str, admitted: int) -> int:
        totals["n"] += admitted
        return totals["n"]

    lambdas = [ratelimit.Limiter("api", clock=clock) for _ in range(3)]
    for _ in range(24):
        for one in lambdas:
            one.admit(TENANT, 60, flush)  # 72 admitted in all: each Lambda alone is within 60
    assert totals["n"] == 72
    with pytest.raises(errors.RateLimitedError) as refused:
        lambdas[2].admit(TENANT, 60, flush)  # its share took the total past 60: refused for the minute
    assert int(refused.value.headers["Retry-After"]) == 40  # the rest of the minute
    lambdas[0].admit(TENANT, 60, flush)  # its last share left the total at 60: it learns at its next share
    clock.now += 41
    lambdas[2].admit(TENANT, 60, flush)


def test_a_counter_that_cannot_be_written_never_fails_the_request() -> None:
    def broken(tenant: str, minute: str, admitted: int) -> int:
        raise errors.ServiceUnavailableError()

    limiter = ratelimit.Limiter("api", clock=Clock())
    for _ in range(12):
        limiter.admit(TENANT, 60, broken)


def test_the_shared_counter_adds_this_minute_and_the_month(client: ApiClient) -> None:
    company = signup(client, company="Traffic Ltd")
    minute = ratelimit.minute_key(T0)
    assert traffic.add(company.tenant_id, "api", minute, 5) == 5
    assert traffic.add(company.tenant_id, "api", minute, 7) == 12
    assert traffic.add(company.tenant_id, "api", ratelimit.minute_key(T0 + 60), 3) == 3  # a new minute
    assert traffic.add(company.tenant_id, "webhook", minute, 2) == 2
    with bind(helpers.context(company)):
        assert traffic.month(helpers.context(company), minute[:6]) == {"api_requests": 15, "webhook_events": 2}


def test_a_noisy_tenant_is_refused_and_the_others_are_served(client: ApiClient, clock: Clock) -> None:
    noisy, quiet = signup(client, company="Noisy Ltd"), signup(client, company="Quiet Ltd")
    for company in (noisy, quiet):
        helpers.end_trial(company)  # free: 60 requests a minute
    for _ in range(60):
        assert client.get("/api/v1/me", token=noisy.owner.token).status_code == 200
    refused = client.get("/api/v1/me", token=noisy.owner.token)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert body(refused)["error"]["code"] == "rate_limited"
    assert client.get("/api/v1/me", token=quiet.owner.token).status_code == 200
    clock.now += 2
    assert client.get("/api/v1/me", token=noisy.owner.token).status_code == 200


def test_a_tenants_webhooks_are_limited_per_minute(client: ApiClient, clock: Clock) -> None:
    company: Company = signup(client, company="Hooked Ltd")
    helpers.end_trial(company)  # free: 60 webhook events a minute
    form = body(client.post("/api/v1/integrations", {"type": "form", "name": "Site", "settings": {
        "rate_limit_per_minute": 1000, "sender_limit_per_minute": 1000}}, token=company.owner.token))
    key = form["webhook_url"].rsplit("/", 1)[1]
    answers = [client.request("POST", f"/hooks/forms/{key}", body=f"name=Lead{n}&email=l{n}%40example.com",
                              headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code
               for n in range(61)]
    assert answers[:60] == [200] * 60 and answers[60] == 429
