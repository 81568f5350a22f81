"""Every kind of broken body answers 4xx in the error shape and stores nothing; never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.factories import Company, signup
from tests.integrations.helpers import create_form, events, hook_path, multipart
from tests.support import ApiClient, body

FORM = "application/x-www-form-urlencoded"
MIB = 1024 * 1024
GOOD_MULTIPART, GOOD_MULTIPART_TYPE = multipart({"name": "Anna"})

CASES = [
    ("oversized", FORM, b"name=" + b"a" * MIB, 413, "payload_too_large"),
    ("too many fields", FORM, urlencode({f"f{n}": "x" for n in range(101)}).encode(), 422, "too_many_fields"),
    ("a field too long", FORM, b"message=" + b"a" * 10_001, 422, "field_too_long"),
    ("too many json fields", "application/json", ("{" + ",".join(f'"f{n}":1' for n in range(101)) + "}").encode(),
     422, "too_many_fields"),
    ("invalid utf-8", FORM, b"name=\xff\xfe", 400, "invalid_encoding"),
    ("invalid utf-8 escaped", FORM, b"name=%FF%FE", 400, "invalid_encoding"),
    ("broken percent-escape", FORM, b"name=%zz&phone=%4", 400, "invalid_encoding"),
    ("unknown charset", FORM + "; charset=klingon", b"name=x", 415, "unsupported_media_type"),
    ("wrong content type", "text/plain", b"name=Anna", 415, "unsupported_media_type"),
    ("xml", "application/xml", b"<name>Anna</name>", 415, "unsupported_media_type"),
    ("malformed json", "application/json", b'{"name": "Anna"', 400, "malformed_body"),
    ("json array", "application/json", b'["Anna"]', 422, "unsupported_shape"),
    ("nested json", "application/json", b'{"name": {"first": "Anna"}}', 422, "unsupported_shape"),
    ("lone surrogate", "application/json", b'{"name": "\\ud800"}', 400, "invalid_encoding"),
    ("multipart without boundary", "multipart/form-data", GOOD_MULTIPART, 400, "malformed_body"),
    ("multipart cut short", GOOD_MULTIPART_TYPE, GOOD_MULTIPART[:-30], 400, "malformed_body"),
    ("multipart wrong boundary", "multipart/form-data; boundary=other", GOOD_MULTIPART, 400, "malformed_body"),
    ("multipart invalid utf-8", GOOD_MULTIPART_TYPE, GOOD_MULTIPART.replace(b"Anna", b"\xff\xfe"), 400,
     "invalid_encoding"),
    ("empty body", FORM, b"", 400, "empty_body"),
]


@pytest.fixture(scope="module")
def company(app: object) -> Company:
    return signup(ApiClient(app), company="Bad Bodies Ltd")


@pytest.mark.parametrize("name,content_type,raw,status,code", CASES, ids=[c[0] for c in CASES])
def test_a_bad_body_is_refused_and_nothing_is_stored(client: ApiClient, company: Company, name: str,
                                                     content_type: str, raw: bytes, status: int, code: str) -> None:
    form = create_form(client, company, name=f"Bad {name}")
    response = client.request("POST", hook_path(form), body=raw, headers={"Content-Type": content_type})
    assert response.status_code == status, response.body
    error = body(response)["error"]
    assert error["code"] == code and error["request_id"]
    assert response.headers.get("Access-Control-Allow-Origin") == "*"  # the site's script can read why
    assert events(client, company, form) == []
    contacts = body(client.get("/api/v1/contacts", token=company.owner.token))["items"]
    assert contacts == []
