"""A mailing list brought over keeps its opt-ins: a contacts file's consent column (our export's "Marketing consent",
a newsletter or subscription column) makes each yes the contact's consent to e-mails from the import, which the next
campaign honours; a no gives none, and a word the CRM cannot read is said in the row's note and opts nobody in (the
row is imported). Before, the column was not read: every imported subscriber was skipped by campaigns."""

from __future__ import annotations

from tests.dataio.kit import run, upload
from tests.factories import signup
from tests.support import ApiClient, body

FILE = ("Name,Email,Newsletter\n"
        "Ann Yes,ann@list.example,yes\n"
        "Ben No,ben@list.example,no\n"
        "Cat Maybe,cat@list.example,maybe\n"
        "Dan Blank,dan@list.example,\n"
        "Ева Да,eva@list.example,да\n")


def test_a_lists_opt_ins_come_over_as_consent_to_e_mails(client: ApiClient) -> None:
    company = signup(client, company="Mailing Florist", country="GB")
    token = company.owner.token
    assert upload(client, token, FILE)["mapping"]["Newsletter"] == "marketing_consent"
    done = run(client, token, company.tenant_id, FILE)
    assert (done["progress"]["created"], done["progress"]["failed"]) == (5, 0)
    assert [(e["row"], e["type"], e["value"]) for e in done["progress"]["errors"]] == [(4, "not_yes_or_no", "maybe")]
    contacts = body(client.get("/api/v1/contacts?limit=50", token=token))["items"]
    states = {}
    for contact in contacts:
        consent = body(client.get(f"/api/v1/contacts/{contact['id']}/consent", token=token))["email"]
        states[contact["first_name"]] = (consent["status"], consent["source"])
    assert states == {"Ann": ("granted", "import"), "Ben": ("unknown", None), "Cat": ("unknown", None),
                      "Dan": ("unknown", None), "Ева": ("granted", "import")}
