"""A document sent in the customer's Telegram chat (sendDocument by our link, written in the conversation) and
numbers taken by racing documents: the loser renders again with the next number, none is skipped or doubled."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.channels import transport
from tests.factories import Company, signup
from tests.messaging.kit import create_line, inbox, play, thread
from tests.support import ApiClient, body
from webhooks.messengers import Chat, telegram_post, telegram_update


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Paper Shop")
    line = create_line(client, company, "telegram")
    chat = Chat(chat_id=778899, name="Petr Paperman")
    [answer] = play(client, [telegram_post(line["webhook_url"], line["secret"],
                                           telegram_update(chat, 1, {"message_id": 1, "text": "An invoice, please"}))])
    assert answer.status_code == 200, answer.body
    [conversation] = inbox(client, company)
    deal = body(client.post("/api/v1/deals", {"title": "Paper", "amount": {"minor": 9900, "currency": "EUR"},
                                              "contact_ids": [conversation["contact_id"]]}, token=company.owner.token))
    company.extra.update(deal=deal, conversation=conversation, line=line)
    return company


def test_a_document_goes_to_the_contacts_telegram_chat(client: ApiClient, shop: Company) -> None:
    deal = shop.extra["deal"]
    document = body(client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "quote"},
                                token=shop.owner.token))
    sent = client.post(f"/api/v1/documents/{document['id']}/send", {"channel": "messenger", "message": "Our quote"},
                       token=shop.owner.token)
    assert sent.status_code == 200, sent.body
    assert body(sent)["sends"][-1]["channel"] == "telegram" and body(sent)["sends"][-1]["status"] == "sent"
    request = [r for r in transport.sandbox_requests("telegram") if r["url"].endswith("/sendDocument")][-1]
    payload = json.loads(request["body"])
    assert payload["chat_id"] == 778899 and payload["caption"] == "Our quote"
    assert f"tenants/{shop.tenant_id}/documents/{document['id']}.pdf" in payload["document"].replace("%2F", "/")
    last = thread(client, shop, shop.extra["conversation"]["id"])[-1]
    assert last["direction"] == "out" and last["kind"] == "document" and last["text"] == "Our quote"


def test_no_chat_no_address_is_422(client: ApiClient, app: Any) -> None:
    company = signup(client, company="Nobody's Shop")
    deal = body(client.post("/api/v1/deals", {"title": "Lonely"}, token=company.owner.token))
    document = body(client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice"},
                                token=company.owner.token))
    for channel in ("messenger", "email"):
        answer = client.post(f"/api/v1/documents/{document['id']}/send", {"channel": channel},
                             token=company.owner.token)
        assert answer.status_code == 422, answer.body
    again = body(client.get(f"/api/v1/documents/{document['id']}", token=company.owner.token))
    assert again["sends"] == [] and again["version"] == document["version"]


def test_racing_documents_take_consecutive_numbers(client: ApiClient, shop: Company,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministically: a second document is issued (and commits) between the first one's read of the counter
    and its transaction; the first one's transaction then fails on the counter's version, and it takes the next."""
    from chalicelib.documents import numbering, service

    deal = shop.extra["deal"]
    path = f"/api/v1/deals/{deal['id']}/documents"
    original, raced = numbering.next_number, []

    def next_number(ctx: Any, doc_type: str, year: int, **kwargs: Any) -> Any:
        found = original(ctx, doc_type, year, **kwargs)
        if not raced:
            raced.append(True)  # the rival runs to its end now, on the same counter
            rival = client.post(path, {"type": "delivery_note"}, token=shop.owner.token)
            assert rival.status_code == 201, rival.body
            raced.append(body(rival)["number"])
        return found

    monkeypatch.setattr(numbering, "next_number", next_number)
    renders: list[str] = []
    make_pdf = service.make_pdf
    monkeypatch.setattr(service, "make_pdf", lambda text, values, **paper: (
        renders.append(values["document"]["number"]), make_pdf(text, values, **paper))[1])
    first = client.post(path, {"type": "delivery_note"}, token=shop.owner.token)
    assert first.status_code == 201, first.body
    rival_number, number = raced[1], body(first)["number"]
    assert rival_number.endswith("-0001") and number.endswith("-0002")
    assert renders == [number.replace("0002", "0001"), rival_number, number]  # rendered again with the next number
    listed = body(client.get(path, token=shop.owner.token))["items"]
    numbers = [d["number"] for d in listed if d["type"] == "delivery_note"]
    assert sorted(numbers) == [rival_number, number]


