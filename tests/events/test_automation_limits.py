"""The plan's number of enabled automation rules (#19): counted on the tenant's usage item in each rule's own
transaction as a rule is made enabled, switched on or off, or deleted; past the plan's number a 402 names the
plan that has room (the upgrade prompt the web app shows). One test per boundary: free (no automations), pro's
50, enterprise's none; switching a rule off is always allowed."""

from __future__ import annotations

from typing import Any

from chalicelib.billing.models import Subscription
from chalicelib.core import db
from chalicelib.core.tenancy import bind
from chalicelib.identity import service as identity_service
from tests.billing import helpers
from tests.factories import Company, signup
from tests.support import ApiClient, body

RULE = {"trigger": {"type": "record.created", "entity": "deal"}, "actions": [{"type": "notify", "users": ["owner"]}]}


def _make(client: ApiClient, company: Company, name: str, *, enabled: bool = True) -> Any:
    return client.post("/api/v1/automations", {"name": name, "enabled": enabled, **RULE}, token=company.owner.token)


def _switch(client: ApiClient, company: Company, rule: dict[str, Any], enabled: bool) -> Any:
    current = body(client.get(f"/api/v1/automations/{rule['id']}", token=company.owner.token))
    return client.patch(f"/api/v1/automations/{rule['id']}", {"version": current["version"], "enabled": enabled},
                        token=company.owner.token)


def _used(client: ApiClient, company: Company) -> dict[str, Any]:
    return dict(helpers.usage(client, company)["automation_rules"])


def test_pro_allows_fifty_enabled_rules_and_names_enterprise_past_them(client: ApiClient) -> None:
    company = signup(client, company="Fifty Rules")  # a trial of pro
    helpers.set_usage(company, users=1, pipelines=1, automation_rules=49)  # as if it held 49 already
    fiftieth = _make(client, company, "Fiftieth")
    assert fiftieth.status_code == 201, fiftieth.body
    assert _used(client, company) == {"used": 50, "limit": 50}

    refused = _make(client, company, "Fifty-first")
    assert refused.status_code == 402, refused.body
    error = body(refused)["error"]
    assert error["code"] == "plan_limit_reached" and error["details"] == [
        {"limit": "automation_rules", "allowed": 50, "used": 50, "plan": "pro", "upgrade_to": "enterprise"}]
    off = _make(client, company, "Switched off", enabled=False)
    assert off.status_code == 201, off.body  # a rule switched off takes no place
    assert _switch(client, company, body(off), True).status_code == 402
    assert _switch(client, company, body(fiftieth), False).status_code == 200
    assert _switch(client, company, body(off), True).status_code == 200  # the place it left
    assert client.delete(f"/api/v1/automations/{body(off)['id']}", token=company.owner.token).status_code == 204
    assert _used(client, company) == {"used": 49, "limit": 50}
    names = {rule["name"]: rule["enabled"] for rule in
             body(client.get("/api/v1/automations", token=company.owner.token))["items"]}
    assert names.get("Fiftieth") is False and "Fifty-first" not in names  # the refused rule was never written


def test_enterprise_has_no_number_and_free_may_still_switch_rules_off(client: ApiClient) -> None:
    company = signup(client, company="Many Rules")
    kept = body(_make(client, company, "Kept on"))
    ctx = helpers.context(company)
    with bind(ctx):
        tenant = identity_service.get_tenant_or_raise(ctx)
        tenant.billing = Subscription(status="active", plan="enterprise", manual=True)
        db.commit(ctx, db.Change().save(tenant))
    helpers.set_usage(company, users=1, pipelines=1, automation_rules=500)
    assert _make(client, company, "Five hundred and first").status_code == 201
    assert _used(client, company) == {"used": 501, "limit": None}

    with bind(ctx):
        tenant = identity_service.get_tenant_or_raise(ctx)
        tenant.billing = Subscription(status="canceled", plan="free")  # back on free: no automations
        db.commit(ctx, db.Change().save(tenant))
    helpers.end_trial(company)
    assert body(_make(client, company, "Refused"))["error"]["code"] == "feature_not_in_plan"
    assert _switch(client, company, kept, True).status_code == 402  # a change keeping it on needs the feature
    assert _switch(client, company, kept, False).status_code == 200  # switching it off never does
