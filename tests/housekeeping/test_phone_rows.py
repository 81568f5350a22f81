"""Contacts and companies written before a phone was found by a part of its number get their phones' search rows
from the hourly housekeeping tick, tenant by tenant, once; a record changed meanwhile keeps what its own write
wrote."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.contacts.models import ContactRow
from chalicelib.core import db, tenancy
from chalicelib.housekeeping import phone_rows
from chalicelib.housekeeping.models import PhoneRowsPass
from chalicelib.records import access, matching, store, types
from tests.billing import helpers
from tests.factories import Company, signup
from tests.support import ApiClient, body


def _ctx(company: Company) -> tenancy.TenantContext:
    return tenancy.TenantContext(tenant_id=company.tenant_id, actor_id="housekeeping", actor_kind="system",
                                 role="system", source="job")


def _found(client: ApiClient, company: Company, q: str, plural: str = "contacts") -> list[str]:
    response = client.get(f"/api/v1/{plural}?q={quote(q)}", token=company.owner.token)
    assert response.status_code == 200, response.body
    return [item["id"] for item in body(response)["items"]]


def _from(company: Company) -> None:
    """Start the pass at this company in the tenants' index (the worker's other tenants are not this test's)."""
    tenant = helpers.tenant(company)
    PhoneRowsPass(phone_rows.STATE_PK, phone_rows.STATE_SK, after=str(tenant.gsi1sk)[:-1], done=False).save()


def _written_before(client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch, path: str,
                    fields: dict[str, Any]) -> dict[str, Any]:
    """A record made as the code before phones' search rows wrote it: no phone token, no row per 4 digits."""
    with monkeypatch.context() as patched:
        patched.setattr(matching, "phone_tokens", lambda numbers: [])
        made = client.post(path, fields, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def test_the_tick_gives_older_records_their_phones_rows_once(client: ApiClient, app: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Older Rows", country="RU")
    contact = _written_before(client, company, monkeypatch, "/api/v1/contacts",
                              {"first_name": "Older", "phones": [{"number": "+79165553101"}]})
    switchboard = _written_before(client, company, monkeypatch, "/api/v1/companies",
                                  {"name": "Older Switchboard", "phones": [{"number": "+74955553102"}]})
    plain = _written_before(client, company, monkeypatch, "/api/v1/contacts", {"first_name": "No Phone"})
    assert _found(client, company, "3101") == [] and _found(client, company, "3102", "companies") == []
    _from(company)
    assert phone_rows.run(deadline=time.monotonic() + 600) == 2  # the contact without a phone is left as it was
    assert _found(client, company, "3101") == [contact["id"]] and _found(client, company, "916 555") == [contact["id"]]
    assert _found(client, company, "31-02", "companies") == [switchboard["id"]]
    assert _found(client, company, "no phone") == [plain["id"]]
    state = PhoneRowsPass.get(phone_rows.STATE_PK, phone_rows.STATE_SK, consistent_read=True)
    assert state.done
    assert phone_rows.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more
    _from(company)
    assert phone_rows.run(deadline=time.monotonic() + 600) == 0  # walked again: nothing left to write


def test_a_record_changed_since_it_was_read_keeps_its_own_rows(client: ApiClient, app: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Changed Rows", country="RU")
    made = _written_before(client, company, monkeypatch, "/api/v1/contacts",
                           {"first_name": "Moving", "phones": [{"number": "+79165553201"}]})
    ctx = _ctx(company)
    contact = types.get("contact")
    with tenancy.bind(ctx):
        read = access.get(ctx, contact, made["id"])
    changed = client.patch(f"/api/v1/contacts/{made['id']}", {"version": made["version"],
                                                             "phones": [{"number": "+79165553202"}]},
                           token=company.owner.token)
    assert changed.status_code == 200, changed.body
    with tenancy.bind(ctx):
        assert not store.refresh_rows(ctx, contact, read)  # the stale state would put the old number's rows back
        row = db.get(ctx, ContactRow, tenancy.tenant_key(ctx, "CX", "ALL"), made["id"])
    assert row is not None and row.version == body(changed)["version"]
    assert _found(client, company, "3201") == [] and _found(client, company, "3202") == [made["id"]]


def test_a_run_out_of_time_saves_where_it_stands_and_writes_nothing_more(client: ApiClient, app: Any,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(ApiClient(app), company="Late Rows", country="RU")
    made = _written_before(client, company, monkeypatch, "/api/v1/contacts",
                           {"first_name": "Late", "phones": [{"number": "+79165553301"}]})
    _from(company)
    assert phone_rows.run(deadline=time.monotonic() - 1) == 0
    assert not PhoneRowsPass.get(phone_rows.STATE_PK, phone_rows.STATE_SK, consistent_read=True).done
    assert _found(client, company, "3301") == []
    assert phone_rows.run(deadline=time.monotonic() + 600) >= 1
    assert _found(client, company, "3301") == [made["id"]]


def test_the_tick_gives_older_names_starting_with_digits_their_row(client: ApiClient, app: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A name written before digits alone found it ("1520" of "1520 Studio") gets the row of its 4 digits' bucket;
    one written since, or with a phone's run in that bucket, costs a GetItem and no write."""
    company = signup(ApiClient(app), company="Older Digits", country="RU")
    with monkeypatch.context() as patched:  # as the code before wrote them: no row in a digits' bucket for words
        patched.setattr(matching, "digit_start", lambda token: None)
        older = client.post("/api/v1/companies", {"name": "1520 Studio"}, token=company.owner.token)
        mailed = client.post("/api/v1/contacts", {"first_name": "Mailed", "emails": [{"address": "1520@example.com"}]},
                             token=company.owner.token)
    assert older.status_code == 201 and mailed.status_code == 201, (older.body, mailed.body)
    newer = client.post("/api/v1/companies", {"name": "1520 Bakery"}, token=company.owner.token)
    assert newer.status_code == 201, newer.body
    assert _found(client, company, "1520", "companies") == [body(newer)["id"]]
    assert _found(client, company, "1520") == []
    _from(company)
    assert phone_rows.run(deadline=time.monotonic() + 600) == 2
    assert _found(client, company, "1520", "companies") == [body(older)["id"], body(newer)["id"]]
    assert _found(client, company, "1520") == [body(mailed)["id"]]
    _from(company)
    assert phone_rows.run(deadline=time.monotonic() + 600) == 0
