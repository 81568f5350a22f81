"""A deal in its contacts' and company's collections: link items and timeline entries, kept in step."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deals.helpers import collection, make_contact, member, staffed_company
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Links Inc")


@pytest.fixture(scope="module")
def sales(app: Any, company: Company) -> dict:
    return body(ApiClient(app).get("/api/v1/pipelines", token=company.owner.token))["items"][0]


def deal_links(company: Company, subject_type: str, subject_id: str) -> dict[str, dict]:
    """The deal links in a record's collection, by deal id."""
    return {item.ref_id: item.summary for item in collection(company, subject_type, subject_id)
            if getattr(item, "link_kind", None) == "deal"}


def entries(company: Company, subject_type: str, subject_id: str, kind: str) -> list[Any]:
    return [item for item in collection(company, subject_type, subject_id)
            if getattr(item, "entry_kind", None) == kind]


def make_company(client: ApiClient, company: Company, name: str = "Romashka LLC") -> str:
    created = client.post("/api/v1/companies", {"name": name}, token=company.owner.token)
    assert created.status_code == 201, created.body
    return str(body(created)["id"])


def test_links_follow_the_deal_through_its_life(client: ApiClient, company: Company, sales: dict) -> None:
    owner = company.owner.token
    anna, boris = make_contact(client, company, name="Anna"), make_contact(client, company, name="Boris")
    firm = make_company(client, company)
    created = client.post("/api/v1/deals", {"title": "Fit-out", "contact_ids": [anna, anna],
                                            "company_id": firm, "amount": {"minor": 5000, "currency": "EUR"}},
                          token=owner)
    assert created.status_code == 201, created.body
    deal = body(created)
    assert deal["contact_ids"] == [anna]
    link = deal_links(company, "contact", anna)[deal["id"]]
    assert link["title"] == "Fit-out" and link["stage_name"] == "New"
    assert link["amount"] == {"minor": 5000, "currency": "EUR"} and link["status"] == "open"
    assert deal["id"] in deal_links(company, "company", firm)
    # A stage change lands on the deal's contacts' timelines and refreshes their links.
    moved = body(client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": sales["stages"][2]["id"],
                                                                  "version": deal["version"]}, token=owner))
    assert deal_links(company, "contact", anna)[deal["id"]]["stage_name"] == "Proposal"
    changes = entries(company, "contact", anna, "stage_change")
    assert [(e.data["from_stage"], e.data["to_stage"]) for e in changes] == [("New", "Proposal"), (None, "New")]
    # Relinking moves the link from Anna to Boris; the company stays.
    relinked = body(client.patch(f"/api/v1/deals/{deal['id']}", {"version": moved["version"],
                                                                  "contact_ids": [boris], "title": "Fit-out v2"},
                                 token=owner))
    assert deal["id"] not in deal_links(company, "contact", anna)
    assert deal_links(company, "contact", boris)[deal["id"]]["title"] == "Fit-out v2"
    assert deal_links(company, "company", firm)[deal["id"]]["title"] == "Fit-out v2"
    # The trash takes the links away; restoring brings them back.
    client.delete(f"/api/v1/deals/{deal['id']}", token=owner)
    assert deal["id"] not in deal_links(company, "contact", boris)
    assert deal["id"] not in deal_links(company, "company", firm)
    client.post(f"/api/v1/deals/{deal['id']}/restore", token=owner)
    assert deal["id"] in deal_links(company, "contact", boris) and deal["id"] in deal_links(company, "company", firm)
    unlinked = client.patch(f"/api/v1/deals/{deal['id']}", {"version": relinked["version"] + 2, "company_id": None},
                            token=owner)
    assert unlinked.status_code == 200, unlinked.body
    assert deal["id"] not in deal_links(company, "company", firm)


def test_the_contact_card_shows_the_deal(client: ApiClient, company: Company) -> None:
    contact = make_contact(client, company, name="Carded")
    deal = body(client.post("/api/v1/deals", {"title": "On the card", "contact_ids": [contact]},
                            token=company.owner.token))
    card = body(client.get(f"/api/v1/contacts/{contact}", token=company.owner.token))
    assert deal["id"] in [link["id"] for link in card["links"]["deal"]]


def test_linking_a_contact_you_cannot_see_answers_404(client: ApiClient, company: Company) -> None:
    agent, agent2 = member(company, "agent"), member(company, "agent2")
    theirs = make_contact(client, company, owner=agent2, name="Theirs")
    response = client.post("/api/v1/deals", {"title": "Poaching", "contact_ids": [theirs]}, token=agent.token)
    assert response.status_code == 404 and body(response)["error"]["details"][0]["loc"] == ["contact_ids", 0]
    mine = make_contact(client, company, owner=agent, name="Mine")
    assert client.post("/api/v1/deals", {"title": "Fine", "contact_ids": [mine]}, token=agent.token).status_code \
        == 201


def test_another_tenants_contact_answers_404(client: ApiClient, company: Company) -> None:
    stranger = signup(client, company="Strangers")
    theirs = make_contact(client, stranger, name="Foreign")
    response = client.post("/api/v1/deals", {"title": "Cross", "contact_ids": [theirs]}, token=company.owner.token)
    assert response.status_code == 404
    assert client.post("/api/v1/deals", {"title": "Cross", "company_id": make_company(client, stranger)},
                       token=company.owner.token).status_code == 404
