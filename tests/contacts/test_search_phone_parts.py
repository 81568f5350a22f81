"""Contacts and companies found by a part of a phone number: any tail of 4 digits or more ("45-67",
"123-45-67") or the start of the number as dialled at home ("916 123", "8 916 123", "+7 916 12").

Each of a record's first phones has a search row per run of 4 digits of its number (keyed by the run's blind
index), so a part is one Query of the rows of its first 4 digits; the row's sealed tokens decide whether the
number starts or ends with the part. A whole valid number is still the lookup's one GetItem.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.contacts.record import CONTACT
from chalicelib.contacts.schemas import ContactListQuery
from chalicelib.core import tenancy
from chalicelib.records import matching, search
from tests.contacts.helpers import card, context, new_company, new_contact
from tests.factories import Company, add_member, signup
from tests.seeds.dataio import ensure_bucket, upload
from tests.support import ApiClient, body
from tests.watcher import WATCHER


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    return signup(ApiClient(app), company="Phone Parts Shop", country="RU")


def found(client: ApiClient, token: str, q: str, plural: str = "contacts") -> list[str]:
    """Ids a search answers (asserts 200)."""
    response = client.get(f"/api/v1/{plural}?q={quote(q)}", token=token)
    assert response.status_code == 200, response.body
    return [item["id"] for item in body(response)["items"]]


def operations(company: Company, q: str) -> list[str]:
    """The DynamoDB operations of one contacts search at the service level (the tenant's region known)."""
    ctx = context(company)
    with tenancy.bind(ctx):
        matching.tenant_region(ctx)
        start = len(WATCHER.requests)
        search.list_records(ctx, CONTACT, ContactListQuery(q=q))
        with WATCHER.lock:
            return [operation for operation, _ in WATCHER.requests[start:]]


@pytest.mark.parametrize("q", ["4567", "45-67", "3-45-67", "123-45-67", "(916) 123-4", "916 123", "9161",
                               "8 916 123", "8 (916) 123-45", "+7 916 12", "+7 (916) 123 45"])
def test_a_tail_or_the_start_of_the_number_finds_the_contact_in_one_query(client: ApiClient, shop: Company,
                                                                          q: str) -> None:
    token = shop.owner.token
    if "part" not in shop.extra:
        shop.extra["part"] = new_contact(client, token, first_name="Anna", phones=[{"number": "+7 916 123-45-67"}])
    assert found(client, token, q) == [shop.extra["part"]["id"]]
    assert operations(shop, q) == ["Query"]


def test_three_digits_or_a_part_from_the_middle_find_no_phone(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    made = new_contact(client, token, first_name="Boris", phones=[{"number": "+7 917 765-43-21"}])
    assert found(client, token, "4321") == [made["id"]] and found(client, token, "43-21") == [made["id"]]
    for q in ("321", "21", "+7 917"):  # 3 digits (after the country code): a name's prefix, no phone's part
        assert found(client, token, q) == [], q
    assert found(client, token, "7654") == []  # the middle of the number, neither its start nor a tail
    assert found(client, token, "+7 917 765-43-21") == [made["id"]]  # the whole number: its lookup
    assert operations(shop, "+7 917 765-43-21") == ["GetItem"]
    assert found(client, token, "+7 917 765-43-29") == []  # a whole valid number nobody has


def test_a_name_and_a_part_of_the_number_narrow_each_other(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    vera = new_contact(client, token, first_name="Vera", last_name="Phoneparts", phones=[{"number": "+79185550142"}])
    olga = new_contact(client, token, first_name="Olga", last_name="Phoneparts", phones=[{"number": "+79185550242"}])
    assert sorted(found(client, token, "0142")) == [vera["id"]]
    assert sorted(found(client, token, "phoneparts")) == sorted([vera["id"], olga["id"]])
    assert found(client, token, "phoneparts 0242") == [olga["id"]]
    assert found(client, token, "vera 0242") == []
    assert operations(shop, "phoneparts 0242") == ["Query"]


def test_a_changed_number_moves_its_parts_and_the_trash_takes_them(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    made = new_contact(client, token, first_name="Gleb", phones=[{"number": "+79265551177"}])
    assert found(client, token, "1177") == [made["id"]]
    changed = client.patch(f"/api/v1/contacts/{made['id']}", {
        "version": made["version"], "phones": [{"number": "+79265552288"}]}, token=token)
    assert changed.status_code == 200, changed.body
    assert found(client, token, "1177") == [] and found(client, token, "926 555 11") == []
    assert found(client, token, "2288") == [made["id"]]
    assert client.delete(f"/api/v1/contacts/{made['id']}", token=token).status_code in (200, 204)
    assert found(client, token, "2288") == [] and found(client, token, "926 555") == []
    restored = client.post(f"/api/v1/contacts/{made['id']}/restore", token=token)
    assert restored.status_code == 200, restored.body
    assert found(client, token, "55-22-88") == [made["id"]]


def test_a_contact_with_two_numbers_sharing_a_part_is_listed_once(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    made = new_contact(client, token, first_name="Dina", phones=[{"number": "+79035553344"},
                                                                 {"number": "+79045553344"}])
    assert found(client, token, "555-33-44") == [made["id"]]
    assert found(client, token, "904 555") == [made["id"]]


def test_the_first_two_numbers_are_found_by_a_part_the_others_by_the_whole_number(client: ApiClient,
                                                                                  shop: Company) -> None:
    token = shop.owner.token
    made = new_contact(client, token, first_name="Zhanna", phones=[
        {"number": "+79055557001"}, {"number": "+79055557002"}, {"number": "+79055557003"}])
    assert found(client, token, "7001") == [made["id"]] and found(client, token, "7002") == [made["id"]]
    assert found(client, token, "7003") == []  # a contact's transaction stays within 100 items
    assert found(client, token, "+7 905 555-70-03") == [made["id"]]
    reordered = client.patch(f"/api/v1/contacts/{made['id']}", {"version": made["version"], "phones": [
        {"number": "+79055557003"}, {"number": "+79055557001"}]}, token=token)
    assert reordered.status_code == 200, reordered.body
    assert found(client, token, "7003") == [made["id"]] and found(client, token, "7002") == []


def test_a_merge_keeps_the_absorbed_number_findable_by_its_tail(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    kept = new_contact(client, token, first_name="Egor", phones=[{"number": "+79605550011"}])
    absorbed = new_contact(client, token, first_name="Egor", phones=[{"number": "+79605550022"}])
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {
        "other_id": absorbed["id"], "version": kept["version"], "other_version": absorbed["version"]}, token=token)
    assert merged.status_code == 200, merged.body
    assert found(client, token, "0022") == [kept["id"]] and found(client, token, "0011") == [kept["id"]]
    undone = client.post(f"/api/v1/merges/{body(merged)['merge_id']}/undo", token=token)
    assert undone.status_code == 200, undone.body
    assert found(client, token, "0022") == [absorbed["id"]] and found(client, token, "0011") == [kept["id"]]


def test_another_company_s_contact_is_never_found_by_its_tail(client: ApiClient, shop: Company, app: Any) -> None:
    other = signup(ApiClient(app), company="Phone Parts Rival", country="RU")
    theirs = new_contact(client, other.owner.token, first_name="Rival", phones=[{"number": "+79775557788"}])
    assert found(client, other.owner.token, "7788") == [theirs["id"]]
    for q in ("7788", "77-88", "977 555", "8 977 555 77"):
        assert found(client, shop.owner.token, q) == []
    assert found(client, shop.owner.token, "7788", "companies") == []


def test_an_agent_finds_only_its_own_contacts_by_a_tail(client: ApiClient, shop: Company) -> None:
    agent = add_member(client, shop, role="agent", name="parts-agent")
    owners = new_contact(client, shop.owner.token, first_name="Owned", phones=[{"number": "+79035559911"}])
    mine = new_contact(client, shop.owner.token, first_name="Mine", owner_id=agent.user_id,
                       phones=[{"number": "+79035559912"}])
    assert found(client, agent.token, "9911") == [] and found(client, agent.token, "9912") == [mine["id"]]
    assert sorted(found(client, shop.owner.token, "903 555 99")) == sorted([owners["id"], mine["id"]])


def test_a_role_that_may_not_see_phones_cannot_search_by_their_part(client: ApiClient, shop: Company) -> None:
    owner = shop.owner.token
    role = client.post("/api/v1/roles", {"key": "no_phones", "name": "No phones", "permissions": [
        "contacts:read:all", "companies:read:all", "contacts.phones:hidden", "companies.phones:hidden"]},
        token=owner)
    assert role.status_code == 201, role.body
    clerk = add_member(client, shop, role="no_phones", name="no-phones")
    made = new_contact(client, owner, first_name="Hidden", last_name="Number", phones=[{"number": "+79095556677"}])
    company = new_company(client, owner, name="Hidden Switchboard", phones=[{"number": "+79095556678"}])
    assert found(client, owner, "6677") == [made["id"]] and found(client, owner, "6678", "companies") == [company["id"]]
    for q in ("6677", "55-66-77", "909 555", "hidden 6677"):
        assert found(client, clerk.token, q) == []
    for q in ("6678", "909 555 66"):
        assert found(client, clerk.token, q, "companies") == []
    assert found(client, clerk.token, "hidden") == [made["id"]]  # the name still finds it
    assert "phones" not in card(client, clerk.token, made["id"])


def test_a_company_is_found_by_a_tail_of_its_switchboard(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    made = new_company(client, token, name="Parts Switchboard", phones=[{"number": "+7 495 555-31-42"}])
    for q in ("3142", "31-42", "495 555", "8 495 555 31", "+7 495 555"):
        assert found(client, token, q, "companies") == [made["id"]], q
    assert found(client, token, "555.31.42", "companies") == [made["id"]]  # not read as a web address
    changed = client.patch(f"/api/v1/companies/{made['id']}", {"version": made["version"], "phones": []},
                           token=token)
    assert changed.status_code == 200, changed.body
    assert found(client, token, "3142", "companies") == []


def test_an_imported_contact_is_found_by_a_tail(client: ApiClient, shop: Company, embedded_aws: None) -> None:
    from chalicelib.dataio import importing, jobs

    ensure_bucket()
    token = shop.owner.token
    job = body(upload(client, token, "Name;Phone\nImported Parts;8 (981) 555-60-70\n"))
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", shop.tenant_id, job["id"], seconds=60) == "done"
    assert found(client, token, "60-70") == [importing.record_id(job["id"], 2)]


def test_a_role_that_sees_phones_but_not_e_mails_still_finds_by_a_part(client: ApiClient, shop: Company) -> None:
    owner = shop.owner.token
    role = client.post("/api/v1/roles", {"key": "no_emails", "name": "No e-mails", "permissions": [
        "contacts:read:all", "contacts.emails:hidden"]}, token=owner)
    assert role.status_code == 201, role.body
    clerk = add_member(client, shop, role="no_emails", name="no-emails")
    made = new_contact(client, owner, first_name="Shown", last_name="Number", phones=[{"number": "+79095554433"}],
                       emails=[{"address": "shown.number@example.com"}])
    for q in ("4433", "55-44-33", "909 555 44", "shown 4433"):
        assert found(client, clerk.token, q) == [made["id"]], q
    assert found(client, clerk.token, "shown.number@example.com") == []  # the hidden e-mail finds nothing


# -- digits alone: a phone's part and a word's start at once ----------------------------------


@pytest.fixture(scope="module")
def studio(app: Any) -> dict[str, Any]:
    """A company whose customers' names, e-mails and phones hold "1520" at their start, end or middle."""
    client = ApiClient(app)
    company = signup(client, company="Digits Studio", country="RU")
    token = company.owner.token
    made = {"company": company,
            "email": new_contact(client, token, first_name="Studio", emails=[{"address": "1520shop@example.com"}]),
            "tail": new_contact(client, token, first_name="Anna", phones=[{"number": "+7 916 555-15-20"}]),
            "middle": new_contact(client, token, first_name="Ivan", phones=[{"number": "+7 916 152-07-77"}]),
            "longer": new_contact(client, token, first_name="Petr", last_name="15200"),
            "both": new_contact(client, token, first_name="1520", phones=[{"number": "+7 926 555-15-20"}]),
            "other": new_contact(client, token, first_name="2gis")}
    made["named"] = new_company(client, token, name="1520 Studio")
    made["switchboard"] = new_company(client, token, name="Switchboard", phones=[{"number": "+7 495 555-15-20"}])
    made["site"] = new_company(client, token, name="Site Only", website="https://www.1520.ru/about")
    made["deal"] = body(client.post("/api/v1/deals", {"title": "1520 boxes"}, token=token))
    return made


def test_digits_alone_find_a_name_an_e_mail_and_a_phone_in_one_query(client: ApiClient, studio: dict[str, Any]) -> None:
    token = studio["company"].owner.token
    ids = [studio[name]["id"] for name in ("email", "tail", "longer", "both")]  # in the order they were made
    assert found(client, token, "1520") == ids
    assert operations(studio["company"], "1520") == ["Query"]
    assert found(client, token, "15200") == [studio["longer"]["id"]]
    assert found(client, token, "152001") == []
    assert found(client, token, "15-20") == [studio["tail"]["id"], studio["both"]["id"]]  # a phone's part only
    assert found(client, token, "2gis") == [studio["other"]["id"]]
    companies = [studio[name]["id"] for name in ("named", "switchboard", "site")]
    assert found(client, token, "1520", "companies") == companies
    assert found(client, token, "15-20", "companies") == [studio["switchboard"]["id"]]
    assert found(client, token, "studio 1520", "companies") == found(client, token, "1520 studio", "companies") \
        == [studio["named"]["id"]]


def test_a_name_and_a_number_find_the_same_in_either_order(client: ApiClient, studio: dict[str, Any]) -> None:
    token = studio["company"].owner.token
    for first, second in (("anna", "1520"), ("anna", "555-15-20"), ("studio", "1520"), ("1520", "15-20")):
        assert found(client, token, f"{first} {second}") == found(client, token, f"{second} {first}"), first
    assert found(client, token, "anna 1520") == [studio["tail"]["id"]]
    assert found(client, token, "studio 1520") == [studio["email"]["id"]]
    assert found(client, token, "ivan 1520") == []  # 1520 in the middle of his number


def test_digits_alone_walk_their_pages_each_record_once(client: ApiClient, studio: dict[str, Any]) -> None:
    token = studio["company"].owner.token
    walked: list[str] = []
    cursor = ""
    while True:
        response = client.get(f"/api/v1/contacts?q=1520&limit=1{cursor}", token=token)
        assert response.status_code == 200, response.body
        page = body(response)
        walked += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={quote(page['next_cursor'])}"
        other = client.get(f"/api/v1/contacts?q=1521&limit=1{cursor}", token=token)  # another search's cursor
        assert other.status_code == 400, other.body
    assert walked == [studio[name]["id"] for name in ("email", "tail", "longer", "both")]


def test_the_search_across_the_crm_finds_digits_in_every_type(client: ApiClient, studio: dict[str, Any]) -> None:
    """The top bar's search asks each type's list with the same q and at most five (screens/search.js)."""
    token = studio["company"].owner.token
    answers = {}
    for plural in ("contacts", "companies", "deals"):
        response = client.get(f"/api/v1/{plural}?q=1520&limit=5", token=token)
        assert response.status_code == 200, response.body
        answers[plural] = [item["id"] for item in body(response)["items"]]
    assert answers == {"contacts": [studio[name]["id"] for name in ("email", "tail", "longer", "both")],
                       "companies": [studio[name]["id"] for name in ("named", "switchboard", "site")],
                       "deals": [studio["deal"]["id"]]}


def test_digits_alone_find_only_by_the_fields_a_role_may_read(client: ApiClient, studio: dict[str, Any]) -> None:
    company, owner = studio["company"], studio["company"].owner.token
    roles = {"digits_no_phones": ["contacts.phones:hidden", "companies.phones:hidden"],
             "digits_no_names": ["contacts.first_name:hidden", "contacts.last_name:hidden", "contacts.emails:hidden",
                                 "companies.name:hidden", "companies.emails:hidden", "companies.website:hidden"]}
    clerks = {}
    for key, rules in roles.items():
        made = client.post("/api/v1/roles", {"key": key, "name": key, "permissions": [
            "contacts:read:all", "companies:read:all", *rules]}, token=owner)
        assert made.status_code == 201, made.body
        clerks[key] = add_member(client, company, role=key, name=key.replace("_", "-")).token
    ids = {name: studio[name]["id"] for name in studio if name != "company"}
    assert found(client, clerks["digits_no_phones"], "1520") == [ids["email"], ids["longer"], ids["both"]]
    assert found(client, clerks["digits_no_phones"], "1520", "companies") == [ids["named"], ids["site"]]
    assert found(client, clerks["digits_no_phones"], "15-20") == []
    assert found(client, clerks["digits_no_names"], "1520") == [ids["tail"], ids["both"]]
    assert found(client, clerks["digits_no_names"], "1520", "companies") == [ids["switchboard"]]
    assert found(client, clerks["digits_no_names"], "15200") == []  # Petr's hidden last name
