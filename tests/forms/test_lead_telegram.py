# ruff: noqa: RUF001
"""A web lead's Telegram is the contact's: an English school's form asks parents for their @username, since most
of them write to the school's bot, and the CRM kept it only as a line of the lead's history, so nobody could write
to them there from the card and their chat with the bot made a second contact."""

from __future__ import annotations

from tests.factories import signup
from tests.integrations.helpers import create_form, events, post_form
from tests.messaging.kit import create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import telegram_post


def test_the_forms_telegram_username_is_the_new_contacts_messenger(client: ApiClient) -> None:
    company = signup(client, company="Английский с Анной", country="RU", timezone="Asia/Yekaterinburg")
    token = company.owner.token
    form = create_form(client, company, name="Пробный урок")
    sent = ({"name": "Елена Кузнецова", "phone": "8 912 345-67-89", "Телеграм": "@elena_k", "level": "A2"},
            {"name": "Ирина Волкова", "phone": "8 912 000-11-22", "telegram": "https://t.me/irina_v"},
            {"name": "Пётр Орлов", "phone": "8 912 000-33-44", "telegram": "+7 912 000-33-44"})
    for fields in sent:
        assert post_form(client, form, fields).status_code == 200
    found = sorted(events(client, company, form), key=lambda event: event["id"])
    assert [event["status"] for event in found] == ["processed"] * 3
    contacts = [body(client.get(f"/api/v1/contacts/{event['outcome']['contact_id']}", token=token))
                for event in found]
    assert [contact["messengers"] for contact in contacts] == [
        {"telegram_username": "elena_k"}, {"telegram_username": "irina_v"}, None]
    history = body(client.get(f"/api/v1/contacts/{contacts[2]['id']}/timeline", token=token))["items"]
    [entry] = [item for item in history if item["kind"] == "form_submission"]
    assert entry["data"]["other"] == {"telegram": "+7 912 000-33-44"}  # no username: kept as typed


def test_a_forms_field_can_be_mapped_to_the_telegram_username(client: ApiClient) -> None:
    company = signup(client, company="English Club", country="RU", timezone="Asia/Yekaterinburg")
    form = create_form(client, company, name="Trial", field_map={"Ваш ник": "telegram"})
    assert post_form(client, form, {"name": "Олег", "email": "oleg@example.com", "Ваш ник": "oleg_tg"}).status_code \
        == 200
    [event] = events(client, company, form)
    contact = body(client.get(f"/api/v1/contacts/{event['outcome']['contact_id']}", token=company.owner.token))
    assert contact["messengers"] == {"telegram_username": "oleg_tg"}


def test_the_parents_chat_with_the_bot_joins_the_contact_her_form_made(client: ApiClient) -> None:
    company = signup(client, company="Английский с Анной", country="RU", timezone="Asia/Yekaterinburg")
    token = company.owner.token
    form = create_form(client, company, name="Пробный урок")
    line = create_line(client, company, "telegram", unknown_sender="contact_and_deal")
    assert post_form(client, form, {"name": "Елена Кузнецова", "phone": "8 912 345-67-89",
                                    "telegram": "@Elena_K"}).status_code == 200
    [event] = events(client, company, form)
    contact_id, deal_id = event["outcome"]["contact_id"], event["outcome"]["deal_id"]
    parent = {"id": 55501, "is_bot": False, "first_name": "Елена", "username": "elena_k", "language_code": "ru"}
    update = {"update_id": 9001, "message": {
        "message_id": 1, "from": parent, "chat": {**parent, "type": "private"}, "date": 1796000000,
        "text": "Здравствуйте! Оставляла заявку на пробный урок для дочки"}}
    [answer] = play(client, [telegram_post(line["webhook_url"], line["secret"], update)])
    assert answer.status_code == 200, answer.body
    [conversation] = inbox(client, company)
    assert conversation["contact_id"] == contact_id
    assert [row["id"] for row in body(client.get("/api/v1/contacts", token=token))["items"]] == [contact_id]
    assert [row["id"] for row in body(client.get("/api/v1/deals", token=token))["items"]] == [deal_id]
    stranger = {**parent, "id": 55502, "username": "someone_else"}
    other = {"update_id": 9002, "message": {"message_id": 1, "from": stranger, "chat": {**stranger, "type": "private"},
                                            "date": 1796000001, "text": "Сколько стоит курс?"}}
    play(client, [telegram_post(line["webhook_url"], line["secret"], other)])
    assert len(body(client.get("/api/v1/contacts", token=token))["items"]) == 2  # another username: a newcomer


def test_a_form_naming_the_username_of_a_parent_who_wrote_first_finds_her(client: ApiClient) -> None:
    # The other way round: the parent wrote to the bot first (a contact with her Telegram and no phone), then sent
    # the site's form with her phone and @username; the lead goes to that contact, which takes the phone.
    company = signup(client, company="Английский с Анной", country="RU", timezone="Asia/Yekaterinburg")
    token = company.owner.token
    form = create_form(client, company, name="Пробный урок")
    line = create_line(client, company, "telegram")
    parent = {"id": 55501, "is_bot": False, "first_name": "Елена", "username": "elena_k", "language_code": "ru"}
    update = {"update_id": 9001, "message": {"message_id": 1, "from": parent, "chat": {**parent, "type": "private"},
                                             "date": 1796000000, "text": "Сколько стоит пробный урок?"}}
    assert play(client, [telegram_post(line["webhook_url"], line["secret"], update)])[0].status_code == 200
    [chat] = inbox(client, company)
    assert post_form(client, form, {"name": "Елена Кузнецова", "phone": "8 912 345-67-89",
                                    "telegram": "@Elena_K"}).status_code == 200
    [event] = events(client, company, form)
    assert event["outcome"]["contact_id"] == chat["contact_id"]
    history = body(client.get(f"/api/v1/contacts/{chat['contact_id']}/timeline", token=token))["items"]
    [entry] = [item for item in history if item["kind"] == "form_submission"]
    assert entry["data"]["matched"] == "telegram"  # the card says it was matched by the Telegram username
    assert entry["data"]["phone"] == "+79123456789"  # the phone she typed, on the lead's history
    contact = body(client.get(f"/api/v1/contacts/{chat['contact_id']}", token=token))
    assert contact["phones"] == []  # a public form's word does not change her card: anyone may type her username
    assert len(body(client.get("/api/v1/contacts", token=token))["items"]) == 1
