"""A dental clinic's accountant holds a custom role that reads deals and orders, not conversations, tasks or calls.
Nothing is handed to her that her role cannot open: a task, a contact or a deal given to her by hand (one or in bulk)
is refused naming why and changes nothing, and a line's round-robin skips her for a new chat."""

from __future__ import annotations

from typing import Any

from tests.factories import Company, add_member, signup
from tests.messaging.kit import APP_SECRET, create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

ACCOUNTANT = ["deals:read:all", "orders:read:all", "users:read:all", "pipelines:read:all"]


def with_accountant(client: ApiClient, name: str, role: str, colleague: str) -> tuple[Company, Any, Any]:
    """A Russian company with an accountant's role that reads deals and orders only, an accountant and a colleague
    of the role given."""
    company = signup(client, company=name, locale="ru", country="RU", timezone="Europe/Moscow")
    made = client.post("/api/v1/roles", {"key": "accountant", "name": "Бухгалтер", "permissions": ACCOUNTANT},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    return company, add_member(client, company, role="accountant", name="accountant"), \
        add_member(client, company, role=role, name=colleague)


def _clinic(client: ApiClient) -> tuple[Company, Any, Any]:
    return with_accountant(client, "Стоматология Улыбка", "admin", "desk")


def _refused(response: Any, loc: list[str], kind: str) -> None:
    assert response.status_code == 422, response.body  # it was 2xx: handed to someone who cannot open it
    [detail] = body(response)["error"]["details"]
    assert (detail["loc"], detail["type"]) == (loc, kind)


def test_a_task_is_not_given_to_a_colleague_whose_role_cannot_read_tasks(client: ApiClient) -> None:
    _, accountant, desk = _clinic(client)
    _refused(client.post("/api/v1/tasks", {"title": "Сверить оплату", "assignee_id": accountant.user_id},
                         token=desk.token), ["assignee_id"], "cannot_read_tasks")
    made = client.post("/api/v1/tasks", {"title": "Сверить оплату", "assignee_id": desk.user_id}, token=desk.token)
    assert made.status_code == 201, made.body
    task = body(made)
    _refused(client.patch(f"/api/v1/tasks/{task['id']}", {"version": task["version"],
                                                          "assignee_id": accountant.user_id}, token=desk.token),
             ["assignee_id"], "cannot_read_tasks")
    kept = body(client.get(f"/api/v1/tasks/{task['id']}", token=desk.token))
    assert (kept["assignee_id"], kept["version"]) == (desk.user_id, task["version"])


def test_a_contact_is_not_handed_to_a_colleague_whose_role_cannot_read_contacts(client: ApiClient) -> None:
    company, accountant, desk = _clinic(client)
    made = client.post("/api/v1/contacts", {"first_name": "Анна", "last_name": "Петрова"}, token=desk.token)
    assert made.status_code == 201, made.body
    contact = body(made)
    _refused(client.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact["version"],
                                                                "owner_id": accountant.user_id}, token=desk.token),
             ["owner_id"], "cannot_read_contacts")
    _refused(client.post("/api/v1/contacts/bulk", {"ids": [contact["id"]], "action": "assign",
                                                   "owner_id": accountant.user_id}, token=desk.token),
             ["owner_id"], "cannot_read_contacts")
    kept = body(client.get(f"/api/v1/contacts/{contact['id']}", token=desk.token))
    assert (kept["owner_id"], kept["version"]) == (desk.user_id, contact["version"])
    handed = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact["version"],
                                                                "owner_id": company.owner.user_id}, token=desk.token)
    assert handed.status_code == 200, handed.body


def test_round_robin_skips_a_colleague_whose_role_cannot_read_chats(client: ApiClient) -> None:
    company, accountant, desk = _clinic(client)
    line = create_line(client, company, "whatsapp", responsible={"mode": "round_robin",
                                                                 "user_ids": [accountant.user_id, desk.user_id]})
    for n in range(4):
        play(client, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                    whatsapp_message(Chat(customer=f"+7921444000{n}"), 1, "text", {"body": "Hi"}))])
    assignees = [c["assignee_id"] for c in inbox(client, company)]
    assert assignees == [desk.user_id] * 4  # the accountant's turns went to her too before


def test_the_people_list_says_what_each_role_reads_so_pickers_offer_only_readers(client: ApiClient) -> None:
    company, accountant, desk = _clinic(client)
    listed = {u["id"]: u["reads"] for u in body(client.get("/api/v1/users?limit=200", token=desk.token))["items"]}
    assert listed[accountant.user_id] == ["deals", "orders"]
    assert {"conversations", "contacts", "deals", "tasks"} <= set(listed[desk.user_id])
    assert listed[company.owner.user_id] == listed[desk.user_id]


def test_deals_are_not_handed_in_bulk_to_a_colleague_whose_role_cannot_read_them(client: ApiClient) -> None:
    company, _, desk = _clinic(client)
    role = client.post("/api/v1/roles", {"key": "cashier", "name": "Кассир", "permissions": ["orders:read:all"]},
                       token=company.owner.token)
    assert role.status_code == 201, role.body
    cashier = add_member(client, company, role="cashier", name="cashier")
    made = client.post("/api/v1/deals", {"title": "Имплантация, Петрова"}, token=desk.token)
    assert made.status_code == 201, made.body
    deal = body(made)
    _refused(client.post("/api/v1/deals/bulk", {"ids": [deal["id"]], "action": "assign", "owner_id": cashier.user_id},
                         token=desk.token), ["owner_id"], "cannot_read_deals")
    _refused(client.patch(f"/api/v1/deals/{deal['id']}", {"version": deal["version"], "owner_id": cashier.user_id},
                          token=desk.token), ["owner_id"], "cannot_read_deals")
    kept = body(client.get(f"/api/v1/deals/{deal['id']}", token=desk.token))
    assert (kept["deal"]["owner_id"], kept["deal"]["version"]) == (desk.user_id, deal["version"])
