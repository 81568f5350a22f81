"""A column the importer leaves out ("— skip —", mapped to "-") is written nowhere, not even in the note that keeps
the cells of the columns mapped to no field ("— in a note —", null): a HubSpot export's eighty columns need not all
reach every card."""

from __future__ import annotations

from chalicelib.dataio import importing, jobs
from tests.dataio.kit import upload
from tests.factories import signup
from tests.support import ApiClient, body


def test_a_skipped_column_is_in_no_note_and_an_unmapped_one_is(client: ApiClient) -> None:
    company = signup(client, company="Skip Columns Ltd", country="US")
    token = company.owner.token
    text = ("Record ID,First Name,Number of Pageviews,Lead Status\n"
            "51009,Ana,1742,In Progress\n")
    job = upload(client, token, text, filename="hubspot-contacts.csv")
    assert job["mapping"] == {"Record ID": None, "First Name": "first_name", "Number of Pageviews": None,
                              "Lead Status": None}, job["mapping"]
    wrong = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"], "mapping": {
        "First Name": "first_name", "Number of Pageviews": "pageviews"}}, token=token)
    assert wrong.status_code == 422, wrong.body  # a field that is none is still refused
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"], "mapping": {
        "Record ID": None, "First Name": "first_name", "Number of Pageviews": "-", "Lead Status": None}}, token=token)
    assert started.status_code == 202, started.body
    assert body(started)["mapping"]["Number of Pageviews"] == "-"
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    contact_id = importing.record_id(job["id"], 2)
    entries = body(client.get(f"/api/v1/contacts/{contact_id}/timeline?limit=50", token=token))["items"]
    notes = [entry["data"]["text"] for entry in entries if entry["kind"] == "note"]
    assert notes == ["Record ID: 51009\nLead Status: In Progress"], notes
