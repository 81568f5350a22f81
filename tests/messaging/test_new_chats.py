"""A new chat's first messages processed at once make one contact (#17), and an imported tenant finds its chats and
messages again under its new key (blind indexes rebuilt), so a known chat does not start a second conversation."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from chalicelib.channels import parties
from tenants import importer
from tenants.__main__ import main
from tests.factories import Company, signup
from tests.messaging.kit import create_line, get, inbox, play, thread
from tests.support import ApiClient, body
from tests.tenantdata.test_import import _sign_in_imported
from webhooks.messengers import Chat, telegram_post, telegram_update


def _telegram_contacts(client: ApiClient, token: str, name: str) -> list[dict[str, Any]]:
    return list(get(client, token, f"/api/v1/contacts?q={name}")["items"])


def test_two_first_messages_of_a_new_chat_make_one_contact(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Racing Bots Ltd", country="RU")
    line = create_line(client, company, "telegram")
    chat = Chat(chat_id=777001, name="Racer Twice")
    first = telegram_post(line["webhook_url"], line["secret"], telegram_update(chat, 1, {"message_id": 1,
                                                                                        "text": "Hello?"}))
    second = telegram_post(line["webhook_url"], line["secret"], telegram_update(chat, 2, {"message_id": 2,
                                                                                         "text": "Anyone there?"}))
    make = parties.make
    interleaved: list[int] = []

    def second_runs_meanwhile(run: Any, newcomer: Any, **kwargs: Any) -> Any:
        """The first delivery has looked and found nobody; the second runs to its end before it writes."""
        if not interleaved:
            interleaved.append(1)
            [answer] = play(client, [second])
            assert answer.status_code == 200, answer.body
        return make(run, newcomer, **kwargs)

    monkeypatch.setattr(parties, "make", second_runs_meanwhile)
    [answer] = play(client, [first])
    assert answer.status_code == 200 and interleaved == [1]
    assert len(_telegram_contacts(client, company.owner.token, "Racer")) == 1
    [conversation] = inbox(client, company, "?channel=telegram")
    assert sorted(m["text"] for m in thread(client, company, conversation["id"])) == ["Anyone there?", "Hello?"]
    events = get(client, company.owner.token, f"/api/v1/integrations/{line['id']}/events")["items"]
    assert {event["status"] for event in events} == {"processed"}


@pytest.fixture
def chatting(client: ApiClient) -> Company:
    company = signup(client, company="Moving Bots Ltd", country="RU")
    line = create_line(client, company, "telegram")
    chat = Chat(chat_id=777002, name="Loyal Customer")
    play(client, [telegram_post(line["webhook_url"], line["secret"],
                                telegram_update(chat, 1, {"message_id": 1, "text": "First visit"}))])
    company.extra["line"] = line
    return company


def test_an_imported_tenant_finds_its_chats_and_messages_again(client: ApiClient, chatting: Company,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    assert main(["export", "--tenant", chatting.tenant_id, "--out", str(path)], out=io.StringIO()) == 0
    summary = importer.import_archive(str(path))
    token = _sign_in_imported(client, chatting, summary.tenant_id)
    line = chatting.extra["line"]
    imported = get(client, token, f"/api/v1/integrations/{line['id']}")
    enabled = client.patch(f"/api/v1/integrations/{line['id']}", {"status": "active", "version": imported["version"]},
                           token=token)
    assert enabled.status_code == 200, enabled.body
    hook = body(enabled)["webhook_url"]
    chat = Chat(chat_id=777002, name="Loyal Customer")
    repeat = telegram_update(chat, 1, {"message_id": 1, "text": "First visit"})  # Telegram delivers it again
    later = telegram_update(chat, 2, {"message_id": 2, "text": "Back again"})
    answers = play(client, [telegram_post(hook, line["secret"], repeat), telegram_post(hook, line["secret"], later)])
    assert [answer.status_code for answer in answers] == [200, 200]
    [conversation] = get(client, token, "/api/v1/conversations?channel=telegram")["items"]
    messages = get(client, token, f"/api/v1/conversations/{conversation['id']}/messages")["items"]
    assert [m["text"] for m in reversed(messages)] == ["First visit", "Back again"]
