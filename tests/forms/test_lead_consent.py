"""A website form's "Subscribe to our news" box is the visitor's consent: a ticked box (its value "on", "yes" or
"да") grants the contact's e-mail consent from the web form, dated when the form was sent, so the next campaign
reaches them; an unticked box (nothing posted) or "no" grants nothing, and a privacy-policy "agree" is no opt-in.
Before, a campaign skipped every web lead: consent could only be ticked by hand on each card."""

from __future__ import annotations

from typing import Any

from tests.factories import signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body


def _consent(client: ApiClient, token: str, event: dict[str, Any]) -> dict[str, Any]:
    return dict(body(client.get(f"/api/v1/contacts/{event['outcome']['contact_id']}/consent", token=token)))


def test_a_ticked_newsletter_box_is_the_contacts_consent(client: ApiClient) -> None:
    company = signup(client, company="Consenting Flowers", country="GB", timezone="Europe/London")
    token = company.owner.token
    form = create_form(client, company, name="Newsletter form")
    for fields in ({"name": "Ann Ticked", "email": "ann@ticked.example", "newsletter": "on"},
                   {"name": "Bob Unticked", "email": "bob@unticked.example"},
                   {"name": "Cy Said No", "email": "cy@no.example", "subscribe": "no", "agree": "on"},
                   {"name": "Dasha", "email": "dasha@ru.example", "согласие_на_рассылку": "да",
                    "whatsapp_consent": "yes", "phone": "+44 7911 123456"}):
        answer = post_form(client, form, fields)
        assert answer.status_code == 200, answer.body
    ann, bob, cy, dasha = sorted(events(client, company, form), key=lambda event: event["id"])
    assert [event["status"] for event in (ann, bob, cy, dasha)] == ["processed"] * 4
    granted = _consent(client, token, ann)
    assert (granted["email"]["status"], granted["email"]["source"]) == ("granted", "web_form")
    assert granted["email"]["at"][:10] == ann["received_at"][:10] and granted["sms"]["status"] == "unknown"
    assert _consent(client, token, bob)["email"]["status"] == "unknown"
    assert _consent(client, token, cy)["email"]["status"] == "unknown"  # "no", and "agree" is the privacy policy's
    both = _consent(client, token, dasha)
    assert (both["email"]["status"], both["whatsapp"]["status"], both["sms"]["status"]) == (
        "granted", "granted", "unknown")
    replayed = client.post(f"/api/v1/integrations/{form['id']}/events/{ann['id']}/replay", {}, token=token)
    assert replayed.status_code in (200, 202, 409), replayed.body
    trail = body(client.get(f"/api/v1/audit?entity=consent&entity_id={ann['outcome']['contact_id']}",
                            token=token))["items"]
    assert len(trail) == 1  # granted once, however often the event is processed
