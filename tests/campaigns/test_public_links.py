"""The public links of campaign messages (unsubscribe, click, open) under hostile input and faults: any token that is
not one of ours answers 404 and changes nothing (never a 500); a table or KMS outage answers 503 on the unsubscribe
(which the reader may press again) and never costs the reader the click's destination."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.campaigns import tokens
from chalicelib.core import crypto
from chalicelib.core.tenancy import TenantContext, bind
from tests.factories import Company, signup
from tests.support import ApiClient, body

ULID = st.from_regex(r"[0-9A-HJKMNP-TV-Z]{26}", fullmatch=True)
PATHS = ("/m/u/", "/m/c/", "/m/o/")


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Link fuzz")


def _forged(company: Company, kind: str, mac: str) -> str:
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        real = tokens.make(ctx, kind=kind, campaign_id=company.tenant_id, contact_id=company.tenant_id,
                           channel="email")
    return real.rsplit(".", 1)[0] + "." + mac


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.one_of(st.text(max_size=300), st.builds(lambda a, b, c: f"{a}.u.{b}.{c}.email.0.xxxxxxxxxxxxxxxxxxxxxx",
                                                          ULID, ULID, ULID)),
       path=st.sampled_from(PATHS), method=st.sampled_from(["GET", "POST"]))
def test_any_token_not_ours_is_404_never_500(client: ApiClient, company: Company, token: str, path: str,
                                             method: str) -> None:
    safe = re.sub(r"[^A-Za-z0-9._~-]", "", token) or "x"
    method = method if path == "/m/u/" else "GET"
    posted = method == "POST"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "image/gif"} if posted else {
        "Accept": "image/gif"}
    answer = client.request(method, path + safe, body="List-Unsubscribe=One-Click" if posted else None,
                            headers=headers)
    assert answer.status_code in ((200, 204) if path == "/m/o/" else (404,)), (path, safe, answer.status_code)


def test_a_forged_mac_is_404(client: ApiClient, company: Company) -> None:
    for kind, path in zip(("u", "c", "o"), PATHS, strict=True):
        forged = _forged(company, kind, "A" * tokens.MAC_CHARS)
        status = client.get(path + forged, headers={"Accept": "image/gif"}).status_code
        assert status == (200 if kind == "o" else 404)


@contextmanager
def outage(service: str, operations: frozenset[str], code: str) -> Iterator[None]:
    original = BaseClient._make_api_call

    def make_api_call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == service and operation_name in operations:
            raise ClientError({"Error": {"Code": code, "Message": "injected"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, operation_name)
        return original(self, operation_name, api_params)

    crypto.clear_cache()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", make_api_call)
        yield


def _sent_link(client: ApiClient, company: Company) -> tuple[str, str, str]:
    owner = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Faulty", "emails": [
        {"address": f"faulty.{company.tenant_id.lower()}@example.com"}]}, token=owner))
    client.put(f"/api/v1/contacts/{contact['id']}/consent", {"email": "granted"}, token=owner)
    campaign = body(client.post("/api/v1/campaigns", {"name": "Faulty", "channel": "email", "subject": "S",
                                                      "body": "B https://faulty.example/x"}, token=owner))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        make = lambda kind: tokens.make(ctx, kind=kind, campaign_id=campaign["id"], contact_id=contact["id"],  # noqa: E731
                                        channel="email")
        return make("u"), make("c"), contact["id"]


@pytest.mark.parametrize("fault", [("dynamodb", frozenset({"TransactWriteItems", "PutItem", "UpdateItem"}),
                                    "ProvisionedThroughputExceededException"),
                                   ("kms", frozenset({"Decrypt", "GenerateDataKey"}), "KMSInternalException")],
                         ids=["dynamodb", "kms"])
def test_an_outage_answers_503_on_unsubscribe_and_changes_nothing(client: ApiClient, app: Any,
                                                                  fault: tuple[str, frozenset[str], str]) -> None:
    company = signup(ApiClient(app), company="Link faults")
    unsubscribe, click, contact_id = _sent_link(client, company)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with outage(*fault):
        outage_answer = client.post(f"/m/u/{unsubscribe}", body="List-Unsubscribe=One-Click", headers=form)
        went = client.get(f"/m/c/{click}")
    assert outage_answer.status_code == 503, outage_answer.body
    assert went.status_code == (302 if fault[0] == "dynamodb" else 503)  # the click's count may wait, never the reader
    consent = body(client.get(f"/api/v1/contacts/{contact_id}/consent", token=company.owner.token))
    assert consent["email"]["status"] == "granted"  # nothing half-written


def test_after_the_outage_the_unsubscribe_goes_through(client: ApiClient, app: Any) -> None:
    company = signup(ApiClient(app), company="Link recovered")
    unsubscribe, click, contact_id = _sent_link(client, company)
    done = client.post(f"/m/u/{unsubscribe}", body="List-Unsubscribe=One-Click",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200
    assert client.get(f"/m/c/{click}").headers["Location"] == "https://faulty.example/x"
    consent = body(client.get(f"/api/v1/contacts/{contact_id}/consent", token=company.owner.token))
    assert consent["email"]["status"] == "withdrawn"
