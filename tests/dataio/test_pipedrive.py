"""A London office supplier moving from Pipedrive imports Pipedrive's exports as Pipedrive writes them: every column
headed "<Object> - <Field>" ("Organization - Name", "Person - Phone - Work", "Deal - Contact person" ...), so its
organizations, people and deals come over with their names, phones, e-mails, labels, owners and links."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dataio import importing
from tests.dataio import kit
from tests.dataio.kit import named_member
from tests.factories import Company, signup
from tests.support import ApiClient, body

ORGANIZATIONS = (
    '"Organization - ID","Organization - Name","Organization - Owner","Organization - Label",'
    '"Organization - Website","Organization - Industry","Organization - Open deals"\n'
    '"1","Blackfriars Legal LLP","Sarah Collins","Customer","blackfriarslegal.co.uk","Legal","1"\n')
PEOPLE = (
    '"Person - ID","Person - Name","Person - First name","Person - Last name","Person - Organization",'
    '"Person - Phone - Work","Person - Phone - Mobile","Person - Email - Work","Person - Owner","Person - Label"\n'
    '"1","Emily Hart","Emily","Hart","Blackfriars Legal LLP","020 7946 0123","07911 123456",'
    '"emily.hart@blackfriarslegal.co.uk","Sarah Collins","Customer"\n')
DEALS = (
    '"Deal - ID","Deal - Title","Deal - Value","Deal - Currency of Value","Deal - Organization",'
    '"Deal - Contact person","Deal - Stage","Deal - Owner","Deal - Expected close date","Deal - Label",'
    '"Person - Email","Person - Phone"\n'
    '"11","Blackfriars copier paper","4800.50","GBP","Blackfriars Legal LLP","Emily Hart","Qualified",'
    '"Sarah Collins","2026-12-20","Hot","emily.hart@blackfriarslegal.co.uk","020 7946 0123"\n')


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Thames Office Supplies Ltd", country="GB", timezone="Europe/London")
    named_member(client, company, "sarah", "Sarah Collins")
    return company


def run(client: ApiClient, company: Company, entity: str, text: str) -> dict[str, Any]:
    done = kit.run(client, company.owner.token, company.tenant_id, text, entity, filename=f"{entity}s-pipedrive.csv")
    assert done["progress"]["created"] == 1 and done["progress"]["errors"] == [], done["progress"]
    return done


def test_organizations_people_and_deals_come_over_as_pipedrive_exports_them(client: ApiClient,
                                                                           company: Company) -> None:
    token, sarah = company.owner.token, company.members["sarah"].user_id
    organizations = run(client, company, "company", ORGANIZATIONS)
    assert organizations["mapping"] == {
        "Organization - ID": None, "Organization - Name": "name", "Organization - Owner": "owner_id",
        "Organization - Label": "tags", "Organization - Website": "website", "Organization - Industry": "industry",
        "Organization - Open deals": None}
    firm = body(client.get(f"/api/v1/companies/{importing.record_id(organizations['id'], 2)}", token=token))
    assert (firm["name"], firm["owner_id"], firm["tags"]) == ("Blackfriars Legal LLP", sarah, ["customer"])

    people = run(client, company, "contact", PEOPLE)
    assert people["mapping"] == {
        "Person - ID": None, "Person - Name": "full_name", "Person - First name": "first_name",
        "Person - Last name": "last_name", "Person - Organization": "company", "Person - Phone - Work": "phone",
        "Person - Phone - Mobile": "phone", "Person - Email - Work": "email", "Person - Owner": "owner_id",
        "Person - Label": "tags"}
    card = body(client.get(f"/api/v1/contacts/{importing.record_id(people['id'], 2)}", token=token))
    assert (card["first_name"], card["last_name"], card["owner_id"]) == ("Emily", "Hart", sarah)
    assert [p["number"] for p in card["phones"]] == ["+442079460123", "+447911123456"]
    assert [e["address"] for e in card["emails"]] == ["emily.hart@blackfriarslegal.co.uk"]
    assert card["company_ids"] == [firm["id"]]

    deals = run(client, company, "deal", DEALS)
    assert deals["mapping"] == {
        "Deal - ID": None, "Deal - Title": "title", "Deal - Value": "amount", "Deal - Currency of Value": "currency",
        "Deal - Organization": "company", "Deal - Contact person": "contact", "Deal - Stage": "stage",
        "Deal - Owner": "owner_id", "Deal - Expected close date": "expected_close_on", "Deal - Label": "tags",
        "Person - Email": "contact_email", "Person - Phone": "contact_phone"}
    deal = body(client.get(f"/api/v1/deals/{importing.record_id(deals['id'], 2)}", token=token))["deal"]
    assert (deal["amount"], deal["owner_id"], deal["tags"]) == ({"minor": 480050, "currency": "GBP"}, sarah, ["hot"])
    assert (deal["contact_ids"], deal["company_id"], deal["expected_close_on"]) == ([card["id"]], firm["id"],
                                                                                    "2026-12-20")
