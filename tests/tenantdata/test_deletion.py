"""Deleting a tenant: scheduled with the owner's password, cancellable by link during the grace period,
then purged by the job with the data key destroyed first, so no copy of the data can be opened."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botocore.exceptions import ClientError

from chalicelib.core import aws, crypto, db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import bind
from chalicelib.identity.service import system_context
from chalicelib.tenantdata import jobs, service
from tenants.__main__ import main
from tests.factories import IN_MOSCOW, Company, add_member, link_token, login, outbox, signup
from tests.support import ApiClient, body
from tests.tenantdata import sealed_probe, table


@pytest.fixture
def company(client: ApiClient) -> Company:
    company = signup(client, company="Doomed Ltd")
    add_member(client, company, role="admin", name="doomedadmin")
    return company


def schedule(client: ApiClient, company: Company, password: str | None = None) -> Any:
    return client.post("/api/v1/tenant/deletion", {"password": password or company.owner.password},
                       token=company.owner.token)


def cancel(client: ApiClient, token: str) -> Any:
    return client.request("DELETE", "/api/v1/tenant/deletion", json_body={"token": token})


def test_scheduling_needs_the_owner_and_the_password(client: ApiClient, company: Company) -> None:
    wrong = schedule(client, company, "not my password at all")
    assert wrong.status_code == 403 and body(wrong)["error"]["code"] == "wrong_password"
    admin = company.members["doomedadmin"]
    refused = client.post("/api/v1/tenant/deletion", {"password": admin.password}, token=admin.token)
    assert refused.status_code == 403
    assert client.post("/api/v1/tenant/deletion", {}, token=company.owner.token).status_code == 422
    assert body(client.get("/api/v1/tenant", token=company.owner.token))["status"] == "active"


def test_a_scheduled_deletion_locks_everyone_out_and_the_link_cancels_it(client: ApiClient,
                                                                         company: Company) -> None:
    scheduled = schedule(client, company)
    assert scheduled.status_code == 202
    deletion = body(scheduled)
    assert deletion["status"] == "scheduled"
    purge_after = datetime.fromisoformat(deletion["purge_after"])
    assert timedelta(days=29, hours=23) < purge_after - db.utcnow() <= timedelta(days=30)
    refused = client.get("/api/v1/me", token=company.owner.token)
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "tenant_suspended"
    assert login(client, company.owner.email).status_code == 403
    token = link_token(company.owner.email, "cancel-deletion")
    assert cancel(client, token).status_code == 204
    assert login(client, company.owner.email).status_code == 200
    assert client.get("/api/v1/me", token=company.owner.token).status_code == 200
    again = cancel(client, token)
    assert again.status_code == 400 and body(again)["error"]["code"] == "invalid_token"
    assert cancel(client, "tdc_" + "x" * 40).status_code == 400
    actions = [r["action"] for r in body(client.get(f"/api/v1/audit?entity=tenant&entity_id={company.tenant_id}",
                                                    token=company.owner.token))["items"]]
    assert actions[:2] == ["cancel_deletion", "schedule_deletion"]


def test_nothing_is_purged_before_the_grace_period_ends(client: ApiClient, company: Company) -> None:
    schedule(client, company)
    jobs.run_pending(60)
    assert table.of_tenant(company.tenant_id)
    report = jobs.run_pending(60, now=db.utcnow() + timedelta(days=30, minutes=1))
    assert company.tenant_id in report.tenants_purged
    assert table.of_tenant(company.tenant_id) == {}


def test_a_purge_that_began_cannot_be_cancelled(client: ApiClient, company: Company) -> None:
    schedule(client, company)
    token = link_token(company.owner.email, "cancel-deletion")
    ctx = system_context(company.tenant_id)
    with bind(ctx):
        deletion = service.get_deletion(ctx)
        assert deletion is not None
        deletion.status = "purging"
        db.commit(ctx, db.Change().save(deletion))
    refused = cancel(client, token)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "deletion_in_progress"


def test_after_the_purge_no_copy_of_the_data_can_be_opened(client: ApiClient, company: Company) -> None:
    assert client.post("/api/v1/auth/totp/setup", token=company.owner.token).status_code == 200
    sealed_probe.put_vault(system_context(company.tenant_id), secret="DE89 3704 0044", custom={"id": "X1"})
    assert schedule(client, company).status_code == 202
    copy = table.of_tenant(company.tenant_id)  # what a backup or a thief would hold
    assert any(item["kind"]["S"] == "tenant_key" for item in copy.values())
    out = io.StringIO()
    assert main(["delete", "--tenant", company.tenant_id, "--now"], out=out) == 0
    assert "data key destroyed first" in out.getvalue()
    assert table.of_tenant(company.tenant_id) == {}
    tombstone = table.every_item()[(f"G#deleted-tenant#{company.tenant_id}", "TENANT")]
    assert set(tombstone) >= {"former_tenant_id", "deleted_at", "purged_items"} and "name" not in tombstone
    sealed = [(item, name) for item in copy.values() for name in ("totp_secret", "secret") if name in item]
    assert len(sealed) == 2
    ctx = system_context(company.tenant_id)
    crypto.clear_cache()
    with bind(ctx):
        for item, name in sealed:
            record_id = item.get("user_id", item.get("vault_id"))["S"]
            with pytest.raises(crypto.DecryptionError):  # the wrapped key item is gone
                crypto.decrypt_field(ctx, entity=item["kind"]["S"], record_id=record_id, field=name,
                                     token=item[name]["S"])
    wrapped = next(item for item in copy.values() if item["kind"]["S"] == "tenant_key")
    other = signup(client, company="Thief Ltd")
    with pytest.raises(ClientError) as refused:  # KMS opens a wrapped key only under its own tenant's context
        aws.client("kms").decrypt(CiphertextBlob=wrapped["wrapped_key"]["B"],
                                  EncryptionContext={"tenant_id": other.tenant_id})
    assert refused.value.response["Error"]["Code"] == "InvalidCiphertextException"
    assert login(client, company.owner.email).status_code == 401


def test_the_data_key_goes_before_any_item(client: ApiClient, company: Company) -> None:
    schedule(client, company)
    writes: list[str] = []

    def transaction(params: dict[str, Any], **_: Any) -> None:
        deleted = [op["Delete"]["Key"]["sk"]["S"] for op in params["TransactItems"] if "Delete" in op]
        writes.append("delete key" if "KEY" in deleted else "transaction")

    def batch(params: dict[str, Any], **_: Any) -> None:
        writes.append("delete items")

    tx_client = db.MainTable._get_connection().connection.client
    tx_client.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", transaction)
    aws.client("dynamodb").meta.events.register("before-parameter-build.dynamodb.BatchWriteItem", batch)
    try:
        assert main(["delete", "--tenant", company.tenant_id, "--now"], out=io.StringIO()) == 0
    finally:
        tx_client.meta.events.unregister("before-parameter-build.dynamodb.TransactWriteItems", transaction)
        aws.client("dynamodb").meta.events.unregister("before-parameter-build.dynamodb.BatchWriteItem", batch)
    assert "delete key" in writes and "delete items" in writes
    assert writes.index("delete key") < writes.index("delete items")


def test_the_purge_removes_the_export_archives(client: ApiClient, company: Company) -> None:
    export = body(client.post("/api/v1/tenant/export", token=company.owner.token))
    assert export["id"] in jobs.run_pending(60).exports_done
    s3 = aws.client("s3")
    prefix = f"exports/{company.tenant_id}/"
    assert s3.list_object_versions(Bucket=settings.export_bucket, Prefix=prefix).get("Versions")
    schedule(client, company)
    assert main(["delete", "--tenant", company.tenant_id, "--now"], out=io.StringIO()) == 0
    left = s3.list_object_versions(Bucket=settings.export_bucket, Prefix=prefix)
    assert not left.get("Versions") and not left.get("DeleteMarkers")


def test_the_purge_removes_the_call_recordings(client: ApiClient, company: Company) -> None:
    from tests.telephony.kit import create_telephony, play
    from webhooks.providers import Call
    from webhooks.providers import pbx as pbx_sim

    pbx = create_telephony(client, company, "pbx")
    play(client, pbx, pbx_sim.requests("answered", pbx["webhook_url"], key=None, secret=pbx["secret"], call=Call()))
    s3, prefix = aws.client("s3"), f"tenants/{company.tenant_id}/"
    assert s3.list_objects_v2(Bucket=settings.recordings_bucket, Prefix=prefix).get("Contents")
    schedule(client, company)
    assert main(["delete", "--tenant", company.tenant_id, "--now"], out=io.StringIO()) == 0
    left = s3.list_object_versions(Bucket=settings.recordings_bucket, Prefix=prefix)
    assert not left.get("Versions") and not left.get("DeleteMarkers")


def test_the_operator_schedules_and_cancels(client: ApiClient, company: Company) -> None:
    out = io.StringIO()
    assert main(["delete", "--tenant", company.tenant_id, "--grace-days", "7"], out=out) == 0
    assert "will be purged after" in out.getvalue()
    assert link_token(company.owner.email, "cancel-deletion")
    assert login(client, company.owner.email).status_code == 403
    assert main(["delete", "--tenant", company.tenant_id, "--cancel"], out=io.StringIO()) == 0
    assert login(client, company.owner.email).status_code == 200
    assert main(["delete", "--tenant", company.tenant_id, "--cancel"], out=io.StringIO()) == 1


def test_a_copy_taken_before_the_purge_holds_no_readable_contact_value(client: ApiClient, company: Company) -> None:
    from tests.seeds import contacts as contact_seed
    from tests.seeds import customfields as field_seed
    from tests.seeds import identity as identity_seed

    for seed in (identity_seed, field_seed, contact_seed):
        seed.seed(client, company)
    contact = company.extra["contact"]
    patched = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact["version"], "tax_id": "123-45-6789",
                                                                 "custom": {"alpha_passport": "P-7788"}},
                           token=company.owner.token)
    assert patched.status_code == 200, patched.body
    assert schedule(client, company).status_code == 202
    copy = table.of_tenant(company.tenant_id)  # a backup taken before the purge
    assert main(["delete", "--tenant", company.tenant_id, "--now"], out=io.StringIO()) == 0
    assert table.of_tenant(company.tenant_id) == {}
    text = str([item for item in copy.values() if item["kind"]["S"] != "tenant_key"])  # random bytes may match
    for clear in ("DE89370400440532013000", "AB1234567", "123-45-6789", "123456789", "P-7788"):
        assert clear not in text  # only sealed, never in clear, in any item (rows, lookups, merge snapshots)
    profile = copy[(f"T#{company.tenant_id}#C#{contact['id']}", "#PROFILE")]
    assert "custom" not in profile and "first_name" not in profile  # personal values: only in the sealed token
    ctx = system_context(company.tenant_id)
    crypto.clear_cache()
    with bind(ctx):
        for field, token in (("iban", profile["iban"]["S"]), ("tax_id", profile["tax_id"]["S"]),
                             ("passport_number", profile["passport_number"]["S"])):
            with pytest.raises(crypto.DecryptionError):
                crypto.decrypt_field(ctx, entity="contact", record_id=contact["id"], field=field, token=token)
        with pytest.raises(crypto.DecryptionError):  # the names, phones, addresses and custom values with them
            crypto.open_values(ctx, kind="contact", identity=profile["pk"]["S"], token=profile["pd"]["S"])
        with pytest.raises(crypto.KeyUnavailableError):  # nor can a blind index be matched any more
            crypto.blind_index(ctx, entity="contact", field="iban", value="DE89370400440532013000")


RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря")


def test_the_deletion_notice_names_the_company_s_own_day_and_time(client: ApiClient) -> None:
    """A Moscow owner's notice said 'scheduled for 2027-01-06 21:30 UTC', the day before hers around midnight, in
    English: it now says it in Russian, on Moscow's clock, as a person dates it, and names the zone."""
    company = signup(client, company="Полночь", **IN_MOSCOW)
    deletion = body(schedule(client, company))
    local = datetime.fromisoformat(deletion["purge_after"]).astimezone(ZoneInfo("Europe/Moscow"))
    day = f"{local.day} {RU_MONTHS[local.month - 1]} {local.year}"
    [notice] = outbox(company.owner.email)[-1:]
    assert notice.subject == f"Полночь: компания будет удалена {day}"
    assert f"назначено на {day}, {local:%H:%M} (время Europe/Moscow)" in notice.body
    assert "UTC" not in notice.body and "/#/cancel-deletion?token=" in notice.body
