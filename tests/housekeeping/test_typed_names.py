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


def _by_name(client: ApiClient, token: str) -> list[str]:
    answer = client.get("/api/v1/products?sort=name&limit=50", token=token)
    assert answer.status_code == 200, answer.body
    return [item["name"] for item in body(answer)["items"]]


def test_products_sort_kazakh_letters_beside_their_base_and_the_tick_moves_older_ones(
        client: ApiClient, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An Almaty shop's price list in name order: "Әшекей" among the А's, "Қобыз" among the К's, not after "Ясли"."""  # noqa: RUF002
    company = signup(ApiClient(app), company="Алма Декор Каталог", locale="ru", country="KZ", timezone="Asia/Almaty")
    token = company.owner.token

    def product(name: str, sku: str) -> None:
        answer = client.post("/api/v1/products", {"name": name, "sku": sku,
                                                  "price": {"minor": 100000, "currency": "KZT"}}, token=token)
        assert answer.status_code == 201, answer.body

    with monkeypatch.context() as patched:  # as the code before wrote them: the name's code points' order
        patched.setattr(matching, "_ALPHABET_PLACE", str.maketrans("", ""))
        for n, name in enumerate(["Ясли-сад набор", "Әшекей қорап", "Қобыз сувенир", "Ваза", "Айна"]):
            product(name, f"OLD-{n}")
        assert _by_name(client, token) == ["Айна", "Ваза", "Ясли-сад набор", "Қобыз сувенир", "Әшекей қорап"]
    product("Кілем", "NEW-1")  # written now: in its place at once
    product("Ұлттық ыдыс", "NEW-2")
    assert _by_name(client, token)[-3:] == ["Ясли-сад набор", "Қобыз сувенир", "Әшекей қорап"]
    listed = _by_name(client, token)
    assert listed.index("Кілем") < listed.index("Ұлттық ыдыс") < listed.index("Ясли-сад набор")

    tenant = helpers.tenant(company)
    TenantPass(typed_names.SORTED_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()
    assert typed_names.run_sorted(deadline=time.monotonic() + 600) == 2  # the two older names with Kazakh letters
    assert _by_name(client, token) == ["Айна", "Әшекей қорап", "Ваза", "Кілем", "Қобыз сувенир", "Ұлттық ыдыс",
                                       "Ясли-сад набор"]
    assert typed_names.run_sorted(deadline=time.monotonic() + 600) == 0
