# ruff: noqa: RUF001
"""A Saint Petersburg dental clinic reminds its patients of tomorrow's visit on WhatsApp. A patient who wrote "не
пишите мне", and whose WhatsApp consent the administrator withdrew on his card, gets no reminder: the run says why,
and nothing goes to the Graph API. A patient who said nothing is reminded as before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.channels import transport
from chalicelib.core import db
from chalicelib.due import service as due
from tests.events.conftest import Feed
from tests.factories import Company, signup
from tests.messaging.kit import APP_SECRET, create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

REMINDER = "{first_name}, напоминаем: {when} {task}, врач {assignee}. Стоматология «Улыбка»"


def _clinic(client: ApiClient) -> tuple[Company, dict[str, Any], str]:
    """The clinic with its WhatsApp line and the ready-made reminder, a day before a visit."""
    company = signup(client, company="Стоматология Улыбка", locale="ru", country="RU", timezone="Europe/Moscow")
    line = create_line(client, company, "whatsapp")
    rule = client.post("/api/v1/automations", {
        "name": "Напомнить клиенту о записи", "trigger": {"type": "task.due_soon", "minutes_before": 1440,
                                                           "task_kinds": ["todo", "meeting"]},
        "actions": [{"type": "send_message", "text": REMINDER, "channel": "whatsapp"}]}, token=company.owner.token)
    assert rule.status_code == 201, rule.body
    return company, line, str(body(rule)["id"])


def _patient_writes(client: ApiClient, company: Company, line: dict[str, Any], chat: Chat, *texts: str) -> str:
    """The patient's messages on the clinic's WhatsApp; their contact's id."""
    answers = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                          whatsapp_message(chat, n, "text", {"body": text}))
                            for n, text in enumerate(texts, start=1)])
    assert [a.status_code for a in answers] == [200] * len(texts)
    return str(next(c for c in inbox(client, company) if c["customer_name"] == chat.name)["contact_id"])


def _visit_tomorrow(client: ApiClient, company: Company, contact_id: str) -> None:
    visit = client.post("/api/v1/tasks", {
        "title": "Чистка зубов", "kind": "meeting",
        "due_at": (db.utcnow() + timedelta(hours=23)).replace(microsecond=0).isoformat(),
        "related": {"type": "contact", "id": contact_id}}, token=company.owner.token)
    assert visit.status_code == 201, visit.body


def _steps(client: ApiClient, company: Company, rule_id: str) -> dict[str, dict[str, Any]]:
    """Each reminded contact's step of the rule's runs."""
    runs = body(client.get(f"/api/v1/automations/{rule_id}/runs", token=company.owner.token))["items"]
    return {run["subject"]["id"]: run["steps"][0] for run in runs}


def test_a_patient_who_asked_not_to_be_written_to_gets_no_reminder(client: ApiClient, feed: Feed) -> None:
    company, line, rule_id = _clinic(client)
    pavel = _patient_writes(client, company, line, Chat(customer="+79313332211", name="Павел Сидоров"),
                            "Можно на чистку зубов завтра?", "Не пишите мне больше, пожалуйста")
    withdrawn = client.put(f"/api/v1/contacts/{pavel}/consent", {"whatsapp": "withdrawn", "source": "written"},
                           token=company.owner.token)
    assert withdrawn.status_code == 200, withdrawn.body
    olga = _patient_writes(client, company, line, Chat(customer="+79214445566", name="Ольга Белова"),
                           "Запишите меня на чистку завтра")
    _visit_tomorrow(client, company, pavel)
    _visit_tomorrow(client, company, olga)
    transport.clear_sandbox()
    feed.deliver()
    due.run_due(now=db.utcnow() + timedelta(minutes=1))
    steps = _steps(client, company, rule_id)
    assert steps[pavel]["code"] == "consent_withdrawn", steps[pavel]  # it was message_sent: the reminder went to him
    assert steps[olga]["code"] == "message_sent", steps[olga]
    [sent] = transport.sandbox_requests("whatsapp")
    assert "79214445566" in sent["body"] and "79313332211" not in sent["body"]


def test_a_patient_who_booked_on_the_site_is_reminded_by_template_on_the_clinic_s_line(client: ApiClient,
                                                                                        feed: Feed) -> None:
    # She has no WhatsApp chat: the rule names the clinic's line, so it starts one there with the template, its
    # variables filled for her visit
    company = signup(client, company="Стоматология Улыбка", locale="ru", country="RU", timezone="Europe/Moscow")
    line = create_line(client, company, "whatsapp")
    rule = client.post("/api/v1/automations", {
        "name": "Напомнить клиенту о записи", "trigger": {"type": "task.due_soon", "minutes_before": 1440,
                                                           "task_kinds": ["meeting"]},
        "actions": [{"type": "send_message", "text": REMINDER, "channel": "whatsapp", "integration_id": line["id"],
                     "template": {"name": "appointment_reminder", "language": "ru",
                                  "parameters": ["{first_name}", "{assignee}"]}}]}, token=company.owner.token)
    assert rule.status_code == 201, rule.body
    natalia = body(client.post("/api/v1/contacts", {"first_name": "Наталья", "last_name": "Иванова",
                                                     "phones": [{"number": "8 921 444-55-66"}]},
                                token=company.owner.token))["id"]
    _visit_tomorrow(client, company, natalia)
    transport.clear_sandbox()
    feed.deliver()
    due.run_due(now=db.utcnow() + timedelta(minutes=1))
    step = _steps(client, company, str(body(rule)["id"]))[natalia]
    assert step["code"] == "conversation_started", step
    [sent] = transport.sandbox_requests("whatsapp")
    assert '"to":"79214445566"' in sent["body"].replace(" ", "") and "appointment_reminder" in sent["body"]
    assert "Наталья" in sent["body"] and "Olga Owner" in sent["body"]
