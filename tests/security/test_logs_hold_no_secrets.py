"""What the CRM writes to its logs (Powertools' JSON lines and the metrics, all of stdout and stderr) over a day's
work holds no password, token, provider secret or customer's personal data in clear: a sign-up and sign-ins (one
wrong), a password reset, an API key used, a contact with a passport number, a website form's lead, a Zadarma call,
a WhatsApp and a Telegram message, and refusals of bad input that carry the values back to their sender."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD, signup
from tests.integrations.helpers import create_form, post_form
from tests.messaging.kit import APP_SECRET, BOT_TOKEN, create_line, play
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS, create_telephony, post
from webhooks.messengers import Chat, telegram_post, telegram_update, whatsapp_message, whatsapp_post
from webhooks.providers import Call
from webhooks.providers import zadarma as zadarma_simulator

PEOPLE = {  # each customer's name, phone and e-mail as they reach the CRM
    "contact": ("Zinaida Quillfeather", "+79167778899", "zinaida.quill@example.org"),
    "form": ("Ulyana Brightwater", "+79165554433", "ulyana.bright@example.org"),
    "call": (None, "+79163332211", None),
    "whatsapp": ("Yaroslava Moonstone", "+79162221100", None),
    "telegram": ("Vsevolod Starling", None, None),
}
PASSPORT = "4510 987654"
CARD = "4111 1111 1111 1111"


def _digits(phone: str) -> list[str]:
    national = re.sub(r"\D", "", phone)
    return [phone, national, national[1:]]  # +7916…, 7916…, 916…


def test_a_days_work_leaves_no_secret_and_no_personal_data_in_the_logs(
        client: ApiClient, capfd: pytest.CaptureFixture[str], log_stream: io.StringIO) -> None:
    capfd.readouterr()
    company = signup(client, company="Quiet Logs Ltd", country="RU")
    owner = company.owner.token
    wrong = client.post("/api/v1/auth/login", {"email": company.owner.email, "password": "not the password at all"})
    assert wrong.status_code == 401
    signed_in = body(client.post("/api/v1/auth/login", {"email": company.owner.email, "password": PASSWORD}))
    client.post("/api/v1/auth/password-reset", {"email": company.owner.email})

    key = body(client.post("/api/v1/api-keys", {"name": "Site sync", "permissions": [
        "contacts:read:all", "contacts:create:all", "sensitive:read:all"]}, token=owner))
    name, phone, email = PEOPLE["contact"]
    made = client.post("/api/v1/contacts", {"first_name": name.split()[0], "last_name": name.split()[1],
                                            "phones": [{"number": phone}], "emails": [{"address": email}],
                                            "passport_number": PASSPORT}, token=key["secret"])
    assert made.status_code == 201, made.body
    contact = body(made)
    revealed = client.get(f"/api/v1/contacts/{contact['id']}?reveal=passport_number", token=key["secret"])
    assert revealed.status_code == 200 and body(revealed)["passport_number"] == PASSPORT
    refused = [client.post("/api/v1/contacts", {"first_name": name, "emails": [{"address": f"{email}@@"}]},
                           token=owner),
               client.post("/api/v1/contacts", {"first_name": name, "phones": [{"number": f"{phone}xx"}]},
                           token=owner),
               client.post("/api/v1/auth/login", {"email": email, "password": CARD})]
    assert all(400 <= answer.status_code < 500 for answer in refused), [a.status_code for a in refused]

    form = create_form(client, company)
    name, phone, email = PEOPLE["form"]
    lead = post_form(client, form, {"name": name, "phone": phone, "email": email, "message": f"card {CARD}"})
    assert lead.status_code in (200, 201, 202), lead.body

    line = create_telephony(client, company, "zadarma")
    for request in zadarma_simulator.requests("answered", line["webhook_url"], key=CREDENTIALS["zadarma"]["api_key"],
                                              secret=CREDENTIALS["zadarma"]["api_secret"],
                                              call=Call(customer=PEOPLE["call"][1])):
        assert post(client, urlsplit(request.url).path, request.body, request.headers).status_code == 200

    name, phone, _ = PEOPLE["whatsapp"]
    whatsapp = create_line(client, company, "whatsapp")
    chat = Chat(customer=phone, name=name)
    [answer] = play(client, [whatsapp_post(whatsapp["webhook_url"], APP_SECRET,
                                           whatsapp_message(chat, 1, "text", {"body": f"my card is {CARD}"}))])
    assert answer.status_code == 200, answer.body
    telegram = create_line(client, company, "telegram")
    update = telegram_update(Chat(chat_id=918273, name=PEOPLE["telegram"][0]), 5001,
                             {"message_id": 1, "text": f"passport {PASSPORT}"})
    [answer] = play(client, [telegram_post(telegram["webhook_url"], telegram["secret"], update)])
    assert answer.status_code == 200, answer.body
    contacts = body(client.get("/api/v1/contacts?limit=50", token=owner))["items"]
    assert len(contacts) >= 5, [c.get("first_name") for c in contacts]  # every party reached the CRM

    captured = capfd.readouterr()
    logs = log_stream.getvalue() + captured.out + captured.err
    assert '"request_id"' in logs and '"tenant_id"' in logs  # the logs were captured, and say whose they are
    routes = set(re.findall(r'"route":"([^"]+)"', logs))
    assert {"/hooks/forms/{key}", "/hooks/zadarma/{key}", "/hooks/whatsapp/{key}", "/hooks/telegram/{key}",
            "/api/v1/auth/login", "/api/v1/auth/password-reset", "/api/v1/contacts/{contact_id}"} <= routes, routes
    secrets = {"password": PASSWORD, "access token": signed_in["access_token"], "API key": key["secret"],
               "Zadarma secret": CREDENTIALS["zadarma"]["api_secret"], "Meta app secret": APP_SECRET,
               "bot token": BOT_TOKEN, "form secret": str(form.get("secret") or form["webhook_url"].rsplit("/", 1)[-1]),
               "passport": PASSPORT, "passport digits": PASSPORT.replace(" ", ""), "card": CARD,
               "card digits": CARD.replace(" ", ""), "owner's e-mail": company.owner.email}
    if signed_in.get("refresh_token"):
        secrets["refresh token"] = signed_in["refresh_token"]
    for source, (person, phone, email) in PEOPLE.items():
        for part in (person or "").split():
            secrets[f"{source}'s name"] = part
        for n, digits in enumerate(_digits(phone) if phone else []):
            secrets[f"{source}'s phone {n}"] = digits
        if email:
            secrets[f"{source}'s e-mail"] = email
    found = {what: value for what, value in secrets.items() if value and value in logs}
    assert not found, {what: _around(logs, value) for what, value in found.items()}


def _around(logs: str, value: str) -> str:
    at = logs.index(value)
    return logs[max(0, at - 160):at + len(value) + 60]


def test_the_scan_sees_a_value_logged_in_clear(log_stream: io.StringIO) -> None:
    """The test above would see a leak: a value the logger writes is in what it reads."""
    from chalicelib.core.observability import logger

    logger.info("leak", extra={"phone": "+79167778899"})
    assert "+79167778899" in log_stream.getvalue()
