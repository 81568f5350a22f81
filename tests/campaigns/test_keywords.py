"""A customer who writes "STOP" (or "ОТПИСАТЬСЯ", Telegram's "/stop") on a line stops hearing from the business's
campaigns there, and "START" ("ПОДПИСАТЬСЯ") opts them in again, as Twilio's keywords do for US SMS, but on every
channel campaigns go out on: the contact's consent to that channel, from the reply, audited once. A message that
merely holds the word ("stop the delivery at 5") changes nothing."""

from __future__ import annotations

from typing import Any

from tests.factories import signup
from tests.messaging.kit import APP_SECRET, create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, telegram_post, telegram_update, whatsapp_message, whatsapp_post


def _consent(client: ApiClient, token: str, contact_id: str) -> dict[str, Any]:
    return dict(body(client.get(f"/api/v1/contacts/{contact_id}/consent", token=token)))


def test_stop_and_start_set_the_channels_consent(client: ApiClient) -> None:
    company = signup(client, company="Keyword Salon", country="RU")
    token = company.owner.token
    whatsapp = create_line(client, company, "whatsapp")
    chat = Chat(customer="+79161000201", name="Ольга")

    def write(text: str, n: int) -> None:
        message = whatsapp_message(chat, n, "text", {"body": text})
        [answer] = play(client, [whatsapp_post(whatsapp["webhook_url"], APP_SECRET, message)])
        assert answer.status_code == 200, answer.body

    write("Здравствуйте, можно записаться?", 1)
    [conversation] = inbox(client, company)
    olga = str(conversation["contact_id"])
    client.put(f"/api/v1/contacts/{olga}/consent", {"whatsapp": "granted", "email": "granted"}, token=token)
    write("stop the delivery at 5", 2)
    assert _consent(client, token, olga)["whatsapp"]["status"] == "granted"
    write("STOP", 3)
    stopped = _consent(client, token, olga)
    assert (stopped["whatsapp"]["status"], stopped["whatsapp"]["source"]) == ("withdrawn", "reply_keyword")
    assert stopped["email"]["status"] == "granted"  # the channel written on, not every channel
    write("Подписаться!", 4)
    assert _consent(client, token, olga)["whatsapp"]["status"] == "granted"
    write("Отписаться", 5)
    assert _consent(client, token, olga)["whatsapp"]["status"] == "withdrawn"

    telegram = create_line(client, company, "telegram")
    update = telegram_update(Chat(chat_id=777501, name="Павел"), 777501, {"message_id": 1, "text": "/stop"})
    assert play(client, [telegram_post(telegram["webhook_url"], telegram["secret"], update)])[0].status_code == 200
    pavel = next(c for c in inbox(client, company) if c["customer_name"] == "Павел")
    assert _consent(client, token, str(pavel["contact_id"]))["telegram"]["status"] == "withdrawn"
