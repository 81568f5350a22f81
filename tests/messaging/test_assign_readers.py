"""A dental clinic's accountant holds a custom role that reads deals and orders, not conversations: a patient's
WhatsApp chat handed to her by the desk would sit with someone who cannot open it. Handing it so is refused, naming
why, and changes nothing; a colleague whose role reads conversations takes it as before."""

from __future__ import annotations

from tests.factories import add_member, signup
from tests.messaging.kit import make_conversation
from tests.support import ApiClient, body

ACCOUNTANT = ["deals:read:all", "orders:read:all", "contacts:read:all", "contacts.phones:hidden",
              "users:read:all", "pipelines:read:all"]


def test_a_chat_is_not_handed_to_a_colleague_whose_role_cannot_read_chats(client: ApiClient) -> None:
    company = signup(client, company="Стоматология Улыбка", locale="ru", country="RU", timezone="Europe/Moscow")
    role = client.post("/api/v1/roles", {"key": "accountant", "name": "Бухгалтер", "permissions": ACCOUNTANT},
                       token=company.owner.token)
    assert role.status_code == 201, role.body
    accountant = add_member(client, company, role="accountant", name="accountant")
    desk = add_member(client, company, role="admin", name="desk")
    conversation = make_conversation(client, company.owner.token, customer="+79214445566")
    refused = client.post(f"/api/v1/conversations/{conversation['id']}/assign",
                          {"version": conversation["version"], "assignee_id": accountant.user_id}, token=desk.token)
    assert refused.status_code == 422, refused.body  # it was 200: the chat went to someone who cannot open it
    [detail] = body(refused)["error"]["details"]
    assert (detail["loc"], detail["type"]) == (["body", "assignee_id"], "cannot_read_conversations")
    kept = body(client.get(f"/api/v1/conversations/{conversation['id']}", token=desk.token))
    assert (kept["assignee_id"], kept["version"]) == (conversation["assignee_id"], conversation["version"])
    handed = client.post(f"/api/v1/conversations/{conversation['id']}/assign",
                         {"version": conversation["version"], "assignee_id": desk.user_id}, token=desk.token)
    assert handed.status_code == 200, handed.body
