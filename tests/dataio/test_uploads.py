"""Large files: a presigned form puts the file (up to 20 MB) straight into the bucket under the tenant's prefix,
and an import reads it from there instead of from the 1 MiB request body."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.dataio import storage
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Big files", country="RU")
    add_member(client, company, role="read_only", name="reader")
    return company


def form(client: ApiClient, token: str) -> Any:
    return client.post("/api/v1/imports/uploads", {"entity": "contact", "filename": "big.csv"}, token=token)


def browser_upload(upload: dict[str, Any], content: bytes) -> None:
    """What the browser's form POST leaves in the bucket (moto does not check a POST policy's conditions)."""
    aws.client("s3").put_object(Bucket=settings.export_bucket, Key=upload["fields"]["key"], Body=content)


def big_csv(rows: int) -> bytes:
    lines = ["Имя;Фамилия;Телефон;Комментарий"]
    lines += [f"Имя{n};Фамилия{n};+7 999 {n // 10000 % 1000:03d} {n % 10000:04d};{'x' * 80}" for n in range(rows)]
    return "\n".join(lines).encode()


def test_the_form_is_limited_to_one_key_20_mb_and_15_minutes(client: ApiClient, company: Company) -> None:
    response = form(client, company.owner.token)
    assert response.status_code == 201, response.body
    upload = body(response)
    assert upload["fields"]["key"] == f"tenants/{company.tenant_id}/uploads/{upload['upload_id']}"
    assert upload["max_bytes"] == 20 * 1024 * 1024
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    assert ["content-length-range", 1, 20 * 1024 * 1024] in policy["conditions"]
    assert {"key": upload["fields"]["key"]} in policy["conditions"]
    assert {"bucket": settings.export_bucket} in policy["conditions"]
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    assert form(client, company.members["reader"].token).status_code == 403


def test_an_uploaded_file_larger_than_the_body_limit_is_previewed(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    upload = body(form(client, token))
    content = big_csv(10_000)
    assert len(content) > settings.max_body_bytes
    browser_upload(upload, content)
    response = client.post("/api/v1/imports", {"entity": "contact", "filename": "big.csv",
                                               "upload_id": upload["upload_id"]}, token=token)
    assert response.status_code == 201, response.body
    job = body(response)
    assert (job["total_rows"], job["preview"]["valid"], job["preview"]["invalid"]) == (10_000, 10_000, 0)
    assert storage.get(upload["fields"]["key"]) is None  # the job keeps its own copy; the upload is used up
    again = client.post("/api/v1/imports", {"entity": "contact", "filename": "big.csv",
                                            "upload_id": upload["upload_id"]}, token=token)
    assert again.status_code == 404


def test_another_tenants_upload_id_is_404_and_one_file_is_required(client: ApiClient, company: Company) -> None:
    upload = body(form(client, company.owner.token))
    browser_upload(upload, big_csv(3))
    other = signup(client, company="Not theirs")
    stolen = client.post("/api/v1/imports", {"entity": "contact", "filename": "x.csv",
                                             "upload_id": upload["upload_id"]}, token=other.owner.token)
    assert stolen.status_code == 404 and body(stolen)["error"]["code"] == "upload_not_found"
    both = client.post("/api/v1/imports", {"entity": "contact", "filename": "x.csv", "upload_id": upload["upload_id"],
                                           "content_base64": base64.b64encode(b"a;b\n").decode()},
                       token=company.owner.token)
    neither = client.post("/api/v1/imports", {"entity": "contact", "filename": "x.csv"}, token=company.owner.token)
    assert both.status_code == 422 and neither.status_code == 422
    mine = client.post("/api/v1/imports", {"entity": "contact", "filename": "x.csv", "upload_id": upload["upload_id"]},
                       token=company.owner.token)
    assert mine.status_code == 201 and body(mine)["total_rows"] == 3


def test_the_import_form_sends_a_file_of_up_to_4_mb_inline_and_only_it_takes_such_a_body(
        client: ApiClient, company: Company) -> None:
    """The web app sends the file in its request: a 3 MB export imports (every other route still refuses a body past
    1 MiB), a file past 4 MB is refused with what to do, before anything is read or kept."""
    token = company.owner.token
    content = big_csv(30_000)
    assert 2.5 * 1024 * 1024 < len(content) < 4 * 1024 * 1024
    made = client.post("/api/v1/imports", {"entity": "contact", "filename": "three-mb.csv",
                                           "content_base64": base64.b64encode(content).decode()}, token=token)
    assert made.status_code == 201, made.body[:300]
    assert body(made)["total_rows"] == 30_000
    bulky = client.post("/api/v1/contacts", {"first_name": "x" * (2 * 1024 * 1024)}, token=token)
    assert bulky.status_code == 413 and body(bulky)["error"]["code"] == "payload_too_large"
    larger = base64.b64encode(big_csv(45_000)).decode()
    refused = client.post("/api/v1/imports", {"entity": "contact", "filename": "big.csv", "content_base64": larger},
                          token=token)
    assert refused.status_code == 413, refused.body[:300]
    assert body(refused)["error"]["code"] in {"payload_too_large", "import_file_too_large"}
