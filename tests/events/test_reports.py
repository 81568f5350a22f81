"""Report counters kept from the domain-event feed and the reports read from them (sources, managers,
communications): once per event, by day and dimension, within the caller's scope, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.due import service as due
from tests.events.conftest import Feed
from tests.factories import add_member, signup
from tests.messaging.kit import make_conversation
from tests.support import ApiClient, body


def _stage(client: ApiClient, token: str, name: str) -> str:
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    return next(stage["id"] for stage in pipeline["stages"] if stage["name"] == name)


def _sources(client: ApiClient, token: str, query: str = "") -> dict[str, Any]:
    return body(client.get("/api/v1/reports/sources" + query, token=token))


def test_sources_count_leads_deals_and_won_revenue_once_per_event(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Sources")
    agent = add_member(client, company, role="agent", name="agent")
    owner = company.owner.token
    google = body(client.post("/api/v1/contacts", {"first_name": "Gleb", "utm": {"source": "google"},
                                                   "owner_id": agent.user_id}, token=owner))
    body(client.post("/api/v1/contacts", {"first_name": "Walk", "source": "form:Website", "owner_id": agent.user_id},
                     token=owner))
    body(client.post("/api/v1/contacts", {"first_name": "Own"}, token=owner))
    deal = body(client.post("/api/v1/deals", {"title": "Google deal", "contact_ids": [google["id"]],
                                              "owner_id": agent.user_id,
                                              "amount": {"minor": 120_000, "currency": "USD"}}, token=owner))
    proposal = body(client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": _stage(client, owner, "Proposal"),
                                                                      "version": deal["version"]}, token=owner))
    client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": _stage(client, owner, "Won"),
                                                     "version": proposal["version"]}, token=owner)
    assert feed.deliver() == {"batchItemFailures": []}
    expected = {"google": {"source": "google", "leads": 1, "deals": 1, "won": 1, "revenue": 120_000},
                "Website": {"source": "Website", "leads": 1, "deals": 0, "won": 0, "revenue": 0},
                "manual": {"source": "manual", "leads": 1, "deals": 0, "won": 0, "revenue": 0}}
    report = _sources(client, owner)
    assert report["currency"] == "USD" and report["from"] <= report["to"]
    assert {row["source"]: row for row in report["items"]} == expected
    assert report["items"][0]["source"] == "google"  # the best source first

    feed.deliver(feed.delivered)  # redelivered: counted once
    assert {row["source"]: row for row in _sources(client, owner)["items"]} == expected
    mine = {row["source"] for row in _sources(client, agent.token)["items"]}
    assert mine == {"google", "Website"}  # an agent sees its own numbers: the owner's lead is not its
    managers = {row["user_id"]: row for row in body(client.get("/api/v1/reports/managers", token=owner))["items"]}
    assert managers[agent.user_id]["won"] == 1 and managers[agent.user_id]["revenue"] == 120_000

    tomorrow = body(client.get("/api/v1/reports/sources?from=2001-01-01&to=2001-01-31", token=owner))
    assert tomorrow["items"] == []
    refused = client.get("/api/v1/reports/sources?from=2030-02-01&to=2030-01-01", token=owner)
    assert refused.status_code == 422 and body(refused)["error"]["details"][0]["type"] == "invalid_period"

    answer = client.get("/api/v1/reports/sources?format=csv", token=owner)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert {row["source"]: int(row["revenue"]) for row in rows} == {"google": 120_000, "Website": 0, "manual": 0}


def test_a_formula_in_a_source_is_not_a_formula_in_the_csv(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Formulas")
    client.post("/api/v1/contacts", {"first_name": "Eve", "utm": {"source": "=HYPERLINK(\"x\")"}},
                token=company.owner.token)
    feed.deliver()
    text = client.get("/api/v1/reports/sources?format=csv", token=company.owner.token).body.decode()
    assert "'=HYPERLINK" in text


def test_tasks_done_and_overdue_count_for_their_assignee(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Task counts")
    agent = add_member(client, company, role="agent", name="agent")
    owner = company.owner.token
    due_at = (datetime.now(UTC) + timedelta(minutes=30)).replace(microsecond=0)
    late = body(client.post("/api/v1/tasks", {"title": "Late one", "due_at": due_at.isoformat(),
                                              "assignee_id": agent.user_id}, token=owner))
    done = body(client.post("/api/v1/tasks", {"title": "Done one", "assignee_id": agent.user_id}, token=owner))
    client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]}, token=agent.token)
    feed.deliver()
    due.run_due(now=due_at + timedelta(minutes=1))
    due.run_due(now=due_at + timedelta(minutes=2))
    managers = {row["user_id"]: row for row in body(client.get("/api/v1/reports/managers", token=owner))["items"]}
    assert (managers[agent.user_id]["tasks_done"], managers[agent.user_id]["tasks_overdue"]) == (1, 1)
    assert late["id"]


def test_messages_count_in_communications_and_managers_from_the_messengers_counters(client: ApiClient) -> None:
    company = signup(client, company="Messages")
    owner = company.owner.token
    conversation = make_conversation(client, owner, customer="+79161230077")
    assert client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Glad to help"},
                       token=owner).status_code == 201
    rows = {(r["channel"], r["direction"]): r for r in
            body(client.get("/api/v1/reports/communications", token=owner))["items"]}
    assert rows[("whatsapp", "inbound")]["messages"] == 1 and rows[("whatsapp", "outbound")]["messages"] == 1
    assert rows[("whatsapp", "outbound")]["responses"] == 1
    managers = {r["user_id"]: r for r in body(client.get("/api/v1/reports/managers", token=owner))["items"]}
    assert managers[company.owner.user_id]["messages"] == 2
    assert managers[company.owner.user_id]["avg_response_seconds"] is not None


def test_a_deal_counts_under_the_channel_that_made_it_even_without_a_contact(client: ApiClient, feed: Feed) -> None:
    from tests.billing import helpers
    from tests.integrations.helpers import create_form, events, post_form

    company = signup(client, company="Leads at the limit", country="RU")
    owner = company.owner.token
    form = create_form(client, company, name="Букеты")
    walk_in = body(client.post("/api/v1/contacts", {"first_name": "Walk", "source": "form:Shop"}, token=owner))
    chat = body(client.post("/api/v1/deals", {"title": "From a chat", "contact_ids": [walk_in["id"]],
                                              "source": "whatsapp"}, token=owner))
    assert chat["source"] == "whatsapp"  # the deal's own channel, kept beside its contact's
    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=1, pipelines=1, contacts=limit)  # no room for the lead's contact
    assert post_form(client, form, {"name": "Анна", "phone": "+7 912 345-67-89", "utm_campaign": "spring"}
                     ).status_code == 200
    assert post_form(client, form, {"name": "Борис", "phone": "+7 912 345-67-80", "utm_source": "yandex"}
                     ).status_code == 200
    made = [body(client.get(f"/api/v1/deals/{event['outcome']['deal_id']}", token=owner))["deal"]
            for event in events(client, company, form)]
    assert all(deal["contact_ids"] == [] for deal in made)  # both leads came in without a contact
    assert sorted((deal["source"], str(deal["utm"])) for deal in made) == [
        ("form:Букеты", str({"campaign": "spring"})), ("form:Букеты", str({"source": "yandex"}))]
    assert feed.deliver() == {"batchItemFailures": []}
    rows = {row["source"]: (row["leads"], row["deals"]) for row in _sources(client, owner)["items"]}
    # Each deal under the channel that made it, not "manual" for want of a contact; the contact under its own.
    assert rows == {"Букеты": (0, 1), "yandex": (0, 1), "whatsapp": (0, 1), "Shop": (1, 0)}
