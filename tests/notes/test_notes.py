"""Notes: written into their subject's timeline, edited and deleted by their author or administrators."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import audit, tenancy
from chalicelib.records import timeline as timeline_service
from tests.deals.helpers import make_contact, member, owner_context, staffed_company
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Notes Inc")


def write(client: ApiClient, token: str, subject_type: str, subject_id: str, text: str) -> Any:
    return client.post("/api/v1/notes", {"subject": {"type": subject_type, "id": subject_id}, "text": text},
                       token=token)


def contact_timeline(company: Company, contact_id: str) -> list[Any]:
    ctx = owner_context(company)
    with tenancy.bind(ctx):
        page = timeline_service.list_entries(ctx, subject_type="contact", subject_id=contact_id, limit=50, cursor=None)
    return page.items


def test_notes_on_a_contact_appear_in_its_timeline_newest_first(client: ApiClient, company: Company) -> None:
    agent = member(company, "agent")
    contact = make_contact(client, company, owner=agent, name="Pavel")
    ids = []
    for text in ("Met at the fair", "Wants a quote", "Quote sent"):
        created = write(client, agent.token, "contact", contact, text)
        assert created.status_code == 201, created.body
        ids.append(body(created)["id"])
    notes = [e for e in contact_timeline(company, contact) if e.entry_kind == "note"]
    assert [e.entry_id for e in notes] == ids[::-1]
    assert [e.data["text"] for e in notes] == ["Quote sent", "Wants a quote", "Met at the fair"]
    assert all(e.actor_id == agent.user_id for e in notes)
    card = body(client.get(f"/api/v1/contacts/{contact}", token=agent.token))
    assert [e["id"] for e in card["timeline"] if e["kind"] == "note"] == ids[::-1]
    note = body(client.get(f"/api/v1/notes/{ids[0]}", token=agent.token))
    assert note["text"] == "Met at the fair" and note["subject"] == {"type": "contact", "id": contact}
    assert note["author_id"] == agent.user_id and note["edited_at"] is None


def test_a_long_note_is_kept_whole(client: ApiClient, company: Company) -> None:
    deal = body(client.post("/api/v1/deals", {"title": "Long notes"}, token=company.owner.token))
    text = "Ж" * 10_000
    created = body(write(client, company.owner.token, "deal", deal["id"], text))
    assert body(client.get(f"/api/v1/notes/{created['id']}", token=company.owner.token))["text"] == text
    assert write(client, company.owner.token, "deal", deal["id"], text + "!").status_code == 422
    assert write(client, company.owner.token, "deal", deal["id"], "").status_code == 422


def test_subjects_you_cannot_see_answer_404(client: ApiClient, company: Company) -> None:
    agent, agent2 = member(company, "agent"), member(company, "agent2")
    theirs = make_contact(client, company, owner=agent2, name="Not yours")
    assert write(client, agent.token, "contact", theirs, "Sneaky").status_code == 404
    stranger = signup(client, company="Other notes")
    foreign = make_contact(client, stranger, name="Foreign")
    assert write(client, company.owner.token, "contact", foreign, "Cross").status_code == 404
    assert write(client, company.owner.token, "invoice", foreign, "What").status_code == 422
    note = body(write(client, agent2.token, "contact", theirs, "Private"))
    assert client.get(f"/api/v1/notes/{note['id']}", token=agent.token).status_code == 404
    assert client.get(f"/api/v1/notes/{note['id']}", token=stranger.owner.token).status_code == 404


def test_the_author_edits_others_may_not_admins_may(client: ApiClient, company: Company) -> None:
    agent, manager, admin = member(company, "agent"), member(company, "manager"), member(company, "admin")
    contact = make_contact(client, company, owner=agent, name="Shared")
    note = body(write(client, agent.token, "contact", contact, "First draft"))
    url = f"/api/v1/notes/{note['id']}"
    edited = client.patch(url, {"version": note["version"], "text": "Second draft"}, token=agent.token)
    assert edited.status_code == 200 and body(edited)["text"] == "Second draft" and body(edited)["edited_at"]
    stale = client.patch(url, {"version": note["version"], "text": "Lost"}, token=agent.token)
    assert stale.status_code == 409
    version = body(edited)["version"]
    assert client.patch(url, {"version": version, "text": "Manager's"}, token=manager.token).status_code == 403
    assert client.patch(url, {"version": version, "text": "RO"}, token=member(company, "read_only").token) \
        .status_code == 403
    by_admin = client.patch(url, {"version": version, "text": "Fixed by admin"}, token=admin.token)
    assert by_admin.status_code == 200
    entries = [e for e in contact_timeline(company, contact) if e.entry_id == note["id"]]
    assert entries[0].data["text"] == "Fixed by admin" and entries[0].summary == "Fixed by admin"


def test_deleting_keeps_an_audit_record(client: ApiClient, company: Company) -> None:
    manager = member(company, "manager")
    deal = body(client.post("/api/v1/deals", {"title": "Audited"}, token=manager.token))
    note = body(write(client, manager.token, "deal", deal["id"], "Secret discount: 15%"))
    assert client.delete(f"/api/v1/notes/{note['id']}", token=member(company, "agent").token).status_code == 404
    assert client.delete(f"/api/v1/notes/{note['id']}", token=manager.token).status_code == 204
    assert client.get(f"/api/v1/notes/{note['id']}", token=manager.token).status_code == 404
    timeline = body(client.get(f"/api/v1/deals/{deal['id']}/timeline", token=manager.token))["items"]
    assert note["id"] not in [e["id"] for e in timeline]
    ctx = owner_context(company)
    with tenancy.bind(ctx):
        records = list(audit.AuditRecord.query(audit.entity_key(ctx, "note", note["id"])))
    assert [r.action for r in records] == ["create", "delete"]
    assert records[-1].changes["text"] == {"before": "Secret discount: 15%", "after": None}
    assert records[-1].actor_id == manager.user_id and audit.verify_chain(records) is None


def test_a_note_follows_its_contact_into_a_merge(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    keeper, absorbed = make_contact(client, company, name="Keeper"), make_contact(client, company, name="Absorbed")
    note = body(write(client, owner, "contact", absorbed, "Prefers e-mail"))
    versions = [body(client.get(f"/api/v1/contacts/{cid}", token=owner))["version"] for cid in (keeper, absorbed)]
    merged = client.post(f"/api/v1/contacts/{keeper}/merge", {"other_id": absorbed, "version": versions[0],
                                                              "other_version": versions[1]}, token=owner)
    assert merged.status_code == 200, merged.body
    found = client.get(f"/api/v1/notes/{note['id']}", token=owner)
    assert found.status_code == 200, found.body
    assert body(found)["subject"] == {"type": "contact", "id": keeper} and body(found)["text"] == "Prefers e-mail"
    timeline = body(client.get(f"/api/v1/contacts/{keeper}/timeline", token=owner))["items"]
    assert note["id"] in [entry["id"] for entry in timeline]
