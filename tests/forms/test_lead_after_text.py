"""A Phoenix buyer texts the real estate team's Twilio number first (her contact is named by her number), then sends
the website's "Schedule a showing" form with the same phone: her contact takes the name she typed, and the e-mail
stays on the lead's history (anyone may type her number into a form). A contact someone named keeps its name
(tests/forms/test_lead_words.py)."""

from __future__ import annotations

from tests.factories import signup
from tests.integrations.helpers import create_form, events, post_form
from tests.messaging.kit import inbox
from tests.messaging.test_sms_buyers import LINE, _text
from tests.support import ApiClient, body
from tests.telephony.kit import create_telephony

FORM = {"name": "Mark Diaz", "phone": "623-555-0166", "email": "mark.diaz@example.com",
        "property": "2250 W Thomas Rd, Phoenix, AZ 85015", "message": "Texted you earlier. Thursday after 5?"}


def test_a_form_after_a_text_names_the_buyer_s_contact(client: ApiClient) -> None:
    company = signup(client, company="Sunbelt Homes Realty", country="US", timezone="America/Phoenix")
    token = company.owner.token
    line = create_telephony(client, company, "twilio", caller_id=LINE)
    _text(client, line, "SM" + "9" * 32, "Hi, interested in 2250 W Thomas Rd", sender="+16235550166")
    [conversation] = inbox(client, company)
    form = create_form(client, company, name="Schedule a showing")
    assert post_form(client, form, FORM).status_code == 200
    [event] = events(client, company, form)
    assert event["status"] == "processed", event
    assert event["outcome"]["contact_id"] == conversation["contact_id"]
    contact = body(client.get(f"/api/v1/contacts/{conversation['contact_id']}", token=token))
    # it stayed '+1 623-555-0166', with no e-mail, though the form said who she is
    assert (contact["first_name"], contact["last_name"]) == ("Mark", "Diaz")
    assert contact["emails"] == []  # a form's word is not the card's: her e-mail is on the lead's history
    assert [p["number"] for p in contact["phones"]] == ["+16235550166"]
    assert post_form(client, form, {**FORM, "name": "Marcus D", "email": "other@example.com"}).status_code == 200
    again = body(client.get(f"/api/v1/contacts/{conversation['contact_id']}", token=token))
    assert (again["first_name"], again["last_name"]) == ("Mark", "Diaz")  # named now: kept
    assert again["emails"] == []
