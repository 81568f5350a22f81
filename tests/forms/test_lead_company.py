"""A business's web lead names its firm: the form's Company field becomes the new contact's company and the lead
deal's (a London office supplier's leads said 'Shoreditch Coworking', and the CRM kept only a line on the timeline);
a second lead from the same firm, however its name is cased, joins the same company."""

from __future__ import annotations

from typing import Any

from tests.factories import signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body


def lead(client: ApiClient, token: str, event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    outcome = event["outcome"]
    contact = body(client.get(f"/api/v1/contacts/{outcome['contact_id']}", token=token))
    deal = body(client.get(f"/api/v1/deals/{outcome['deal_id']}", token=token))["deal"]
    return contact, deal


def test_the_forms_company_is_the_new_contacts_and_the_deals(client: ApiClient) -> None:
    company = signup(client, company="Thames Office Supplies", country="GB", timezone="Europe/London")
    token = company.owner.token
    form = create_form(client, company, name="Website quote form")
    for fields in ({"name": "Charlotte Evans", "email": "charlotte@shoreditch.example",
                    "company": "Shoreditch Coworking", "message": "40 reams of A4 a month"},
                   {"name": "Ravi Shah", "phone": "07911 123456", "company": "  shoreditch   COWORKING "},
                   {"name": "Jo Bloggs", "email": "jo@example.com"}):
        answer = post_form(client, form, fields)
        assert answer.status_code == 200, answer.body
    first, second, third = sorted(events(client, company, form), key=lambda event: event["id"])
    assert [event["status"] for event in (first, second, third)] == ["processed"] * 3
    charlotte, charlottes_deal = lead(client, token, first)
    [firm_id] = charlotte["company_ids"]
    firm = body(client.get(f"/api/v1/companies/{firm_id}", token=token))
    assert (firm["name"], firm["owner_id"]) == ("Shoreditch Coworking", company.owner.user_id)
    assert charlottes_deal["company_id"] == firm_id
    ravi, ravis_deal = lead(client, token, second)
    assert ravi["company_ids"] == [firm_id] and ravis_deal["company_id"] == firm_id
    jo, jos_deal = lead(client, token, third)
    assert jo["company_ids"] == [] and jos_deal["company_id"] is None
    named = body(client.get("/api/v1/companies?q=Shoreditch", token=token))["items"]
    assert [item["id"] for item in named] == [firm_id]
