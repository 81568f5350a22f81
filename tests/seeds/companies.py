"""Companies of tenant A for the cross-tenant matrix: a company with a linked contact."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Create a company and link a contact to it; return ids by path parameter and secrets."""
    owner = company.owner.token
    created = client.post("/api/v1/companies", {"name": "Alphacorp Hiddenname", "website": "alphacorp-hidden.example",
                                                "tags": ["alphacorptag"]}, token=owner)
    assert created.status_code == 201, created.body
    employee = client.post("/api/v1/contacts", {"first_name": "Alphaemployee"}, token=owner)
    assert employee.status_code == 201, employee.body
    company_id, employee_id = body(created)["id"], body(employee)["id"]
    linked = client.post(f"/api/v1/companies/{company_id}/contacts", {"contact_id": employee_id}, token=owner)
    assert linked.status_code == 200, linked.body
    ids = {"company_id": company_id, "contact_id": employee_id}
    secrets = ["Alphacorp Hiddenname", "alphacorp-hidden", "alphacorptag", "Alphaemployee", company_id, employee_id]
    return ids, secrets
