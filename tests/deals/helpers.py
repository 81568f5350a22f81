"""Helpers shared by the deals, tasks and notes tests: a company with a team, contacts, a clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest

from chalicelib.core import permissions, tenancy
from chalicelib.core.http import REGISTRY
from tests.factories import Company, Member, add_member, signup
from tests.support import ApiClient, body

ROLES = ("admin", "manager", "agent", "agent2", "read_only", "outsider")


def in_zone(client: ApiClient, company: Company, zone: str) -> Company:
    """The company keeping its days on zone's clock (Settings, Company: its time zone)."""
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    moved = client.patch("/api/v1/tenant", {"version": tenant["version"], "timezone": zone}, token=company.owner.token)
    assert moved.status_code == 200, moved.body
    return company


def staffed_company(client: ApiClient, name: str = "Deals Inc", *, timezone: str | None = None) -> Company:
    """A company with a sales team (manager, two agents, read-only) and an agent outside the team; on timezone's
    clock if given."""
    company = signup(client, company=name)
    if timezone:
        in_zone(client, company, timezone)
    team = body(client.post("/api/v1/teams", {"name": "Sales"}, token=company.owner.token))
    other = body(client.post("/api/v1/teams", {"name": "Support"}, token=company.owner.token))
    company.extra.update({"team": team, "other_team": other})
    for role, base, team_id in (("admin", "admin", team["id"]), ("manager", "manager", team["id"]),
                                ("agent", "agent", team["id"]), ("agent2", "agent", team["id"]),
                                ("read_only", "read_only", team["id"]), ("outsider", "agent", other["id"])):
        add_member(client, company, role=base, name=role, team_id=team_id)
    return company


def member(company: Company, role: str) -> Member:
    """The owner or a member of a staffed company by its role name."""
    return company.owner if role == "owner" else company.members[role]


def owner_context(company: Company) -> tenancy.TenantContext:
    """The owner acting on the company's data outside a request (for direct reads in tests)."""
    return tenancy.TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id, actor_kind="user",
                                 role="owner", permissions=permissions.BUILTIN_ROLES["owner"].permissions)


def make_contact(client: ApiClient, company: Company, *, owner: Member | None = None, name: str = "Ivan") -> str:
    """A contact owned by owner (the company's owner by default), through the contacts API when it exists."""
    owner = owner or company.owner
    if ("/api/v1/contacts", "POST") in REGISTRY:
        created = client.post("/api/v1/contacts", {"first_name": name, "owner_id": owner.user_id},
                              token=company.owner.token)
        assert created.status_code == 201, created.body
        return str(body(created)["id"])
    from chalicelib.contacts import schemas as contact_schemas
    from chalicelib.contacts import service as contacts_service

    ctx = owner_context(company)
    with tenancy.bind(ctx):
        data = contact_schemas.ContactCreate(first_name=name, owner_id=owner.user_id)
        return str(contacts_service.create(ctx, data=data).contact_id)


def collection(company: Company, subject_type: str, subject_id: str) -> list[Any]:
    """Every item of a contact's, company's or deal's collection, read directly."""
    from chalicelib.core.db import MainTable
    from chalicelib.records import timeline as timeline_service

    ctx = owner_context(company)
    with tenancy.bind(ctx):
        return list(MainTable.query(timeline_service.subject_pk(ctx, subject_type, subject_id)))


@contextmanager
def frozen(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> Iterator[None]:
    """Make db.utcnow() answer moment while the block runs."""
    with monkeypatch.context() as patch:
        patch.setattr("chalicelib.core.db.utcnow", lambda: moment)
        yield


def data_requests(watcher: Any) -> list[str]:
    """DynamoDB operations seen since the watcher's reset, without the authentication's BatchGetItem."""
    return [operation for operation, _ in watcher.requests if operation != "BatchGetItem"]
