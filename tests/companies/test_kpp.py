"""A Russian client company's КПП and ОГРН are fields of its card (README: "a Russian client's КПП ... and its ОГРН or
ОГРНИП, or another country's registration number"): given, read back, changed, cleared, refused when the КПП is not
NNNNPPNNN, and kept sealed like its INN. Another country's company number is as free as its tax number."""
# ruff: noqa: RUF001 (Russian company names)

from __future__ import annotations

from typing import Any

import boto3
import pytest

from chalicelib.core.config import settings
from tests.factories import IN_MOSCOW, Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def wholesaler(app: Any) -> Company:
    return signup(ApiClient(app), company="Оптовик", **IN_MOSCOW)


@pytest.mark.parametrize("kpp", ["770101001", "7701AB001", " 7701AB001 "])
def test_a_kpp_of_nine_characters_is_kept(client: ApiClient, wholesaler: Company, kpp: str) -> None:
    token = wholesaler.owner.token
    made = client.post("/api/v1/companies", {"name": "ООО «Ромашка»", "tax_number": "7701234567", "kpp": kpp,
                                             "registration_number": "1027700132195"}, token=token)
    assert made.status_code == 201, made.body
    read = body(client.get(f"/api/v1/companies/{body(made)['id']}", token=token))
    assert (read["kpp"], read["registration_number"]) == (kpp.strip(), "1027700132195")


@pytest.mark.parametrize("bad", ["", "77010100", "7701010010", "7701ab001", "770-01001", "AB0101001", "77010100A",
                                 "7701 01001"])
def test_a_kpp_that_is_not_nnnnppnnn_is_422_and_changes_nothing(client: ApiClient, bad: str) -> None:
    company = signup(client, company="Оптовик Север", **IN_MOSCOW)
    token = company.owner.token
    answer = client.post("/api/v1/companies", {"name": "ООО «Ромашка»", "kpp": bad}, token=token)
    assert answer.status_code == 422, answer.body
    assert body(answer)["error"]["details"][0]["loc"][-1] == "kpp"
    assert body(client.get("/api/v1/companies", token=token))["items"] == []


@pytest.mark.parametrize("bad", ["", "x", "1027700132195!", "10277\n00132195", "1" * 41])
def test_a_registration_number_that_is_not_one_is_422(client: ApiClient, wholesaler: Company, bad: str) -> None:
    answer = client.post("/api/v1/companies", {"name": "ООО «Ромашка»", "registration_number": bad},
                         token=wholesaler.owner.token)
    assert answer.status_code == 422, answer.body
    assert body(answer)["error"]["details"][0]["loc"][-1] == "registration_number"


def test_a_foreign_company_number_is_free_text_like_a_tax_number(client: ApiClient, wholesaler: Company) -> None:
    made = client.post("/api/v1/companies", {"name": "Wharf Lettings Ltd", "registration_number": "SC 123/456"},
                       token=wholesaler.owner.token)
    assert made.status_code == 201, made.body
    assert body(made)["registration_number"] == "SC 123/456"


def test_kpp_and_ogrn_are_changed_and_cleared_and_left_alone(client: ApiClient, wholesaler: Company) -> None:
    token = wholesaler.owner.token
    made = body(client.post("/api/v1/companies", {"name": "ООО «Лютик»", "kpp": "165501001",
                                                  "registration_number": "1021602841391"}, token=token))
    path = f"/api/v1/companies/{made['id']}"
    changed = body(client.patch(path, {"version": made["version"], "kpp": "165543001"}, token=token))
    assert (changed["kpp"], changed["registration_number"]) == ("165543001", "1021602841391")
    cleared = body(client.patch(path, {"version": changed["version"], "kpp": None, "registration_number": None},
                                token=token))
    assert (cleared["kpp"], cleared["registration_number"]) == (None, None)
    again = body(client.patch(path, {"version": cleared["version"], "kpp": "165501001"}, token=token))
    untouched = body(client.patch(path, {"version": again["version"], "industry": "Опт"}, token=token))
    assert untouched["kpp"] == "165501001"
    refused = client.patch(path, {"version": untouched["version"], "kpp": "1655010"}, token=token)
    assert refused.status_code == 422, refused.body
    assert body(client.get(path, token=token))["kpp"] == "165501001"


def test_kpp_and_ogrn_are_sealed_at_rest_and_audited(client: ApiClient) -> None:
    company = signup(client, company="Оптовик Юг", **IN_MOSCOW)
    token = company.owner.token
    made = body(client.post("/api/v1/companies", {"name": "ИП Кузнецов А. В.", "kpp": "667101001",
                                                  "registration_number": "304667012345678"}, token=token))
    raw = boto3.client("dynamodb", region_name=settings.region).scan(TableName=settings.table_name)["Items"]
    assert not [item for item in raw if "304667012345678" in str(item) or "667101001" in str(item)]
    client.patch(f"/api/v1/companies/{made['id']}", {"version": made["version"], "kpp": "667143001"}, token=token)
    trail = body(client.get(f"/api/v1/audit?entity=company&entity_id={made['id']}", token=token))["items"]
    assert any("kpp" in (entry.get("diff") or entry.get("changes") or {}) for entry in trail), trail


def test_a_role_that_hides_the_kpp_reads_and_changes_none(client: ApiClient, wholesaler: Company) -> None:
    from tests.factories import add_member

    owner = wholesaler.owner.token
    role = client.post("/api/v1/roles", {"key": "clerk", "name": "Clerk", "permissions": [
        "companies:read:all", "companies:update:all", "companies.kpp:hidden",
        "companies.registration_number:readonly"]}, token=owner)
    assert role.status_code == 201, role.body
    clerk = add_member(client, wholesaler, role="clerk", name="clerk")
    made = body(client.post("/api/v1/companies", {"name": "ООО «Мак»", "kpp": "165501001",
                                                  "registration_number": "1021602841391"}, token=owner))
    seen = body(client.get(f"/api/v1/companies/{made['id']}", token=clerk.token))
    assert "kpp" not in seen and seen["registration_number"] == "1021602841391"
    refused = client.patch(f"/api/v1/companies/{made['id']}", {"version": made["version"],
                                                               "registration_number": "1021602841392"},
                           token=clerk.token)
    assert refused.status_code == 403, refused.body
