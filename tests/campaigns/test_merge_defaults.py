"""A merge field's default: "Hello {first_name|friend}!" greets a contact the CRM named by her phone number (a call's
or a text's newcomer) as "friend", never as "+7 916 …", and Anna as Anna; a default on a field that is none is
refused as the field is; an automation's texts take defaults for the task's fields too."""

from __future__ import annotations

from chalicelib.automations import merge_fields
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.campaigns.helpers import Queue, parsed, text_of
from tests.factories import outbox, signup
from tests.support import ApiClient, body

DOMAIN = "@merge-defaults.example"


def test_a_number_named_contact_is_greeted_by_the_fields_default(client: ApiClient, campaign_queue: Queue) -> None:
    company = signup(client, company="Merge defaults")
    owner = company.owner.token
    for name in ("Anna", "+7 916 123-45-67"):  # the second as a call's newcomer is named: by its number
        made = body(client.post("/api/v1/contacts", {"first_name": name, "tags": ["news"], "emails": [
            {"address": f"{'anna' if name == 'Anna' else 'caller'}{DOMAIN}"}]}, token=owner))
        client.put(f"/api/v1/contacts/{made['id']}/consent", {"email": "granted", "source": "web_form"}, token=owner)
    segment = body(client.post("/api/v1/segments", {"name": "News", "conditions": [
        {"type": "tag_has", "value": "news"}]}, token=owner))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        assert jobs.build(ctx, segment["id"])

    refused = client.post("/api/v1/campaigns", {"name": "Bad", "channel": "email", "segment_id": segment["id"],
                                                "subject": "Hi", "body": "Hello {имя|friend}!"}, token=owner)
    assert refused.status_code == 422 and body(refused)["error"]["code"] == "unknown_merge_field", refused.body

    campaign = body(client.post("/api/v1/campaigns", {
        "name": "Spring", "channel": "email", "segment_id": segment["id"], "subject": "Spring for {first_name|you}",
        "body": "Hello {first_name|friend}, {name}!"}, token=owner))
    preview = body(client.get(f"/api/v1/campaigns/{campaign['id']}/preview", token=owner))
    assert preview["subject"] == "Spring for Anna", preview
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/test", {}, token=owner).status_code == 200
    version = body(client.get(f"/api/v1/campaigns/{campaign['id']}", token=owner))["version"]
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/send", {"version": version}, token=owner).status_code == 200
    campaign_queue.drain()
    received = {str(parsed(m)["To"]): parsed(m) for m in outbox()
                if hasattr(m, "raw_data") and str(parsed(m)["To"]).endswith(DOMAIN)}
    assert str(received[f"anna{DOMAIN}"]["Subject"]) == "Spring for Anna"
    assert text_of(received[f"anna{DOMAIN}"]).startswith("Hello Anna, Anna!")
    assert str(received[f"caller{DOMAIN}"]["Subject"]) == "Spring for you"
    caller = text_of(received[f"caller{DOMAIN}"])
    assert caller.startswith("Hello friend, !") and "916" not in caller, caller


def test_an_automation_text_takes_a_default_for_any_of_its_fields() -> None:
    found = {"first_name": "", "task": "Showing", "place": "", "when": "tomorrow at 2:00 PM"}
    text = "{first_name|Hi}, {task} {when} at {place|our office}. {title}"
    assert merge_fields.fill(text, found) == "Hi, Showing tomorrow at 2:00 PM at our office. "
    assert merge_fields.fill("{place|our office}", {"place": "12 Elm St"}) == "12 Elm St"
