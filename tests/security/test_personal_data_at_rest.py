"""No customer's personal value is stored in clear, in any item or key of the embedded tables (#21).

A tenant is seeded through the API and the hooks with known values: a contact with its phone, e-mail,
address, messenger handle and a free-text custom value, a company, a deal, a task, a note, a website
form's lead and a telephone call, then changed, searched and listed. Every item of every table is
then scanned, keys included: none of the values may appear as written, lower-cased, case-folded,
as E.164 or bare digits, nor any word of them (a search token).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.core.config import settings
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body
from tests.telephony.kit import create_telephony, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim

# Each value is distinctive enough that no random token or id can contain it by chance.
CONTACT = {"first_name": "Quixotella", "last_name": "Brumbleweed",
           "phones": [{"number": "+7 916 555-73-19"}], "emails": [{"address": "Quixotella.Brumble@Example.org"}],
           "billing_address": {"line1": "Vorobyovskaya Naberezhnaya 17", "city": "Podolskovo"},
           "messengers": {"telegram_username": "quixbrumble"}, "custom": {"flower": "Glimmerwort"}}
PHONES = {"+79165557319": "9165557319", "+74955558841": "4955558841", "+79035557788": "9035557788",
          "+79265551234": "9265551234", "+79265559876": "9265559876"}
COMPANY = {"name": "Zephyranthes Holdings", "phones": [{"number": "+7 495 555-88-41"}],
           "emails": [{"address": "office@zephyranthes.test"}]}
TEXTS = ["Marzipanova banquet", "Sandpiperine callback", "Bring the Oolongberry samples",
         "Prefers Tarragonix tea", "Velvetina Crumplehorn", "Хочу букет Лунофиалки", "Brumbleweedova",
         "Gingerbloomish terrace", "Lindenhollow Alleeweg 5", "Fernwickstadt", "Ring Quillfeather twice"]  # an order's
# A ticket's subject, description, staff comment and the customer's CSAT comment (#24).
TICKET_TEXTS = ["Frumblegast Wobbleton", "Snorkelwhip Quandaroo", "Plimsollyx Grubnacious", "Thundergrovia Yarblekin"]
# An import's file name, a column's header, its sample row and a problem row, and an export's search (#21).
IMPORT_TEXTS = ["Pomegranitova", "Wafflestonia", "Snickerdoodlia", "Grumbleberryhof", "Clientsfrom_Quillovka",
                "Tremblewick Quillsbury", "Фробишерелла"]
IMPORT_MAIL = "pomegranitova.w@wafflestonia.test"
# A document's free-text line, and the seller's requisites a sole trader's name and address may be (#23).
DOCUMENT_TEXTS = ["Whistlethorn bouquet", "Pennywhistle Sole Tradeswoman", "Marrowgate Lane 9"]
DOCUMENT_MAIL = "pennywhistle.ledgerbox@example.org"
EMAILS = ["quixotella.brumble@example.org", "office@zephyranthes.test", "pennywhistle.ledgerbox@example.org"]
COMMON = {"the", "for", "bring", "prefers", "tea", "хочу", "букет", "bouquet", "holdings", "samples", "callback",
          "banquet", "twice", "naberezhnaya", "office", "example", "test",
          "org"}  # words any item may hold for other reasons ("quillfeather" keeps the callback note's check)
# ("bouquet": a product's name, which stays in clear by design, may hold it: docs/ARCHITECTURE.md)


# A hunted word is matched case-blind in everything stored, sealed values' base64 included, where a word of n letters
# occurs by chance about once in 32**n characters: a tenant's items hold some 350,000, so a five-letter word ("allee"
# of an address) turned up by chance in a CI run. Seven letters or more make that about once in 100,000 runs.
SHORTEST_WORD = 7


def _variants(value: str) -> set[str]:
    folded = unicodedata.normalize("NFKC", value).casefold()
    words = {word for word in folded.replace("@", " ").replace(".", " ").split() if len(word) >= 5}
    return {value.lower(), folded, *(words - COMMON)}


def secrets() -> set[str]:
    """Every encoding of the seeded values that must not be found at rest."""
    found: set[str] = set()
    for value in [CONTACT["first_name"], CONTACT["last_name"], CONTACT["billing_address"]["line1"],  # type: ignore[index]
                  CONTACT["billing_address"]["city"], "quixbrumble", "Glimmerwort", COMPANY["name"],  # type: ignore[index]
                  *TEXTS, *TICKET_TEXTS, *DOCUMENT_TEXTS, *EMAILS, *IMPORT_TEXTS, IMPORT_MAIL]:
        found |= _variants(str(value))
    for e164, national in PHONES.items():
        found |= {e164, e164[1:], national}
    return found


def test_every_hunted_value_is_too_long_to_occur_by_chance() -> None:
    words = {word for word in secrets() if " " not in word and not word.lstrip("+").isdigit()}
    assert min(len(word) for word in words) >= SHORTEST_WORD, sorted(w for w in words if len(w) < SHORTEST_WORD)


def _items() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every item of every table of the embedded AWS, read from moto's own tables: a Scan through the API
    would cross tenants, which the tenancy watcher rightly refuses on a request path."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    tables = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].tables
    for name, table in sorted(tables.items()):
        for partition in list(table.items.values()):
            for item in list(partition.values()):
                yield name, item.to_json()["Attributes"]


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.body
    return dict(body(response))


def _seed(client: ApiClient, company: Company) -> dict[str, str]:
    token = company.owner.token
    made = client.post("/api/v1/custom-fields", {"entity": "contact", "key": "flower", "label": "Flower",
                                                 "type": "text"}, token=token)
    assert made.status_code == 201, made.body
    contact = _created(client.post("/api/v1/contacts", CONTACT, token=token, headers={"Idempotency-Key": "k-1"}))
    firm = _created(client.post("/api/v1/companies", COMPANY, token=token))
    deal = _created(client.post("/api/v1/deals", {"title": TEXTS[0], "contact_ids": [contact["id"]],
                                                  "company_id": firm["id"]}, token=token))
    task = client.post("/api/v1/tasks", {"title": TEXTS[1], "description": TEXTS[2],
                                         "related": {"type": "contact", "id": contact["id"]}}, token=token)
    assert task.status_code == 201, task.body
    note = client.post("/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]}, "text": TEXTS[3]},
                       token=token)
    assert note.status_code == 201, note.body
    changed = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact["version"],
                                                                "last_name": TEXTS[6]}, token=token)
    assert changed.status_code == 200, changed.body
    form = create_form(client, company)
    assert post_form(client, form, {"name": TEXTS[4], "phone": "+7 903 555-77-88", "message": TEXTS[5]}
                     ).status_code == 200
    assert [e["status"] for e in events(client, company, form)] == ["processed"]
    line = create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id})
    answers = play(client, line, pbx_sim.requests("answered", line["webhook_url"], key=None, secret=line["secret"],
                                                  call=Call(customer="+79265551234", talk_seconds=30)))
    missed = play(client, line, pbx_sim.requests("missed", line["webhook_url"], key=None, secret=line["secret"],
                                                 call=Call(customer="+79265559876")))  # a call-back waits for it
    assert {a.status_code for a in answers + missed} == {200}
    _order(client, token, contact["id"])
    _ticket(client, token, contact["id"])
    _document(client, token, deal["id"])
    segment_id = _segment(client, company, contact["id"])
    _campaign_bounce(client, company, segment_id, contact["id"])
    imported, exported = _import_and_export(client, company)
    return {"contact": contact["id"], "company": firm["id"], "import": imported, "export": exported}


def _import_and_export(client: ApiClient, company: Company) -> tuple[str, str]:
    """A contacts import (#21) of a file named after its source, with a column of its own, a good row, a row with a
    bad e-mail and a row naming no one, run to its end; and an export of a search for the imported contact."""
    import base64

    from chalicelib.dataio import jobs
    from tests.seeds.dataio import ensure_bucket

    ensure_bucket()
    token = company.owner.token
    csv = (f"First name,Last name,Email,{IMPORT_TEXTS[5]}\n"
           f"{IMPORT_TEXTS[0]},{IMPORT_TEXTS[1]},{IMPORT_MAIL},{IMPORT_TEXTS[2]}\n"
           f"{IMPORT_TEXTS[3]},{IMPORT_TEXTS[6]},{IMPORT_TEXTS[3]}@@bad,x\n,,,{IMPORT_TEXTS[2]}\n")
    job = _created(client.post("/api/v1/imports", {
        "entity": "contact", "filename": f"{IMPORT_TEXTS[4]}.csv",
        "content_base64": base64.b64encode(csv.encode()).decode()}, token=token))
    assert job["preview"]["invalid"] == 2, job["preview"]
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    asked = client.post("/api/v1/exports", {"entity": "contact", "format": "csv",
                                            "filters": {"q": f"{IMPORT_TEXTS[0]} {IMPORT_TEXTS[1]}"}}, token=token)
    assert asked.status_code == 202, asked.body
    export = dict(body(asked))
    assert (export["status"], export["rows"]) == ("done", 1), export
    return str(job["id"]), str(export["id"])


def _order(client: ApiClient, token: str, contact_id: str) -> None:
    """An order (#23) with a free-text line, a shipping address and notes, confirmed, paid and shipped."""
    order = _created(client.post("/api/v1/orders", {
        "currency": "RUB", "contact_id": contact_id, "notes": TEXTS[10],
        "lines": [{"description": TEXTS[7], "quantity": "2.5", "unit_price_minor": 120000, "tax_rate": "20"}],
        "shipping": {"address": {"line1": TEXTS[8], "city": TEXTS[9]}, "carrier": "CDEK"}}, token=token))
    for step in ("confirmed", "shipped"):
        moved = client.post(f"/api/v1/orders/{order['id']}/status", {"status": step, "version": order["version"]},
                            token=token)
        assert moved.status_code == 200, moved.body
        order = dict(body(moved))
        if step == "confirmed":
            paid = client.post(f"/api/v1/orders/{order['id']}/payments", {
                "version": order["version"], "amount_minor": 100000, "method": "card"}, token=token)
            assert paid.status_code == 200, paid.body
            order = dict(body(paid))


def _document(client: ApiClient, token: str, deal_id: str) -> None:
    """Requisites and an invoice of the deal (#23) with a free-text line, e-mailed (to an address of its own: the
    tickets' kit reads the contact's mail as plain text, and this one is MIME)."""
    saved = client.put("/api/v1/document-settings/requisites", {
        "version": 0, "legal_name": DOCUMENT_TEXTS[1], "address": DOCUMENT_TEXTS[2]}, token=token)
    assert saved.status_code == 200, saved.body
    document = _created(client.post(f"/api/v1/deals/{deal_id}/documents", {"type": "invoice", "lines": [
        {"description": DOCUMENT_TEXTS[0], "quantity": "3", "unit_price_minor": 99000}]}, token=token))
    sent = client.post(f"/api/v1/documents/{document['id']}/send", {"channel": "email", "to": DOCUMENT_MAIL},
                       token=token)
    assert sent.status_code == 200, sent.body


def _segment(client: ApiClient, company: Company, contact_id: str) -> str:
    """A segment by the contact's custom value (#24), built: the contact's facts hold its custom values and birthday
    sealed; its consent to e-mails, granted."""
    from chalicelib.core.tenancy import TenantContext, bind
    from chalicelib.segments import jobs

    token = company.owner.token
    segment = _created(client.post("/api/v1/segments", {"name": "Flower lovers", "conditions": [
        {"type": "custom_is", "key": "flower", "value": "Glimmerwort"}]}, token=token))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        assert jobs.build(ctx, segment["id"])
    assert body(client.get(f"/api/v1/segments/{segment['id']}", token=token))["members"] == 1
    granted = client.put(f"/api/v1/contacts/{contact_id}/consent", {"email": "granted"}, token=token)
    assert granted.status_code == 200, granted.body
    return str(segment["id"])


def _campaign_bounce(client: ApiClient, company: Company, segment_id: str, contact_id: str) -> None:
    """An e-mail campaign to the segment (#24), and SES's bounce of it naming the address (its destination,
    headers and diagnostic code): stored sealed in the inbox, the message's reason in codes only."""
    from chalice.app import SQSEvent

    from chalicelib.campaigns import mail_events
    from tests.campaigns.helpers import parsed, queue
    from tests.factories import outbox
    from webhooks import ses_events

    token, address = company.owner.token, EMAILS[0]
    campaigns = queue()
    campaign = _created(client.post("/api/v1/campaigns", {"name": "Spring", "channel": "email",
                                                          "segment_id": segment_id, "subject": "Spring",
                                                          "body": "Tulips"}, token=token))
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/test", {}, token=token).status_code == 200
    version = body(client.get(f"/api/v1/campaigns/{campaign['id']}", token=token))["version"]
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/send", {"version": version}, token=token).status_code \
        == 200
    campaigns.drain()
    message_id = [m.id for m in outbox() if hasattr(m, "raw_data") and str(parsed(m)["To"]) == address][-1]
    bounce = ses_events.event("bounce", message_id=message_id, tenant_id=company.tenant_id,
                              campaign_id=campaign["id"], contact_id=contact_id, recipient=address)
    bounce["bounce"]["bouncedRecipients"][0]["diagnosticCode"] = f"smtp; 550 5.1.1 <{address}>: user unknown"
    handled = mail_events.queued_events(SQSEvent({"Records": [{"messageId": "m", "receiptHandle": "r",
                                                                "body": json.dumps(bounce)}]}, None))
    assert handled == {"batchItemFailures": []}
    results = body(client.get(f"/api/v1/campaigns/{campaign['id']}/results", token=token))
    assert (results["sent"], results["bounced"]) == (1, 1)


def _ticket(client: ApiClient, token: str, contact_id: str) -> None:
    """A ticket (#24) of the contact, searched, answered, closed and rated through its public link."""
    from tests.tickets.kit import rate

    ticket = _created(client.post("/api/v1/tickets", {"subject": TICKET_TEXTS[0], "description": TICKET_TEXTS[1],
                                                      "contact_id": contact_id}, token=token))
    assert body(client.get("/api/v1/tickets?q=frumble", token=token))["items"][0]["id"] == ticket["id"]
    answered = client.post(f"/api/v1/tickets/{ticket['id']}/replies", {"text": TICKET_TEXTS[2]}, token=token)
    assert answered.status_code == 200, answered.body
    rate(client, token, body(answered), score=5, comment=TICKET_TEXTS[3])


@pytest.fixture
def seeded(client: ApiClient) -> tuple[Company, dict[str, str]]:
    company = signup(client, company="Plaintext Hunt LLC", country="RU")
    return company, _seed(client, company)


def test_the_seeded_values_read_back_in_clear_through_the_api(client: ApiClient, seeded: Any) -> None:
    company, ids = seeded
    token = company.owner.token
    card = body(client.get(f"/api/v1/contacts/{ids['contact']}", token=token))
    assert (card["first_name"], card["last_name"]) == ("Quixotella", "Brumbleweedova")
    assert card["phones"][0]["number"] == "+79165557319" and card["custom"] == {"flower": "Glimmerwort"}
    for q in ("quixo", "Brumbleweedova", "+7 916 555 73 19", "quixotella.brumble@example.org", "quix brum"):
        found = body(client.get(f"/api/v1/contacts?q={quote(q)}", token=token))["items"]
        assert [row["id"] for row in found] == [ids["contact"]], q
    firms = body(client.get("/api/v1/companies?q=zephyr", token=token))["items"]
    assert [row["id"] for row in firms] == [ids["company"]]
    deals = body(client.get("/api/v1/deals?q=marzipanova", token=token))["items"]
    assert [row["title"] for row in deals] == [TEXTS[0]]
    job = body(client.get(f"/api/v1/imports/{ids['import']}", token=token))
    assert (job["filename"], job["columns"][-1]) == (f"{IMPORT_TEXTS[4]}.csv", IMPORT_TEXTS[5])
    assert job["preview"]["sample"][0]["first_name"] == IMPORT_TEXTS[0] and job["progress"]["failed"] == 2
    assert {e["row"] for e in job["progress"]["errors"]} == {3, 4}
    export = body(client.get(f"/api/v1/exports/{ids['export']}", token=token))
    assert export["filters"] == {"q": f"{IMPORT_TEXTS[0]} {IMPORT_TEXTS[1]}"}


def _other_tenants(item: dict[str, Any], tenant_id: str) -> bool:
    """Whether the item is keyed under other tenants only: the worker's earlier tests leave their data, which may
    hold any word (an import's address, a fuzzed text); an item of no tenant (a global index) is still scanned."""
    keys = " ".join(str(value.get("S", "")) for name, value in item.items() if name.endswith(("pk", "sk")))
    owners = set(re.findall(r"T#([0-9A-HJKMNP-TV-Z]{26})", keys))
    return bool(owners) and tenant_id not in owners


def _unescaped(text: str) -> str:
    """text with JSON's escapes of non-ASCII letters undone: a JSON attribute stores "Лунофиалки" as "\\u041b...",
    which a search for the word would pass over."""
    return re.sub(r"\\+u([0-9a-fA-F]{4})", lambda found: chr(int(found.group(1), 16)), text)


def test_no_personal_value_is_stored_in_clear_in_any_item_or_key(client: ApiClient, seeded: Any) -> None:
    leaks, seen_tenant = [], False
    wanted = secrets()
    for table, item in _items():
        if _other_tenants(item, seeded[0].tenant_id):
            continue
        text = _unescaped(json.dumps(item, ensure_ascii=False, default=str)).casefold()
        seen_tenant = seen_tenant or "plaintext hunt llc" in text  # the business's own name: not a customer's
        found = sorted(value for value in wanted if value.casefold() in text)
        if found:
            kind = item.get("kind", {}).get("S", "?")
            leaks.append(f"{table} {kind} {item['pk']['S']} {item['sk']['S']}: {found}")
    assert seen_tenant, "the scan did not reach the seeded tenant's items"
    assert not leaks, "\n".join(leaks)
