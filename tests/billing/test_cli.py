"""``python -m tenants provision | list | show | suspend | resume | usage | sync-plans``."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from chalicelib.billing import ratelimit, traffic
from tenants.__main__ import main, parser
from tests import stripe_kit
from tests.billing import helpers
from tests.factories import signup, unique_email
from tests.support import ApiClient, body


def run(*argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), out=out) == 0, out.getvalue()
    return out.getvalue()


def test_provision_on_a_granted_plan_then_show_and_list(client: ApiClient) -> None:
    email = unique_email("provisioned")
    said = run("provision", "--company", "Provisioned Ltd", "--email", email, "--name", "Pat", "--country", "DE",
               "--plan", "enterprise")
    tenant_id = said.split()[1]
    password = said.split("password ")[1].split()[0]
    signed = body(client.post("/api/v1/auth/login", {"email": email, "password": password}))
    found = body(client.get("/api/v1/billing", token=signed["access_token"]))
    assert (found["plan"], found["status"], found["currency"]) == ("enterprise", "active", "EUR")
    shown = run("show", "--tenant", tenant_id)
    assert "enterprise (active)" in shown and "granted by an operator" in shown and "users      1 of unlimited" in shown
    listed = run("list")
    line = next(line for line in listed.splitlines() if line.startswith(tenant_id))
    assert "enterprise" in line and "active" in line and "1 users" in line


def test_suspend_and_resume(client: ApiClient) -> None:
    company = signup(client, company="Paused Ltd")
    assert "is suspended" in run("suspend", "--tenant", company.tenant_id)
    answer = client.post("/api/v1/auth/login", {"email": company.owner.email, "password": company.owner.password})
    assert answer.status_code == 403 and body(answer)["error"]["code"] == "tenant_suspended"
    assert "is active" in run("resume", "--tenant", company.tenant_id)
    assert client.post("/api/v1/auth/login", {"email": company.owner.email,
                                              "password": company.owner.password}).status_code == 200


def test_usage_prices_the_counted_traffic(client: ApiClient) -> None:
    company = signup(client, company="Priced Ltd")
    client.post("/api/v1/contacts", {"first_name": "Counted"}, token=company.owner.token)
    minute = ratelimit.minute_key(time.time())
    traffic.add(company.tenant_id, "api", minute, 20_000)
    traffic.add(company.tenant_id, "webhook", minute, 6_000)
    said = run("usage", "--tenant", company.tenant_id, "--month", minute[:6])
    assert "1 user(s), 1 contact(s), 1 pipeline(s), 0 MB of files; 20,000 API request(s), 6,000 webhook event(s)" \
        in said
    total = float(said.split("estimated AWS cost")[1].split("$")[1].split()[0])
    assert 0.05 < total < 2.0  # the typical tenant (23,000 API requests, 21,000 events) costs about a dollar
    assert helpers.usage(client, company)["contacts"]["used"] == 1
    assert "S3 storage" not in said  # no file stored, no line


def test_usage_and_show_price_and_show_the_stored_files(client: ApiClient) -> None:
    company = signup(client, company="Files Ltd")
    helpers.set_usage(company, users=1, pipelines=1, storage_bytes=10 * 1024**3)  # 10 GB of recordings
    said = run("usage", "--tenant", company.tenant_id)
    assert "10240 MB of files" in said
    line = next(text for text in said.splitlines() if "S3 storage (files)" in text)
    assert float(line.split("$")[1]) == pytest.approx(0.23)  # 10 GB at $0.023 a GB-month
    shown = run("show", "--tenant", company.tenant_id)
    assert "storage    10240 MB of 51200 MB" in shown
    helpers.end_trial(company)  # free: 500 MB
    assert "10240 MB of 500 MB (over the plan)" in run("show", "--tenant", company.tenant_id)


def test_sync_plans_is_idempotent() -> None:
    first = run("sync-plans")
    assert first.count("up to date") == first.count("\n")  # the suite's start made them already
    writes = [r for r in stripe_kit.sandbox().requests if r.method == "POST"]
    run("sync-plans")
    assert [r for r in stripe_kit.sandbox().requests if r.method == "POST"] == writes


def test_recount_sets_the_counters_from_what_the_tenant_holds(client: ApiClient) -> None:
    company = signup(client, company="Recounted Ltd")
    owner = company.owner.token
    for name in ("Kept", "Also kept", "Trashed"):
        client.post("/api/v1/contacts", {"first_name": name}, token=owner)
    trashed = body(client.get("/api/v1/contacts?q=trashed", token=owner))["items"][0]
    client.delete(f"/api/v1/contacts/{trashed['id']}", token=owner)
    client.post("/api/v1/users", {"email": unique_email("invited"), "name": "Invited", "role": "agent"}, token=owner)
    helpers.set_usage(company)  # as a tenant from before billing: no counts
    said = run("usage", "--tenant", company.tenant_id, "--recount")
    assert f"{company.tenant_id}: 2 users, 1 pipelines, 0 automation_rules, 2 contacts, 0 storage_bytes counted" \
        in said  # the birthday greeting every company starts with is switched off
    assert {name: line["used"] for name, line in helpers.usage(client, company).items()} == {
        "users": 2, "contacts": 2, "pipelines": 1, "automation_rules": 0, "storage_mb": 0,
        "campaign_messages_per_month": 0}


def test_the_readme_names_every_operator_command() -> None:
    # README.md listed seven of the eleven commands (no verify-audit, export, import or delete).
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    [listed] = re.findall(r"`python -m tenants ([^`]+)`", readme)
    [commands] = re.findall(r"\{([a-z,-]+)\}", parser().format_usage())
    assert sorted(name.strip() for name in listed.split("|")) == sorted(commands.split(","))

