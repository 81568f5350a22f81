# ruff: noqa: RUF001
"""A contacts file's Telegram and WhatsApp columns come over as the contacts' messengers. An English school moving
from amoCRM kept each parent's Telegram in a "Telegram" column (most of them write to the school's bot), and the
import's preview skipped it, as it skipped the "Telegram" and "WhatsApp" columns our own export writes; a parent's
later chat with the bot then made a second contact. A value that is no Telegram username is named in the row's
problems and not kept, the row imported."""

from __future__ import annotations

from tests.dataio.kit import run, upload
from tests.factories import signup
from tests.messaging.kit import create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import telegram_post

FILE = ("Имя;Телефон;Telegram;WhatsApp;Теги\n"
        "Елена Кузнецова;+7 912 345-67-89;@elena_k;+7 912 345-67-89;сентябрь\n"
        "Ирина Волкова;+7 912 000-11-22;https://t.me/irina_v;;\n"
        "Пётр Орлов;+7 912 000-33-44;написать вечером;;\n")


def test_the_telegram_and_whatsapp_columns_are_the_contacts_messengers(client: ApiClient) -> None:
    company = signup(client, company="Английский с Анной", country="RU", timezone="Asia/Yekaterinburg")
    token = company.owner.token
    preview = upload(client, token, FILE)
    assert (preview["mapping"]["Telegram"], preview["mapping"]["WhatsApp"]) == ("telegram", "whatsapp")
    done = run(client, token, company.tenant_id, FILE)
    assert done["status"] == "done" and done["progress"]["created"] == 3
    assert [(e["row"], e["field"], e["type"], e.get("value")) for e in done["progress"]["errors"]] == [
        (4, "telegram", "telegram_dropped", "написать вечером")]
    listed = body(client.get("/api/v1/contacts", token=token))["items"]
    cards = {row["first_name"]: body(client.get(f"/api/v1/contacts/{row['id']}", token=token)) for row in listed}
    assert cards["Елена"]["messengers"] == {"telegram_username": "elena_k", "whatsapp": "+79123456789"}
    assert cards["Ирина"]["messengers"] == {"telegram_username": "irina_v"}
    assert cards["Пётр"]["messengers"] is None

    line = create_line(client, company, "telegram")  # Елена writes to the school's bot: her imported contact
    parent = {"id": 55501, "is_bot": False, "first_name": "Елена", "username": "elena_k"}
    update = {"update_id": 1, "message": {"message_id": 1, "from": parent, "chat": {**parent, "type": "private"},
                                          "date": 1796000000, "text": "Здравствуйте! Когда начнётся группа?"}}
    assert play(client, [telegram_post(line["webhook_url"], line["secret"], update)])[0].status_code == 200
    [conversation] = inbox(client, company)
    assert conversation["contact_id"] == cards["Елена"]["id"]
