# ruff: noqa: RUF001
"""Contacts saved before a Telegram username was indexed get the index from the hourly housekeeping tick, once, so a
first message to the company's bot from that username joins the contact instead of making a second one and a lead;
a contact changed meanwhile keeps what its own write wrote, and what a person sees of it does not change."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.contacts import derived, profile
from chalicelib.contacts import service as contacts
from chalicelib.contacts.models import Contact, ContactLookup
from chalicelib.core import db, tenancy
from chalicelib.housekeeping import telegram_index
from chalicelib.housekeeping.models import TenantPass
from tests.billing import helpers
from tests.factories import Company, signup
from tests.messaging.kit import create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import telegram_post


def _ctx(company: Company) -> tenancy.TenantContext:
    return tenancy.TenantContext(tenant_id=company.tenant_id, actor_id="housekeeping", actor_kind="system",
                                 role="system", source="job")


def _from(company: Company) -> None:
    """Start the pass at this company in the tenants' index (the worker's other tenants are not this test's)."""
    tenant = helpers.tenant(company)
    TenantPass(telegram_index.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()


def _saved_before(client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch, name: str,
                  username: str) -> dict[str, Any]:
    """A contact saved as the code before the index wrote it: the username in its sealed messengers, no blind index,
    no lookup."""
    with monkeypatch.context() as patched:
        patched.setattr(profile, "index_telegram", lambda ctx, contact: None)
        made = client.post("/api/v1/contacts", {"first_name": name, "messengers": {"telegram_username": username}},
                           token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _stored(company: Company, contact_id: str) -> Contact:
    ctx = _ctx(company)
    with tenancy.bind(ctx):
        found = db.get(ctx, Contact, derived.contact_pk(ctx, contact_id), derived.PROFILE_SK)
    assert found is not None
    return found


def _writes(client: ApiClient, line: dict[str, Any], update_id: int, user_id: int, username: str) -> None:
    sender = {"id": user_id, "is_bot": False, "first_name": "Елена", "username": username, "language_code": "ru"}
    update = {"update_id": update_id, "message": {
        "message_id": 1, "from": sender, "chat": {**sender, "type": "private"}, "date": 1796000000 + update_id,
        "text": "Здравствуйте!"}}
    [answer] = play(client, [telegram_post(line["webhook_url"], line["secret"], update)])
    assert answer.status_code == 200, answer.body


def test_the_tick_indexes_older_contacts_usernames_once_and_a_chat_joins_the_oldest(
        client: ApiClient, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Английский с Анной", country="RU", timezone="Asia/Yekaterinburg")
    token = company.owner.token
    line = create_line(client, company, "telegram", unknown_sender="contact_and_deal")
    oldest = _saved_before(client, company, monkeypatch, "Елена", "@Elena_K")
    second = _saved_before(client, company, monkeypatch, "Елена К.", "elena_k")  # one username, two cards
    trashed = _saved_before(client, company, monkeypatch, "Ирина", "irina_v")
    assert client.delete(f"/api/v1/contacts/{trashed['id']}", token=token).status_code in (200, 204)
    plain = client.post("/api/v1/contacts", {"first_name": "Без ника"}, token=token)
    assert plain.status_code == 201, plain.body
    ctx = _ctx(company)
    with tenancy.bind(ctx):  # as before the pass: her first message would make a second contact and a lead
        assert contacts.find_by_telegram(ctx, "elena_k") is None
    _from(company)

    assert telegram_index.run(deadline=time.monotonic() + 600) == 3  # the contact without a username is left
    assert TenantPass.get(telegram_index.STATE_PK, "STATE", consistent_read=True).done
    card = body(client.get(f"/api/v1/contacts/{oldest['id']}", token=token))
    assert card["version"] == oldest["version"] and card["messengers"] == {"telegram_username": "Elena_K"}
    with tenancy.bind(ctx):  # the trashed contact holds the index, and takes its lookup back when restored
        digest = _stored(company, trashed["id"]).blind[profile.TELEGRAM]
        assert list(ContactLookup.query(derived.blind_key(ctx, profile.TELEGRAM, digest))) == []

    _writes(client, line, 9101, 66601, "elena_k")
    [conversation] = inbox(client, company)
    assert conversation["contact_id"] == oldest["id"]
    assert body(client.get("/api/v1/deals", token=token))["items"] == []  # no lead deal for a known parent
    assert len(body(client.get("/api/v1/contacts", token=token))["items"]) == 3

    assert client.post(f"/api/v1/contacts/{trashed['id']}/restore", token=token).status_code == 200
    _writes(client, line, 9102, 66602, "IRINA_V")
    assert {chat["contact_id"] for chat in inbox(client, company)} == {oldest["id"], trashed["id"]}

    assert telegram_index.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more
    _from(company)
    assert telegram_index.run(deadline=time.monotonic() + 600) == 0  # walked again: nothing left to write
    assert second["id"] > oldest["id"]


def test_a_contact_changed_since_the_pass_read_it_keeps_what_its_write_gave(
        client: ApiClient, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Changed Usernames", country="RU")
    made = _saved_before(client, company, monkeypatch, "Moving", "moving_tg")
    read = _stored(company, made["id"])
    changed = client.patch(f"/api/v1/contacts/{made['id']}", {"version": made["version"],
                                                              "messengers": {"telegram_username": "moved_tg"}},
                           token=company.owner.token)
    assert changed.status_code == 200, changed.body
    ctx = _ctx(company)
    with tenancy.bind(ctx):  # the stale read would index the username the contact no longer holds
        assert telegram_index._index(ctx, read, profile.telegram_digest(ctx, "moving_tg")) is False
    stored = _stored(company, made["id"])
    assert stored.version == body(changed)["version"]
    with tenancy.bind(ctx):
        assert stored.blind[profile.TELEGRAM] == profile.telegram_digest(ctx, "moved_tg")


def test_a_run_out_of_time_saves_where_it_stands_and_carries_on(client: ApiClient, app: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Late Usernames", country="RU")
    made = _saved_before(client, company, monkeypatch, "Late", "late_tg")
    _from(company)
    assert telegram_index.run(deadline=time.monotonic() - 1) == 0
    assert not TenantPass.get(telegram_index.STATE_PK, "STATE", consistent_read=True).done
    assert profile.TELEGRAM not in (_stored(company, made["id"]).blind or {})
    assert telegram_index.run(deadline=time.monotonic() + 600) >= 1
    assert profile.TELEGRAM in _stored(company, made["id"]).blind
