# ruff: noqa: RUF001
"""A merged contact's chats continue on the contact kept. An English school's owner merged a parent's two contacts
(her chat with the school's bot had made one, her website form another, with the trial lesson on its deal), and the
trial's reminder then failed with 'the contact has no conversation on that channel yet': the Telegram chat still
named the contact merged away, so the kept card listed no chat and no rule could write to her."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.due import service as due
from tests.events.conftest import Feed
from tests.factories import signup
from tests.messaging.kit import create_line, play, thread
from tests.support import ApiClient, body
from webhooks.messengers import telegram_post


def test_the_parents_chat_follows_her_merged_contact_and_the_reminder_reaches_her(client: ApiClient,
                                                                                  feed: Feed) -> None:
    company = signup(client, company="Английский с Анной", locale="ru", country="RU", timezone="Asia/Yekaterinburg")
    token = company.owner.token
    line = create_line(client, company, "telegram")
    parent = {"id": 55501, "is_bot": False, "first_name": "Елена", "last_name": "Кузнецова"}  # no username
    update = {"update_id": 1, "message": {"message_id": 1, "from": parent, "chat": {**parent, "type": "private"},
                                          "date": 1796000000, "text": "Здравствуйте! Хочу на пробный урок"}}
    assert play(client, [telegram_post(line["webhook_url"], line["secret"], update)])[0].status_code == 200
    [chat] = body(client.get("/api/v1/conversations", token=token))["items"]
    from_chat = body(client.get(f"/api/v1/contacts/{chat['contact_id']}", token=token))
    from_form = body(client.post("/api/v1/contacts", {"first_name": "Елена", "last_name": "Кузнецова",
                                                      "phones": [{"number": "+7 912 345-67-89"}]}, token=token))
    merged = client.post(f"/api/v1/contacts/{from_form['id']}/merge", {
        "other_id": from_chat["id"], "version": from_form["version"], "other_version": from_chat["version"]},
        token=token)
    assert merged.status_code == 200, merged.body
    threads = body(client.get(f"/api/v1/conversations?contact_id={from_form['id']}", token=token))["items"]
    assert [item["id"] for item in threads] == [chat["id"]]
    assert body(client.get(f"/api/v1/conversations/{chat['id']}", token=token))["contact_id"] == from_form["id"]
    assert body(client.get(f"/api/v1/conversations?contact_id={from_chat['id']}", token=token))["items"] == []

    rule = client.post("/api/v1/automations", {"name": "Напоминание", "trigger": {
        "type": "task.due_soon", "minutes_before": 120}, "actions": [
        {"type": "send_message", "channel": "telegram", "text": "{first_name}, напоминаем: {task} {when}"}]},
        token=token)
    assert rule.status_code == 201, rule.body
    school = ZoneInfo("Asia/Yekaterinburg")  # 14:00 on the school's clock the day after tomorrow, whatever the hour now
    today = datetime.now(UTC).astimezone(school).date()
    due_at = datetime.combine(today + timedelta(days=2), time(14), tzinfo=school).astimezone(UTC)
    made = client.post("/api/v1/tasks", {"title": "пробный урок", "kind": "meeting", "due_at": due_at.isoformat(),
                                         "related": {"type": "contact", "id": from_form["id"]}}, token=token)
    assert made.status_code == 201, made.body
    feed.deliver()
    due.run_due(now=due_at - timedelta(minutes=119))
    [sent] = [m for m in thread(client, company, chat["id"]) if m["direction"] == "out"]
    assert sent["text"] == "Елена, напоминаем: пробный урок сегодня в 14:00"
