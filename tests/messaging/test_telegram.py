"""Telegram Bot API: the webhook registered with its secret token on create, updates refused without it, chats
into conversations (text, photo, edits), /start deep links binding a chat to a contact, sendMessage replies."""

from __future__ import annotations

import json

import pytest

from chalicelib.channels import transport
from tests.factories import Company, signup
from tests.messaging.kit import BOT_TOKEN, create_line, get, inbox, play, thread
from tests.support import ApiClient, body
from webhooks.messengers import Chat, telegram_post, telegram_requests, telegram_update


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Bots Ltd", country="RU")


def test_creating_a_bot_registers_its_webhook_with_the_secret_token(client: ApiClient, company: Company) -> None:
    transport.clear_sandbox()
    line = create_line(client, company, "telegram")
    set_hook, get_me = transport.sandbox_requests("telegram")
    assert set_hook["method"] == "POST" and set_hook["url"] == "https://api.telegram.org/bot***/setWebhook"
    assert json.loads(set_hook["body"]) == {"url": line["webhook_url"], "secret_token": line["secret"],
                                            "allowed_updates": ["message", "edited_message"],
                                            "drop_pending_updates": False}
    assert get_me["url"].endswith("/getMe") and BOT_TOKEN not in json.dumps([set_hook, get_me])
    assert line["settings"]["bot_username"] == "crm123456789_bot" and "bot_token" not in line["settings"]
    assert line["credential_hints"] == {"bot_token": "…0001"}
    transport.clear_sandbox()
    rotated = client.post(f"/api/v1/integrations/{line['id']}/rotate", {"what": "secret", "version": line["version"]},
                          token=company.owner.token)
    assert rotated.status_code == 200, rotated.body
    [again, _] = transport.sandbox_requests("telegram")
    assert json.loads(again["body"])["secret_token"] == body(rotated)["secret"]


def test_a_refused_setwebhook_creates_nothing(client: ApiClient, company: Company) -> None:
    made = client.post("/api/v1/integrations", {"type": "telegram", "name": "Broken bot",
                                                "settings": {"bot_token": "not a token"}}, token=company.owner.token)
    assert made.status_code == 422
    listed = get(client, company.owner.token, "/api/v1/integrations")["items"]
    assert [i for i in listed if i["type"] == "telegram"] == []


def test_updates_without_the_secret_token_are_refused_and_not_stored(client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "telegram")
    update = telegram_update(Chat(), 1, {"message_id": 1, "text": "hi"})
    [missing, wrong] = play(client, [telegram_post(line["webhook_url"], "", update),
                                     telegram_post(line["webhook_url"], "whsec_wrong", update)])
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert get(client, company.owner.token, f"/api/v1/integrations/{line['id']}/events")["items"] == []


def test_a_chat_becomes_a_contact_and_one_conversation_with_its_photo_and_edits(client: ApiClient,
                                                                               company: Company) -> None:
    line = create_line(client, company, "telegram")
    chat = Chat(chat_id=777001, name="Pavel Smirnov")
    requests = telegram_requests(line["webhook_url"], secret_token=line["secret"], chat=chat)
    answers = play(client, requests + requests)  # Telegram retries: the same updates again
    assert {a.status_code for a in answers} == {200}
    [conversation] = inbox(client, company)
    assert conversation["channel"] == "telegram" and conversation["customer_name"] == "Pavel Smirnov"
    first, photo = thread(client, company, conversation["id"])
    assert first["text"] == "Hi, do you deliver on Sundays and Mondays?" and first["edited_at"]
    assert photo["kind"] == "image" and photo["text"] == "This address"
    [picture] = photo["attachments"]
    assert picture["available"] is True
    getfile = [r for r in transport.sandbox_requests("telegram") if r["url"].endswith("/getFile")]
    assert json.loads(getfile[-1]["body"]) == {"file_id": "AgACAgIAAxlarge"}  # the largest size
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert contact["messengers"] == {"telegram_id": "777001", "telegram_username": "pavel_s"}
    assert (contact["first_name"], contact["last_name"]) == ("Pavel", "Smirnov")


def test_a_name_telegram_gives_in_parts_keeps_them(client: ApiClient, company: Company) -> None:
    # Telegram gives first and last names apart: "Анна Мария" + "Сидорова" is not a name to split again
    line = create_line(client, company, "telegram")
    update = telegram_update(Chat(chat_id=777010, name="Анна"), 9200, {"message_id": 1, "text": "Здравствуйте"})
    update["message"]["from"].update(first_name="Анна Мария", last_name="Сидорова")
    [answer] = play(client, [telegram_post(line["webhook_url"], line["secret"], update)])
    assert answer.status_code == 200
    [conversation] = inbox(client, company)
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert (contact["first_name"], contact["last_name"]) == ("Анна Мария", "Сидорова")


