"""What customers write and how messengers name them is never stored in clear, in any item or key (#17, #21):
a WhatsApp customer's name, number and words, a Telegram chat's, an SMS, a reply and a file's caption."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tests.factories import signup
from tests.messaging.kit import APP_SECRET, create_line, inbox, play
from tests.security.test_personal_data_at_rest import _items
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS, create_telephony, hook_path, post
from webhooks.messengers import Chat, telegram_requests, whatsapp_message, whatsapp_post

NAME = "Zumbrelina Quackenbosh"
WORDS = ["Glimmerpetal bouquet", "Snorkelberry delivery", "Wobblefrond caption", "Quibbleton reply",
         "Frizzlewick texting"]
NUMBERS = {"+79165550777": "9165550777", "+79165550888": "9165550888"}


def test_no_message_text_name_or_number_is_stored_in_clear(client: ApiClient) -> None:
    company = signup(client, company="Sealed Chats LLC", country="RU")
    token = company.owner.token
    whatsapp = create_line(client, company, "whatsapp")
    chat = Chat(customer="+79165550777", name=NAME)
    for n, (kind, content) in enumerate([("text", {"body": WORDS[0]}),
                                         ("image", {"caption": WORDS[2], "mime_type": "image/png", "id": "4040"})]):
        [answer] = play(client, [whatsapp_post(whatsapp["webhook_url"], APP_SECRET,
                                               whatsapp_message(chat, n + 1, kind, content))])
        assert answer.status_code == 200, answer.body
    telegram = create_line(client, company, "telegram")
    requests = telegram_requests(telegram["webhook_url"], secret_token=telegram["secret"],
                                 chat=Chat(chat_id=7070707, name=NAME))
    update = json.loads(requests[0].body)
    update["message"]["text"] = WORDS[1]
    [answer] = play(client, [requests[0].__class__(url=requests[0].url, body=json.dumps(update).encode(),
                                                   headers=requests[0].headers)])
    assert answer.status_code == 200, answer.body
    twilio = create_telephony(client, company, "twilio", caller_id="+74951230000")
    sms = {"MessageSid": "SM" + "f" * 32, "SmsSid": "SM" + "f" * 32, "SmsStatus": "received", "NumMedia": "0",
           "AccountSid": CREDENTIALS["twilio"]["account_sid"], "From": "+79165550888", "To": "+74951230000",
           "Body": WORDS[4]}
    signature = RequestValidator(CREDENTIALS["twilio"]["auth_token"]).compute_signature(twilio["webhook_url"], sms)
    assert post(client, hook_path(twilio), urlencode(sms).encode(), {
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}).status_code == 200
    wa = next(c for c in inbox(client, company) if c["channel"] == "whatsapp")
    reply = client.post(f"/api/v1/conversations/{wa['id']}/messages", {"text": WORDS[3]}, token=token)
    assert reply.status_code == 201, reply.body
    assert body(client.get(f"/api/v1/conversations/{wa['id']}", token=token))["customer_name"] == NAME

    wanted = {NAME.casefold(), *NAME.casefold().split(), *(w.casefold() for w in WORDS),
              *(w.split()[0].casefold() for w in WORDS), *NUMBERS, *(e[1:] for e in NUMBERS), *NUMBERS.values(),
              "7070707"}
    leaks = []
    for table, item in _items():
        text = json.dumps(item, ensure_ascii=False, default=str).casefold()
        found = sorted(value for value in wanted if value in text)
        if found:
            leaks.append((table, item.get("kind", {}).get("S", "?"), item["pk"]["S"][:60], found))
    assert not leaks, leaks
