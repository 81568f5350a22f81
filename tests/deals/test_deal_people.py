"""The deal card names its contacts and company (#20 item 1): what they are called now, to a caller who may read
them; a deal made with a contact and a company from the create form shows both."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deals.helpers import data_requests, member, staffed_company
from tests.factories import Company
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "People Inc")


def test_the_card_names_the_deals_contacts_and_company(client: ApiClient, company: Company,
                                                       tenancy_watcher: Any) -> None:
    token = company.owner.token
    olga = body(client.post("/api/v1/contacts", {"first_name": "Ольга", "last_name": "Смирнова"}, token=token))
    hall = body(client.post("/api/v1/companies", {"name": "Flower Hall"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Wedding", "contact_ids": [olga["id"]],
                                              "company_id": hall["id"]}, token=token))
    tenancy_watcher.reset()
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=token))
    operations = [operation for operation, _ in tenancy_watcher.requests]
    # one Query; one BatchGetItem names them and reads the pipeline (the stage bar)
    assert data_requests(tenancy_watcher) == ["Query"] and operations[operations.index("Query"):] == [
        "Query", "BatchGetItem"]
    assert card["pipeline"]["id"] == deal["pipeline_id"]
    assert card["contacts"] == [{"id": olga["id"], "name": "Ольга Смирнова"}]
    assert card["company"] == {"id": hall["id"], "name": "Flower Hall"}
    client.patch(f"/api/v1/companies/{hall['id']}", {"version": hall["version"], "name": "Flower Hall Ltd"},
                 token=token)
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=token))["company"]["name"] == "Flower Hall Ltd"


def test_a_deal_without_people_names_none(client: ApiClient, company: Company) -> None:
    deal = body(client.post("/api/v1/deals", {"title": "Alone"}, token=company.owner.token))
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=company.owner.token))
    assert card["contacts"] == [] and card["company"] is None


def test_a_contact_the_caller_may_not_read_is_not_named(client: ApiClient, company: Company) -> None:
    manager, agent = member(company, "manager"), member(company, "agent")
    secret = body(client.post("/api/v1/contacts", {"first_name": "Secret", "owner_id": manager.user_id},
                              token=manager.token))
    deal = client.post("/api/v1/deals", {"title": "Agent's", "owner_id": agent.user_id,
                                         "contact_ids": [secret["id"]]}, token=manager.token)
    assert deal.status_code == 201, deal.body
    card = body(client.get(f"/api/v1/deals/{body(deal)['id']}", token=agent.token))
    assert card["contacts"] == [{"id": secret["id"], "name": None}]
