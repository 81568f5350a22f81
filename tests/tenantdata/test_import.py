"""An export imported as a new tenant reproduces it record by record, under a new id and a new data key."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core import audit, crypto
from chalicelib.core.config import settings
from chalicelib.core.tenancy import bind
from chalicelib.identity.service import system_context
from chalicelib.messaging import threads
from chalicelib.records import listing, lookups
from chalicelib.tenantdata import archive, registry
from tenants import importer
from tenants.__main__ import main
from tests.factories import PASSWORD, Company, add_member, link_token, login, signup
from tests.support import ApiClient, body
from tests.tenantdata import sealed_probe, table

HASHES = ("hash", "prev_hash", "audit_hash")


@pytest.fixture
def company(client: ApiClient) -> Company:
    company = signup(client, company="Source Ltd")
    owner = company.owner.token
    team = body(client.post("/api/v1/teams", {"name": "Importers"}, token=owner))
    add_member(client, company, role="manager", name="importmanager", team_id=team["id"])
    client.post("/api/v1/roles", {"key": "clerk", "name": "Clerk", "permissions": ["users:read:all"]}, token=owner)
    client.post("/api/v1/api-keys", {"name": "ERP", "permissions": ["users:read:all"]}, token=owner)
    version = body(client.get("/api/v1/tenant", token=owner))["version"]  # confirming the address wrote it once
    client.patch("/api/v1/tenant", {"name": "Source Renamed", "version": version}, token=owner)
    company.extra["vault"] = sealed_probe.put_vault(system_context(company.tenant_id), secret="DE89 3704 0044",
                                                    custom={"passport": "AB 123", "tax": "77-1"})
    return company


def export_lines(tenant_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The tenant's archive, item by key."""
    ctx = system_context(tenant_id)
    out = io.BytesIO()
    with bind(ctx):
        archive.write_archive(ctx, out, export_id="01HZZZZZZZZZZZZZZZZZZZZZZZ", created_at="now")
    with zipfile.ZipFile(out) as bundle:
        found = [json.loads(line) for name in bundle.namelist() if name.startswith("items/")
                 for line in bundle.read(name).decode().splitlines()]
    return {(line["item"]["pk"]["S"], line["item"]["sk"]["S"]): line for line in found}


def comparable(lines: dict[tuple[str, str], dict[str, Any]], tenant_id: str) -> dict[str, Any]:
    """Lines with the tenant id and the audit hashes (which cover it) taken out."""
    text = json.dumps({f"{pk}|{sk}": line for (pk, sk), line in sorted(lines.items())}).replace(tenant_id, "<T>")
    plain = json.loads(text)
    for line in plain.values():
        for name in HASHES:
            line["item"].pop(name, None)
        if line["item"]["kind"]["S"] == "api_key":  # imported keys are revoked: their secrets stayed behind
            line["item"].pop("revoked_at", None)
        if line["item"]["kind"]["S"] == "integration":  # imported ones wait disabled: their URL is the source's
            line["item"].pop("status", None)
        if line["item"]["kind"]["S"] == "kb_site":  # an imported KB page waits without its address (the source's)
            line["item"].pop("slug", None)
        if line["item"]["kind"]["S"] == "automation":  # imported rules wait switched off, like the integrations
            line["item"].pop("enabled", None)
        if line["item"]["kind"]["S"] == "billing_usage":  # and so none counts as enabled
            line["item"].pop("automation_rules", None)
        if line["item"]["kind"]["S"] == "contact_merge":  # the copies' lookup partitions are named anew on undo
            for name in ("contact_snapshot", "other_snapshot"):
                if name in line["item"]:
                    snapshot = json.loads(line["item"][name]["S"])
                    snapshot.pop("lookup_keys", None)
                    line["item"][name]["S"] = json.dumps(snapshot, ensure_ascii=False)
        if line["item"]["kind"]["S"] == "deal_row":  # a move does not rewrite a deal's search rows: an import
            for name in ("version", "updated_at"):  # writes them from the deal as it is now
                line["item"].pop(name, None)
        if line["item"]["kind"]["S"] == "tenant":  # the source's Stripe customer and subscription stay behind
            for name in ("customer_id", "subscription_id", "item_id", "status"):
                line["item"].get("billing", {}).get("M", {}).pop(name, None)
    return plain


