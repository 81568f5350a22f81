# ruff: noqa: RUF001
"""Contacts merged before a merge's chats followed it: the hourly housekeeping tick points the chats of the contact
merged away at the contact kept, once, so the kept card lists them and a reminder to the client reaches her chat."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.housekeeping import merged_chats
from chalicelib.housekeeping.models import TenantPass
from chalicelib.records import catalog
from tests.billing import helpers
from tests.factories import Company, signup
from tests.messaging.kit import create_line, play
from tests.support import ApiClient, body
from webhooks.messengers import telegram_post


def _from(company: Company) -> None:
    """Start the pass at this company in the tenants' index (the worker's other tenants are not this test's)."""
    tenant = helpers.tenant(company)
    TenantPass(merged_chats.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()


def _chat(client: ApiClient, company: Company, line: dict[str, Any], user_id: int) -> dict[str, Any]:
    """A parent's first message to the bot (no username): a contact of the chat's own."""
    parent = {"id": user_id, "is_bot": False, "first_name": "Елена", "last_name": "Кузнецова"}
    update = {"update_id": user_id, "message": {"message_id": 1, "from": parent, "chat": {**parent, "type": "private"},
                                                "date": 1796000000, "text": "Здравствуйте! Хочу на пробный урок"}}
    assert play(client, [telegram_post(line["webhook_url"], line["secret"], update)])[0].status_code == 200
    return dict(body(client.get("/api/v1/conversations", token=company.owner.token))["items"][0])  # newest first


def _merged_before(client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch, kept: dict[str, Any],
                   other: dict[str, Any]) -> dict[str, Any]:
    """A merge as the code before wrote it: the absorbed contact's chats left naming it; its answer."""
    with monkeypatch.context() as patched:
        patched.setattr(catalog, "MERGE_FOLLOWERS", ())
        merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {
            "other_id": other["id"], "version": kept["version"], "other_version": other["version"]},
            token=company.owner.token)
    assert merged.status_code == 200, merged.body
    return dict(body(merged))


def _threads(client: ApiClient, company: Company, contact_id: str) -> list[str]:
    found = body(client.get(f"/api/v1/conversations?contact_id={contact_id}", token=company.owner.token))["items"]
    return [item["id"] for item in found]


def test_the_tick_moves_older_merges_chats_to_the_contact_kept(client: ApiClient, app: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Английский с Анной", locale="ru", country="RU",
                     timezone="Asia/Yekaterinburg")
    token = company.owner.token
    line = create_line(client, company, "telegram")
    chat = _chat(client, company, line, 55501)
    from_chat = body(client.get(f"/api/v1/contacts/{chat['contact_id']}", token=token))
    from_form = body(client.post("/api/v1/contacts", {"first_name": "Елена", "last_name": "Кузнецова",
                                                      "phones": [{"number": "+7 912 345-67-89"}]}, token=token))
    _merged_before(client, company, monkeypatch, from_form, from_chat)
    assert _threads(client, company, from_form["id"]) == []
    assert _threads(client, company, from_chat["id"]) == [chat["id"]]
    _from(company)

    assert merged_chats.run(deadline=time.monotonic() + 600) == 1
    assert TenantPass.get(merged_chats.STATE_PK, "STATE", consistent_read=True).done
    assert _threads(client, company, from_form["id"]) == [chat["id"]]
    assert _threads(client, company, from_chat["id"]) == []
    assert body(client.get(f"/api/v1/conversations/{chat['id']}", token=token))["contact_id"] == from_form["id"]
    assert merged_chats.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more


def test_a_chain_of_older_merges_takes_the_chat_to_the_last_contact_kept_and_an_undone_one_leaves_it(
        client: ApiClient, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Merge Chains", country="RU")
    token = company.owner.token
    line = create_line(client, company, "telegram")
    chat = _chat(client, company, line, 55601)
    first = body(client.get(f"/api/v1/contacts/{chat['contact_id']}", token=token))
    middle = body(client.post("/api/v1/contacts", {"first_name": "Elena", "phones": [{"number": "+79123450001"}]},
                              token=token))
    last = body(client.post("/api/v1/contacts", {"first_name": "Elena K", "phones": [{"number": "+79123450002"}]},
                            token=token))
    middle = _merged_before(client, company, monkeypatch, middle, first)["contact"]  # the chat's contact into middle
    _merged_before(client, company, monkeypatch, last, middle)  # then middle into last
    undone_chat = _chat(client, company, line, 55602)
    alone = body(client.get(f"/api/v1/contacts/{undone_chat['contact_id']}", token=token))
    other = body(client.post("/api/v1/contacts", {"first_name": "Irina", "phones": [{"number": "+79123450003"}]},
                             token=token))
    undone = _merged_before(client, company, monkeypatch, other, alone)
    assert client.post(f"/api/v1/merges/{undone['merge_id']}/undo", token=token).status_code == 200
    _from(company)

    assert merged_chats.run(deadline=time.monotonic() + 600) == 2
    assert _threads(client, company, last["id"]) == [chat["id"]]
    assert _threads(client, company, alone["id"]) == [undone_chat["id"]]
