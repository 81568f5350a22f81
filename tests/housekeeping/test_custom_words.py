"""A car service upgraded in place: the customers whose cars it had typed into custom fields before they were searched
are found by plate once the hourly housekeeping tick has given them the rows their writes now give, once; a
customer with no car costs the pass no write, and a company with no text field no read of its records."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.housekeeping import custom_words
from chalicelib.housekeeping.models import TenantPass
from chalicelib.records import access
from chalicelib.records.customfields import words
from tests.billing import helpers
from tests.factories import signup
from tests.support import ApiClient, body

PLATE = "А123ВС 777"  # noqa: RUF001


def _found(client: ApiClient, token: str, q: str) -> list[str]:
    answer = client.get(f"/api/v1/contacts?q={quote(q)}", token=token)
    assert answer.status_code == 200, answer.body
    return [item["id"] for item in body(answer)["items"]]


def test_the_tick_gives_cars_typed_before_their_search_words_once(client: ApiClient, app: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Автосервис Старые Машины", locale="ru", country="RU")
    token = company.owner.token
    for key, label in (("plate", "Госномер"), ("vin", "VIN")):
        made = client.post("/api/v1/custom-fields", {"entity": "contact", "key": key, "label": label, "type": "text"},
                           token=token)
        assert made.status_code == 201, made.body
    with monkeypatch.context() as patched:  # as the code before wrote them: no token of a custom value
        patched.setattr(words, "MAX_TOKENS", 0)
        smirnov = body(client.post("/api/v1/contacts", {"first_name": "Андрей", "last_name": "Смирнов", "custom": {
            "plate": PLATE, "vin": "Z94CB41AAGR323020"}}, token=token))
        ivan = body(client.post("/api/v1/contacts", {"first_name": "Иван", "last_name": "Ким"}, token=token))
    assert _found(client, token, "А123ВС") == [] and _found(client, token, "Z94CB41") == []  # noqa: RUF001
    tenant = helpers.tenant(company)  # start at this company (the worker's other tenants are not this test's)
    TenantPass(custom_words.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()

    assert custom_words.run(deadline=time.monotonic() + 600) == 1  # Иван Ким has no car to add
    assert _found(client, token, "А123ВС") == [smirnov["id"]]  # noqa: RUF001
    assert _found(client, token, "a123bc777") == [smirnov["id"]]
    assert _found(client, token, "Z94CB41") == [smirnov["id"]]
    assert _found(client, token, "иван") == [ivan["id"]]
    assert body(client.get(f"/api/v1/contacts/{smirnov['id']}", token=token))["version"] == smirnov["version"]
    assert TenantPass.get(custom_words.STATE_PK, "STATE", consistent_read=True).done
    assert custom_words.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more


def test_a_company_without_text_fields_has_no_record_read(client: ApiClient, app: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Цветы Без Полей", locale="ru", country="RU")
    body(client.post("/api/v1/contacts", {"first_name": "Ольга"}, token=company.owner.token))
    tenant = helpers.tenant(company)
    TenantPass(custom_words.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()
    reads: list[str] = []
    original = access.get

    def reading(ctx: Any, rtype: Any, record_id: str) -> Any:
        reads.append(ctx.tenant_id)
        return original(ctx, rtype, record_id)

    monkeypatch.setattr(access, "get", reading)
    custom_words.run(deadline=time.monotonic() + 600)
    assert company.tenant_id not in reads  # no field of text: its records are not read one by one
