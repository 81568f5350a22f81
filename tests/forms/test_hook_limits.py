"""One sender cannot spend a form's quota, and unknown webhook keys are limited per sender (#21 item 8).

Before, the only limit was the form's own per minute: one sender could spend it and push real leads into
429, and posts to unknown keys were not limited at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.integrations import guard
from tests.factories import Company, signup
from tests.integrations.helpers import FETCH, create_form, events, hook_path
from tests.support import ApiClient, body


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Flood Ltd", country="RU")


@pytest.fixture(autouse=True)
def fresh_lambda() -> Iterator[None]:
    guard.forget()
    yield
    guard.forget()


def post(app: Any, path: str, source_ip: str, n: int) -> Any:
    fields = {"name": f"Lead {n}", "phone": f"+7 912 000-{n // 100:02d}-{n % 100:02d}"}
    return ApiClient(app, source_ip=source_ip).request("POST", path, body=urlencode(fields), headers=FETCH)


def test_one_sender_is_held_to_its_share_and_real_leads_still_come(app: Any, client: ApiClient,
                                                                  company: Company) -> None:
    form = create_form(client, company, rate_limit_per_minute=12, sender_limit_per_minute=3)
    path = hook_path(form)
    answers = [post(app, path, "203.0.113.7", n).status_code for n in range(20)]
    assert answers == [200] * 3 + [429] * 17
    refused = post(app, path, "203.0.113.7", 99)
    assert body(refused)["error"]["code"] == "sender_rate_limited" and refused.headers.get("Retry-After")
    # The flood spent 3 of the form's 12: real visitors' leads are taken.
    assert [post(app, path, f"198.51.100.{n}", 100 + n).status_code for n in range(9)] == [200] * 9
    assert len(events(client, company, form)) == 12  # the refused posts were not stored


def test_a_signed_server_is_not_held_to_a_senders_share(app: Any, client: ApiClient, company: Company) -> None:
    import hashlib
    import hmac
    import time

    form = create_form(client, company, require_signature=True, sender_limit_per_minute=1)
    caller = ApiClient(app, source_ip="203.0.113.8")
    for n in range(3):
        raw = urlencode({"name": f"Server {n}", "phone": f"+7 912 111-00-0{n}"}).encode()
        stamp = str(int(time.time()))
        signature = hmac.new(form["secret"].encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        answer = caller.request("POST", hook_path(form), body=raw, headers={
            **FETCH, "X-CRM-Timestamp": stamp, "X-CRM-Signature": f"v1={signature}"})
        assert answer.status_code == 200, answer.body


def test_unknown_keys_are_limited_per_sender(app: Any, client: ApiClient, company: Company) -> None:
    form = create_form(client, company)
    scanner = ApiClient(app, source_ip="203.0.113.9")
    for n in range(guard.MISSES_ALLOWED):
        assert scanner.request("POST", f"/hooks/forms/guess{n:04d}", body="name=x", headers=FETCH).status_code == 404
    refused = scanner.request("POST", "/hooks/forms/guess-more", body="name=x", headers=FETCH)
    assert refused.status_code == 429 and body(refused)["error"]["code"] == "too_many_unknown_keys"
    assert int(refused.headers["Retry-After"]) >= 1
    # Refused before any lookup, even with a key that exists: the sender is known to be scanning.
    assert post(app, hook_path(form), "203.0.113.9", 1).status_code == 429
    assert post(app, hook_path(form), "203.0.113.10", 2).status_code == 200  # others are not affected
    # Another warm Lambda learns it at the scanner's next miss (the count is in the table).
    guard.forget()
    again = scanner.request("POST", "/hooks/forms/guess-again", body="name=x", headers=FETCH)
    assert again.status_code == 429


def test_telephony_hooks_count_unknown_keys_too(app: Any) -> None:
    scanner = ApiClient(app, source_ip="203.0.113.11")
    answers = [scanner.request("POST", f"/hooks/pbx/guess{n:04d}", body="{}",
                               headers={"Content-Type": "application/json"}).status_code
               for n in range(guard.MISSES_ALLOWED + 1)]
    assert answers == [404] * guard.MISSES_ALLOWED + [429]
