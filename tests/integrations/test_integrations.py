"""Integration settings: who may manage them, secrets shown once, rotation, signatures, tenants kept apart."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import pytest

from chalicelib.core import audit
from chalicelib.core.tenancy import TenantContext, bind
from tests.factories import Company, add_member, signup
from tests.integrations.helpers import FETCH, create_form, events, hook_path, post_form
from tests.support import ApiClient, body

BASE = "/api/v1/integrations"


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Settings Ltd", country="RU")
    for role in ("admin", "manager", "agent", "read_only"):
        add_member(client, company, role=role, name=f"int{role}")
    return company


def test_the_secret_is_shown_once_and_never_listed(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, name="Once")
    assert form["secret"].startswith("whsec_") and form["secret_hint"] == form["secret"][-4:]
    assert form["webhook_url"].startswith("http") and len(hook_path(form).rsplit("/", 1)[1]) >= 43
    got = body(client.get(f"{BASE}/{form['id']}", token=company.owner.token))
    listed = body(client.get(BASE, token=company.owner.token))["items"]
    assert "secret" not in got and all("secret" not in item for item in listed)
    assert form["secret"] not in str(got) + str(listed)
    assert got["settings"]["rate_limit_per_minute"] == 30 and got["settings"]["honeypot_field"] == "website_url"


@pytest.mark.parametrize("role", ["manager", "agent", "read_only"])
def test_only_admins_and_owners_manage_integrations(client: ApiClient, company: Company, role: str) -> None:
    token = company.members[f"int{role}"].token
    form = create_form(client, company, name=f"Not for {role}")
    assert client.get(BASE, token=token).status_code == 403
    assert client.post(BASE, {"type": "form", "name": "x"}, token=token).status_code == 403
    assert client.get(f"{BASE}/{form['id']}", token=token).status_code == 403
    assert client.patch(f"{BASE}/{form['id']}", {"name": "y", "version": form["version"]},
                        token=token).status_code == 403
    assert client.post(f"{BASE}/{form['id']}/rotate", {"what": "secret", "version": form["version"]},
                       token=token).status_code == 403
    assert client.delete(f"{BASE}/{form['id']}", token=token).status_code == 403


def test_an_admin_manages_and_changes_are_versioned(client: ApiClient, company: Company) -> None:
    token = company.members["intadmin"].token
    form = create_form(client, company, name="Admin's")
    renamed = client.patch(f"{BASE}/{form['id']}", {"name": "Renamed", "version": form["version"]}, token=token)
    assert renamed.status_code == 200 and body(renamed)["name"] == "Renamed"
    stale = client.patch(f"{BASE}/{form['id']}", {"name": "Stale", "version": form["version"]}, token=token)
    assert stale.status_code == 409


@pytest.mark.parametrize("settings,loc", [
    ({"field_map": {"Phone": "telephone"}}, "field_map"),
    ({"pipeline_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "pipeline_id"),
    ({"responsible": {"mode": "fixed", "user_ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]}}, "responsible"),
    ({"redirect_url": "javascript:alert(1)"}, "redirect_url"),
    ({"rate_limit_per_minute": 0}, "rate_limit_per_minute"),
    ({"unknown": True}, "unknown"),
])
def test_bad_settings_are_refused(client: ApiClient, company: Company, settings: dict[str, Any], loc: str) -> None:
    response = client.post(BASE, {"type": "form", "name": "Bad", "settings": settings}, token=company.owner.token)
    assert response.status_code == 422, response.body
    assert body(response)["error"]["details"][0]["loc"][:2] == ["settings", loc]


def test_a_pipeline_and_stage_of_the_company_are_used(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Web leads"}, token=token))
    stage = pipeline["stages"][1]
    form = create_form(client, company, pipeline_id=pipeline["id"], stage_id=stage["id"], create_task=False,
                       deal_title="{form}: {name}")
    post_form(client, form, {"name": "Pavel", "email": "pavel@example.com"})
    [event] = events(client, company, form)
    deal = body(client.get(f"/api/v1/deals/{event['outcome']['deal_id']}", token=token))["deal"]
    assert (deal["pipeline_id"], deal["stage_id"], deal["title"]) == (pipeline["id"], stage["id"], "Site form: Pavel")
    assert "task_id" not in event["outcome"]


def _signed(secret: str, raw: bytes, timestamp: int) -> dict[str, str]:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {**FETCH, "X-CRM-Timestamp": str(timestamp), "X-CRM-Signature": f"v1={digest}"}


def test_a_signed_integration_refuses_unsigned_stale_and_forged_posts(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, name="Server", require_signature=True)
    raw = b"name=Server+lead&email=server%40example.com"
    now = int(time.time())
    path = hook_path(form)
    unsigned = client.request("POST", path, body=raw, headers=FETCH)
    assert unsigned.status_code == 401 and body(unsigned)["error"]["code"] == "invalid_signature"
    assert client.request("POST", path, body=raw, headers=_signed(form["secret"], raw, now - 301)).status_code == 401
    assert client.request("POST", path, body=raw, headers=_signed("whsec_forged", raw, now)).status_code == 401
    assert client.request("POST", path, body=raw + b"x", headers=_signed(form["secret"], raw, now)).status_code == 401
    assert events(client, company, form) == []
    assert client.request("POST", path, body=raw, headers=_signed(form["secret"], raw, now)).status_code == 200


def test_a_rotated_secret_signs_and_the_old_one_no_longer_does(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, name="Rotating", require_signature=True)
    rotated = body(client.post(f"{BASE}/{form['id']}/rotate", {"what": "secret", "version": form["version"]},
                               token=company.owner.token))
    assert rotated["secret"] != form["secret"] and rotated["secret_hint"] == rotated["secret"][-4:]
    assert rotated["webhook_url"] == form["webhook_url"]
    raw, now = b"name=R&email=r%40example.com", int(time.time())
    assert client.request("POST", hook_path(form), body=raw,
                          headers=_signed(form["secret"], raw, now)).status_code == 401
    assert client.request("POST", hook_path(form), body=raw,
                          headers=_signed(rotated["secret"], raw, now)).status_code == 200


def test_writes_are_audited_as_the_integration(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, name="Audited")
    post_form(client, form, {"name": "Audit lead", "email": "audit.lead@example.com"})
    [event] = events(client, company, form)
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        made = audit.chain_records(ctx, "contact", event["outcome"]["contact_id"])
        settings = audit.chain_records(ctx, "integration", form["id"])
        received = audit.chain_records(ctx, "inbox_event", event["id"])
    assert (made[0].actor_id, made[0].actor_kind, made[0].source) == (form["id"], "webhook", "webhook")
    assert settings[0].actor_id == company.owner.user_id and form["secret"] not in str(settings[0].changes)
    assert [r.action for r in received] == ["receive", "processed"] and audit.verify_chain(received) is None
    # A machine's records stay off the actor feed (one index write less each, #22), yet the trail filtered by the
    # integration finds every one of them on the tenant feed; a person's feed is unchanged.
    assert [r.gsi2pk for r in made + received] == [None] * 3 and settings[0].gsi2pk is not None
    by_form = body(client.get(f"/api/v1/audit?actor={form['id']}&limit=100", token=company.owner.token))["items"]
    assert {(i["entity"], i["entity_id"], i["action"]) for i in by_form} >= {
        ("contact", event["outcome"]["contact_id"], "create"), ("inbox_event", event["id"], "receive"),
        ("inbox_event", event["id"], "processed")}
    assert {i["actor_id"] for i in by_form} == {form["id"]}
    by_owner = body(client.get(f"/api/v1/audit?actor={company.owner.user_id}&limit=100",
                               token=company.owner.token))["items"]
    assert ("integration", form["id"], "create") in {(i["entity"], i["entity_id"], i["action"]) for i in by_owner}


def test_events_filter_by_status_and_page_newest_first(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, name="Paged")
    ids = [body(post_form(client, form, {"name": f"P{n}", "email": f"p{n}@example.com"}))["event_id"]
           for n in range(3)]
    post_form(client, form, {"name": "Bot", "email": "bot@example.com", "website_url": "x"})
    token = company.owner.token
    first = body(client.get(f"{BASE}/{form['id']}/events?status=processed&limit=2", token=token))
    rest = body(client.get(f"{BASE}/{form['id']}/events?status=processed&limit=2&cursor={first['next_cursor']}",
                           token=token))
    assert [e["id"] for e in first["items"] + rest["items"]] == list(reversed(ids))
    assert [e["outcome"]["reason"] for e in events(client, company, form, status="ignored")] == ["spam"]


def test_tenant_b_cannot_post_into_a_or_see_its_events(client: ApiClient) -> None:
    a, b = signup(client, company="Alpha Hooks"), signup(client, company="Bravo Hooks")
    form_a, form_b = create_form(client, a, name="A form"), create_form(client, b, name="B form")
    post_form(client, form_a, {"name": "Alpha visitor", "email": "alpha.visitor@example.com"})
    post_form(client, form_b, {"name": "Bravo visitor", "email": "bravo.visitor@example.com"})
    [only_b] = events(client, b, form_b)
    assert "Bravo visitor" in only_b["summary"]
    assert client.get(f"{BASE}/{form_a['id']}/events", token=b.owner.token).status_code == 404
    contacts_b = str(body(client.get("/api/v1/contacts", token=b.owner.token)))
    # by address: a name typed in one box is the contact's first and last names (#20 item 12)
    assert "alpha.visitor@example.com" not in contacts_b and "bravo.visitor@example.com" in contacts_b
    contacts_a = str(body(client.get("/api/v1/contacts", token=a.owner.token)))
    assert "bravo.visitor@example.com" not in contacts_a and "alpha.visitor@example.com" in contacts_a


def test_a_copy_naming_another_tenants_key_never_releases_it(client: ApiClient) -> None:
    from chalicelib.integrations import service

    source, copy = signup(client, company="Source Hooks"), signup(client, company="Copy Hooks")
    form_a, form_b = create_form(client, source, name="Source"), create_form(client, copy, name="Copy")
    ctx_a, ctx_b = TenantContext(tenant_id=source.tenant_id), TenantContext(tenant_id=copy.tenant_id)
    with bind(ctx_a):
        digest = service.get(ctx_a, form_a["id"]).key_digest  # type: ignore[union-attr]
    with bind(ctx_b):  # what an imported copy of the source's integration looks like
        imported = service.get(ctx_b, form_b["id"])
        assert imported is not None
        imported.key_digest = digest
        imported.save()
    rotated = client.post(f"{BASE}/{form_b['id']}/rotate", {"what": "key", "version": imported.version},
                          token=copy.owner.token)
    assert rotated.status_code == 200, rotated.body
    assert client.delete(f"{BASE}/{form_b['id']}", token=copy.owner.token).status_code == 204
    assert post_form(client, form_a, {"name": "Still here", "email": "still@example.com"}).status_code == 200


def test_a_suspended_company_s_forms_answer_404(client: ApiClient) -> None:
    from chalicelib.identity import service as identity_service

    company = signup(client, company="Suspended Forms")
    form = create_form(client, company)
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        tenant = identity_service.get_tenant_or_raise(ctx)
        tenant.status = "suspended"
        tenant.save()
    assert post_form(client, form, {"name": "Nobody", "email": "nobody@example.com"}).status_code == 404


def test_a_settings_change_can_be_reverted_but_not_a_rotation(client: ApiClient) -> None:
    company = signup(client, company="Revert Forms")
    token = company.owner.token
    form = create_form(client, company, name="Before")
    client.patch(f"{BASE}/{form['id']}", {"name": "After", "settings": {"rate_limit_per_minute": 5},
                                          "version": form["version"]}, token=token)
    change = body(client.get(f"/api/v1/audit?entity=integration&entity_id={form['id']}", token=token))["items"][0]
    assert client.post(f"/api/v1/audit/{change['id']}/revert", {}, token=token).status_code == 200
    back = body(client.get(f"{BASE}/{form['id']}", token=token))
    assert back["name"] == "Before" and back["settings"]["rate_limit_per_minute"] == 30
    client.post(f"{BASE}/{form['id']}/rotate", {"what": "secret", "version": back["version"]}, token=token)
    rotation = body(client.get(f"/api/v1/audit?entity=integration&entity_id={form['id']}", token=token))["items"][0]
    refused = client.post(f"/api/v1/audit/{rotation['id']}/revert", {}, token=token)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_revertable"


def test_an_imported_copy_gets_a_url_of_its_own_when_enabled(client: ApiClient) -> None:
    from chalicelib.integrations import service

    source, copy = signup(client, company="Source Import"), signup(client, company="Copy Import")
    form_a, form_b = create_form(client, source, name="Source"), create_form(client, copy, name="Copy")
    ctx_a, ctx_b = TenantContext(tenant_id=source.tenant_id), TenantContext(tenant_id=copy.tenant_id)
    with bind(ctx_a):
        digest = service.get(ctx_a, form_a["id"]).key_digest  # type: ignore[union-attr]
    with bind(ctx_b):  # what the import makes of the source's integration: its key, disabled
        imported = service.get(ctx_b, form_b["id"])
        assert imported is not None
        imported.key_digest, imported.status = digest, "disabled"
        imported.save()
    enabled = client.patch(f"{BASE}/{form_b['id']}", {"status": "active", "version": imported.version},
                           token=copy.owner.token)
    assert enabled.status_code == 200, enabled.body
    own = body(enabled)
    assert own["status"] == "active" and own["webhook_url"] not in (form_a["webhook_url"], form_b["webhook_url"])
    assert post_form(client, own, {"name": "Copy lead", "email": "copy@example.com"}).status_code == 200
    assert post_form(client, form_a, {"name": "Source lead", "email": "source@example.com"}).status_code == 200
    assert len(events(client, copy, own)) == 1 and len(events(client, source, form_a)) == 1
