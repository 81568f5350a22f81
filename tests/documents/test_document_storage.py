"""A document's PDF counts in the company's storage (README: documents "kept in S3 under the company's prefix and
counted in its storage"), and at the plan's storage limit a new one is refused (402) with nothing kept and its
number not used: the numbers stay without gaps."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.billing import storage
from chalicelib.billing.models import Usage, usage_key
from chalicelib.core import aws, db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind
from tests.factories import Company, signup
from tests.support import ApiClient, body

PRO_STORAGE = 51_200 * storage.MB  # the trial's pro


def kept(company: Company) -> int:
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        return storage.stored(ctx).kept


def set_kept(company: Company, size: int) -> None:
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        found = db.get(ctx, Usage, *usage_key(ctx)) or Usage(*usage_key(ctx))
        found.storage_bytes = size
        found.save()


@pytest.fixture
def company(client: ApiClient) -> Company:
    company = signup(client, company="Paper Trail Ltd", country="GB")
    deal = body(client.post("/api/v1/deals", {"title": "Shop fit-out", "amount": {"minor": 250000, "currency": "GBP"}},
                            token=company.owner.token))
    company.extra["deal"] = deal
    return company


def issue(client: ApiClient, company: Company) -> Any:
    return client.post(f"/api/v1/deals/{company.extra['deal']['id']}/documents", {"type": "invoice"},
                       token=company.owner.token)


def pdfs(company: Company) -> int:
    found = aws.client("s3").list_objects_v2(Bucket=settings.recordings_bucket,
                                             Prefix=f"tenants/{company.tenant_id}/documents/")
    return int(found.get("KeyCount", 0))


def documents(client: ApiClient, company: Company) -> list[dict[str, Any]]:
    found = client.get(f"/api/v1/deals/{company.extra['deal']['id']}/documents", token=company.owner.token)
    return list(body(found)["items"])


def test_an_issued_document_counts_its_pdf_in_storage(client: ApiClient, company: Company) -> None:
    before = kept(company)
    made = issue(client, company)
    assert made.status_code == 201, made.body
    size = body(made)["size"]
    assert size > 0 and kept(company) == before + size


def test_past_the_plans_storage_a_document_is_refused_and_its_number_left_for_the_next(
        client: ApiClient, company: Company) -> None:
    first = body(issue(client, company))
    set_kept(company, PRO_STORAGE)  # full
    refused = issue(client, company)
    assert refused.status_code == 402, refused.body
    error = body(refused)["error"]
    assert error["code"] == "plan_limit_reached" and error["details"][0]["limit"] == "storage_mb", error
    assert [d["id"] for d in documents(client, company)] == [first["id"]]  # nothing kept of the refused one
    assert kept(company) == PRO_STORAGE and pdfs(company) == 1

    set_kept(company, 0)  # room again (files deleted, a bigger plan)
    second = body(issue(client, company))
    assert first["number"].endswith("0001") and second["number"].endswith("0002"), (first, second)
