"""The walk finds every item of a tenant (and nothing else) with Queries and GetItems only.

The tenant is seeded by every ``tests/seeds`` module, so a domain that adds items the registry does
not reach makes this test fail until it declares them (``chalicelib/tenantdata/registry.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.tenancy import bind, tenant_key
from chalicelib.identity.service import system_context
from chalicelib.tenantdata import registry, walk
from tests.factories import Company, signup
from tests.security.test_cross_tenant import seed_modules
from tests.support import ApiClient
from tests.tenantdata import sealed_probe, table


def seed(client: ApiClient, *, only: tuple[str, ...] | None) -> Company:
    company = signup(client, company="Walked Ltd")
    for module in seed_modules():
        if only is None or module.__name__.rsplit(".", 1)[-1] in only:
            module.seed(client, company)
    client.post("/api/v1/auth/totp/setup", token=company.owner.token)
    sealed_probe.put_vault(system_context(company.tenant_id), secret="s", custom={"k": "v"})
    return company


@pytest.fixture
def seeded(client: ApiClient) -> Company:
    return seed(client, only=("identity", "auditlog"))


def undeclared(company: Company) -> dict[tuple[str, str], str]:
    """Items of the tenant the walk does not reach, with their kinds."""
    ctx = system_context(company.tenant_id)
    with bind(ctx):
        walked = walk.tenant_items(ctx)
    stored = table.of_tenant(company.tenant_id)
    assert set(walked) <= set(stored)
    unreachable = registry.unreachable_kinds()
    return {key: registry.kind_of(item) for key, item in stored.items()
            if key not in walked and registry.kind_of(item) not in unreachable}


def test_the_walk_reaches_every_item_of_the_tenant(seeded: Company, tenancy_watcher: Any) -> None:
    missing = undeclared(seeded)
    assert not missing, f"declare these to chalicelib/tenantdata/registry.py: {sorted(set(missing.values()))}"
    ctx = system_context(seeded.tenant_id)
    with bind(ctx):
        walked = walk.tenant_items(ctx)
    kinds = {registry.kind_of(item) for item in walked.values()}
    assert {"tenant", "tenant_key", "user", "email_login", "session", "team", "role", "api_key",
            "api_key_lookup", "audit", "tenant_export", "probe_vault"} <= kinds
    assert {operation for operation, _ in tenancy_watcher.requests} <= {"Query", "GetItem", "BatchGetItem"} | {
        "TransactWriteItems", "PutItem", "BatchWriteItem", "UpdateItem", "DescribeTable"}
    assert "Scan" not in {operation for operation, _ in tenancy_watcher.requests}


def test_every_seeded_domain_declares_its_items(client: ApiClient) -> None:
    """Each domain's seed (tests/seeds) makes items; the walk must reach them all, or exports and purges miss them."""
    missing = undeclared(seed(client, only=None))
    assert not missing, ("declare these kinds' partitions or links (chalicelib/tenantdata/registry.py, next to the "
                         f"domain's service): {sorted(set(missing.values()))}")


def test_nothing_of_another_tenant_is_walked(client: ApiClient, seeded: Company) -> None:
    other = signup(client, company="Neighbour Ltd")
    ctx = system_context(seeded.tenant_id)
    with bind(ctx):
        walked = walk.tenant_items(ctx)
    assert all(other.tenant_id not in str(item) for item in walked.values())
    assert all(walk.belongs(ctx, item) for item in walked.values())


def test_a_link_outside_the_tenant_is_refused(client: ApiClient, seeded: Company) -> None:
    other = signup(client, company="Linked Ltd")
    ctx = system_context(seeded.tenant_id)
    foreign = system_context(other.tenant_id)
    registry.register_partitions("probe_foreign", lambda c: [tenant_key(foreign, "USER")] if c == ctx else [])
    try:
        with bind(ctx), pytest.raises(walk.ForeignItemError):
            walk.tenant_items(ctx)
    finally:
        registry.register_partitions("probe_foreign", lambda c: [])
