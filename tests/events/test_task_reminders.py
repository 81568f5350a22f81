"""task.due_soon: a salon's appointment (a task about a client, due at a time) reminds the client through the rule's
send_message so many minutes before, once per due time, with the client's name, the task, its time on the company's
clock in its language and the assignee in the text; a moved task reminds at its new time, a done or deleted one
never; a task booked later than the reminder's moment reminds at once; a task about nobody is told in the run log;
outside WhatsApp's 24 hours the template goes, its parameters filled. An unknown merge field is refused."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.core import db
from chalicelib.due import service as due
from tests.events.conftest import Feed
from tests.factories import Company, outbox, signup
from tests.messaging.kit import make_conversation, thread
from tests.support import ApiClient, body

MOSCOW = ZoneInfo("Europe/Moscow")
REMINDER = "{first_name}, напоминаем: {when} {task}, мастер {assignee}"


def _rule(client: ApiClient, company: Company, **shape: Any) -> dict[str, Any]:
    made = client.post("/api/v1/automations", {"name": "Напоминание", **shape}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _runs(client: ApiClient, company: Company, rule: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body(client.get(f"/api/v1/automations/{rule['id']}/runs", token=company.owner.token))["items"])


def _at_two(days: int) -> datetime:
    """14:00 on the Moscow clock, so many company days from today (whatever the hour the test runs at)."""
    today = datetime.now(UTC).astimezone(MOSCOW).date()
    return datetime.combine(today + timedelta(days=days), time(14), tzinfo=MOSCOW).astimezone(UTC)


def _salon(client: ApiClient, name: str) -> tuple[Company, dict[str, Any], dict[str, Any]]:
    """A Russian salon with a client, Ольга Петрова, who wrote on WhatsApp just now, and her conversation."""
    company = signup(client, company=name, locale="ru", country="RU", timezone="Europe/Moscow")
    conversation = make_conversation(client, company.owner.token, customer="+79161234455")
    contact = body(client.get(f"/api/v1/contacts/{conversation['contact_id']}", token=company.owner.token))
    renamed = client.patch(f"/api/v1/contacts/{contact['id']}", {"first_name": "Ольга", "last_name": "Петрова",
                                                                  "version": contact["version"]},
                           token=company.owner.token)
    assert renamed.status_code == 200, renamed.body
    return company, dict(body(renamed)), conversation


def _visit(client: ApiClient, company: Company, due_at: datetime, contact_id: str | None,
           title: str = "стрижка") -> dict[str, Any]:
    made = client.post("/api/v1/tasks", {"title": title, "kind": "meeting", "due_at": due_at.isoformat(),
                                         **({"related": {"type": "contact", "id": contact_id}} if contact_id else {})},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _sent(client: ApiClient, company: Company, conversation: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in thread(client, company, conversation["id"]) if m["direction"] == "out"]


def test_the_client_is_reminded_once_a_day_ahead_in_her_language(client: ApiClient, feed: Feed) -> None:
    company, contact, conversation = _salon(client, "Салон Анна")
    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 1440},
                 actions=[{"type": "send_message", "text": REMINDER}])
    visit = _visit(client, company, _at_two(2), contact["id"])
    assert feed.deliver() == {"batchItemFailures": []}
    remind_at = _at_two(1)
    due.run_due(now=remind_at - timedelta(minutes=1))
    assert _runs(client, company, rule) == [] and _sent(client, company, conversation) == []
    due.run_due(now=remind_at + timedelta(minutes=1))
    [run] = _runs(client, company, rule)
    assert (run["trigger_type"], run["subject"], run["task_id"]) == (
        "task.due_soon", {"type": "contact", "id": contact["id"]}, visit["id"])  # the client is the run's record
    assert (run["status"], run["steps"][0]["code"]) == ("done", "message_sent"), run
    assert [m["text"] for m in _sent(client, company, conversation)] == [
        "Ольга, напоминаем: завтра в 14:00 стрижка, мастер Olga Owner"]
    due.run_due(now=remind_at + timedelta(minutes=5))
    feed.deliver(feed.delivered)  # the task's events again: nothing is armed twice, nothing sent twice
    due.run_due(now=remind_at + timedelta(minutes=10))
    assert len(_runs(client, company, rule)) == 1 and len(_sent(client, company, conversation)) == 1


def test_a_moved_visit_reminds_at_its_new_time_and_a_cancelled_one_never(client: ApiClient, feed: Feed) -> None:
    company, contact, conversation = _salon(client, "Салон перенос")
    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 120},
                 actions=[{"type": "send_message", "text": "{first_name}, ждём вас {date} в {time}"}])
    moved = _visit(client, company, _at_two(2), contact["id"])
    done = _visit(client, company, _at_two(2), contact["id"], title="маникюр")
    deleted = _visit(client, company, _at_two(2), contact["id"], title="укладка")
    feed.deliver()
    later = _at_two(3)
    answer = client.patch(f"/api/v1/tasks/{moved['id']}", {"due_at": later.isoformat(), "version": moved["version"]},
                          token=company.owner.token)
    assert answer.status_code == 200, answer.body
    client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]}, token=company.owner.token)
    assert client.delete(f"/api/v1/tasks/{deleted['id']}", token=company.owner.token).status_code == 204
    feed.deliver()
    due.run_due(now=_at_two(2) - timedelta(minutes=119))  # the old time: nothing for any of them
    assert _runs(client, company, rule) == [] and _sent(client, company, conversation) == []
    due.run_due(now=later - timedelta(minutes=119))
    [run] = _runs(client, company, rule)
    assert run["task_id"] == moved["id"] and run["status"] == "done", run
    day = later.astimezone(MOSCOW)
    months = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")
    reminded = (later - timedelta(minutes=119)).astimezone(MOSCOW)
    said = f"{day.day} {months[day.month - 1]}" + ("" if day.year == reminded.year else f" {day.year}")
    assert [m["text"] for m in _sent(client, company, conversation)] == [f"Ольга, ждём вас {said} в 14:00"]


def test_a_visit_booked_inside_the_reminder_time_reminds_at_once_and_one_begun_not_at_all(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    company, contact, conversation = _salon(client, "Салон срочно")
    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 120},
                 actions=[{"type": "send_message", "text": "{name}: {when}"}])
    now = db.utcnow()
    soon = _visit(client, company, (now + timedelta(minutes=60)).replace(microsecond=0), contact["id"])
    _visit(client, company, now - timedelta(minutes=5), contact["id"], title="уже началось")
    feed.deliver()
    due.run_due(now=now + timedelta(minutes=1))
    assert [run["task_id"] for run in _runs(client, company, rule)] == [soon["id"]]
    assert len(_sent(client, company, conversation)) == 1


def test_a_task_about_nobody_says_so_in_the_run_log(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Plumber", timezone="America/New_York")
    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 60},
                 actions=[{"type": "send_message", "text": "Hi {first_name}, see you {when}"}])
    due_at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    task = _visit(client, company, due_at, None, title="Fix the sink")
    # a task about a deal reminds the deal's first contact (who has no conversation yet: the run says that too)
    sam = body(client.post("/api/v1/contacts", {"first_name": "Sam"}, token=company.owner.token))
    deal = body(client.post("/api/v1/deals", {"title": "New boiler", "contact_ids": [sam["id"]]},
                            token=company.owner.token))
    made = client.post("/api/v1/tasks", {"title": "Boiler visit", "due_at": due_at.isoformat(),
                                         "related": {"type": "deal", "id": deal["id"]}}, token=company.owner.token)
    assert made.status_code == 201, made.body
    feed.deliver()
    due.run_due(now=due_at - timedelta(minutes=59))
    runs = {run["task_id"]: run for run in _runs(client, company, rule)}
    run = runs[task["id"]]
    assert (run["subject"], run["status"]) == ({"type": "task", "id": task["id"]}, "failed"), run
    assert (run["steps"][0]["code"], run["steps"][0]["detail"]) == ("no_contact", "no contact to write to")
    run = runs[body(made)["id"]]
    assert (run["subject"], run["steps"][0]["code"]) == ({"type": "contact", "id": sam["id"]}, "no_conversation")


def test_a_new_york_plumber_s_customer_is_e_mailed_in_english_on_the_company_s_clock(client: ApiClient,
                                                                                     feed: Feed) -> None:
    company = signup(client, company="NY Plumbing", timezone="America/New_York")
    new_york = ZoneInfo("America/New_York")
    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 1440},
                 actions=[{"type": "send_email", "subject": "See you {when}",
                           "text": "Hi {first_name}, {assignee} comes {date} at {time} to {task}."}])
    address = "dana.reminded@ny-plumbing.test"  # this test's own: the embedded SES keeps every test's messages
    dana = body(client.post("/api/v1/contacts", {"first_name": "Dana", "emails": [{"address": address}],
                                                 "consent": {"marketing": True}}, token=company.owner.token))
    today = datetime.now(UTC).astimezone(new_york).date()
    due_at = datetime.combine(today + timedelta(days=2), time(14), tzinfo=new_york).astimezone(UTC)
    _visit(client, company, due_at, dana["id"], title="fix the sink")
    feed.deliver()
    due.run_due(now=due_at - timedelta(minutes=1439))
    [run] = _runs(client, company, rule)
    assert (run["status"], run["steps"][0]["code"]) == ("done", "emailed"), run
    day = due_at.astimezone(new_york)
    year = "" if day.year == (due_at - timedelta(minutes=1439)).astimezone(new_york).year else f" {day.year}"
    [mail] = outbox(address)
    assert mail.subject == "See you tomorrow at 2:00 PM"
    assert f"Hi Dana, Olga Owner comes {day:%B} {day.day}{year} at 2:00 PM to fix the sink." in str(mail.body)


def test_outside_whatsapp_s_window_the_template_goes_with_its_fields_filled(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    company, contact, conversation = _salon(client, "Салон шаблон")
    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 120},
                 actions=[{"type": "send_message", "text": REMINDER, "template": {
                     "name": "appointment_reminder", "language": "ru", "parameters": ["{first_name}", "{when}"]}}])
    due_at = _at_two(3)  # 36 hours and more from now: the customer's 24 hours are over by then
    _visit(client, company, due_at, contact["id"])
    feed.deliver()
    moment = due_at - timedelta(minutes=119)
    monkeypatch.setattr(db, "utcnow", lambda: moment)
    due.run_due(now=moment)
    [run] = _runs(client, company, rule)
    assert (run["status"], run["steps"][0]["code"]) == ("done", "template_sent"), run
    [sent] = _sent(client, company, conversation)
    assert sent["kind"] == "template", sent
    assert sent["template"] == {"name": "appointment_reminder", "language": "ru"}, sent
    assert sent["text"] == "Ольга · сегодня в 14:00", sent  # its parameters, as the conversation shows them


def test_an_unknown_merge_field_is_refused_and_task_fields_only_on_task_rules(client: ApiClient) -> None:
    company = signup(client, company="Merge fields")
    token = company.owner.token
    for trigger, text, field in (({"type": "task.due_soon", "minutes_before": 60}, "Привет, {имя}", "{имя}"),
                                 ({"type": "deal.won"}, "Thanks, see you {when}", "{when}")):
        answer = client.post("/api/v1/automations", {"name": "Bad", "trigger": trigger,
                                                     "actions": [{"type": "send_message", "text": text}]}, token=token)
        assert answer.status_code == 422, answer.body
        error = body(answer)["error"]
        assert error["code"] == "unknown_merge_field" and error["details"][0]["ctx"]["field"] == field, error
    parameters = {"name": "reminder", "language": "en", "parameters": ["{first_name}", "{unsubscribe_url}"]}
    answer = client.post("/api/v1/automations", {"name": "Bad", "trigger": {"type": "task.due_soon",
                                                                            "minutes_before": 60},
                                                 "actions": [{"type": "send_message", "template": parameters}]},
                         token=token)
    assert answer.status_code == 422, answer.body
    assert body(answer)["error"]["details"][0]["loc"] == ["body", "actions", 0, "template", "parameters", 1]
    for minutes in (0, 43_201):
        answer = client.post("/api/v1/automations", {"name": "Bad", "trigger": {"type": "task.due_soon",
                                                                                "minutes_before": minutes},
                                                     "actions": [{"type": "notify", "users": ["owner"]}]}, token=token)
        assert answer.status_code == 422, answer.body
    names = [rule["name"] for rule in body(client.get("/api/v1/automations", token=token))["items"]]
    assert "Bad" not in names


def test_a_reminder_of_meetings_says_nothing_of_the_managers_call_back(client: ApiClient, feed: Feed) -> None:
    # An English school's reminder of trial lessons (meetings) also told a parent «напоминаем: Перезвонить: Мария
    # Иванова»: the call-back task her web lead made for the manager was a task about her with a time, too.
    company, contact, conversation = _salon(client, "Школа английского")
    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 120, "task_kinds": ["meeting"]},
                 actions=[{"type": "send_message", "text": "{first_name}, напоминаем: {task} {when}"}])
    assert rule["trigger"]["task_kinds"] == ["meeting"]
    _visit(client, company, _at_two(1), contact["id"], title="пробный урок")
    call_back = client.post("/api/v1/tasks", {"title": "Перезвонить: Ольга Петрова", "kind": "call",
                                              "due_at": _at_two(1).isoformat(),
                                              "related": {"type": "contact", "id": contact["id"]}},
                            token=company.owner.token)
    assert call_back.status_code == 201, call_back.body
    feed.deliver()
    due.run_due(now=_at_two(1) - timedelta(minutes=119))
    assert [m["text"] for m in _sent(client, company, conversation)] == [
        "Ольга, напоминаем: пробный урок сегодня в 14:00"]
    refused = client.post("/api/v1/automations", {"name": "x", "trigger": {
        "type": "task.due_soon", "minutes_before": 60, "task_kinds": ["lesson"]}, "actions": [
        {"type": "send_message", "text": "hi"}]}, token=company.owner.token)
    assert refused.status_code == 422
