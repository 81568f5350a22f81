"""Mixed API and webhook traffic for several tenants (run by tests/load/test_load.py through locust).

Every user works for one tenant (read from the file named by ``CRM_LOAD_TENANTS``) and marks what
it creates with its tenant's marker; every record it reads back must carry that marker, so a record
of another tenant showing up in a list, a search or a card is reported as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

TENANTS: list[dict[str, Any]] = json.loads(Path(os.environ["CRM_LOAD_TENANTS"]).read_text(encoding="utf-8"))
_NEXT = itertools.count()
HOOK = "POST /hooks/forms/{key}"  # the name tests/load/test_load.py counts accepted leads under


class CrmUser(HttpUser):
    """A staff member of one tenant clicking through contacts and the board while forms post leads."""

    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        self.tenant = TENANTS[next(_NEXT) % len(TENANTS)]
        self.marker = self.tenant["marker"]
        self.headers = {"Authorization": f"Bearer {self.tenant['token']}"}
        self.contact_ids: list[str] = []

    def _mine(self, name: str, records: list[dict[str, Any]], response: Any) -> None:
        strangers = [r.get("id") for r in records if self.marker not in json.dumps(r, ensure_ascii=False)]
        if strangers:
            response.failure(f"cross-tenant: {name} of {self.marker} returned {strangers[:3]}")

    @task(3)
    def create_contact(self) -> None:
        """A contact typed in by hand."""
        payload = {"first_name": self.marker, "last_name": f"Lead{secrets.token_hex(3)}",
                   "emails": [{"address": f"{self.marker.lower()}.{secrets.token_hex(5)}@example.com"}]}
        with self.client.post("/api/v1/contacts", json=payload, headers=self.headers, name="POST /contacts",
                              catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            else:
                self.contact_ids.append(response.json()["id"])

    @task(5)
    def list_contacts(self) -> None:
        """The contacts screen."""
        with self.client.get("/api/v1/contacts?limit=50", headers=self.headers, name="GET /contacts",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            else:
                self._mine("list", response.json()["items"], response)

    @task(3)
    def search_contacts(self) -> None:
        """Search by the tenant's marker (every contact of the tenant has it in its name)."""
        with self.client.get(f"/api/v1/contacts?q={self.marker}", headers=self.headers, name="GET /contacts?q",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            else:
                self._mine("search", response.json()["items"], response)

    @task(5)
    def open_card(self) -> None:
        """A contact card."""
        if not self.contact_ids:
            return
        contact_id = self.contact_ids[secrets.randbelow(len(self.contact_ids))]
        with self.client.get(f"/api/v1/contacts/{contact_id}", headers=self.headers, name="GET /contacts/{id}",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            else:
                self._mine("card", [response.json()], response)

    @task(2)
    def board(self) -> None:
        """The deal board of the default pipeline."""
        path = f"/api/v1/pipelines/{self.tenant['pipeline_id']}/board"
        with self.client.get(path, headers=self.headers, name="GET /pipelines/{id}/board",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(3)
    def form_lead(self) -> None:
        """A website form posting a lead to the tenant's webhook (when the forms integration exists)."""
        hook = self.tenant.get("hook_path")
        if not hook:
            return
        email = f"{self.marker.lower()}.{secrets.token_hex(5)}@example.com"
        payload = {"name": f"{self.marker} Webform", "email": email, "message": "load test"}
        with self.client.post(hook, json=payload, name=HOOK, catch_response=True) as response:
            if response.status_code != 200 or not response.json().get("ok"):
                response.failure(f"{response.status_code}: {response.text[:200]}")
