"""SES's verdicts of inbound mail: an e-mail whose sender failed DMARC (or SPF and DKIM, the domain having no DMARC
policy) is kept, marked "sender not verified", and attached to no contact, however it names a customer (their
address in From, their thread in References) until someone attaches it by hand; one SES found a virus in is kept
without its files, marked. Before, anyone could write under a customer's address and be filed on their card, and a
message with a virus was dropped whole."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.messaging.email import mime
from tests.factories import Company, add_member, signup
from tests.messaging.kit import get, inbox, thread
from tests.messaging.mailkit import create_line, deliver
from tests.support import ApiClient, body
from webhooks import mail


@pytest.fixture
def world(client: ApiClient) -> dict[str, Any]:
    company = signup(client, company="Verdicts Ltd", country="GB")
    line = create_line(client, company, unknown_sender="contact_and_deal")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Vera", "emails": [{"address": "vera@shop.example"}]},
                               token=company.owner.token))
    return {"company": company, "line": line, "contact": contact}


def _from_vera(line: dict[str, Any], verdicts: mail.Verdicts) -> mail.Correspondent:
    return mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="vera@shop.example", name="Vera",
                              verdicts=verdicts)


def _conversation(client: ApiClient, company: Company, conversation_id: str) -> dict[str, Any]:
    return dict(get(client, company.owner.token, f"/api/v1/conversations/{conversation_id}"))


@pytest.mark.parametrize("verdicts", [mail.SPOOFED, mail.UNSIGNED_SPOOF], ids=["dmarc", "spf-and-dkim"])
def test_a_sender_that_fails_the_checks_is_kept_apart_from_the_contact(
        client: ApiClient, world: dict[str, Any], verdicts: mail.Verdicts) -> None:
    company, line, contact = world["company"], world["line"], world["contact"]
    real = mail.message(_from_vera(line, mail.Verdicts()), subject="Order 12", text="Please ship it.")
    assert deliver(real)["received"] == 1
    [genuine] = inbox(client, company, f"?contact_id={contact['id']}")
    forged = mail.message(_from_vera(line, verdicts), subject="Re: Order 12", n=2, in_reply_to=real["Message-ID"],
                          text="New bank details: pay to account 4000.")
    assert deliver(forged)["received"] == 1
    # Not on Vera's card, not in her thread, and no contact or lead made of the address.
    assert [c["id"] for c in inbox(client, company, f"?contact_id={contact['id']}")] == [genuine["id"]]
    assert [m["text"] for m in thread(client, company, genuine["id"])] == ["Please ship it."]
    [kept] = [c for c in inbox(client, company, "?channel=email") if c["id"] != genuine["id"]]
    read = _conversation(client, company, kept["id"])
    assert read["sender_unverified"] is True and read["contact_id"] is None and read["deal_id"] is None
    assert _conversation(client, company, genuine["id"])["sender_unverified"] is False
    assert [m["text"] for m in thread(client, company, kept["id"])] == ["New bank details: pay to account 4000."]
    assert len(get(client, company.owner.token, "/api/v1/contacts?q=vera@shop.example")["items"]) == 1
    # Whoever knows it was Vera attaches it by hand; the mark stays, saying how it came.
    attached = client.post(f"/api/v1/conversations/{kept['id']}/contact",
                           {"contact_id": contact["id"], "version": read["version"]}, token=company.owner.token)
    assert attached.status_code == 200, attached.body
    read = _conversation(client, company, kept["id"])
    assert read["contact_id"] == contact["id"] and read["sender_unverified"] is True
    assert {c["id"] for c in inbox(client, company, f"?contact_id={contact['id']}")} == {genuine["id"], kept["id"]}


def test_attaching_by_hand_takes_only_a_contact_the_caller_reads(client: ApiClient, world: dict[str, Any]) -> None:
    company, line, contact = world["company"], world["line"], world["contact"]
    assert deliver(mail.message(_from_vera(line, mail.SPOOFED), subject="Hello", text="Hi"))["received"] == 1
    [kept] = inbox(client, company, "?channel=email")
    agent = add_member(client, company, role="agent", name="attacher")
    stale = client.post(f"/api/v1/conversations/{kept['id']}/contact",
                        {"contact_id": contact["id"], "version": kept["version"] + 1}, token=company.owner.token)
    assert stale.status_code == 409
    unknown = client.post(f"/api/v1/conversations/{kept['id']}/contact",
                          {"contact_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "version": kept["version"]},
                          token=company.owner.token)
    assert unknown.status_code == 404
    refused = client.post(f"/api/v1/conversations/{kept['id']}/contact",
                          {"contact_id": contact["id"], "version": kept["version"]}, token=agent.token)
    assert refused.status_code in (403, 404)
    assert _conversation(client, company, kept["id"])["contact_id"] is None


def test_a_message_with_a_virus_is_kept_without_its_files(client: ApiClient, world: dict[str, Any]) -> None:
    company, line, contact = world["company"], world["line"], world["contact"]
    [infected] = mail.messages("new", _from_vera(line, mail.INFECTED))
    assert deliver(infected)["received"] == 1  # it was stored as ignored, its text lost to the company
    [conversation] = inbox(client, company, f"?contact_id={contact['id']}")
    [message] = thread(client, company, conversation["id"])
    assert message["text"].startswith("Hello!") and message["attachments"] == []
    assert message["files_removed"] == "virus"
    [clean] = mail.messages("new", _from_vera(line, mail.Verdicts()))
    assert deliver(clean)["received"] == 1  # a thread of its own
    [other] = [c for c in inbox(client, company, f"?contact_id={contact['id']}") if c["id"] != conversation["id"]]
    [kept] = thread(client, company, other["id"])
    assert kept["files_removed"] is None and kept["attachments"][0]["name"] == "order.pdf"


def test_only_the_verdicts_ses_writes_on_top_count() -> None:
    """A sender may write "dmarc=pass" and "X-SES-Virus-Verdict: PASS" in its own headers: SES's come first."""
    who = mail.Correspondent(forward_to="line@in.example", sender="vera@shop.example", verdicts=mail.SPOOFED)
    forged = mail.message(who, subject="Hi", text="Hi", headers={
        "Received": "from attacker.example by relay.example", "X-SES-Virus-Verdict": "PASS",
        "Authentication-Results": "amazonses.com; spf=pass; dkim=pass; dmarc=pass header.from=shop.example"})
    assert mime.read(forged.as_bytes()).verdicts.sender_unverified
    bare = mail.message(who, subject="Hi", text="Hi")
    del bare["Authentication-Results"]
    bare["Authentication-Results"] = "mx.attacker.example; dmarc=pass"  # not SES's: no verdict at all
    assert mime.read(bare.as_bytes()).verdicts.dmarc is None
    plain = mail.message(mail.Correspondent(forward_to="line@in.example"), subject="Hi", text="Hi")
    assert not mime.read(plain.as_bytes()).verdicts.sender_unverified


