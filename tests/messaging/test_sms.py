"""SMS through a Twilio line: the number's Messaging webhook (signed like its voice callbacks, on the same URL)
makes a conversation on the customer's card, a reply goes out through the Messages API as Twilio's SDK sends it,
MMS files are kept, and delivery statuses move the message forward."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client as TwilioClient

from chalicelib.channels import transport
from tests.factories import Company, signup
from tests.messaging.kit import get, inbox, thread
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS, create_telephony, events, hook_path, post

ACCOUNT = CREDENTIALS["twilio"]["account_sid"]
TOKEN = CREDENTIALS["twilio"]["auth_token"]
LINE = "+74951230000"
CUSTOMER = "+79161239900"


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Texts Ltd", country="RU")


def _send(client: ApiClient, line: dict[str, Any], fields: dict[str, str], token: str = TOKEN) -> Any:
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": RequestValidator(token).compute_signature(line["webhook_url"], fields)}
    return post(client, hook_path(line), urlencode(fields).encode(), headers)


def _incoming(sid: str, text: str, **more: str) -> dict[str, str]:
    return {"ToCountry": "RU", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received",
            "Body": text, "To": LINE, "NumSegments": "1", "MessageSid": sid, "AccountSid": ACCOUNT, "From": CUSTOMER,
            "ApiVersion": "2010-04-01", **more}


def test_an_sms_makes_a_conversation_once_and_a_reply_goes_out_as_the_sdk_sends_it(client: ApiClient,
                                                                                  company: Company) -> None:
    line = create_telephony(client, company, "twilio", caller_id=LINE)
    sid = "SM" + "a" * 32
    for _ in range(2):  # Twilio retries: one message
        answer = _send(client, line, _incoming(sid, "Is the shop open today?"))
        assert answer.status_code == 200, answer.body
    forged = _send(client, line, _incoming("SM" + "b" * 32, "Forged"), token="not-the-token")
    assert forged.status_code == 401
    [conversation] = inbox(client, company)
    assert conversation["channel"] == "sms" and conversation["last_message_preview"] == "Is the shop open today?"
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert [p["number"] for p in contact["phones"]] == [CUSTOMER]
    # named by the number as people read it, whole (it was "+79161239900", and a name with a space split in two)
    assert (contact["first_name"], contact.get("last_name")) == ("+7 916 123-99-00", None)
    assert get(client, company.owner.token, "/api/v1/calls")["items"] == []  # a message is not a call
    transport.clear_sandbox()
    reply = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Yes, until 8 pm"},
                        token=company.owner.token)
    assert reply.status_code == 201, reply.body
    [request] = transport.sandbox_requests("twilio")
    capture = _Capture()
    TwilioClient(ACCOUNT, TOKEN, http_client=capture).messages.create(
        to=CUSTOMER, from_=LINE, body="Yes, until 8 pm", status_callback=line["webhook_url"])
    assert (request["method"], request["url"]) == (capture.sent["method"], capture.sent["url"])
    assert sorted(parse_qsl(request["body"])) == sorted(capture.sent["data"].items())
    assert request["headers"]["Authorization"] == "***"
    sent = body(reply)
    assert sent["status"] == "sent" and sent["provider_message_id"].startswith("SM")
    status = {"MessageSid": sent["provider_message_id"], "MessageStatus": "delivered", "AccountSid": ACCOUNT,
              "From": LINE, "To": CUSTOMER, "ApiVersion": "2010-04-01", "SmsSid": sent["provider_message_id"],
              "SmsStatus": "delivered"}
    assert _send(client, line, status).status_code == 200
    assert thread(client, company, conversation["id"])[-1]["status"] == "delivered"
    failed = {**status, "MessageStatus": "undelivered", "SmsStatus": "undelivered", "ErrorCode": "30003"}
    assert _send(client, line, failed).status_code == 200
    last = thread(client, company, conversation["id"])[-1]
    assert last["status"] == "failed" and last["error"]["code"] == "30003"
    assert all(e["status"] == "processed" for e in events(client, company, line))


def test_an_mms_file_is_kept_and_a_line_without_a_number_takes_no_reply(client: ApiClient, company: Company) -> None:
    line = create_telephony(client, company, "twilio")
    media = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/MM{'c' * 32}/Media/ME{'d' * 32}"
    answer = _send(client, line, _incoming("MM" + "c" * 32, "", NumMedia="1", MediaUrl0=media,
                                           MediaContentType0="image/jpeg"))
    assert answer.status_code == 200, answer.body
    [conversation] = inbox(client, company)
    [message] = thread(client, company, conversation["id"])
    assert message["kind"] == "image" and message["attachments"][0]["available"] is True
    fetched = [r for r in transport.sandbox_requests("twilio") if r["url"] == media]
    assert fetched and fetched[-1]["headers"]["Authorization"] == "***"
    refused = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Thanks"},
                          token=company.owner.token)
    assert refused.status_code == 422 and body(refused)["error"]["code"] == "caller_id_required"
    unreadable = _send(client, line, {"MessageSid": "not-a-sid", "AccountSid": ACCOUNT, "From": CUSTOMER})
    assert unreadable.status_code == 422


class _Capture(HttpClient):
    """The SDK's HTTP client, recording the request instead of sending it."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("twilio.capture"), is_async=False)
        self.sent: dict[str, Any] = {}

    def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Any = None,
                auth: Any = None, timeout: Any = None, allow_redirects: bool = False) -> TwilioResponse:
        self.sent = {"method": method, "url": url, "data": data, "auth": auth}
        return TwilioResponse(201, json.dumps({"sid": "SM" + "e" * 32, "account_sid": ACCOUNT}))


