"""A rule's message to a client is no employee's answer: a Kazan heating firm's client asked on WhatsApp to move her
visit, the appointment reminder went out to her the same hour, and her question was marked read and answered (out of
the inbox's unread, the technician credited with a reply in minutes in the Managers report) though nobody had
read it. A message a rule sends now leaves the conversation unread and awaiting an employee's answer."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.due import service as due
from tests.events.conftest import Feed
from tests.events.test_task_reminders import REMINDER, _at_two, _rule, _runs, _salon, _sent, _visit
from tests.messaging.kit import APP_SECRET, play, thread
from tests.support import ApiClient, body
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post


def test_a_reminder_leaves_the_clients_question_unread_and_unanswered(client: ApiClient, feed: Feed) -> None:
    company, contact, conversation = _salon(client, "Тепло-Сервис Вопрос")
    line = body(client.get("/api/v1/integrations", token=company.owner.token))["items"][0]
    chat = Chat(customer="+79161234455", name="Ольга Петрова")
    [asked] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET, whatsapp_message(
        chat, 2, "text", {"body": "Можно перенести мастера на четверг?"}))])
    assert asked.status_code == 200, asked.body
    unread = body(client.get("/api/v1/conversations?unread=true", token=company.owner.token))["items"]
    [waiting] = [(c["id"], c["unread_count"]) for c in unread]
    assert waiting[0] == conversation["id"] and waiting[1] >= 1

    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 1440},
                 actions=[{"type": "send_message", "text": REMINDER}])
    _visit(client, company, _at_two(2), contact["id"], title="замена датчика")
    assert feed.deliver() == {"batchItemFailures": []}
    due.run_due(now=_at_two(1) + timedelta(minutes=1))
    [run] = _runs(client, company, rule)
    assert (run["status"], run["steps"][0]["code"]) == ("done", "message_sent"), run
    assert [m["text"] for m in _sent(client, company, conversation)] == [
        "Ольга, напоминаем: завтра в 14:00 замена датчика, мастер Olga Owner"]

    unread = body(client.get("/api/v1/conversations?unread=true", token=company.owner.token))["items"]
    assert [(c["id"], c["unread_count"]) for c in unread] == [waiting]  # as before the reminder
    [row] = body(client.get("/api/v1/reports/managers", token=company.owner.token))["items"]
    assert row["avg_response_seconds"] is None, row  # nobody has answered her yet

    # the owner's own answer is the first response, and reads what it answers
    answered = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Да, перенесём."},
                           token=company.owner.token)
    assert answered.status_code == 201, answered.body
    assert body(client.get("/api/v1/conversations?unread=true", token=company.owner.token))["items"] == []
    [row] = body(client.get("/api/v1/reports/managers", token=company.owner.token))["items"]
    assert row["avg_response_seconds"] is not None, row
    assert [m["text"] for m in thread(client, company, conversation["id"])][-1] == "Да, перенесём."