def test_a_failed_write_takes_no_number_and_leaves_no_file(client: ApiClient, shop: Company,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import aws, db, errors
    from chalicelib.core.config import settings
    from chalicelib.documents import service

    path = f"/api/v1/deals/{shop.extra['deal']['id']}/documents"
    before = body(client.post(path, {"type": "quote"}, token=shop.owner.token))["number"]
    commit, failed = db.commit, []

    def failing_commit(ctx: Any, change: Any, **kwargs: Any) -> None:
        if not failed and any(getattr(item, "doc_type", None) for item in change.creates):
            failed.append(next(item.file_key for item in change.creates if hasattr(item, "file_key")))
            raise errors.ServiceUnavailableError()
        commit(ctx, change, **kwargs)

    monkeypatch.setattr(service.db, "commit", failing_commit)
    assert client.post(path, {"type": "quote"}, token=shop.owner.token).status_code == 503
    listed = aws.client("s3").list_objects_v2(Bucket=settings.recordings_bucket, Prefix=failed[0])
    assert listed.get("KeyCount", 0) == 0  # the PDF of the document never written was deleted
    after = body(client.post(path, {"type": "quote"}, token=shop.owner.token))["number"]
    assert int(after.rsplit("-", 1)[1]) == int(before.rsplit("-", 1)[1]) + 1  # the failed one took none


def test_hidden_fields_stay_hidden_on_paper(client: ApiClient, shop: Company) -> None:
    """A role kept from deals' amounts neither issues nor reads a deal's documents; one kept from contacts' e-mail
    addresses issues them without the customer's address on them."""
    from tests.factories import add_member

    owner = shop.owner.token
    base = ["deals:read:all", "deals:update:all", "contacts:read:all", "companies:read:all", "pipelines:read:all"]
    for key, rule in (("no_amounts", "deals.amount:hidden"), ("no_emails", "contacts.emails:hidden")):
        made = client.post("/api/v1/roles", {"key": key, "name": key, "permissions": [*base, rule]}, token=owner)
        assert made.status_code == 201, made.body
    kept = add_member(client, shop, role="no_amounts", name="kept-from-amounts")
    blind = add_member(client, shop, role="no_emails", name="kept-from-emails")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Vera", "emails": [{"address": "vera@example.com"}]},
                               token=owner))
    deal = body(client.post("/api/v1/deals", {"title": "Vera's order", "contact_ids": [contact["id"]]}, token=owner))
    path = f"/api/v1/deals/{deal['id']}/documents"
    document = body(client.post(path, {"type": "invoice"}, token=owner))
    for answer in (client.post(path, {"type": "invoice"}, token=kept.token), client.get(path, token=kept.token),
                   client.get(f"/api/v1/documents/{document['id']}", token=kept.token)):
        assert answer.status_code == 403 and body(answer)["error"]["code"] == "field_hidden", answer.body
    made = client.post(path, {"type": "invoice"}, token=blind.token)
    assert made.status_code == 201, made.body
    assert body(made)["customer"]["email"] == "" and body(made)["customer"]["name"] == "Vera"
    assert document["customer"]["email"] == "vera@example.com"


def test_a_document_that_begins_a_chat_names_it_as_the_card_does(client: ApiClient, shop: Company) -> None:
    # A contact known by their Telegram id but never written with: the document begins the conversation, which the
    # inbox listed as "Customer" (the channel names only those who write first).
    token = shop.owner.token
    nadia = body(client.post("/api/v1/contacts", {"first_name": "Nadia", "last_name": "Sokolova",
                                                  "messengers": {"telegram_id": "5550001"}}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Vases", "contact_ids": [nadia["id"]],
                                              "amount": {"minor": 5000, "currency": "EUR"}}, token=token))
    document = body(client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice"}, token=token))
    sent = client.post(f"/api/v1/documents/{document['id']}/send", {"channel": "messenger"}, token=token)
    assert sent.status_code == 200, sent.body
    [conversation] = inbox(client, shop, f"?contact_id={nadia['id']}")
    assert conversation["customer_name"] == "Nadia Sokolova"
