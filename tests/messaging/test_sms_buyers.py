"""A Phoenix real estate team's buyers text its Twilio number first: the inbox names each text's sender (the number
as people read it, or the contact it joined), and a buyer who texted STOP is not texted again, by an agent or by a
showing reminder, until they text START (Twilio refuses those texts with error 21610 anyway)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from chalicelib.channels import transport
from tests.factories import Company, signup
from tests.messaging.kit import get, inbox, thread
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS, create_telephony, hook_path, post

ACCOUNT = CREDENTIALS["twilio"]["account_sid"]
TOKEN = CREDENTIALS["twilio"]["auth_token"]
LINE = "+16025550100"
BUYER = "+14805550199"


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Sunbelt Homes Realty", country="US", timezone="America/Phoenix")


def _text(client: ApiClient, line: dict[str, Any], sid: str, text: str, sender: str = BUYER) -> None:
    fields = {"ToCountry": "US", "ToState": "AZ", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
              "SmsStatus": "received", "Body": text, "To": LINE, "NumSegments": "1", "MessageSid": sid,
              "AccountSid": ACCOUNT, "From": sender, "FromCountry": "US", "ApiVersion": "2010-04-01"}
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(line["webhook_url"], fields)}
    answer = post(client, hook_path(line), urlencode(fields).encode(), headers)
    assert answer.status_code == 200, answer.body


def test_a_text_is_named_by_its_number_or_by_the_contact_it_joins(client: ApiClient, company: Company) -> None:
    line = create_telephony(client, company, "twilio", caller_id=LINE)
    _text(client, line, "SM" + "1" * 32, "Is 4218 E Camelback Rd still available?")
    [first] = inbox(client, company)
    # the agent's inbox said "Customer": an SMS carries no name
    assert first["customer_name"] == "+1 480-555-0199"
    made = client.post("/api/v1/contacts", {"first_name": "Rachel", "last_name": "Kim",
                                            "phones": [{"number": "+14805550142"}]}, token=company.owner.token)
    assert made.status_code == 201, made.body
    _text(client, line, "SM" + "2" * 32, "Hi, Rachel here, is Sunday 2pm ok?", sender="+14805550142")
    joined = next(c for c in inbox(client, company) if c["contact_id"] == body(made)["id"])
    assert joined["customer_name"] == "Rachel Kim"
    read = get(client, company.owner.token, f"/api/v1/conversations/{joined['id']}")
    assert read["customer_name"] == "Rachel Kim"


def test_a_buyer_who_texted_stop_is_not_texted_until_start(client: ApiClient, company: Company) -> None:
    line = create_telephony(client, company, "twilio", caller_id=LINE)
    _text(client, line, "SM" + "3" * 32, "Can I see it Saturday?")
    [conversation] = inbox(client, company)
    path = f"/api/v1/conversations/{conversation['id']}/messages"
    assert client.post(path, {"text": "Sure, 10 am?"}, token=company.owner.token).status_code == 201
    _text(client, line, "SM" + "4" * 32, "STOP")
    transport.clear_sandbox()
    refused = client.post(path, {"text": "Still interested?"}, token=company.owner.token)
    assert refused.status_code == 409, refused.body
    assert body(refused)["error"]["code"] == "sms_opted_out"
    assert transport.sandbox_requests("twilio") == []  # nothing went to Twilio, nothing is in the thread
    assert [m["text"] for m in thread(client, company, conversation["id"])][-1] == "STOP"
    started = client.post("/api/v1/conversations", {"contact_id": conversation["contact_id"],
                                                    "integration_id": line["id"], "text": "Hello again"},
                          token=company.owner.token)
    assert started.status_code == 409 and body(started)["error"]["code"] == "sms_opted_out"
    _text(client, line, "SM" + "5" * 32, "START")
    again = client.post(path, {"text": "Welcome back! Saturday 10 am?"}, token=company.owner.token)
    assert again.status_code == 201, again.body
    assert len(transport.sandbox_requests("twilio")) == 1
