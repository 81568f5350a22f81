"""The tenant boundary around calls: another company's calls, recordings, lines and hooks are out of reach."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.channels import transport
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, events, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim


@pytest.fixture
def a(client: ApiClient) -> Company:
    return signup(client, company="Line A", country="RU")


@pytest.fixture
def b(client: ApiClient) -> Company:
    return signup(client, company="Line B", country="RU")


def _answered(client: ApiClient, company: Company) -> tuple[dict[str, Any], dict[str, Any]]:
    pbx = create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id})
    play(client, pbx, pbx_sim.requests("answered", pbx["webhook_url"], key=None, secret=pbx["secret"], call=Call()))
    [call] = calls(client, company)
    return pbx, call


def test_another_company_cannot_see_hear_or_infer_a_call(client: ApiClient, a: Company, b: Company) -> None:
    _, call = _answered(client, a)
    token = b.owner.token
    for path in (f"/api/v1/calls/{call['id']}", f"/api/v1/calls/{call['id']}/recording"):
        answer = client.get(path, token=token)
        assert answer.status_code == 404, (path, answer.body)
    assert calls(client, b) == [] and calls(client, b, f"?contact_id={call['contact_id']}") == []
    stats = body(client.get("/api/v1/calls/stats", token=token))["items"]
    assert stats == []


def test_another_company_cannot_dial_through_a_line(client: ApiClient, a: Company, b: Company) -> None:
    zadarma = create_telephony(client, a, "zadarma", extensions={"100": a.owner.user_id})
    transport.clear_sandbox()
    answer = client.post("/api/v1/calls", {"integration_id": zadarma["id"], "number": "+79161234567"},
                         token=b.owner.token)
    assert answer.status_code == 422 and body(answer)["error"]["details"][0]["loc"] == ["body", "integration_id"]
    assert transport.sandbox_requests() == []  # nothing reached the provider


def test_a_key_leads_to_its_own_company_only_and_a_deleted_line_answers_404(
        client: ApiClient, a: Company, b: Company) -> None:
    pbx, _ = _answered(client, a)
    assert calls(client, b) == []
    assert client.delete(f"/api/v1/integrations/{pbx['id']}", token=a.owner.token).status_code == 204
    answers = play(client, pbx, pbx_sim.requests("missed", pbx["webhook_url"], key=None, secret=pbx["secret"],
                                                 call=Call()))
    assert {answer.status_code for answer in answers} == {404}
    assert len(calls(client, a)) == 1 and calls(client, b) == []


def test_a_disabled_line_keeps_what_its_provider_sent_and_makes_no_call(client: ApiClient, a: Company) -> None:
    pbx = create_telephony(client, a, "pbx")
    changed = client.request("PATCH", f"/api/v1/integrations/{pbx['id']}",
                             json_body={"version": pbx["version"], "status": "disabled"}, token=a.owner.token)
    assert changed.status_code == 200, changed.body
    answers = play(client, pbx, pbx_sim.requests("missed", pbx["webhook_url"], key=None, secret=pbx["secret"],
                                                 call=Call()))
    assert {answer.status_code for answer in answers} == {200}
    stored = events(client, a, pbx)
    assert len(stored) == 3 and {e["status"] for e in stored} == {"ignored"}
    assert {e["outcome"]["reason"] for e in stored} == {"integration_disabled"}
    assert calls(client, a) == []


def test_provider_secrets_are_never_shown(client: ApiClient, a: Company) -> None:
    zadarma = create_telephony(client, a, "zadarma")
    read = body(client.get(f"/api/v1/integrations/{zadarma['id']}", token=a.owner.token))
    assert "api_secret" not in read["settings"] and read["credential_hints"] == {"api_secret": "…0001"}
    assert "zd-secret-0001" not in str(read) and "zd-secret-0001" not in str(zadarma)
    trail = client.get("/api/v1/audit?entity=integration", token=a.owner.token)
    assert "zd-secret-0001" not in trail.body.decode()


def test_a_signed_but_deeply_nested_body_is_refused_and_stores_nothing(client: ApiClient, a: Company) -> None:
    import time
    from urllib.parse import urlencode, urlsplit

    from chalicelib.telephony.providers import mango, pbx
    from tests.telephony.kit import CREDENTIALS

    line = create_telephony(client, a, "pbx")
    raw = b'{"call_id": "x", "event": "start", "deep": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    stamp = int(time.time())
    answer = client.request("POST", urlsplit(line["webhook_url"]).path, body=raw, headers={
        "Content-Type": "application/json", "X-CRM-Timestamp": str(stamp),
        "X-CRM-Signature": pbx.sign(line["secret"], raw, stamp)})
    assert answer.status_code in (400, 422), answer.body
    assert events(client, a, line) == []
    office = create_telephony(client, a, "mango")
    text = '{"entry_id": "e", "deep": ' + "[" * 5000 + "]" * 5000 + "}"
    key, salt = CREDENTIALS["mango"]["api_key"], CREDENTIALS["mango"]["api_salt"]
    form = urlencode({"vpbx_api_key": key, "sign": mango.sign(key, text, salt), "json": text})
    answer = client.request("POST", urlsplit(office["webhook_url"]).path + "/events/call", body=form,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code in (400, 401, 422), answer.body
    assert events(client, a, office) == []
