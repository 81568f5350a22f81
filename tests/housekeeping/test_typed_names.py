"""An Almaty shop upgraded in place: the customers and products already in the CRM under Kazakh names are found as
a Russian keyboard types them ("гулнур" for Гүлнұр) once the hourly housekeeping tick has given them the rows their
writes now give, once; a Russian name costs the pass no read."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.housekeeping import typed_names
from chalicelib.housekeeping.models import TenantPass
from chalicelib.records import matching
from tests.billing import helpers
from tests.factories import signup
from tests.support import ApiClient, body


def _found(client: ApiClient, token: str, plural: str, q: str) -> list[str]:
    answer = client.get(f"/api/v1/{plural}?q={quote(q)}", token=token)
    assert answer.status_code == 200, answer.body
    return [item["id"] for item in body(answer)["items"]]


def test_the_tick_gives_older_kazakh_names_their_typed_spelling_once(client: ApiClient, app: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Алма Декор Старые", locale="ru", country="KZ", timezone="Asia/Almaty")
    token = company.owner.token
    with monkeypatch.context() as patched:  # as the code before wrote them: the Kazakh spelling's tokens only
        patched.setattr(matching, "_RUSSIAN_KEYS", str.maketrans("", ""))
        gulnur = body(client.post("/api/v1/contacts", {"first_name": "Гүлнұр", "last_name": "Әбдіқадырова"},
                                  token=token))
        vase = body(client.post("/api/v1/products", {"name": "Ваза Шаңырақ", "sku": "VZ-OLD",
                                                     "price": {"minor": 1275000, "currency": "KZT"}}, token=token))
        ivan = body(client.post("/api/v1/contacts", {"first_name": "Иван", "last_name": "Ким"}, token=token))
    assert _found(client, token, "contacts", "гулнур") == [] and _found(client, token, "products", "шанырак") == []
    tenant = helpers.tenant(company)  # start at this company (the worker's other tenants are not this test's)
    TenantPass(typed_names.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()

    assert typed_names.run(deadline=time.monotonic() + 600) == 2  # Иван Ким has nothing to add
    assert _found(client, token, "contacts", "гулнур абди") == [gulnur["id"]]
    assert _found(client, token, "contacts", "Гүлнұр") == [gulnur["id"]]
    assert _found(client, token, "products", "шанырак") == [vase["id"]]
    assert _found(client, token, "contacts", "иван") == [ivan["id"]]
    assert body(client.get(f"/api/v1/contacts/{gulnur['id']}", token=token))["version"] == gulnur["version"]
    assert TenantPass.get(typed_names.STATE_PK, "STATE", consistent_read=True).done
    assert typed_names.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more
