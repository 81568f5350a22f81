"""Notes of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A note on a deal; return ids by path parameter and secrets."""
    owner = company.owner.token
    deal = body(client.post("/api/v1/deals", {"title": "Alpha noted deal"}, token=owner))
    note = body(client.post("/api/v1/notes", {"subject": {"type": "deal", "id": deal["id"]},
                                              "text": "Alpha secret note"}, token=owner,
                            headers={"Idempotency-Key": "alpha-note-1"}))  # its kept answer is tenant data too
    return {"note_id": note["id"]}, [note["id"], deal["id"], "Alpha secret note"]