def test_voice_video_stickers_places_and_contacts_read_as_what_they_are(client: ApiClient, company: Company) -> None:
    # A walk's customer sent a sticker: the inbox showed an empty bubble and '[text]'; a voice note, a place or a
    # shared contact came in as empty too, though WhatsApp's read as a voice message, an address, a card.
    line = create_line(client, company, "telegram")
    chat = Chat(chat_id=777002, name="Nika")
    sent = [{"voice": {"file_id": "AwACvoice", "file_unique_id": "v1", "duration": 4, "file_size": 9000}},
            {"video_note": {"file_id": "DQACround", "file_unique_id": "r1", "length": 240, "duration": 3}},
            {"sticker": {"file_id": "CAACsticker", "file_unique_id": "s1", "emoji": "😍", "width": 512, "height": 512,
                         "is_animated": False, "is_video": False, "type": "regular"}},
            {"location": {"latitude": 55.7522, "longitude": 37.5927}},
            {"venue": {"location": {"latitude": 55.75, "longitude": 37.59}, "title": "Arbat 10", "address": "Moscow"},
             "location": {"latitude": 55.75, "longitude": 37.59}},
            {"contact": {"phone_number": "+79160001122", "first_name": "Ivan", "last_name": "Courier"}}]
    answers = play(client, [telegram_post(line["webhook_url"], line["secret"],
                                          telegram_update(chat, 9100 + n, {"message_id": n, **content}))
                            for n, content in enumerate(sent, start=1)])
    assert {a.status_code for a in answers} == {200}
    [conversation] = inbox(client, company)
    read = [(m["kind"], m["text"], [a["kind"] for a in m["attachments"]])
            for m in thread(client, company, conversation["id"])]
    assert read == [("audio", None, ["audio"]), ("video", None, ["video"]), ("sticker", "😍", ["sticker"]),
                    ("location", "55.7522, 37.5927", []), ("location", "Arbat 10\nMoscow\n55.75, 37.59", []),
                    ("contacts", "Ivan Courier +79160001122", [])]
    assert conversation["last_message_preview"] == "Ivan Courier +79160001122"
    getfile = [json.loads(r["body"])["file_id"] for r in transport.sandbox_requests("telegram")
               if r["url"].endswith("/getFile")]
    assert {"AwACvoice", "DQACround", "CAACsticker"} <= set(getfile)


def test_a_deep_link_binds_the_chat_to_the_contact_of_the_card(client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "telegram")
    made = client.post("/api/v1/contacts", {"first_name": "Carded", "last_name": "Customer"},
                       token=company.owner.token)
    contact = body(made)
    link = client.post(f"/api/v1/contacts/{contact['id']}/telegram-link", {"integration_id": line["id"]},
                       token=company.owner.token)
    assert link.status_code == 200, link.body
    url = body(link)["url"]
    assert url.startswith("https://t.me/crm123456789_bot?start=")
    code = url.rsplit("=", 1)[1]
    play(client, telegram_requests(line["webhook_url"], secret_token=line["secret"], chat=Chat(chat_id=777002),
                                   start_code=code))
    [conversation] = inbox(client, company)
    assert conversation["contact_id"] == contact["id"]
    assert get(client, company.owner.token, "/api/v1/contacts?q=Maria")["items"] == []  # nobody new was made


def test_a_reply_goes_out_with_sendmessage(client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "telegram")
    play(client, telegram_requests(line["webhook_url"], secret_token=line["secret"], chat=Chat(chat_id=777003))[:1])
    [conversation] = inbox(client, company)
    read = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    assert read["window"]["open"] is True and read["templates"] is False
    transport.clear_sandbox()
    sent = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Yes, on Sundays too"},
                       token=company.owner.token)
    assert sent.status_code == 201, sent.body
    [request] = transport.sandbox_requests("telegram")
    assert request["url"] == "https://api.telegram.org/bot***/sendMessage"
    assert json.loads(request["body"]) == {"chat_id": 777003, "text": "Yes, on Sundays too"}
    assert body(sent)["status"] == "sent" and body(sent)["provider_message_id"].startswith("777003:")
    template = client.post(f"/api/v1/conversations/{conversation['id']}/messages",
                           {"template": {"name": "hello", "language": "en"}}, token=company.owner.token)
    assert template.status_code == 422 and body(template)["error"]["code"] == "templates_unavailable"




def test_the_sandbox_numbers_messages_on_from_the_clock_so_a_restart_reuses_none() -> None:
    # make run keeps its data over a restart, and the sandbox numbered from 1001 again: the next reply in an old chat
    # went out but was refused as an id already taken ("Changed by someone else", the message marked failed).
    import time

    from chalicelib.messaging.providers import telegram

    def send(method: str, extra: dict[str, object]) -> int:
        request = transport.Outbound(provider="telegram", method="POST",
                                     url=f"https://api.telegram.org/bot{BOT_TOKEN}/{method}",
                                     body=json.dumps({"chat_id": 424242, **extra}).encode())
        return int(json.loads(telegram.sandbox(request).body)["result"]["message_id"])

    before = int(time.time() * 1000)
    first = send("sendMessage", {"text": "Hello"})
    second = send("sendDocument", {"document": "https://files.example/q.pdf"})
    assert before <= first < second
