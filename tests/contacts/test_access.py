"""Contacts: record scopes per role, sensitive fields and their audited reveal."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import audit, tenancy
from tests.contacts.helpers import card, context, listed, new_contact
from tests.factories import Member, add_member, signup
from tests.support import ApiClient, body


class Office:
    """A tenant with two teams: a manager and an agent in team A, an agent in team B, a read-only user."""

    def __init__(self, client: ApiClient) -> None:
        self.company = signup(client, company="Office")
        owner = self.company.owner.token
        team_a = body(client.post("/api/v1/teams", {"name": "Team A"}, token=owner))["id"]
        team_b = body(client.post("/api/v1/teams", {"name": "Team B"}, token=owner))["id"]
        self.manager = add_member(client, self.company, role="manager", name="manager", team_id=team_a)
        self.agent = add_member(client, self.company, role="agent", name="agent", team_id=team_a)
        self.other_agent = add_member(client, self.company, role="agent", name="other", team_id=team_b)
        self.reader = add_member(client, self.company, role="read_only", name="reader")
        self.team_a = team_a
        self.agents_contact = self._contact(client, self.agent)
        self.managers_contact = self._contact(client, self.manager)
        self.other_contact = self._contact(client, self.other_agent)

    def _contact(self, client: ApiClient, member: Member) -> str:
        return new_contact(client, self.company.owner.token, owner_id=member.user_id,
                           iban="DE89370400440532013000", passport_number="AB1234567")["id"]


@pytest.fixture(scope="module")
def office(app: Any) -> Office:
    return Office(ApiClient(app))


def test_an_agent_sees_only_own_contacts_and_gets_404_for_others(client: ApiClient, office: Office) -> None:
    token = office.agent.token
    assert listed(client, token, "?limit=200") == [office.agents_contact]
    assert card(client, token, office.agents_contact)["id"] == office.agents_contact
    for hidden in (office.managers_contact, office.other_contact):
        assert client.get(f"/api/v1/contacts/{hidden}", token=token).status_code == 404
        assert client.patch(f"/api/v1/contacts/{hidden}", {"version": 1, "first_name": "X"},
                            token=token).status_code == 404
        assert client.get(f"/api/v1/contacts/{hidden}/timeline", token=token).status_code == 404


def test_an_agent_creates_contacts_only_for_itself(client: ApiClient, office: Office) -> None:
    own = new_contact(client, office.agent.token, first_name="Mine")
    assert own["owner_id"] == office.agent.user_id and own["team_id"] == office.team_a
    response = client.post("/api/v1/contacts", {"first_name": "Theirs", "owner_id": office.other_agent.user_id},
                           token=office.agent.token)
    assert response.status_code == 403
    assert client.delete(f"/api/v1/contacts/{own['id']}", token=office.agent.token).status_code == 403


def test_a_manager_sees_the_team_not_other_teams(client: ApiClient, office: Office) -> None:
    token = office.manager.token
    seen = listed(client, token, "?limit=200")
    assert office.agents_contact in seen and office.managers_contact in seen and office.other_contact not in seen
    assert client.get(f"/api/v1/contacts/{office.other_contact}", token=token).status_code == 404
    assert card(client, token, office.agents_contact)["owner_id"] == office.agent.user_id
    assert listed(client, token, "?q=anna&limit=200").count(office.other_contact) == 0


def test_read_only_reads_everything_and_writes_nothing(client: ApiClient, office: Office) -> None:
    token = office.reader.token
    assert {office.agents_contact, office.other_contact} <= set(listed(client, token, "?limit=200"))
    assert client.post("/api/v1/contacts", {"first_name": "No"}, token=token).status_code == 403
    assert client.patch(f"/api/v1/contacts/{office.agents_contact}", {"version": 1, "first_name": "No"},
                        token=token).status_code == 403
    assert client.delete(f"/api/v1/contacts/{office.agents_contact}", token=token).status_code == 403
    assert card(client, office.company.owner.token, office.agents_contact)["first_name"] == "Anna"


def test_sensitive_values_are_masked_everywhere_by_default(client: ApiClient, office: Office) -> None:
    shown = card(client, office.company.owner.token, office.agents_contact)
    assert shown["iban"] == "••••3000" and shown["passport_number"] == "••••4567"
    assert shown["revealed"] == []
    text = client.get("/api/v1/contacts?limit=200", token=office.company.owner.token).body.decode()
    assert "DE89370400440532013000" not in text and "AB1234567" not in text


def _reads(office: Office, contact_id: str) -> list[audit.SensitiveRead]:
    with tenancy.bind(ctx := context(office.company)):
        return list(audit.SensitiveRead.query(audit.reads_key(ctx, "contact", contact_id)))


def test_a_reveal_shows_clear_text_and_is_recorded_first(client: ApiClient, office: Office) -> None:
    before = len(_reads(office, office.managers_contact))
    response = client.get(f"/api/v1/contacts/{office.managers_contact}?reveal=iban,passport_number",
                          token=office.manager.token)
    assert response.status_code == 200, response.body
    shown = body(response)
    assert shown["iban"] == "DE89370400440532013000" and shown["passport_number"] == "AB1234567"
    assert shown["revealed"] == ["iban", "passport_number"]
    reads = _reads(office, office.managers_contact)[before:]
    assert sorted(r.field for r in reads) == ["iban", "passport_number"]
    assert {r.actor_id for r in reads} == {office.manager.user_id}


def test_an_agent_may_not_reveal_and_nothing_is_recorded(client: ApiClient, office: Office) -> None:
    before = len(_reads(office, office.agents_contact))
    response = client.get(f"/api/v1/contacts/{office.agents_contact}?reveal=iban", token=office.agent.token)
    assert response.status_code == 403 and "DE89" not in response.body.decode()
    assert len(_reads(office, office.agents_contact)) == before
    bad = client.get(f"/api/v1/contacts/{office.agents_contact}?reveal=owner_id", token=office.company.owner.token)
    assert bad.status_code == 422


def test_api_keys_act_within_their_permissions(client: ApiClient, office: Office) -> None:
    owner = office.company.owner.token
    key = body(client.post("/api/v1/api-keys", {"name": "ERP", "permissions": ["contacts:read:all",
                                                                                "contacts:create:all"]},
                           token=owner))["secret"]
    created = client.post("/api/v1/contacts", {"first_name": "From ERP"}, token=key)
    assert created.status_code == 201 and body(created)["owner_id"] == office.company.owner.user_id
    assert client.delete(f"/api/v1/contacts/{body(created)['id']}", token=key).status_code == 403


def test_an_agent_adding_a_colleagues_customer_is_told_whom_to_ask(client: ApiClient, office: Office) -> None:
    # A master adding a customer whose number is a colleague's got "already exists" and nothing to do next (the card
    # is not hers to open); the 409 names the responsible colleague, never the contact's id or data
    taken = new_contact(client, office.company.owner.token, owner_id=office.other_agent.user_id,
                        first_name="Guzel", phones=[{"number": "+79172223344"}])
    response = client.post("/api/v1/contacts", {"first_name": "G", "phones": [{"number": "+7 917 222-33-44"}]},
                           token=office.agent.token)
    assert response.status_code == 409 and body(response)["error"]["code"] == "duplicate_contact"
    assert body(response)["error"]["details"] == [{"match": "phone", "owner_name": "Other"}]
    assert taken["id"] not in response.body.decode() and "Guzel" not in response.body.decode()
    # whoever may open it gets its id, as before, and not a name to ask
    owners = client.post("/api/v1/contacts", {"first_name": "G", "phones": [{"number": "+79172223344"}]},
                         token=office.company.owner.token)
    assert body(owners)["error"]["details"] == [{"match": "phone", "existing_id": taken["id"]}]
