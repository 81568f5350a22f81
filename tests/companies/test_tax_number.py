"""A company's VAT ID (an EU client's "FR40303265045", a Russian buyer's INN) is a field of its card: given, changed,
cleared and refused when it is not one, and kept sealed like the company's name."""

from __future__ import annotations

import boto3
import pytest

from chalicelib.core.config import settings
from tests.factories import signup
from tests.support import ApiClient, body


@pytest.mark.parametrize("bad", ["", "x", "DE 123!", "DE123\n456", "A" * 41])
def test_a_tax_number_that_is_not_one_is_422_and_changes_nothing(client: ApiClient, bad: str) -> None:
    company = signup(client, company="Atelier Nord", country="DE", timezone="Europe/Berlin")
    token = company.owner.token
    answer = client.post("/api/v1/companies", {"name": "Client SARL", "tax_number": bad}, token=token)
    assert answer.status_code == 422, answer.body
    assert body(answer)["error"]["details"][0]["loc"][-1] == "tax_number"
    assert body(client.get("/api/v1/companies", token=token))["items"] == []


def test_a_companys_vat_id_is_given_changed_and_cleared(client: ApiClient) -> None:
    company = signup(client, company="Atelier Süd", country="DE", timezone="Europe/Berlin")
    token = company.owner.token
    made = body(client.post("/api/v1/companies", {"name": "Client SARL", "tax_number": " FR40303265045 "},
                            token=token))
    assert made["tax_number"] == "FR40303265045"
    path = f"/api/v1/companies/{made['id']}"
    changed = client.patch(path, {"version": made["version"], "tax_number": "FR 40 303 265 045"}, token=token)
    assert changed.status_code == 200, changed.body
    assert body(client.get(path, token=token))["tax_number"] == "FR 40 303 265 045"
    cleared = body(client.patch(path, {"version": body(changed)["version"], "tax_number": None}, token=token))
    assert cleared["tax_number"] is None
    untouched = body(client.patch(path, {"version": cleared["version"], "website": "client.fr"}, token=token))
    assert untouched["tax_number"] is None and untouched["website"] == "https://client.fr"


def test_the_vat_id_is_sealed_at_rest_and_audited(client: ApiClient) -> None:
    company = signup(client, company="Atelier West", country="DE", timezone="Europe/Berlin")
    token = company.owner.token
    made = body(client.post("/api/v1/companies", {"name": "Einzelunternehmer Weber", "tax_number": "DE298765432"},
                            token=token))
    raw = boto3.client("dynamodb", region_name=settings.region).scan(TableName=settings.table_name)["Items"]
    assert not [item for item in raw if "DE298765432" in str(item)]  # a sole trader's VAT ID is theirs: sealed
    client.patch(f"/api/v1/companies/{made['id']}", {"version": made["version"], "tax_number": "DE298765433"},
                 token=token)
    trail = body(client.get(f"/api/v1/audit?entity=company&entity_id={made['id']}", token=token))["items"]
    assert any("tax_number" in (entry.get("diff") or entry.get("changes") or {}) for entry in trail), trail
