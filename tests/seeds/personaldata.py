"""A file of a person's data being written for tenant A, for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.personaldata.kit import made, queue
from tests.support import ApiClient


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Ask for a file of one customer's data (``?file=true``: a job, left queued); its id and what must not leak."""
    queue()
    owner = company.owner.token
    contact = made(client.post("/api/v1/contacts", {"first_name": "Alpha", "last_name": "Dataperson"}, token=owner))
    job = made(client.get(f"/api/v1/contacts/{contact['id']}/personal-data?file=true", token=owner), 202)
    return {"personal_export_id": job["id"]}, [job["id"], "Dataperson"]
