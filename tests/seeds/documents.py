"""Documents of tenant A for the cross-tenant matrix: requisites, a template and an invoice of its deal."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Requisites, a template and an invoice of the deals seed's deal; return ids by path parameter and secrets."""
    owner = company.owner.token
    saved = client.put("/api/v1/document-settings/requisites", {
        "version": 0, "legal_name": "Alpha Secret Trading Ltd", "tax_id": "AL-4242-TAX",
        "iban": "DE89370400440532013000"}, token=owner)
    assert saved.status_code == 200, saved.body
    template = body(client.post("/api/v1/document-templates", {
        "type": "invoice", "name": "Alpha secret template", "body": "<p>Alpha template text {{ document.number }}</p>",
    }, token=owner))
    document = body(client.post(f"/api/v1/deals/{company.extra['deal']['id']}/documents", {"type": "invoice"},
                                token=owner))
    ids = {"document_id": document["id"], "template_id": template["id"]}
    secrets = [document["id"], template["id"], "Alpha Secret Trading Ltd", "AL-4242-TAX", "Alpha secret template",
               "Alpha template text", document["number"]]
    return ids, secrets
