"""How a channel names a customer goes with the contact fields it is: a role whose field rules hide contacts' names
does not read a WhatsApp profile name in the inbox (the list, the thread, an action's answer, the live push to it),
and one that hides phones does not read a number standing for a name. The ticket queue and card already did."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.live import service as live_service
from tests.factories import Company, add_member, signup
from tests.messaging.kit import APP_SECRET, create_line, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

DESK = ["conversations:read:all", "conversations:update:all", "contacts:read:all"]


def _role(client: ApiClient, company: Company, key: str, *rules: str) -> Any:
    made = client.post("/api/v1/roles", {"key": key, "name": key.title(), "permissions": [*DESK, *rules]},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    return add_member(client, company, role=key, name=key)


def _write(client: ApiClient, line: dict[str, Any], customer: str, name: str, n: int = 1) -> None:
    message = whatsapp_message(Chat(customer=customer, name=name), n, "text", {"body": "Hello"})
    [answer] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET, message)])
    assert answer.status_code == 200, answer.body


def test_a_role_without_contacts_names_reads_no_customer_name_in_the_inbox(
        client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Discreet Clinic", country="RU")
    blind = _role(client, company, "blind", "contacts.last_name:hidden")
    numbers = _role(client, company, "numbers", "contacts.phones:hidden")
    pushed: list[tuple[list[str], dict[str, Any]]] = []
    monkeypatch.setattr(live_service, "push", lambda ctx, users, message: pushed.append((list(users), message)) or 1)
    line = create_line(client, company, "whatsapp", responsible={"mode": "fixed", "user_ids": [blind.user_id]})
    _write(client, line, "+79161000101", "Maria Ivanova")
    _write(client, line, "+79161000102", "+7 916 100-01-02", n=2)  # no profile name: the number stands for it

    def names(token: str) -> dict[str, Any]:
        items = body(client.get("/api/v1/conversations", token=token))["items"]
        return {item["id"]: item["customer_name"] for item in items}

    owner = names(company.owner.token)
    assert sorted(owner.values()) == ["+7 916 100-01-02", "Maria Ivanova"]
    assert set(names(blind.token).values()) == {None}
    maria = next(cid for cid, name in owner.items() if name == "Maria Ivanova")
    assert body(client.get(f"/api/v1/conversations/{maria}", token=blind.token))["customer_name"] is None
    read = client.post(f"/api/v1/conversations/{maria}/read", {}, token=blind.token)
    assert read.status_code == 200 and body(read)["customer_name"] is None
    assert sorted(str(v) for v in names(numbers.token).values()) == ["Maria Ivanova", "None"]
    to_blind = [message for users, message in pushed if users == [blind.user_id]]
    assert to_blind and {m["conversation"]["customer_name"] for m in to_blind} == {None}
