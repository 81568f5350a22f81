"""A Berlin web agency moving from HubSpot imports HubSpot's contacts export as HubSpot writes it ("First Name",
"Company Name", "Job Title", "Phone Number", "Lifecycle Stage", "Contact owner"): every column comes over, the
lifecycle stage (lead, customer ...) as a tag, where it was skipped and so lost."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dataio import importing
from tests.dataio.kit import named_member, run
from tests.factories import Company, signup
from tests.support import ApiClient, body

CONTACTS = (
    '"First Name","Last Name","Email","Company Name","Job Title","Phone Number","Lifecycle Stage","Contact owner"\n'
    '"Jana","Krüger","jana.krueger@mueller-bau.de","Müller Bau GmbH","Head of Marketing","030 12345678",'
    '"Customer","Lena Vogel"\n'
    '"Tom","Becker","tom@startup.example","","","0171 2345678","Marketing Qualified Lead",""\n')


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Spreeblick Digital", country="DE", timezone="Europe/Berlin")
    named_member(client, company, "lena", "Lena Vogel")
    return company


def test_a_hubspot_contacts_export_comes_over_with_its_lifecycle_stage(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = done = run(client, token, company.tenant_id, CONTACTS, filename="hubspot-contacts.csv")
    assert job["mapping"] == {
        "First Name": "first_name", "Last Name": "last_name", "Email": "email", "Company Name": "company",
        "Job Title": "job_title", "Phone Number": "phone", "Lifecycle Stage": "tags", "Contact owner": "owner_id"}
    assert done["progress"]["created"] == 2 and done["progress"]["errors"] == [], done["progress"]
    jana = body(client.get(f"/api/v1/contacts/{importing.record_id(job['id'], 2)}", token=token))
    assert (jana["job_title"], jana["tags"], jana["owner_id"]) == ("Head of Marketing", ["customer"],
                                                                   company.members["lena"].user_id)
    assert [p["number"] for p in jana["phones"]] == ["+493012345678"] and len(jana["company_ids"]) == 1
    tom = body(client.get(f"/api/v1/contacts/{importing.record_id(job['id'], 3)}", token=token))
    assert tom["tags"] == ["marketing qualified lead"]


def test_hubspot_s_addresses_domains_and_mobile_numbers_come_over(client: ApiClient) -> None:
    """An Austin HVAC installer's HubSpot export: the company's "Company Domain Name", each one's "Street Address",
    "City", "State/Region", "Postal Code" and "Country/Region", a contact's "Mobile Phone Number" beside its "Phone
    Number" and its "Associated Company" were skipped, so the installers had no address to drive to."""
    company = signup(client, company="Lone Star Air", country="US", timezone="America/Chicago")
    token = company.owner.token
    companies = ("Company name,Company Domain Name,Street Address,City,State/Region,Postal Code,Country/Region\n"
                 "Barton Creek Dental,bartoncreekdental.com,4100 Bee Caves Rd,Austin,TX,78746,United States\n")
    job = run(client, token, company.tenant_id, companies, "company", filename="hubspot-companies.csv")
    assert job["progress"]["created"] == 1 and job["progress"]["errors"] == [], job["progress"]
    dental = body(client.get(f"/api/v1/companies/{importing.record_id(job['id'], 2)}", token=token))
    dental = dental.get("company", dental)
    assert dental["website"] == "https://bartoncreekdental.com"
    assert dental["address"] == {"line1": "4100 Bee Caves Rd", "city": "Austin", "region": "TX",
                                 "postal_code": "78746", "country": "US"}
    contacts = ("First Name,Last Name,Phone Number,Mobile Phone Number,Street Address,City,State/Region,Postal Code,"
                "Country/Region,Associated Company\n"
                "Maria,Gonzalez,(512) 555-0142,(512) 555-0199,1507 Ridgeline Dr,Round Rock,Texas,78664,Narnia,"
                "Barton Creek Dental\n")
    job = run(client, token, company.tenant_id, contacts, filename="hubspot-contacts.csv")
    assert job["mapping"]["Mobile Phone Number"] == "phone" and job["mapping"]["Associated Company"] == "company"
    assert [(e["type"], e["value"]) for e in job["progress"]["errors"]] == [("country_dropped", "Narnia")]
    maria = body(client.get(f"/api/v1/contacts/{importing.record_id(job['id'], 2)}", token=token))
    assert [p["number"] for p in maria["phones"]] == ["+15125550142", "+15125550199"]
    assert maria["company_ids"] == [dental["id"]]
    assert maria["shipping_address"] == {"line1": "1507 Ridgeline Dr", "city": "Round Rock", "region": "Texas",
                                         "postal_code": "78664"}
