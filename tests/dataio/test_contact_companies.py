"""A contacts import's Company column links each contact to its companies: an existing one the importer sees (by
name as the search folds it, or by web domain), else one the import makes once however many rows, batches or
retries name it; several with the name, or a role that may not make one, leave the contact unlinked with a row
problem saying so; the import's undo trashes the companies it made; another company's companies are never matched."""

from __future__ import annotations

import base64
from typing import Any
from unittest.mock import patch
from urllib.parse import urlencode

import pytest

from chalicelib.core import tenancy
from chalicelib.dataio import contact_companies, importing, jobs, targets
from tests.dataio.test_export_round_trip import _export
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


def _upload(client: ApiClient, token: str, text: str) -> dict[str, Any]:
    content = base64.b64encode(text.encode()).decode()
    made = client.post("/api/v1/imports", {"entity": "contact", "filename": "people.csv", "content_base64": content},
                       token=token)
    assert made.status_code == 201, made.body
    return body(made)


def _run(client: ApiClient, company: Company, job: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    token = token or company.owner.token
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    return body(client.get(f"/api/v1/imports/{job['id']}", token=token))


def _contact(client: ApiClient, token: str, job: dict[str, Any], row: int) -> dict[str, Any]:
    found = client.get(f"/api/v1/contacts/{importing.record_id(job['id'], row)}", token=token)
    assert found.status_code == 200, found.body
    return body(found)


def _named(client: ApiClient, token: str, name: str) -> list[dict[str, Any]]:
    listed = body(client.get(f"/api/v1/companies?{urlencode({'q': name, 'limit': 50})}", token=token))["items"]
    return [item for item in listed if item["name"].casefold() == name.casefold()]


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Links Florist", country="US")
    owner = company.owner.token
    client.post("/api/v1/roles", {"key": "contact_importer", "name": "Contact importer", "permissions": [
        "contacts:read:all", "contacts:create:all", "companies:read:all"]}, token=owner)
    client.post("/api/v1/roles", {"key": "contacts_only", "name": "Contacts only", "permissions": [
        "contacts:read:all", "contacts:create:all"]}, token=owner)
    add_member(client, company, role="contact_importer", name="linker")
    add_member(client, company, role="contacts_only", name="blind")
    for made in ({"name": "Ёлка Flowers"}, {"name": "Verde Ltd", "website": "https://www.verde.example/about"},
                 {"name": "Twin Roses"}, {"name": "Twin Roses"}):
        answer = client.post("/api/v1/companies", made, token=owner)
        assert answer.status_code == 201, answer.body
        company.extra.setdefault("ids", {}).setdefault(made["name"], []).append(body(answer)["id"])
    return company


def test_rows_link_existing_companies_by_name_and_domain_and_make_missing_ones_once(
        client: ApiClient, company: Company) -> None:
    token, ids = company.owner.token, company.extra["ids"]
    csv = ("First name,Email,Company\n"
           "Ann,ann@links.example,ЕЛКА flowers\n"  # folded as the search folds: case, yo as ye
           "Ben,ben@links.example,verde.example\n"  # a web domain
           "Cat,cat@links.example,New Petal Co; Verde Ltd\n"  # several, as an export joins them
           "Dan,dan@links.example,new petal co\n"
           "Eve,eve@links.example,Twin Roses\n")  # two companies have this name
    job = _upload(client, token, csv)
    preview = job["preview"]
    assert preview["ignored_fields"] == [] and job["mapping"]["Company"] == "company"
    assert (preview["valid"], preview["invalid"], preview["new_companies"]) == (5, 0, 1)
    assert [(e["row"], e["field"], e["type"]) for e in preview["errors"]] == [(6, "company", "company_ambiguous")]
    assert _named(client, token, "New Petal Co") == []  # the preview makes nothing

    done = _run(client, company, job)
    progress = done["progress"]
    assert (progress["created"], progress["failed"], progress["companies_created"]) == (5, 0, 1), progress
    assert [(e["row"], e["type"]) for e in progress["errors"]] == [(6, "company_ambiguous")]
    assert "Twin Roses" in progress["errors"][0]["message"]
    petal = _named(client, token, "New Petal Co")
    assert len(petal) == 1 and petal[0]["owner_id"] == company.owner.user_id
    linked = {row: _contact(client, token, job, row)["company_ids"] for row in range(2, 7)}
    assert linked == {2: ids["Ёлка Flowers"], 3: ids["Verde Ltd"], 4: [petal[0]["id"], ids["Verde Ltd"][0]],
                      5: [petal[0]["id"]], 6: []}
    listed = body(client.get("/api/v1/imports", token=token))["items"]
    assert next(item for item in listed if item["id"] == job["id"])["companies_created"] == 1
    audit = body(client.get(f"/api/v1/audit?entity=company&entity_id={petal[0]['id']}", token=token))
    assert [record["action"] for record in audit["items"]] == ["create"]


def test_undo_trashes_the_companies_the_import_made(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = _upload(client, token, "First name,Company\nGil,Undo Blossom\nHal,Undo Blossom\nIda,Verde Ltd\n")
    assert _run(client, company, job)["progress"]["companies_created"] == 1
    blossom = _named(client, token, "Undo Blossom")[0]
    assert body(client.get(f"/api/v1/imports/{job['id']}/undo", token=token))["to_undo"] == 4
    assert client.post(f"/api/v1/imports/{job['id']}/undo", token=token).status_code == 202
    assert jobs.run_job("import_undo", company.tenant_id, job["id"], seconds=120) == "done"
    state = body(client.get(f"/api/v1/imports/{job['id']}/undo", token=token))
    assert (state["undone"], state["failed"]) == (4, 0), state
    assert client.get(f"/api/v1/companies/{blossom['id']}", token=token).status_code == 404
    assert _named(client, token, "Verde Ltd")  # a company the import only linked stays


def test_a_retried_batch_makes_no_second_company(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    text = "First name,Company\nJo,Retry Bloom\nKim,Retry Bloom\n"
    job = _upload(client, token, text)
    assert _run(client, company, job)["progress"]["companies_created"] == 1
    target = targets.target("contact")
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id, actor_kind="user",
                                role="owner", request_id=f"import:{job['id']}:again", permissions=frozenset({
                                    "contacts:create:all", "contacts:read:all", "companies:create:all",
                                    "companies:read:all"}))
    contact_companies.FOUND.clear()  # another Lambda: nothing remembered from the first run
    with tenancy.bind(ctx):
        reading = importing.reading_for(ctx, target)
        sheet = importing.load_sheet(text.encode(), reading)
        mapping = {"First name": "first_name", "Company": "company"}
        # the batch again, as after a crash before its checkpoint: rows, and the company, are found, not made
        outcomes = [importing.import_row(ctx, target, sheet, index, mapping, reading, job["id"]) for index in (0, 1)]
        # a retried row that had not made its company yet finds the one an earlier run made under the same id,
        # though the search may not list it yet
        contact_companies.FOUND.clear()
        with patch.object(contact_companies, "visible_companies", return_value=[]):
            links = contact_companies.resolve(ctx, "retry bloom", import_id=job["id"])
        assert contact_companies.companies_created(ctx, job["id"]) == 1
    assert [outcome.kind for outcome in outcomes] == ["created", "created"]
    assert (links.new, links.existing) == ([], [contact_companies.new_company_id(job["id"], "Retry Bloom")])
    assert len(_named(client, token, "Retry Bloom")) == 1


def test_a_role_that_may_not_create_companies_imports_the_contact_unlinked(client: ApiClient, company: Company) -> None:
    linker = company.members["linker"].token
    job = _upload(client, linker, "First name,Company\nLee,Verde Ltd\nMo,Nowhere Florals\n")
    assert [(e["row"], e["type"]) for e in job["preview"]["errors"]] == [(3, "company_not_created")]
    done = _run(client, company, job, token=linker)
    assert (done["progress"]["created"], done["progress"]["companies_created"]) == (2, 0)
    assert [(e["row"], e["type"]) for e in done["progress"]["errors"]] == [(3, "company_not_created")]
    assert _contact(client, linker, job, 2)["company_ids"] == company.extra["ids"]["Verde Ltd"]
    assert _contact(client, linker, job, 3)["company_ids"] == []
    assert _named(client, company.owner.token, "Nowhere Florals") == []


def test_a_role_that_may_not_see_companies_links_none(client: ApiClient, company: Company) -> None:
    blind = company.members["blind"].token
    job = _upload(client, blind, "First name,Company\nOla,Verde Ltd\n")
    assert [(e["row"], e["type"]) for e in job["preview"]["errors"]] == [(2, "company_not_readable")]
    done = _run(client, company, job, token=blind)
    assert (done["progress"]["created"], done["progress"]["companies_created"]) == (1, 0)
    assert _contact(client, company.owner.token, job, 2)["company_ids"] == []


def test_another_companys_companies_are_never_matched(client: ApiClient, app: Any, company: Company) -> None:
    other = signup(client, company="Other Florist", country="US")
    job = _upload(client, other.owner.token, "First name,Company\nNed,Verde Ltd\n")
    assert job["preview"]["new_companies"] == 1  # tenant A's Verde Ltd is not this company's
    done = _run(client, other, job)
    assert done["progress"]["companies_created"] == 1
    theirs = _named(client, other.owner.token, "Verde Ltd")
    assert len(theirs) == 1 and theirs[0]["id"] not in company.extra["ids"]["Verde Ltd"]
    assert _contact(client, other.owner.token, job, 2)["company_ids"] == [theirs[0]["id"]]
    assert len(_named(client, company.owner.token, "Verde Ltd")) == 1


def test_an_exported_file_imports_back_with_its_links(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    ids = company.extra["ids"]
    both = client.post("/api/v1/contacts", {"first_name": "Round", "last_name": "Tripper",
                                            "emails": [{"address": "round@links.example"}],
                                            "company_ids": [ids["Verde Ltd"][0], ids["Ёлка Flowers"][0]]}, token=token)
    assert both.status_code == 201, both.body
    content, rows = _export(client, token, "contact")
    assert next(row for row in rows if row["First name"] == "Round")["Company"] == "Verde Ltd; Ёлка Flowers"
    content = b"\n".join(line for line in content.splitlines() if b"Twin Roses" not in line)  # ambiguous anywhere

    empty = signup(client, company="Round Trip Empty", country="US")
    same = signup(client, company="Round Trip Same", country="US")
    for name in ("Verde Ltd", "Ёлка Flowers", "New Petal Co", "Retry Bloom"):
        assert client.post("/api/v1/companies", {"name": name}, token=same.owner.token).status_code == 201
    for target, made in ((empty, True), (same, False)):
        job = body(client.post("/api/v1/imports", {"entity": "contact", "filename": "back.csv", "content_base64":
                                                   base64.b64encode(content).decode()}, token=target.owner.token))
        done = _run(client, target, job)
        assert done["progress"]["failed"] == 0 and bool(done["progress"]["companies_created"]) is made, done
        copy = target.owner.token
        found = body(client.get("/api/v1/contacts?q=Tripper", token=copy))["items"][0]
        names = [body(client.get(f"/api/v1/companies/{company_id}", token=copy))["name"]
                 for company_id in body(client.get(f"/api/v1/contacts/{found['id']}", token=copy))["company_ids"]]
        assert names == ["Verde Ltd", "Ёлка Flowers"]
        assert len(_named(client, copy, "Verde Ltd")) == 1
