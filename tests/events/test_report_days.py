"""Report days are the company's days (#19): counters are kept by the date of the event on the company's clock,
and a report's period (its default "today" too) reads those days. A company in Asia/Vladivostok (UTC+10) and one
in America/Los_Angeles (UTC-7 in June) each get a lead just after their midnight and just before it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.events.conftest import Feed, frozen
from tests.factories import Company, signup
from tests.support import ApiClient, body


def _lead(client: ApiClient, company: Company, name: str) -> None:
    made = client.post("/api/v1/contacts", {"first_name": name, "source": "form:Site"}, token=company.owner.token)
    assert made.status_code == 201, made.body


def _leads(client: ApiClient, company: Company, day: str) -> int:
    report = body(client.get(f"/api/v1/reports/sources?from={day}&to={day}", token=company.owner.token))
    return sum(row["leads"] for row in report["items"])


@pytest.mark.parametrize(("zone", "after_midnight", "before_midnight"), [
    # Vladivostok: 00:30 on the 11th is 14:30 UTC on the 10th; 23:30 on the 11th is 13:30 UTC on the 11th
    ("Asia/Vladivostok", datetime(2031, 6, 10, 14, 30, tzinfo=UTC), datetime(2031, 6, 11, 13, 30, tzinfo=UTC)),
    # Los Angeles (PDT): 00:30 on the 11th is 07:30 UTC on the 11th; 23:30 on the 11th is 06:30 UTC on the 12th
    ("America/Los_Angeles", datetime(2031, 6, 11, 7, 30, tzinfo=UTC), datetime(2031, 6, 12, 6, 30, tzinfo=UTC)),
    # Almaty, UTC+5 since Kazakhstan moved to one zone on 1 March 2024 (tz 2024a): 23:30 on the 11th is 18:30 UTC,
    # which a time zone database from before read as 00:30 on the 12th
    ("Asia/Almaty", datetime(2031, 6, 10, 19, 30, tzinfo=UTC), datetime(2031, 6, 11, 18, 30, tzinfo=UTC)),
])
def test_a_lead_counts_on_the_companys_day_and_today_is_the_companys(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch, zone: str, after_midnight: datetime,
        before_midnight: datetime) -> None:
    company = signup(client, company=f"Days {zone}", timezone=zone)
    for moment, name in ((after_midnight, "Early"), (before_midnight, "Late")):
        with frozen(monkeypatch, moment):
            _lead(client, company, name)
    assert feed.deliver() == {"batchItemFailures": []}
    assert (_leads(client, company, "2031-06-10"), _leads(client, company, "2031-06-11"),
            _leads(client, company, "2031-06-12")) == (0, 2, 0)  # both on the 11th, the company's day
    with frozen(monkeypatch, after_midnight):  # the company's today is the 11th already (or still)
        today: dict[str, Any] = body(client.get("/api/v1/reports/sources", token=company.owner.token))
    assert today["to"] == "2031-06-11" and sum(row["leads"] for row in today["items"]) == 2


# Vladivostok (UTC+10): 00:30 on the 11th is 14:30 UTC on the 10th, 23:30 on the 11th is 13:30 UTC on the 11th; the
# other day counters (orders', tickets', the messengers') are kept by the company's day too, and read by it.
EARLY, LATE = datetime(2031, 6, 10, 14, 30, tzinfo=UTC), datetime(2031, 6, 11, 13, 30, tzinfo=UTC)
DAYS = ("2031-06-10", "2031-06-11", "2031-06-12")


def test_orders_count_on_the_companys_day(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Days orders", timezone="Asia/Vladivostok")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Irina"}, token=token))
    for moment in (EARLY, LATE):
        with frozen(monkeypatch, moment):
            made = client.post("/api/v1/orders", {"currency": "EUR", "contact_id": contact["id"], "lines": [
                {"description": "A", "quantity": "1", "unit_price_minor": 1000}]}, token=token)
            assert made.status_code == 201, made.body
    with frozen(monkeypatch, EARLY):  # a payment recorded without its date is paid on the company's today
        order = body(made)
        confirmed = body(client.post(f"/api/v1/orders/{order['id']}/status",
                                     {"status": "confirmed", "version": order["version"]}, token=token))
        paid = client.post(f"/api/v1/orders/{order['id']}/payments", {"version": confirmed["version"],
                                                                      "amount_minor": 1000, "method": "cash"},
                           token=token)
        assert paid.status_code == 200 and body(paid)["payments"][0]["paid_on"] == "2031-06-11", paid.body
    reports = {day: body(client.get(f"/api/v1/reports/orders?from={day}&to={day}", token=token))["items"]
               for day in DAYS}
    assert {day: [(row["created"], row["received"]) for row in rows] for day, rows in reports.items()} == {
        "2031-06-10": [], "2031-06-11": [(2, 1000)], "2031-06-12": []}
    with frozen(monkeypatch, EARLY):  # the company's today is the 11th already
        today = body(client.get("/api/v1/reports/orders", token=token))
    assert today["to"] == "2031-06-11" and [row["day"] for row in today["items"]] == ["2031-06-11"]


def test_tickets_count_on_the_companys_day(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Days tickets", timezone="Asia/Vladivostok")
    token = company.owner.token
    for moment in (EARLY, LATE):
        with frozen(monkeypatch, moment):
            made = client.post("/api/v1/tickets", {"subject": "Parcel arrived broken"}, token=token)
            assert made.status_code == 201, made.body
    report = body(client.get(f"/api/v1/reports/tickets?by=day&from={DAYS[0]}&to={DAYS[2]}", token=token))
    assert [(row["key"], row["created"]) for row in report["items"]] == [("2031-06-11", 2)]
    with frozen(monkeypatch, EARLY):
        today = body(client.get("/api/v1/reports/tickets?by=day", token=token))
    assert today["to"] == "2031-06-11" and today["total"]["created"] == 2


def test_messages_count_on_the_companys_day(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.messaging.kit import make_conversation

    company = signup(client, company="Days messages", timezone="Asia/Vladivostok")
    token = company.owner.token
    conversation = make_conversation(client, token)
    for moment in (EARLY, LATE):
        with frozen(monkeypatch, moment):
            sent = client.post(f"/api/v1/conversations/{conversation['id']}/messages",
                               {"template": {"name": "welcome", "language": "en_US"}}, token=token)
            assert sent.status_code == 201, sent.body
    outbound = {day: sum(row["outbound"] for row in body(client.get(
        f"/api/v1/conversations/stats?from={day}&to={day}", token=token))["items"]) for day in DAYS}
    assert outbound == {"2031-06-10": 0, "2031-06-11": 2, "2031-06-12": 0}
    with frozen(monkeypatch, EARLY):  # the default period ends on the company's today
        today = body(client.get("/api/v1/conversations/stats", token=token))["items"]
    assert sum(row["outbound"] for row in today) == 2
    refused = client.get(f"/api/v1/conversations/stats?from={DAYS[2]}&to={DAYS[0]}", token=token)
    assert refused.status_code == 422
