"""A Phoenix real estate team's buyers text its Twilio number first: the inbox names each text's sender (the number
as people read it, or the contact it joined)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from tests.factories import Company, signup
from tests.messaging.kit import get, inbox
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

