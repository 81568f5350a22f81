"""A wholesaler's import of Bitrix24 clients with a mistyped КПП (8 digits) or INN (1 digit), and the company card's
form with the same, said "Value should have at least 9 items after validation, not 8": English in the Russian web app
(which words a field's problem by its type, and knew no "too_short"), and "items" of a text. Its length is now a
text's, so the web app says "Слишком коротко" / "Слишком длинно" beside the field and the import's row."""
# ruff: noqa: RUF001 (Russian company names)

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import IN_MOSCOW, Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def wholesaler(app: Any) -> Company:
    return signup(ApiClient(app), company="СтройОпт Реквизиты", **IN_MOSCOW)


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("kpp", "77010100", "string_too_short"), ("kpp", " 7701010011 ", "string_too_long"),
    ("tax_number", "1", "string_too_short"), ("tax_number", "7" * 41, "string_too_long"),
    ("registration_number", "1", "string_too_short"), ("registration_number", "1" * 60, "string_too_long")])
def test_a_requisite_of_the_wrong_length_is_refused_as_a_text_of_that_length(
        client: ApiClient, wholesaler: Company, field: str, value: str, kind: str) -> None:
    answer = client.post("/api/v1/companies", {"name": "ООО «Ромашка»", field: value}, token=wholesaler.owner.token)
    assert answer.status_code == 422, answer.body
    detail = body(answer)["error"]["details"][0]
    assert (detail["loc"][-1], detail["type"]) == (field, kind), detail
    assert "items" not in detail["msg"], detail


def test_a_requisite_typed_with_spaces_around_is_kept_without_them(client: ApiClient, wholesaler: Company) -> None:
    token = wholesaler.owner.token
    made = client.post("/api/v1/companies", {"name": "ООО «Ромашка»", "tax_number": " 7701234567 ",
                                             "kpp": " 770101001 ", "registration_number": " 1027700132195 "},
                       token=token)
    assert made.status_code == 201, made.body
    read = body(client.get(f"/api/v1/companies/{body(made)['id']}", token=token))
    assert (read["tax_number"], read["kpp"], read["registration_number"]) == ("7701234567", "770101001",
                                                                              "1027700132195")
