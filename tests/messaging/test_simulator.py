"""``python -m webhooks simulate whatsapp|telegram``: a conversation played against the app, signed as each
provider signs, makes one conversation per customer; a wrong secret is refused."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from tests.factories import signup
from tests.messaging.kit import APP_SECRET, create_line, inbox, thread
from tests.support import ApiClient
from webhooks import __main__ as cli
from webhooks import simulate


def _through(client: ApiClient) -> simulate.Sender:
    def send(request: simulate.Request) -> simulate.Answer:
        split = urlsplit(request.url)
        path = split.path + (f"?{split.query}" if split.query else "")
        answer = client.request(request.method, path, body=request.body if request.method != "GET" else None,
                                headers=request.headers)
        return simulate.Answer(answer.status_code, answer.body)
    return send


def test_the_whatsapp_and_telegram_simulators_play_signed_conversations(client: ApiClient) -> None:
    company = signup(client, company="Simulated Chats Ltd", country="RU")
    whatsapp = create_line(client, company, "whatsapp")
    telegram = create_line(client, company, "telegram")
    out = io.StringIO()
    assert cli.main(["simulate", "whatsapp", "--url", whatsapp["webhook_url"], "--secret", APP_SECRET,
                     "--verify-token", whatsapp["secret"], "--customer", "+79167770001"], out=out,
                    sender=_through(client)) == 0
    assert cli.main(["simulate", "telegram", "--url", telegram["webhook_url"], "--secret", telegram["secret"],
                     "--chat-id", "8800"], out=out, sender=_through(client)) == 0
    conversations = inbox(client, company)
    assert sorted(c["channel"] for c in conversations) == ["telegram", "whatsapp"]
    wa = next(c for c in conversations if c["channel"] == "whatsapp")
    assert [m["kind"] for m in thread(client, company, wa["id"])] == ["text", "image", "text"]
    refused = io.StringIO()
    assert cli.main(["simulate", "telegram", "--url", telegram["webhook_url"], "--secret", "whsec_wrong"],
                    out=refused, sender=_through(client)) == 1
    assert "-> 401" in refused.getvalue()


def test_the_sms_simulator_writes_to_a_twilio_line_signed_with_the_auth_token(client: ApiClient) -> None:
    from tests.telephony.kit import CREDENTIALS, create_telephony

    company = signup(client, company="Simulated Texts Ltd", country="RU")
    line = create_telephony(client, company, "twilio", caller_id="+74951234567")
    out = io.StringIO()
    assert cli.main(["simulate", "sms", "--url", line["webhook_url"], "--secret", CREDENTIALS["twilio"]["auth_token"],
                     "--key", CREDENTIALS["twilio"]["account_sid"], "--customer", "+79167770002"], out=out,
                    sender=_through(client)) == 0, out.getvalue()
    [conversation] = inbox(client, company)
    assert conversation["channel"] == "sms" and conversation["last_message_preview"] == "Hello, is my order ready?"
