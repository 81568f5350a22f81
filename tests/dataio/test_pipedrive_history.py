"""A London office supplier leaving Pipedrive brings its history as it was: a won or lost deal comes over won or lost
(closed when Pipedrive says, a lost one without a reason kept with a neutral one), a deal whose contact is named
otherwise ("Dr Raj Patel") finds it by the row's e-mail, an organization keeps its address, and a person's one bad
phone (Ofcom's drama range) is left out, not the person."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dataio import importing
from tests.dataio import kit
from tests.factories import Company, signup
from tests.support import ApiClient, body

ORGANIZATIONS = ('"Organization - Name","Organization - Address","Organization - Website"\n'
                 '"Blackfriars Legal LLP","1 Blackfriars Road, London SE1 8NW","blackfriarslegal.co.uk"\n')
PEOPLE = ('"Person - Name","Person - Phone - Work","Person - Phone - Mobile","Person - Email - Work"\n'
          '"Emily Hart","020 7946 0123","07700 900123","emily.hart@blackfriarslegal.co.uk"\n'
          '"Raj Patel","020 7946 0999","","raj.patel@blackfriarslegal.co.uk"\n')
DEALS = ('"Deal - Title","Deal - Value","Deal - Currency of Value","Deal - Contact person","Deal - Stage",'
         '"Deal - Status","Deal - Won time","Deal - Lost time","Deal - Lost reason","Person - Email"\n'
         '"Copier paper","480","GBP","Emily Hart","Qualified","Open","","","","emily.hart@blackfriarslegal.co.uk"\n'
         '"Toner 2024","1200","GBP","Dr Raj Patel","Negotiation","Won","2024-03-12 14:35:10","","",'
         '"raj.patel@blackfriarslegal.co.uk"\n'
         '"Desks","5000","GBP","Emily Hart","Proposal","Lost","","2024-05-02 09:00:00","Chose a competitor",'
         '"emily.hart@blackfriarslegal.co.uk"\n'
         '"Chairs","900","GBP","Emily Hart","Qualified","Lost","","2024-06-01","",'
         '"emily.hart@blackfriarslegal.co.uk"\n')


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Thames Office Supplies Ltd", country="GB", timezone="Europe/London")


def upload(client: ApiClient, company: Company, entity: str, text: str) -> dict[str, Any]:
    return kit.upload(client, company.owner.token, text, entity, filename=f"{entity}s-pipedrive.csv")


def run(client: ApiClient, company: Company, entity: str, text: str) -> dict[str, Any]:
    return kit.run(client, company.owner.token, company.tenant_id, text, entity, filename=f"{entity}s-pipedrive.csv")


def notes(job: dict[str, Any]) -> list[tuple[int, str, str, str | None]]:
    return sorted((e["row"], e["field"], e["type"], e.get("value")) for e in job["progress"]["errors"])


def test_won_and_lost_deals_come_over_closed_when_pipedrive_says(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    firms = run(client, company, "company", ORGANIZATIONS)
    assert firms["mapping"]["Organization - Address"] == "address" and firms["progress"]["created"] == 1
    firm = body(client.get(f"/api/v1/companies/{importing.record_id(firms['id'], 2)}", token=token))
    assert firm["address"]["line1"] == "1 Blackfriars Road, London SE1 8NW"

    people = run(client, company, "contact", PEOPLE)
    assert (people["progress"]["created"], people["progress"]["failed"]) == (2, 0)
    assert notes(people) == [(2, "phone", "phone_dropped", "07700 900123")]  # kept, without the drama number
    emily = body(client.get(f"/api/v1/contacts/{importing.record_id(people['id'], 2)}", token=token))
    assert [p["number"] for p in emily["phones"]] == ["+442079460123"]
    raj = importing.record_id(people["id"], 3)

    deals = run(client, company, "deal", DEALS)
    assert {column: deals["mapping"][column] for column in (
        "Deal - Stage", "Deal - Status", "Deal - Won time", "Deal - Lost time", "Deal - Lost reason")} == {
        "Deal - Stage": "stage", "Deal - Status": "status", "Deal - Won time": "closed_at",
        "Deal - Lost time": "closed_at", "Deal - Lost reason": "lost_reason"}
    assert (deals["progress"]["created"], deals["progress"]["failed"]) == (4, 0)
    assert notes(deals) == [(3, "contact", "contact_by_keys", "Dr Raj Patel"),
                            (5, "lost_reason", "lost_reason_set", None)]
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    names = {stage["id"]: stage["name"] for stage in pipeline["stages"]}
    made = [body(client.get(f"/api/v1/deals/{importing.record_id(deals['id'], row)}", token=token))["deal"]
            for row in (2, 3, 4, 5)]
    assert [(names[d["stage_id"]], d["status"], d["lost_reason"], d["closed_at"]) for d in made] == [
        ("Qualified", "open", None, None),
        ("Won", "won", None, "2024-03-12T14:35:10Z"),  # GMT in March
        ("Lost", "lost", "Chose a competitor", "2024-05-02T08:00:00Z"),  # 09:00 in London is 08:00 UTC in May
        ("Lost", "lost", "Imported as lost", "2024-05-31T23:00:00Z")]  # a date alone: London's midnight
    assert made[1]["contact_ids"] == [raj]


def test_a_status_the_file_does_not_say_plainly_fails_its_row_and_a_lone_status_column_is_the_stage(
        client: ApiClient, company: Company) -> None:
    both = upload(client, company, "deal", "Title,Stage,Status\nLamps,Proposal,Deleted\nShelves,Proposal,won\n")
    assert (both["mapping"]["Stage"], both["mapping"]["Status"]) == ("stage", "status")
    assert (both["preview"]["valid"], both["preview"]["invalid"]) == (1, 1)
    assert [(e["row"], e["field"], e["type"]) for e in both["preview"]["errors"]] == [(2, "status", "unknown_status")]
    alone = upload(client, company, "deal", "Title,Status\nLamps,Proposal\n")
    assert alone["mapping"]["Status"] == "stage" and alone["preview"]["valid"] == 1  # as before: the file's stage
    russian = upload(client, company, "deal", "Название;Этап;Статус сделки\nЛампы;Proposal;Закрыто\n")  # noqa: RUF001
    assert [e["type"] for e in russian["preview"]["errors"]] == ["unknown_status"]  # won or lost: not guessed


def test_a_deal_named_by_nobody_and_found_by_no_key_still_fails(client: ApiClient, company: Company) -> None:
    job = upload(client, company, "deal", '"Deal - Title","Deal - Contact person","Person - Email"\n'
                                          '"Pens","Dr Nobody","nobody@example.com"\n')
    assert [(e["field"], e["type"]) for e in job["preview"]["errors"]] == [("contact", "unknown_contact")]


def test_the_preview_asks_to_map_only_the_stages_of_open_deals(client: ApiClient, company: Company) -> None:
    # Pipedrive keeps a won or lost deal's last stage beside its status: the preview listed "Negotiation" and
    # "Proposal" for mapping though those rows go to the won and lost stages whatever they are mapped to
    preview = upload(client, company, "deal", DEALS)["preview"]
    assert [value["value"] for value in preview["stages"]] == ["Qualified"]
    assert [value["rows"] for value in preview["stages"]] == [1]  # "Chairs" is lost: only "Copier paper" is open
