"""The demo company's month (#20 item 15): a newcomer who signs in to the demo of ``make run`` finds a flower shop at
work: venues and customers linked, deals along the whole funnel, tasks overdue, today and ahead, notes, and website
leads with the customers' own words."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from local.demo_month import seed_month
from tests.factories import add_member, signup
from tests.support import ApiClient, body
from webhooks import messengers, simulate
from webhooks.providers import Call


def test_the_demo_company_has_a_month_of_a_flower_shop(app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Demo Month Flowers", country="GB")
    agent = add_member(client, company, role="agent", name="anton")
    made = seed_month(app, company.owner.token, agent_id=agent.user_id)
    token = company.owner.token
    assert made == {"companies": 6, "contacts": 20, "deals": 12, "notes": 7, "tasks": 16, "leads": 5, "products": 5,
                    "orders": 4, "tickets": 1, "articles": 1, "segments": 1, "campaigns": 1}

    contacts = body(client.get("/api/v1/contacts?limit=100", token=token))["items"]
    assert len(contacts) >= 20 + 4  # four new leads (one came back: a contact already there)
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    board = body(client.get(f"/api/v1/pipelines/{pipeline['id']}/board", token=token))
    filled = [column["stage"]["name"] for column in board["columns"] if column["count"]]
    assert len(filled) >= 5 and "Won" in filled and "Lost" in filled, filled

    views = {view: body(client.get(f"/api/v1/tasks?view={view}", token=token))["items"]
             for view in ("overdue", "today", "upcoming")}
    assert all(views.values()), {view: len(items) for view, items in views.items()}  # something in each
    assert any(task["related"] and task["related"]["name"] for task in views["today"])

    leads = [c for c in contacts if c.get("email") == "priya@example.com"]
    card = body(client.get(f"/api/v1/contacts/{leads[0]['id']}", token=token))
    entry = next(e for e in card["timeline"] if e["kind"] == "form_submission")
    assert "weekly flowers" in entry["data"]["message"] and entry["data"]["utm"]["source"] == "google"
    assert card.get("contact", card)["utm"]["source"] == "google"

    # the shop's other screens open on something: orders at every step, paid ones, a complaint about one, a help
    # article, this month's buyers and a newsletter to them waiting to be sent
    orders = body(client.get("/api/v1/orders?limit=50", token=token))["items"]
    assert sorted(o["status"] for o in orders) == ["confirmed", "delivered", "delivered", "new"]
    assert len(body(client.get("/api/v1/products", token=token))["items"]) == 5
    [ticket] = body(client.get("/api/v1/tickets", token=token))["items"]
    assert ticket["priority"] == "high"
    assert [a["title"] for a in body(client.get("/api/v1/kb/articles", token=token))["items"]] == ["How we deliver"]
    [campaign] = body(client.get("/api/v1/campaigns", token=token))["items"]
    assert campaign["status"] == "draft" and campaign["segment_id"]
    # the buyers are placed by the first due run of make run (it looks 48 hours back): the segment listed
    # 'Placing contacts...' for good when its build was set further back on the seed's clock
    from chalicelib.due import service as due

    due.run_due()
    segment = body(client.get(f"/api/v1/segments/{campaign['segment_id']}", token=token))
    assert segment["status"] == "ready", segment
    # and the newsletter has someone to go to: half the customers agreed to e-mails (none had, all were skipped)
    emma = next(c for c in contacts if c.get("email") == "emma.clarke@example.com")
    assert body(client.get(f"/api/v1/contacts/{emma['id']}/consent", token=token))["email"]["status"] == "granted"

    # the shop's requisites, so its first invoice names the seller in full (an empty "Seller:" line before)
    requisites = body(client.get("/api/v1/document-settings/requisites", token=token))
    assert requisites["legal_name"] == "Demo Flowers Ltd" and requisites["tax_id"] and requisites["iban"]
    assert body(client.get(f"/api/v1/orders/{orders[0]['id']}/documents", token=token))["requisites_missing"] is False

    # spread over the month, not made in one instant
    created = sorted(c["created_at"][:10] for c in contacts)
    assert len(set(created)) >= 8

    # the simulators' numbers are nobody's here: the banner's call, and a chat, come from a new number, and a lead
    # sent with `simulate form` is a new lead, not the caller
    assert simulate.DEFAULT_FIELDS["phone"] != Call.customer and messengers.Chat.customer == Call.customer
    assert body(client.get(f"/api/v1/contacts?q={quote('+447911120000')}", token=token))["items"]  # a customer's
    for number in (Call.customer, simulate.DEFAULT_FIELDS["phone"]):
        assert body(client.get(f"/api/v1/contacts?q={quote(number)}", token=token))["items"] == [], number


def test_the_demo_month_has_tasks_today_when_seeded_in_the_company_s_last_half_hour(app: Any) -> None:
    # make run seeds the demo at any hour: seeded at 23:45 in London, "today" is still London's day (its three tasks
    # were put half an hour ahead, on the next day, and the Tasks screen's Today was empty)
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    client = ApiClient(app)
    company = signup(client, company="Late Night Flowers", country="GB")
    agent = add_member(client, company, role="agent", name="lena")
    london = ZoneInfo(body(client.get("/api/v1/me", token=company.owner.token))["tenant"]["timezone"])
    assert london.key == "Europe/London"
    night = (datetime.now(UTC) - timedelta(days=2)).astimezone(london).replace(hour=23, minute=45, second=0,
                                                                               microsecond=0)
    seed_month(app, company.owner.token, agent_id=agent.user_id, now=night.astimezone(UTC))
    tasks = body(client.get("/api/v1/tasks?view=all&limit=100", token=company.owner.token))["items"]
    days = [datetime.fromisoformat(task["due_at"].replace("Z", "+00:00")).astimezone(london).date() for task in tasks]
    assert days.count(night.date()) == 3, sorted(days)
