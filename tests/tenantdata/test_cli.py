"""The operator's command line: help, listing, verifying a tenant's audit trail."""

from __future__ import annotations

import io

import pytest

from chalicelib.core import audit
from chalicelib.core.tenancy import bind
from chalicelib.identity.service import system_context
from tenants.__main__ import main
from tests.factories import signup
from tests.support import ApiClient, body


@pytest.mark.parametrize("command", [[], ["list"], ["verify-audit"], ["export"], ["import"], ["delete"]])
def test_help_is_printed(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert "usage: python -m tenants" in capsys.readouterr().out


def test_a_command_without_its_arguments_is_refused() -> None:
    with pytest.raises(SystemExit) as done:
        main(["import", "--file", "x.zip"])
    assert done.value.code == 2


def test_list_shows_tenants_with_their_status(client: ApiClient) -> None:
    company = signup(client, company="Listed Ltd")
    out = io.StringIO()
    assert main(["list"], out=out) == 0
    line = next(line for line in out.getvalue().splitlines() if company.tenant_id in line)
    assert "active" in line and "Listed Ltd" in line
    out = io.StringIO()
    assert main(["list", "--status", "deleting"], out=out) == 0
    assert company.tenant_id not in out.getvalue()


def test_verify_audit_reports_the_first_broken_link_per_entity(client: ApiClient) -> None:
    company = signup(client, company="Verified Ltd")
    owner = company.owner.token
    team = body(client.post("/api/v1/teams", {"name": "T1"}, token=owner))
    for name in ("T2", "T3"):
        team = body(client.patch(f"/api/v1/teams/{team['id']}", {"name": name, "version": team["version"]},
                                 token=owner))
    out = io.StringIO()
    assert main(["verify-audit", "--tenant", company.tenant_id], out=out) == 0
    assert "chain(s) checked, 0 broken" in out.getvalue()
    ctx = system_context(company.tenant_id)
    with bind(ctx):
        record = audit.chain_records(ctx, "team", team["id"])[1]
        record.update(actions=[audit.AuditRecord.actor_id.set("someone else")])
    out = io.StringIO()
    assert main(["verify-audit", "--tenant", company.tenant_id], out=out) == 1
    assert f"BROKEN team {team['id']}: first broken link at seq 2 (3 records)" in out.getvalue()


def test_unknown_tenants_are_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify-audit", "--tenant", "not-a-tenant"], out=io.StringIO()) == 1
    assert "is not a tenant id" in capsys.readouterr().err
    assert main(["delete", "--tenant", "01HZZZZZZZZZZZZZZZZZZZZZZZ"], out=io.StringIO()) == 1
    assert main(["export", "--tenant", "01HZZZZZZZZZZZZZZZZZZZZZZZ", "--out", "/tmp/never.zip"],
                out=io.StringIO()) == 1
