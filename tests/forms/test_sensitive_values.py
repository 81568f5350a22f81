"""Sensitive values posted by a website form are masked wherever the form's lead shows them (#21 item 1).

A form field mapped to a sensitive custom field, or a posted passport number, tax id or IBAN, was shown in
clear in the contact's and the deal's ``form_submission`` timeline entry and on the deal card, to roles
without ``sensitive:read``. Now the entries hold only the mask, the contact keeps the value sealed, and
revealing it goes through the contact's card, where the read is audited.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.crypto import MASK_PREFIX
from tests.factories import Company, Member, add_member, signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body

SECRETS = {"Passport series": "4509 123456", "passport_number": "AB1234567", "IBAN": "DE89370400440532013000"}
LEAD = {"name": "Vera Lind", "phone": "+7 912 555-01-02", "Comment 2": "after six", **SECRETS}


@pytest.fixture
def office(client: ApiClient) -> tuple[Company, Member, dict[str, Any]]:
    """A company with a sensitive custom field, an agent who handles the form's leads, and one lead posted."""
    company = signup(client, company="Passports Ltd", country="RU")
    agent = add_member(client, company, role="agent", name="agata")
    defined = client.post("/api/v1/custom-fields", {"entity": "contact", "key": "passport_series",
                                                    "label": "Passport series", "type": "text", "sensitive": True},
                          token=company.owner.token)
    assert defined.status_code == 201, defined.body
    form = create_form(client, company, field_map={"Passport series": "custom.passport_series"},
                       responsible={"user_ids": [agent.user_id]})
    assert post_form(client, form, LEAD).status_code == 200
    [event] = events(client, company, form)
    assert event["status"] == "processed", event
    return company, agent, {**event["outcome"], "form": form, "event_id": event["id"]}


def assert_no_secret(response: Any) -> None:
    assert response.status_code == 200, response.body
    text = response.body.decode()
    for value in SECRETS.values():
        assert value not in text, value


def form_entry(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return next(entry for entry in entries if entry["kind"] == "form_submission")["data"]


@pytest.mark.parametrize("role", ["agent", "owner"])
def test_cards_and_timelines_show_the_mask_to_every_role(client: ApiClient, office: Any, role: str) -> None:
    company, agent, lead = office
    token = agent.token if role == "agent" else company.owner.token
    contact_card = client.get(f"/api/v1/contacts/{lead['contact_id']}", token=token)
    deal_card = client.get(f"/api/v1/deals/{lead['deal_id']}", token=token)
    contact_timeline = client.get(f"/api/v1/contacts/{lead['contact_id']}/timeline", token=token)
    deal_timeline = client.get(f"/api/v1/deals/{lead['deal_id']}/timeline", token=token)
    for response in (contact_card, deal_card, contact_timeline, deal_timeline):
        assert_no_secret(response)
    data = form_entry(body(deal_card)["timeline"])
    assert data["custom"]["passport_series"] == MASK_PREFIX
    assert data["other"]["passport_number"] == MASK_PREFIX and data["other"]["IBAN"] == MASK_PREFIX
    assert data["other"]["Comment 2"] == "after six"  # what is not sensitive stays readable
    assert sorted(data["masked"]) == ["IBAN", "custom.passport_series", "passport_number"]
    assert form_entry(body(contact_timeline)["items"]) == form_entry(body(contact_card)["timeline"])


def test_the_contact_keeps_them_sealed_and_a_reveal_is_audited(client: ApiClient, office: Any) -> None:
    company, agent, lead = office
    path = f"/api/v1/contacts/{lead['contact_id']}"
    assert client.get(path + "?reveal=passport_number", token=agent.token).status_code == 403
    shown = body(client.get(path, token=company.owner.token))
    assert shown["passport_number"] == MASK_PREFIX + "4567" and shown["iban"] == MASK_PREFIX + "3000"
    revealed = client.get(path + "?reveal=passport_number,iban,custom.passport_series", token=company.owner.token)
    assert revealed.status_code == 200, revealed.body
    answer = body(revealed)
    assert (answer["passport_number"], answer["iban"]) == ("AB1234567", "DE89370400440532013000")
    assert answer["custom"]["passport_series"] == "4509 123456"
    reads = body(client.get(f"/api/v1/audit/reads?entity=contact&entity_id={lead['contact_id']}",
                            token=company.owner.token))["items"]
    assert {"passport_number", "iban", "custom.passport_series"} <= {read["field"] for read in reads}


def test_the_event_payload_is_masked_for_a_role_without_sensitive_read(client: ApiClient, office: Any) -> None:
    company, _, lead = office
    role = client.post("/api/v1/roles", {"key": "integrator", "name": "Integrator",
                                         "permissions": ["integrations:read:all"]}, token=company.owner.token)
    assert role.status_code == 201, role.body
    integrator = add_member(client, company, role="integrator", name="ivo")
    path = f"/api/v1/integrations/{lead['form']['id']}/events/{lead['event_id']}"
    masked = client.get(path, token=integrator.token)
    assert_no_secret(masked)
    payload = body(masked)["payload"]
    assert payload["Passport series"] == payload["passport_number"] == payload["IBAN"] == MASK_PREFIX
    assert payload["Comment 2"] == "after six"
    assert body(client.get(path, token=company.owner.token))["payload"]["IBAN"] == SECRETS["IBAN"]


def test_an_invalid_iban_still_makes_the_lead_and_stays_masked(client: ApiClient, office: Any) -> None:
    company, agent, lead = office
    form = lead["form"]
    assert post_form(client, form, {"name": "Oleg", "phone": "+7 912 555-01-03", "iban": "DE00 not an iban"}
                     ).status_code == 200
    event = events(client, company, form)[0]
    assert event["status"] == "processed" and "iban" in event["outcome"]["custom_dropped"]
    card = client.get(f"/api/v1/contacts/{event['outcome']['contact_id']}", token=agent.token)
    assert "DE00 not an iban" not in card.body.decode()
    assert form_entry(body(card)["timeline"])["other"]["iban"] == MASK_PREFIX


def test_entries_written_before_masking_show_masked() -> None:
    """An entry of a form from before #21 names nothing it masked: its custom values and anything named like an
    identity document or a bank account are masked when read; other answers stay readable."""
    from datetime import UTC, datetime

    from chalicelib.records import timeline
    from chalicelib.records.models import TimelineEntry

    entry = TimelineEntry("T#x#C#y", "TL#1#z", entry_id="01J00000000000000000000000", subject_type="contact",
                          subject_id="y", entry_kind="form_submission", at=datetime.now(UTC), actor_id="a",
                          summary="", data={"custom": {"passport_series": "4509 123456", "colour": "red"},
                                            "other": {"Passport No": "AB1", "ИНН": "7707083893",
                                                      "Meeting time": "after six"}})
    data = timeline.entry_view(entry)["data"]
    assert data["custom"] == {"passport_series": MASK_PREFIX, "colour": MASK_PREFIX}
    assert data["other"] == {"Passport No": MASK_PREFIX, "ИНН": MASK_PREFIX, "Meeting time": "after six"}
