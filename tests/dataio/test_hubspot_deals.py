"""An Austin HVAC installer moving from HubSpot's free CRM imports HubSpot's deals export as HubSpot writes it: each
deal keeps its associated contact and company ("Associated Contact" as "Name (e-mail)", "Associated Company"), its
"Closed Won" / "Closed Lost" stage is suggested as the pipeline's won and lost stage, and its "Close Date" is when a
closed deal closed (an open one's expected close date), where the deals came over without contact or company."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.dataio import importing, jobs
from tests.dataio.kit import named_member, run, upload
from tests.factories import Company, signup
from tests.support import ApiClient, body

COMPANIES = ("Record ID,Company name,Company owner\n"
             "8812345001,Barton Creek Dental,Carlos Mendez\n")
CONTACTS = ("Record ID,First Name,Last Name,Email,Phone Number,Associated Company,Contact owner\n"
            "51001,Maria,Gonzalez,maria.gonzalez@bartoncreekdental.com,(512) 555-0142,Barton Creek Dental,"
            "Carlos Mendez\n"
            "51002,James,O'Neil,jim.oneil@gmail.com,512.555.0110,,Dana Whitfield\n")
DEALS = ("Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal owner,Associated Contact,Associated Company,"
         "Associated Contact IDs,Associated Company IDs\n"
         "7001,Barton Creek Dental - rooftop unit,Closed Won,18450.00,2026-10-15 17:00,Carlos Mendez,"
         "Maria Gonzalez (maria.gonzalez@bartoncreekdental.com),Barton Creek Dental,51001,8812345001\n"
         "7002,O'Neil - 3 ton heat pump,Qualified,9800,2027-03-20 12:00,Dana Whitfield,"
         "James O'Neil (jim.oneil@gmail.com),,51002,\n"
         "7003,Barton Creek Dental - maintenance plan,Closed Lost,2400,11/03/2026 10:00,Dana Whitfield,"
         "Maria Gonzalez (maria.gonzalez@bartoncreekdental.com),Barton Creek Dental,51001,8812345001\n")


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Lone Star Air", country="US", timezone="America/Chicago")
    named_member(client, company, "carlos", "Carlos Mendez")
    named_member(client, company, "dana", "Dana Whitfield")
    token = company.owner.token
    run(client, token, company.tenant_id, COMPANIES, "company", filename="hubspot-companies.csv")
    run(client, token, company.tenant_id, CONTACTS, filename="hubspot-contacts.csv")
    return company


def deal(client: ApiClient, token: str, deal_id: str) -> dict[str, Any]:
    return dict(body(client.get(f"/api/v1/deals/{deal_id}", token=token))["deal"])


def test_the_preview_suggests_closed_won_and_closed_lost_as_the_won_and_lost_stages(
        client: ApiClient, company: Company) -> None:
    token = company.owner.token
    sales = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    kinds = {stage["id"]: stage["kind"] for stage in sales["stages"]}
    preview = upload(client, token, DEALS, "deal", filename="hubspot-deals.csv")["preview"]
    suggested = {value["value"]: kinds.get(value["stage_id"]) for value in preview["stages"]}
    assert suggested == {"Closed Won": "won", "Qualified": "open", "Closed Lost": "lost"}


def test_a_hubspot_deals_export_keeps_its_contacts_companies_and_closing(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    done = run(client, token, company.tenant_id, DEALS, "deal", filename="hubspot-deals.csv")
    assert done["mapping"]["Associated Contact"] == "contact" and done["mapping"]["Associated Company"] == "company"
    assert done["progress"]["created"] == 3, done["progress"]
    contacts = body(client.get("/api/v1/contacts?limit=50", token=token))["items"]
    maria = next(c["id"] for c in contacts if c["first_name"] == "Maria")
    james = next(c["id"] for c in contacts if c["first_name"] == "James")
    dental = body(client.get("/api/v1/companies?limit=50", token=token))["items"][0]["id"]
    won, still_open, lost = (deal(client, token, importing.record_id(done["id"], row))
                             for row in (2, 3, 4))
    assert (won["contact_ids"], won["company_id"], won["status"]) == ([maria], dental, "won")
    assert won["amount"] == {"minor": 1845000, "currency": "USD"}
    # 17:00 in Austin on 15 October (daylight saving: UTC-5), and 10:00 on 3 November (standard time: UTC-6)
    assert datetime.fromisoformat(won["closed_at"]).astimezone(UTC) == datetime(2026, 10, 15, 22, 0, tzinfo=UTC)
    assert datetime.fromisoformat(lost["closed_at"]).astimezone(UTC) == datetime(2026, 11, 3, 16, 0, tzinfo=UTC)
    assert (lost["contact_ids"], lost["company_id"], lost["status"]) == ([maria], dental, "lost")
    assert (still_open["contact_ids"], still_open["status"]) == ([james], "open")
    assert still_open["expected_close_on"] == "2027-03-20" and still_open["closed_at"] is None


def test_deals_of_hubspot_s_sales_pipeline_go_to_the_pipeline_chosen_for_the_import(
        client: ApiClient, company: Company) -> None:
    """HubSpot's free CRM calls its one pipeline "Sales Pipeline", the company's here is "Sales": every row failed
    on "No pipeline with this name" until the column was found and skipped by hand."""
    token = company.owner.token
    service = body(client.post("/api/v1/pipelines", {"name": "Service"}, token=token))
    qualified = next(s["id"] for s in service["stages"] if s["kind"] == "open")
    text = ("Deal Name,Pipeline,Deal Stage,Amount\n"
            "Furnace tune-up,Sales Pipeline,Appointment Scheduled,189\n"
            "Duct cleaning,Service,Appointment Scheduled,650\n")
    job = upload(client, token, text, "deal", filename="hubspot-deals.csv", pipeline_id=service["id"],
                 stages={"Appointment Scheduled": qualified})
    assert (job["preview"]["valid"], job["preview"]["invalid"]) == (2, 0), job["preview"]["errors"]
    assert [(e["row"], e["type"], e["value"]) for e in job["preview"]["errors"]] == [
        (2, "pipeline_chosen", "Sales Pipeline")]
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    made = [deal(client, token, importing.record_id(job["id"], row)) for row in (2, 3)]
    assert [(d["pipeline_id"], d["stage_id"]) for d in made] == [(service["id"], qualified)] * 2


def test_the_columns_no_field_holds_are_kept_as_a_note_on_each_record(client: ApiClient, company: Company) -> None:
    """HubSpot's "Record ID", "Lead Status", "Create Date" and "Deal Type" have no field here: they were dropped
    without a word, and the office could no longer tell a lead's status or find a record by its HubSpot id."""
    token = company.owner.token
    text = ("Record ID,First Name,Last Name,Email,Lead Status,Create Date,Marketing contact status\n"
            "51009,Ana,Ruiz,ana.ruiz@example.com,In Progress,2026-03-04 10:15,\n")
    job = run(client, token, company.tenant_id, text, filename="hubspot-contacts.csv")
    assert job["mapping"]["Lead Status"] is None and job["progress"]["created"] == 1, job["progress"]
    contact_id = importing.record_id(job["id"], 2)
    entries = body(client.get(f"/api/v1/contacts/{contact_id}/timeline?limit=50", token=token))["items"]
    notes = [entry["data"]["text"] for entry in entries if entry["kind"] == "note"]
    assert notes == ["Record ID: 51009\nLead Status: In Progress\nCreate Date: 2026-03-04 10:15"]
