# ruff: noqa: RUF001
"""A web lead's Telegram is the contact's: an English school's form asks parents for their @username, since most
of them write to the school's bot, and the CRM kept it only as a line of the lead's history, so nobody could write
to them there from the card and their chat with the bot made a second contact."""

from __future__ import annotations

from tests.factories import signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body


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