def test_the_inbox_row_says_the_sender_is_not_verified(client: ApiClient, world: dict[str, Any],
                                                       tenancy_watcher: Any) -> None:
    """The mark was on the thread alone: a forged "new bank details" looked like any customer's mail in the list.
    The row carries it, so the list still reads only its rows."""
    company, line, contact = world["company"], world["line"], world["contact"]
    genuine = mail.message(_from_vera(line, mail.Verdicts()), subject="Order 12", text="Ship it.")
    assert deliver(genuine)["received"] == 1
    forged = mail.message(_from_vera(line, mail.SPOOFED), subject="Bank", n=2, text="Pay to 4000.")
    assert deliver(forged)["received"] == 1
    tenancy_watcher.reset()
    rows = inbox(client, company, "?channel=email")
    operations = [operation for operation, _ in tenancy_watcher.requests if operation != "BatchGetItem"]
    assert operations == ["Query"]  # the rows alone: nothing read per row
    marks = {c["contact_id"]: c["sender_unverified"] for c in rows}
    assert marks == {contact["id"]: False, None: True}
    [kept] = [c for c in rows if c["sender_unverified"]]
    # A second message rewrites the rows: the mark stays on them.
    again = mail.message(_from_vera(line, mail.SPOOFED), subject="Re: Bank", n=3, in_reply_to=forged["Message-ID"],
                         text="Hurry.")
    assert deliver(again)["received"] == 1
    assert [m["text"] for m in thread(client, company, kept["id"])] == ["Pay to 4000.", "Hurry."]
    assert [c["sender_unverified"] for c in inbox(client, company, "?channel=email") if c["id"] == kept["id"]] == [True]