def test_the_import_reproduces_the_export_record_by_record(company: Company, tmp_path: Path) -> None:
    source = export_lines(company.tenant_id)
    path = tmp_path / "export.zip"
    out = io.StringIO()
    assert main(["export", "--tenant", company.tenant_id, "--out", str(path)], out=out) == 0
    out = io.StringIO()
    assert main(["import", "--file", str(path), "--into-new-tenant"], out=out) == 0
    new_id = out.getvalue().split("as NEW tenant ")[1].split(":")[0]
    assert new_id != company.tenant_id
    copy = export_lines(new_id)
    assert comparable(copy, new_id) == comparable(source, company.tenant_id)
    assert not any(key[0].startswith(f"T#{company.tenant_id}#") for key in copy)
    assert all("revoked_at" in line["item"] for line in copy.values() if line["item"]["kind"]["S"] == "api_key")
    assert {line["item"]["status"]["S"] for line in copy.values() if line["item"]["kind"]["S"] == "integration"} \
        <= {"disabled", "deleted"}
    assert {registry.kind_of(line["item"]) for line in copy.values()} >= {"tenant", "user", "team", "role",
                                                                          "api_key", "audit", "probe_vault"}


def test_sealed_values_are_sealed_again_under_the_new_key(company: Company, tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    main(["export", "--tenant", company.tenant_id, "--out", str(path)], out=io.StringIO())
    summary = importer.import_archive(str(path))
    vault_key = (f"T#{summary.tenant_id}#PROBEVAULT", company.extra["vault"])
    vault = table.every_item()[vault_key]
    new_ctx, old_ctx = system_context(summary.tenant_id), system_context(company.tenant_id)
    token = vault["secret"]["S"]
    assert archive.TOKEN.fullmatch(token)
    with bind(new_ctx):
        opened = crypto.decrypt_field(new_ctx, entity="probe_vault", record_id=company.extra["vault"],
                                      field="secret", token=token)
        custom = json.loads(vault["custom"]["S"])
        passport = crypto.decrypt_field(new_ctx, entity="probe_vault", record_id=company.extra["vault"],
                                        field="custom.passport", token=custom["passport"])
    assert (opened, passport) == ("DE89 3704 0044", "AB 123")
    with bind(old_ctx), pytest.raises(crypto.DecryptionError):  # the source tenant's key cannot open it
        crypto.decrypt_field(old_ctx, entity="probe_vault", record_id=company.extra["vault"], field="secret",
                             token=token)
    assert vault["blob"] == {"B": b"\x00\x01binary"} and vault["tags"] == {"SS": ["a", "b"]}


def test_the_imported_tenant_verifies_and_its_staff_reset_passwords(client: ApiClient, company: Company,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    main(["export", "--tenant", company.tenant_id, "--out", str(path)], out=io.StringIO())
    summary = importer.import_archive(str(path))
    assert summary.relinked_chains > 0 and not summary.broken_chains
    assert sorted(summary.users_to_reset) == sorted([company.owner.email, company.members["importmanager"].email])
    assert len(summary.api_keys_to_reissue) == 1
    verify = io.StringIO()
    assert main(["verify-audit", "--tenant", summary.tenant_id], out=verify) == 0, verify.getvalue()
    assert ", 0 broken" in verify.getvalue()
    client.post("/api/v1/auth/password-reset", {"email": company.owner.email})
    token = link_token(company.owner.email, "reset")
    new_password = PASSWORD + " again"
    assert client.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": new_password}
                       ).status_code == 200
    signed = login(client, company.owner.email, new_password, tenant_id=summary.tenant_id)
    assert signed.status_code == 200, signed.body
    assert body(signed)["tenant"]["name"] == "Source Renamed"
    users = body(client.get("/api/v1/users", token=body(signed)["access_token"]))["items"]
    assert {u["email"] for u in users} == {company.owner.email, company.members["importmanager"].email}


def test_a_chain_broken_in_the_archive_stays_broken(company: Company, tmp_path: Path) -> None:
    ctx = system_context(company.tenant_id)
    with bind(ctx):
        record = audit.chain_records(ctx, "role", "clerk")[0]
        record.changes = {"name": {"before": None, "after": "Forged"}}
        record.save()
    path = tmp_path / "export.zip"
    main(["export", "--tenant", company.tenant_id, "--out", str(path)], out=io.StringIO())
    summary = importer.import_archive(str(path))
    assert summary.broken_chains == [f"T#{summary.tenant_id}#AUDIT#role#clerk"]
    verify = io.StringIO()
    assert main(["verify-audit", "--tenant", summary.tenant_id], out=verify) == 1
    assert "BROKEN role clerk: first broken link at seq 1" in verify.getvalue()


def test_a_file_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("manifest.json", json.dumps({"format": "something else"}))
    assert main(["import", "--file", str(path), "--into-new-tenant"], out=io.StringIO()) == 1


# -- the CRM's records ----------------------------------------------------------------------

CRM_KINDS = {"contact", "contact_row", "contact_lookup", "contact_link", "contact_merge", "company", "company_row",
             "company_link", "deal", "pipeline", "stage_summary", "task", "note_pointer", "custom_field",
             "timeline_entry"}


@pytest.fixture
def crm_company(client: ApiClient) -> Company:
    """A tenant holding every seeded domain's records, with a sensitive custom value on a contact."""
    from tests.security.test_cross_tenant import seed_modules

    company = signup(client, company="Crm Source Ltd")
    for module in seed_modules():
        module.seed(client, company)
    owner = company.owner.token
    contact = company.extra["contact"]
    updated = client.patch(f"/api/v1/contacts/{contact['id']}", {
        "version": contact["version"], "custom": {"alpha_tier": "gold", "alpha_passport": "P-7788"},
        "tax_id": "123-45-6789", "messengers": {"telegram_username": "alpha_tg"}}, token=owner)
    assert updated.status_code == 200, updated.body
    return company


def _digests(lines: dict[tuple[str, str], dict[str, Any]]) -> dict[str, str]:
    """Blind indexes in an export (they differ per tenant key by design), each with a stable placeholder."""
    found: dict[str, str] = {}
    for line in lines.values():
        item = line["item"]
        if item["kind"]["S"] == "contact":
            for field, digest in json.loads(item.get("blind", {}).get("S", "{}")).items():
                found[digest] = f"<bi:{field}:{item['contact_id']['S']}>"
    return found


def _blind_keys(lines: dict[tuple[str, str], dict[str, Any]], tenant_id: str) -> dict[str, str]:
    """The blind indexes in the keys of an export (phone and e-mail lookups, search rows), each named by the
    value it stands for: under another tenant's key the same value has another digest, by design (#21)."""
    ctx, found = system_context(tenant_id), {}
    with bind(ctx):
        for line in lines.values():
            item = line["item"]
            for attribute, kind, field in (("phones", "phone", "number"), ("emails", "email", "address")):
                for entry in json.loads(item.get(attribute, {}).get("S", "[]")):
                    pk = lookups.lookup_pk(ctx, kind, lookups.normalise(kind, entry[field]))
                    found[pk.rsplit("#", 1)[1]] = f"<{kind}:{entry[field]}>"
            for token in item.get("tokens", {}).get("S", "").split():
                for prefix in listing.token_prefixes(token):
                    found[listing.token_bucket(ctx, prefix)] = f"<token:{prefix}>"
            # a conversation's chat and a message's provider ids are found by blind indexes too (#17)
            if item["kind"]["S"] == "conversation" and "chat_key" in item:
                found[item["chat_key"]["S"]] = f"<chat:{item['conversation_id']['S']}>"
            if item["kind"]["S"] == "conversation_message" and "ref_key" in item:
                found[item["ref_key"]["S"]] = f"<ref:{item['message_id']['S']}>"
            if item["kind"]["S"] == "conversation_message" and item.get("message_kind", {}).get("S") == "email":
                own = f"<{item['message_id']['S']}@{settings.inbound_mail_domain}>"  # an e-mail's own Message-ID
                found[threads.message_key(ctx, own)] = f"<own:{item['message_id']['S']}>"
    return found


def crm_comparable(lines: dict[tuple[str, str], dict[str, Any]], tenant_id: str) -> dict[str, Any]:
    """comparable() with the blind indexes named by field and contact instead of by digest."""
    text = json.dumps(comparable(lines, tenant_id))
    for digest, name in (_digests(lines) | _blind_keys(lines, tenant_id)).items():
        text = text.replace(digest, name)
    return dict(json.loads(text))


def _sign_in_imported(client: ApiClient, company: Company, tenant_id: str) -> str:
    client.post("/api/v1/auth/password-reset", {"email": company.owner.email})
    new_password = PASSWORD + " imported"
    confirmed = client.post("/api/v1/auth/password-reset/confirm", {
        "token": link_token(company.owner.email, "reset"), "new_password": new_password})
    assert confirmed.status_code == 200, confirmed.body
    signed = login(client, company.owner.email, new_password, tenant_id=tenant_id)
    assert signed.status_code == 200, signed.body
    return str(body(signed)["access_token"])


def test_the_crm_records_are_reproduced_record_by_record(client: ApiClient, crm_company: Company,
                                                         tmp_path: Path) -> None:
    source = export_lines(crm_company.tenant_id)
    assert {registry.kind_of(line["item"]) for line in source.values()} >= CRM_KINDS
    path = tmp_path / "export.zip"
    main(["export", "--tenant", crm_company.tenant_id, "--out", str(path)], out=io.StringIO())
    summary = importer.import_archive(str(path))
    copy = export_lines(summary.tenant_id)
    assert crm_comparable(copy, summary.tenant_id) == crm_comparable(source, crm_company.tenant_id)
    assert len(_digests(copy)) == len(_digests(source)) == 3  # iban, tax id, Telegram, recomputed under the new key
    assert not set(_digests(copy)) & set(_digests(source))
    contact_id = crm_company.extra["contact"]["id"]
    sealed = {entry["field"] for key, line in copy.items() if key[1] == "#PROFILE" and contact_id in key[0]
              for entry in line["sealed"] if not entry.get("personal")}
    assert sealed == {"iban", "passport_number", "tax_id", "custom.alpha_passport"}


def test_the_imported_tenant_finds_its_contacts_by_exact_values(client: ApiClient, crm_company: Company,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    main(["export", "--tenant", crm_company.tenant_id, "--out", str(path)], out=io.StringIO())
    summary = importer.import_archive(str(path))
    token = _sign_in_imported(client, crm_company, summary.tenant_id)
    contact_id = crm_company.extra["contact"]["id"]
    for query in ("q=%2B12025550123", "q=alpha.victim%40alpha-victim.example", "iban=DE89370400440532013000",
                  "tax_id=123-45-6789", "q=Alphacontact"):
        found = body(client.get(f"/api/v1/contacts?{query}", token=token))["items"]
        assert [row["id"] for row in found] == [contact_id], query
    card = body(client.get(f"/api/v1/contacts/{contact_id}?reveal=iban,custom.alpha_passport", token=token))
    assert card["iban"] == "DE89370400440532013000" and card["custom"]["alpha_passport"] == "P-7788"
    duplicate = client.post("/api/v1/contacts", {"first_name": "Copy", "phones": [{"number": "+12025550123"}]},
                            token=token)
    assert duplicate.status_code == 409  # the imported phone lookup still claims the number
    from chalicelib.contacts import service as contacts_service

    imported = system_context(summary.tenant_id)
    with bind(imported):  # a chat with the bot from the contact's Telegram username finds it (its blind index)
        found = contacts_service.find_by_telegram(imported, "Alpha_TG")
    assert found is not None and found.contact_id == contact_id
