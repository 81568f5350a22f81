"""Pipedrive writes each kind of a person's phone in a column of its own; the column's name gives the number its kind
(README: "A phone column's name gives its numbers their kind (... Pipedrive's "Person - Phone - Home" home)"), so a
London customer's home number is not imported as a work one."""

from __future__ import annotations

from typing import Any

from chalicelib.dataio import importing
from tests.dataio import kit
from tests.factories import signup
from tests.support import ApiClient, body

PEOPLE = (
    '"Person - Name","Person - Phone - Work","Person - Phone - Home","Person - Phone - Mobile"\n'
    '"Oliver Brooks","020 7946 0456","020 8123 4567","07911 123457"\n')


def test_each_pipedrive_phone_column_gives_its_number_its_kind(client: ApiClient) -> None:
    company = signup(client, company="Thames Phones Ltd", country="GB", timezone="Europe/London")
    done: dict[str, Any] = kit.run(client, company.owner.token, company.tenant_id, PEOPLE, "contact",
                                   filename="people-pipedrive.csv")
    assert done["progress"]["created"] == 1 and done["progress"]["errors"] == [], done["progress"]
    assert [done["mapping"][f"Person - Phone - {kind}"] for kind in ("Work", "Home", "Mobile")] == ["phone"] * 3
    card = body(client.get(f"/api/v1/contacts/{importing.record_id(done['id'], 2)}", token=company.owner.token))
    assert [(p["number"], p["kind"]) for p in card["phones"]] == [
        ("+442079460456", "work"), ("+442081234567", "home"), ("+447911123457", "mobile")]
