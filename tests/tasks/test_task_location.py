"""A showing is a meeting at a property: a task keeps where it happens (the address the web app opens in a map),
changed, cleared and reverted like its other fields, sealed like its title, and refused past 300 characters."""

from __future__ import annotations

import json

from tests.factories import signup
from tests.security.test_personal_data_at_rest import _items
from tests.support import ApiClient, body

PLACE = "7312 N Central Ave, Phoenix, AZ 85020"


def test_a_showing_keeps_its_address(client: ApiClient) -> None:
    company = signup(client, company="Sunbelt Homes Realty", country="US", timezone="America/Phoenix")
    token = company.owner.token
    made = client.post("/api/v1/tasks", {"title": "Showing for Rachel Kim", "kind": "meeting",
                                         "due_at": "2026-12-13T21:00:00Z", "location": PLACE}, token=token)
    assert made.status_code == 201, made.body
    task = body(made)
    assert task["location"] == PLACE  # it was an unknown field (422)
    assert body(client.get(f"/api/v1/tasks/{task['id']}", token=token))["location"] == PLACE
    # sealed, as its title is
    assert not any("7312 N Central" in json.dumps(item, default=repr) for _, item in _items())
    moved = client.patch(f"/api/v1/tasks/{task['id']}", {"version": task["version"],
                                                         "location": "4218 E Camelback Rd, Phoenix, AZ"}, token=token)
    assert moved.status_code == 200 and body(moved)["location"] == "4218 E Camelback Rd, Phoenix, AZ"
    cleared = client.patch(f"/api/v1/tasks/{task['id']}", {"version": body(moved)["version"], "location": None},
                           token=token)
    assert cleared.status_code == 200 and body(cleared)["location"] is None
    too_long = client.post("/api/v1/tasks", {"title": "Showing", "location": "x" * 301}, token=token)
    assert too_long.status_code == 422
    listed = body(client.get("/api/v1/tasks?view=all", token=token))["items"]
    assert [t["location"] for t in listed] == [None]
