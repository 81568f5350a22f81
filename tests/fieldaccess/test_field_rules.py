"""Field rules (#21 item 10): a role kept from reading a field never sees it (card, list, search, export, timeline,
audit), cannot find or filter by it, and a role kept from editing one cannot change it, on every route."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.dataio import importing, jobs
from tests.factories import Company, add_member, signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

PHONE, EMAIL, VIP, SITE = "+12025550111", "alice.rules@example.com", "gold-7741", "rules-acme.io"
CRM = ("contacts", "companies", "deals", "products", "calls", "tasks")
CLERK_RULES = ["contacts.phones:hidden", "contacts.custom.vip:hidden", "contacts.emails:readonly",
               "deals.amount:hidden", "companies.website:hidden", "products.price:hidden"]


def grants(*actions: str) -> list[str]:
    return [f"{entity}:{action}:all" for entity in CRM for action in actions]


@pytest.fixture(scope="module")
def company(app: Any, embedded_aws: None) -> Company:
    ensure_bucket()
    client = ApiClient(app)
    company = signup(client, company="Rules Co", country="US")
    owner = company.owner.token
    created = client.post("/api/v1/custom-fields", {"entity": "contact", "key": "vip", "label": "VIP code",
                                                    "type": "text"}, token=owner)
    assert created.status_code == 201, created.body
    role = client.post("/api/v1/roles", {"key": "clerk", "name": "Clerk", "permissions": [
        *grants("read", "create", "update", "delete", "export"), "audit:read:all", "audit:update:all", "roles:read:all",
        "roles:create:all", "api_keys:create:all", "api_keys:read:all", "customfields:read:all",
        "pipelines:read:all", "users:read:all", *CLERK_RULES]}, token=owner)
    assert role.status_code == 201, role.body
    add_member(client, company, role="clerk", name="clerk")
    contact = client.post("/api/v1/contacts", {"first_name": "Alice", "last_name": "Rules",
                                               "phones": [{"number": PHONE}], "emails": [{"address": EMAIL}],
                                               "custom": {"vip": VIP}}, token=owner)
    assert contact.status_code == 201, contact.body
    firm = client.post("/api/v1/companies", {"name": "Acme Rules", "website": f"https://{SITE}"}, token=owner)
    assert firm.status_code == 201, firm.body
    deal = client.post("/api/v1/deals", {"title": "Rules deal", "amount": {"minor": 987654, "currency": "USD"},
                                         "contact_ids": [body(contact)["id"]]}, token=owner)
    assert deal.status_code == 201, deal.body
    product = client.post("/api/v1/products", {"name": "Rules kit", "price": {"minor": 987654, "currency": "USD"}},
                          token=owner)
    assert product.status_code == 201, product.body
    task = client.post("/api/v1/tasks", {"title": "Follow up", "related": {"type": "deal", "id": body(deal)["id"]}},
                       token=owner)
    assert task.status_code == 201, task.body
    company.extra.update(contact=body(contact), firm=body(firm), deal=body(deal), product=body(product),
                         task=body(task))
    return company


def url(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}"


def clerk(company: Company) -> str:
    return company.members["clerk"].token


def leaks(payload: Any) -> list[str]:
    text = str(payload)
    return [value for value in (PHONE, VIP, "987654", SITE) if value in text]


# -- the grammar -------------------------------------------------------------------------------------------


def test_a_rule_on_a_field_the_type_lacks_is_refused(client: ApiClient, company: Company) -> None:
    for wrong in ("contacts.phone:hidden", "contacts.custom.nope:readonly", "contacts.phones:read:all",
                  "pipelines.name:hidden", "contacts.phones:invisible"):
        answer = client.post("/api/v1/roles", {"key": "typo", "name": "Typo", "permissions": [
            "contacts:read:own", wrong]}, token=company.owner.token)
        assert answer.status_code == 422, (wrong, answer.body)
        assert answer.json_body["error"]["details"][0]["type"] == "unknown_permission"


def test_the_role_editor_lists_every_type_s_fields_and_custom_ones(client: ApiClient, company: Company) -> None:
    answer = client.get("/api/v1/roles/fields", token=company.owner.token)
    assert answer.status_code == 200, answer.body
    catalog = {entry["entity"]: {f["field"] for f in entry["fields"]} for entry in body(answer)["items"]}
    assert {"phones", "emails", "first_name", "passport_number", "custom.vip"} <= catalog["contacts"]
    assert {"amount", "title"} <= catalog["deals"] and {"price", "sku"} <= catalog["products"]
    assert {"website", "name"} <= catalog["companies"] and "from_number" in catalog["calls"]
    assert body(answer)["access"] == ["readonly", "hidden"]


def test_nobody_grants_a_field_they_may_not_see(client: ApiClient, company: Company) -> None:
    wide = client.post("/api/v1/roles", {"key": "wider", "name": "Wider", "permissions": ["contacts:read:all"]},
                       token=clerk(company))
    assert wide.status_code == 403, wide.body
    narrow = client.post("/api/v1/roles", {"key": "narrow", "name": "Narrow", "permissions": [
        "contacts:read:all", *CLERK_RULES]}, token=clerk(company))
    assert narrow.status_code == 201, narrow.body
    assigned = client.post("/api/v1/users", {"email": "x.rules@example.com", "name": "X", "role": "admin"},
                           token=clerk(company))
    assert assigned.status_code == 403


# -- reading -----------------------------------------------------------------------------------------------


def test_the_card_list_and_answers_leave_hidden_fields_out(client: ApiClient, company: Company) -> None:
    contact_id = company.extra["contact"]["id"]
    card = body(client.get(f"/api/v1/contacts/{contact_id}", token=clerk(company)))
    assert "phones" not in card and "vip" not in card["custom"] and card["emails"][0]["address"] == EMAIL
    listed = body(client.get("/api/v1/contacts", token=clerk(company)))["items"]
    alice = next(item for item in listed if item["id"] == contact_id)
    assert "phone" not in alice and alice["email"] == EMAIL and alice["first_name"] == "Alice"
    assert not leaks(card) and not leaks(listed)
    owner_card = body(client.get(f"/api/v1/contacts/{contact_id}", token=company.owner.token))
    assert owner_card["phones"][0]["number"] == PHONE and owner_card["custom"]["vip"] == VIP


def test_a_hidden_field_finds_nothing_and_filters_nothing(client: ApiClient, company: Company) -> None:
    token = clerk(company)
    assert body(client.get(url("/api/v1/contacts", {"q": PHONE}), token=token))["items"] == []
    named = body(client.get(url("/api/v1/contacts", {"q": "alice"}), token=token))["items"]
    assert [i["first_name"] for i in named] == ["Alice"]
    found = body(client.get(url("/api/v1/contacts", {"q": PHONE}), token=company.owner.token))["items"]
    assert [i["id"] for i in found] == [company.extra["contact"]["id"]]
    filtered = client.get(url("/api/v1/contacts", {"custom.vip": VIP}), token=token)
    assert filtered.status_code == 403 and filtered.json_body["error"]["code"] == "field_hidden"
    assert body(client.get(url("/api/v1/companies", {"q": SITE}), token=token))["items"] == []
    assert body(client.get(url("/api/v1/companies", {"q": "acme"}), token=token))["items"]


def test_a_hidden_amount_leaves_the_deal_card_list_and_board(client: ApiClient, company: Company) -> None:
    token, deal = clerk(company), company.extra["deal"]
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=token))
    assert "amount" not in card["deal"] and card["deal"]["title"] == "Rules deal"
    board = body(client.get(f"/api/v1/pipelines/{deal['pipeline_id']}/board", token=token))
    assert all("totals" not in column for column in board["columns"])
    listed = body(client.get(url("/api/v1/deals", {"pipeline_id": deal["pipeline_id"]}), token=token))
    assert not leaks(card) and not leaks(board) and not leaks(listed)
    contact_card = body(client.get(f"/api/v1/contacts/{company.extra['contact']['id']}", token=token))
    assert not leaks(contact_card["links"])  # the deal's link summary on the contact's card
    owner_board = body(client.get(f"/api/v1/pipelines/{deal['pipeline_id']}/board", token=company.owner.token))
    assert "987654" in str(owner_board)


def test_the_audit_trail_leaves_hidden_values_and_their_hashes_out(client: ApiClient, company: Company) -> None:
    trail = body(client.get(url("/api/v1/audit", {"entity": "contact"}), token=clerk(company)))["items"]
    created = next(item for item in trail if item["entity_id"] == company.extra["contact"]["id"])
    assert "phones" not in created["changes"] and "custom.vip" not in created["changes"]
    assert "hash" not in created and created["changes"]["first_name"]["after"] == "Alice"
    assert not leaks(trail)


def test_an_export_has_no_column_of_a_hidden_field(client: ApiClient, company: Company) -> None:
    job = body(client.post("/api/v1/exports", {"entity": "contact", "format": "csv"}, token=clerk(company)))
    assert job["status"] == "done", job
    key = urlparse(job["download_url"]).path.split(f"{settings.export_bucket}/", 1)[-1].lstrip("/")
    text = aws.client("s3").get_object(Bucket=settings.export_bucket, Key=key)["Body"].read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "Phone" not in rows[0] and "VIP code" not in rows[0] and rows[0]["Email"] == EMAIL
    assert not leaks(text)
    searched = client.post("/api/v1/exports", {"entity": "contact", "filters": {"q": "alice"}}, token=clerk(company))
    assert searched.status_code == 403, searched.body


def test_an_api_key_keeps_its_creator_s_field_rules(client: ApiClient, company: Company) -> None:
    made = client.post("/api/v1/api-keys", {"name": "sync", "permissions": ["contacts:read:all"]},
                       token=clerk(company))
    assert made.status_code == 201, made.body
    key = body(made)["secret"]
    card = client.get(f"/api/v1/contacts/{company.extra['contact']['id']}", token=key)
    assert card.status_code == 200, card.body
    assert "phones" not in body(card) and not leaks(body(card))


# -- changing ----------------------------------------------------------------------------------------------


def test_a_read_only_or_hidden_field_cannot_change(client: ApiClient, company: Company) -> None:
    token, contact_id = clerk(company), company.extra["contact"]["id"]
    version = body(client.get(f"/api/v1/contacts/{contact_id}", token=token))["version"]
    for change in ({"emails": [{"address": "other@example.com"}]}, {"phones": [{"number": "+12025550199"}]},
                   {"custom": {"vip": "x"}}):
        refused = client.patch(f"/api/v1/contacts/{contact_id}", {"version": version, **change}, token=token)
        assert refused.status_code == 403, (change, refused.body)
        assert refused.json_body["error"]["code"] == "field_read_only"
        assert refused.json_body["error"]["details"][0]["loc"][-1] in ("emails", "phones", "vip")
    ok = client.patch(f"/api/v1/contacts/{contact_id}", {"version": version, "last_name": "Ruled"}, token=token)
    assert ok.status_code == 200, ok.body
    assert "phones" not in body(ok)
    owner_card = body(client.get(f"/api/v1/contacts/{contact_id}", token=company.owner.token))
    assert owner_card["phones"][0]["number"] == PHONE and owner_card["emails"][0]["address"] == EMAIL
    deal = body(client.get(f"/api/v1/deals/{company.extra['deal']['id']}", token=token))["deal"]
    amount = client.patch(f"/api/v1/deals/{deal['id']}", {"version": deal["version"],
                                                          "amount": {"minor": 1, "currency": "USD"}}, token=token)
    assert amount.status_code == 403, amount.body


def test_a_create_may_not_set_a_read_only_field(client: ApiClient, company: Company) -> None:
    refused = client.post("/api/v1/contacts", {"first_name": "Bob", "emails": [{"address": "bob.r@example.com"}]},
                          token=clerk(company))
    assert refused.status_code == 403 and refused.json_body["error"]["code"] == "field_read_only"
    ok = client.post("/api/v1/contacts", {"first_name": "Bob"}, token=clerk(company))
    assert ok.status_code == 201, ok.body


def test_revert_of_a_change_to_a_read_only_field_is_refused(client: ApiClient, company: Company) -> None:
    owner, contact_id = company.owner.token, company.extra["contact"]["id"]
    version = body(client.get(f"/api/v1/contacts/{contact_id}", token=owner))["version"]
    changed = client.patch(f"/api/v1/contacts/{contact_id}", {"version": version, "emails": [
        {"address": EMAIL}, {"address": "second.rules@example.com"}]}, token=owner)
    assert changed.status_code == 200, changed.body
    trail = body(client.get(url("/api/v1/audit", {"entity": "contact", "entity_id": contact_id}), token=owner))
    newest = trail["items"][0]
    assert "emails" in newest["changes"]
    refused = client.post(f"/api/v1/audit/{newest['id']}/revert", {}, token=clerk(company))
    assert refused.status_code == 403, refused.body
    assert body(client.get(f"/api/v1/contacts/{contact_id}", token=owner))["emails"][-1]["address"] \
        == "second.rules@example.com"


def test_an_import_never_writes_nor_looks_up_a_read_only_field(client: ApiClient, company: Company) -> None:
    content = base64.b64encode(f"First name,E-mail,Phone\nIgor,{EMAIL},{PHONE}\n".encode()).decode()
    job = body(client.post("/api/v1/imports", {"entity": "contact", "filename": "people.csv",
                                               "content_base64": content}, token=clerk(company)))
    # left out whole ("-"): not a field, and not the note that keeps the cells of columns mapped to none
    assert job["mapping"] == {"First name": "first_name", "E-mail": "-", "Phone": "-"}, job["mapping"]
    assert job["preview"]["duplicates"] == 0 and company.extra["contact"]["id"] not in str(job)
    remapped = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"], "mapping": {
        "First name": "first_name", "E-mail": "email"}}, token=clerk(company))
    assert remapped.status_code == 403 and remapped.json_body["error"]["details"][0]["loc"] == ["emails"]
    by_hand = client.post("/api/v1/imports", {"entity": "contact", "filename": "people.csv", "content_base64": content,
                                              "mapping": {"Phone": "phone"}}, token=clerk(company))
    assert by_hand.status_code == 403, by_hand.body
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=clerk(company))
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    made = importing.record_id(job["id"], 2)  # neither the phone nor the e-mail the clerk may not write is in a note
    assert client.get(f"/api/v1/contacts/{made}", token=company.owner.token).status_code == 200
    timeline = str(body(client.get(f"/api/v1/contacts/{made}/timeline?limit=50", token=company.owner.token)))
    assert PHONE not in timeline and EMAIL not in timeline, timeline
    owner_job = body(client.post("/api/v1/imports", {"entity": "contact", "filename": "people.csv",
                                                     "content_base64": content}, token=company.owner.token))
    assert owner_job["preview"]["duplicates"] == 1  # the owner's preview finds the contact by its phone


# -- a second role: titles, prices, tags and call numbers ------------------------------------------------------


@pytest.fixture(scope="module")
def reader(app: Any, company: Company) -> str:
    client = ApiClient(app)
    role = client.post("/api/v1/roles", {"key": "reader", "name": "Reader", "permissions": [
        *grants("read"), "pipelines:read:all", "deals.title:hidden", "products.price:hidden", "products.tags:hidden",
        "calls.from_number:hidden"]}, token=company.owner.token)
    assert role.status_code == 201, role.body
    return add_member(client, company, role="reader", name="reader").token


def test_a_hidden_deal_title_leaves_the_timelines_it_is_quoted_on(client: ApiClient, company: Company,
                                                                  reader: str) -> None:
    owner, deal = company.owner.token, company.extra["deal"]
    pipeline = body(client.get(f"/api/v1/pipelines/{deal['pipeline_id']}", token=owner))
    current = body(client.get(f"/api/v1/deals/{deal['id']}", token=owner))["deal"]
    target = next(s for s in pipeline["stages"] if s["kind"] == "open" and s["id"] != current["stage_id"])
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"version": current["version"], "stage_id": target["id"]},
                        token=owner)
    assert moved.status_code == 200, moved.body
    contact_id = company.extra["contact"]["id"]
    for path in (f"/api/v1/contacts/{contact_id}/timeline", f"/api/v1/deals/{deal['id']}/timeline"):
        entries = body(client.get(path, token=reader))["items"]
        changes = [e for e in entries if e["kind"] == "stage_change"]
        assert changes and all("title" not in e["data"] and "Rules deal" not in e["summary"] for e in changes), path
        owner_entries = body(client.get(path, token=owner))["items"]
        assert any("Rules deal" in e["summary"] for e in owner_entries if e["kind"] == "stage_change")
    card = body(client.get(f"/api/v1/contacts/{contact_id}", token=reader))
    assert "Rules deal" not in str(card["timeline"]) and "Rules deal" not in str(card["links"])
    assert "Rules deal" not in str(body(client.get(f"/api/v1/deals/{deal['id']}", token=reader)))
    found = body(client.get(url("/api/v1/deals", {"q": "rules"}), token=reader))["items"]
    assert found == [] and body(client.get(url("/api/v1/deals", {"q": "rules"}), token=owner))["items"]


def test_a_hidden_price_and_tags_leave_products_and_their_filters(client: ApiClient, company: Company,
                                                                  reader: str) -> None:
    made = client.post("/api/v1/products", {"name": "Rules widget", "sku": "RW-1", "tags": ["secret-tag"],
                                            "price": {"minor": 424242, "currency": "USD"}}, token=company.owner.token)
    assert made.status_code == 201, made.body
    product = body(client.get(f"/api/v1/products/{body(made)['id']}", token=reader))
    assert "price" not in product and "tags" not in product and product["sku"] == "RW-1"
    listed = body(client.get("/api/v1/products", token=reader))
    assert "424242" not in str(listed) and "secret-tag" not in str(listed)
    tagged = client.get(url("/api/v1/products", {"tag": "secret-tag"}), token=reader)
    assert tagged.status_code == 403 and tagged.json_body["error"]["details"][0]["loc"] == ["query", "tags"]


def test_what_timeline_entries_quote_follows_the_quoted_record_s_rules(company: Company) -> None:
    from chalicelib.core.tenancy import TenantContext
    from chalicelib.records.fieldaccess import views

    ctx = TenantContext(tenant_id=company.tenant_id, permissions=frozenset({
        "contacts:read:all", "contacts.phones:hidden", "contacts.custom.vip:hidden", "calls.recording:hidden"}))
    form = {"kind": "form_submission", "summary": "Form “Site”: Ann Lee", "subject": {"type": "contact", "id": "x"},
            "data": {"form": "Site", "name": "Ann Lee", "phone": PHONE, "email": EMAIL,
                     "custom": {"vip": VIP, "size": "L"}}}
    shown = views.entry(ctx, form)
    assert "phone" not in shown["data"] and shown["data"]["custom"] == {"size": "L"}
    assert shown["data"]["email"] == EMAIL and shown["summary"] == "Form “Site”" and not leaks(shown)
    call = {"kind": "call", "summary": "Incoming call: answered", "subject": {"type": "contact", "id": "x"},
            "data": {"number": PHONE, "recording": True, "duration_seconds": 30}}
    shown = views.entry(ctx, call)
    assert "number" not in shown["data"] and "recording" not in shown["data"]
    assert shown["data"]["duration_seconds"] == 30
    assert form["data"]["phone"] == PHONE  # the entry given is not changed
    owner = TenantContext(tenant_id=company.tenant_id, permissions=frozenset({"contacts:read:all"}))
    assert views.entry(owner, form) is form


def test_a_duplicate_check_never_tells_who_holds_a_hidden_phone(client: ApiClient, company: Company) -> None:
    probe = client.post("/api/v1/contacts", {"first_name": "Probe", "phones": [{"number": PHONE}]},
                        token=clerk(company))
    assert probe.status_code == 403 and company.extra["contact"]["id"] not in str(probe.body)
    contact_id = company.extra["contact"]["id"]
    version = body(client.get(f"/api/v1/contacts/{contact_id}", token=clerk(company)))["version"]
    same = client.patch(f"/api/v1/contacts/{contact_id}", {"version": version, "emails": [{"address": EMAIL}]},
                        token=clerk(company))
    assert same.status_code == 403  # a PATCH names only what it changes; a read-only field is left out


def test_no_read_route_shows_a_hidden_value(client: ApiClient, company: Company) -> None:
    """Every GET route of the registry, its ids filled from this company (a route added later is walked too)."""
    from chalicelib.core.http import REGISTRY

    ids = {"contact_id": company.extra["contact"]["id"], "company_id": company.extra["firm"]["id"],
           "deal_id": company.extra["deal"]["id"], "pipeline_id": company.extra["deal"]["pipeline_id"],
           "role_key": "clerk", "user_id": company.members["clerk"].user_id,
           "product_id": company.extra["product"]["id"], "task_id": company.extra["task"]["id"]}
    walked = []
    for spec in REGISTRY.values():
        if spec.method != "GET" or spec.public or not spec.path.startswith("/api/v1/") \
                or not set(spec.path_params) <= set(ids):
            continue
        path = spec.path
        for name in spec.path_params:
            path = path.replace("{" + name + "}", ids[name])
        answer = client.get(path, token=clerk(company))
        assert answer.status_code < 500, (path, answer.body)
        assert not leaks(answer.body.decode("utf-8", "replace")), (path, leaks(answer.body.decode()))
        walked.append(path)
    assert len(walked) > 30 and f"/api/v1/contacts/{ids['contact_id']}" in walked


def test_a_hidden_value_is_never_revealed(client: ApiClient, company: Company) -> None:
    contact_id = company.extra["contact"]["id"]
    refused = client.get(url(f"/api/v1/contacts/{contact_id}", {"reveal": "custom.vip"}), token=clerk(company))
    assert refused.status_code == 403 and refused.json_body["error"]["code"] == "field_hidden"


def test_a_task_does_not_name_its_record_by_a_hidden_name(app: Any, client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    role = client.post("/api/v1/roles", {"key": "nameless", "name": "Nameless", "permissions": [
        "contacts:read:all", "tasks:read:all", "users:read:all", "contacts.last_name:hidden"]}, token=owner)
    assert role.status_code == 201, role.body
    member = add_member(ApiClient(app), company, role="nameless", name="nameless")
    task = client.post("/api/v1/tasks", {"title": "Call back", "assignee_id": member.user_id, "related": {
        "type": "contact", "id": company.extra["contact"]["id"]}}, token=owner)
    assert task.status_code == 201, task.body
    for answer in (client.get(f"/api/v1/tasks/{body(task)['id']}", token=member.token),
                   client.get("/api/v1/tasks?view=all", token=member.token)):
        assert answer.status_code == 200, answer.body
        assert "Rules" not in answer.body.decode() and "Ruled" not in answer.body.decode()


def test_a_create_leaves_what_the_system_fills_to_the_system(client: ApiClient, company: Company) -> None:
    made = client.post("/api/v1/deals", {"title": "No amount given"}, token=clerk(company))
    assert made.status_code == 201, made.body
    assert "amount" not in body(made)
    owner_view = body(client.get(f"/api/v1/deals/{body(made)['id']}", token=company.owner.token))["deal"]
    assert owner_view["amount"]["minor"] == 0
    refused = client.post("/api/v1/deals", {"title": "With amount", "amount": {"minor": 5, "currency": "USD"}},
                          token=clerk(company))
    assert refused.status_code == 403 and refused.json_body["error"]["details"][0]["loc"] == ["amount"]
