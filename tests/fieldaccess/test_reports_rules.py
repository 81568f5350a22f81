"""Reports that sum deals' amounts (#21 item 10): a role that may not read a deal's amount sees no revenue."""

from __future__ import annotations

import csv
import io

from tests.events.conftest import Feed, feed  # noqa: F401 - the fixture
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def test_revenue_leaves_the_reports_of_a_role_kept_from_amounts(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    company = signup(client, company="Revenue Rules")
    owner = company.owner.token
    made = client.post("/api/v1/roles", {"key": "analyst", "name": "Analyst", "permissions": [
        "contacts:read:all", "deals:read:all", "tasks:read:all", "calls:read:all", "users:read:all",
        "deals.amount:hidden"]}, token=owner)
    assert made.status_code == 201, made.body
    analyst = add_member(client, company, role="analyst", name="analyst").token
    pipeline = body(client.get("/api/v1/pipelines", token=owner))["items"][0]
    won = next(stage["id"] for stage in pipeline["stages"] if stage["kind"] == "won")
    deal = body(client.post("/api/v1/deals", {"title": "Big one", "amount": {"minor": 5_550_123, "currency": "USD"}},
                            token=owner))
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": won, "version": deal["version"]}, token=owner)
    assert moved.status_code == 200, moved.body
    assert feed.deliver() == {"batchItemFailures": []}
    for report in ("sources", "managers"):
        owner_view = client.get(f"/api/v1/reports/{report}", token=owner)
        assert "5550123" in owner_view.body.decode(), (report, owner_view.body)
        seen = client.get(f"/api/v1/reports/{report}", token=analyst)
        assert seen.status_code == 200, seen.body
        assert "5550123" not in seen.body.decode() and all("revenue" not in row for row in body(seen)["items"])
        as_csv = client.get(f"/api/v1/reports/{report}?format=csv", token=analyst).body.decode()
        assert "revenue" not in next(csv.reader(io.StringIO(as_csv))) and "5550123" not in as_csv
