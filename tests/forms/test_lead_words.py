"""A lead in the company's words (#20 items 2, 3, 12): a Russian company's lead deal and call-back task are titled in
Russian; a name typed in one box becomes first and last names; a lead matched to a contact already there says so on
the timeline, with the customer's message, source and UTM."""

from __future__ import annotations

import pytest

from chalicelib.records.naming import split_name
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body

OLGA = {"name": "Ольга Смирнова", "phone": "+7 916 123-45-67", "message": "Хочу букет на свадьбу",
        "utm_source": "yandex", "utm_campaign": "wedding"}


@pytest.mark.parametrize(("typed", "first", "last"), [
    ("Ольга Смирнова", "Ольга", "Смирнова"),
    ("Смирнова Ольга Ивановна", "Ольга Ивановна", "Смирнова"),
    ("Ольга Ивановна Смирнова", "Ольга Ивановна", "Смирнова"),
    ("Anna Petrova", "Anna", "Petrova"),
    ("Cher", "Cher", None),
    ("Jean Claude Van Damme", "Jean Claude Van Damme", None),
    ("  Olga   Smirnova ", "Olga", "Smirnova"),
])
def test_a_name_typed_in_one_box_is_split(typed: str, first: str, last: str | None) -> None:
    assert split_name(typed) == (first, last)


def _lead(client: ApiClient, company: Company, form: dict, fields: dict[str, str]) -> dict:
    assert post_form(client, form, fields).status_code == 200
    event = events(client, company, form)[0]
    assert event["status"] == "processed", event
    token = company.owner.token
    outcome = event["outcome"]
    return {"contact": body(client.get(f"/api/v1/contacts/{outcome['contact_id']}", token=token)),
            "deal": body(client.get(f"/api/v1/deals/{outcome['deal_id']}", token=token)),
            "task": body(client.get(f"/api/v1/tasks/{outcome['task_id']}", token=token))}


def test_a_russian_companys_lead_is_titled_in_russian(client: ApiClient) -> None:
    company = signup(client, company="Цветы", country="RU", locale="ru")
    lead = _lead(client, company, create_form(client, company, name="Свадьбы"), OLGA)
    contact = lead["contact"]
    assert (contact["first_name"], contact["last_name"]) == ("Ольга", "Смирнова")
    assert lead["deal"]["deal"]["title"] == "Заявка с сайта: Ольга Смирнова"  # noqa: RUF001
    assert lead["task"]["title"] == "Перезвонить: Ольга Смирнова"
    assert lead["task"]["description"] == "Хочу букет на свадьбу"  # the lead's words on the task
    entry = next(e for e in contact["timeline"] if e["kind"] == "form_submission")
    assert entry["data"]["message"] == "Хочу букет на свадьбу" and entry["data"]["utm"]["campaign"] == "wedding"
    assert "matched" not in entry["data"]


def test_an_english_companys_lead_keeps_english_titles(client: ApiClient) -> None:
    company = signup(client, company="Flowers", country="GB", locale="en")
    lead = _lead(client, company, create_form(client, company, name="Weddings"), {"name": "Anna Petrova",
                                                                                  "email": "anna@example.com"})
    assert lead["deal"]["deal"]["title"] == "Website form: Anna Petrova"
    assert lead["task"]["title"] == "Call back: Anna Petrova"


def test_a_lead_matched_by_phone_says_so(client: ApiClient) -> None:
    company = signup(client, company="Цветы и Ко", country="RU", locale="ru")  # noqa: RUF001
    known = client.post("/api/v1/contacts", {"first_name": "Оля", "phones": [{"number": "+79161234567"}]},
                        token=company.owner.token)
    assert known.status_code == 201, known.body
    lead = _lead(client, company, create_form(client, company, name="Свадьбы"), OLGA)
    assert lead["contact"]["id"] == body(known)["id"]
    assert lead["contact"]["first_name"] == "Оля"  # the contact keeps its name; the entry shows the lead's
    entry = next(e for e in lead["contact"]["timeline"] if e["kind"] == "form_submission")
    assert entry["data"]["matched"] == "phone" and entry["data"]["name"] == "Ольга Смирнова"
    deal_entry = next(e for e in lead["deal"]["timeline"] if e["kind"] == "form_submission")
    assert deal_entry["data"]["matched"] == "phone"
