"""WhatsApp Cloud API: Meta's handshake and signature, messages of every type into conversations on the customer's
card, replies inside the 24-hour window and templates outside it, statuses in any order, media kept in S3."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chalicelib.channels import transport
from tests.factories import Company, add_member, signup
from tests.messaging.kit import APP_SECRET, create_line, get, inbox, play, thread
from tests.support import ApiClient, body
from webhooks.messengers import (
    Chat,
    whatsapp_check,
    whatsapp_message,
    whatsapp_post,
    whatsapp_requests,
    whatsapp_status,
)


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Chats Ltd", country="RU")


def _events(client: ApiClient, company: Company, line: dict[str, Any]) -> list[Any]:
    return list(get(client, company.owner.token, f"/api/v1/integrations/{line['id']}/events")["items"])


def _send(client: ApiClient, line: dict[str, Any], document: dict[str, Any]) -> Any:
    [answer] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET, document)])
    return answer


def test_meta_checks_the_url_with_the_integrations_secret_as_verify_token(client: ApiClient,
                                                                           company: Company) -> None:
    line = create_line(client, company, "whatsapp")
    [good, bad] = play(client, [whatsapp_check(line["webhook_url"], line["secret"], challenge="8841"),
                                whatsapp_check(line["webhook_url"], "not-the-token", challenge="8841")])
    assert good.status_code == 200 and good.body == b"8841"
    assert good.headers["Content-Type"].startswith("text/plain")
    assert bad.status_code == 403 and b"8841" not in bad.body
    assert _events(client, company, line) == []


def test_unsigned_forged_foreign_and_unreadable_posts_store_nothing(client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "whatsapp")
    document = whatsapp_message(Chat(), 1, "text", {"body": "Hi"})
    raw = json.dumps(document).encode()
    unsigned = client.request("POST", _path(line), body=raw, headers={"Content-Type": "application/json"})
    forged = client.request("POST", _path(line), body=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64})
    foreign = _send(client, line, whatsapp_message(Chat(phone_number_id="999999999"), 1, "text", {"body": "Hi"}))
    unreadable = _send(client, line, {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {
        "metadata": {"phone_number_id": Chat.phone_number_id}, "messages": [{"id": "wamid.X", "type": "text",
                                                                             "timestamp": "soon"}]}}]}]})
    assert (unsigned.status_code, forged.status_code) == (401, 401)
    assert foreign.status_code == 403 and body(foreign)["error"]["code"] == "wrong_phone_number"
    assert unreadable.status_code == 422
    assert _events(client, company, line) == [] and inbox(client, company) == []


def _path(line: dict[str, Any]) -> str:
    from urllib.parse import urlsplit

    return urlsplit(line["webhook_url"]).path


def test_a_number_without_a_profile_name_is_named_by_the_number_as_people_read_it(client: ApiClient,
                                                                                   company: Company) -> None:
    line = create_line(client, company, "whatsapp", unknown_sender="contact_and_deal")
    chat = Chat(customer="+79161112255", name="")  # WhatsApp sends no profile name for some accounts
    answers = play(client, whatsapp_requests("text", line["webhook_url"], app_secret=APP_SECRET,
                                             verify_token=line["secret"], chat=chat))
    assert {a.status_code for a in answers} == {200}
    [conversation] = inbox(client, company)
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert (contact["first_name"], contact.get("last_name")) == ("+7 916 111-22-55", None)
    assert [p["number"] for p in contact["phones"]] == ["+79161112255"]
    read = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    deal = get(client, company.owner.token, f"/api/v1/deals/{read['deal_id']}")
    assert deal["deal"]["title"] == "WhatsApp: +7 916 111-22-55"


def test_a_russian_profile_name_is_split_as_a_website_forms_name_box_is(client: ApiClient, company: Company) -> None:
    # "Смирнова Ольга Ивановна" made a contact whose first name was the surname and whose last name was "Ольга
    # Ивановна" (the first space split it); the forms' and the imports' splitter keeps the patronymic with the name
    line = create_line(client, company, "whatsapp", unknown_sender="contact")
    chat = Chat(customer="+79161112266", name="Смирнова Ольга Ивановна")
    answers = play(client, whatsapp_requests("text", line["webhook_url"], app_secret=APP_SECRET,
                                             verify_token=line["secret"], chat=chat))
    assert {a.status_code for a in answers} == {200}
    [conversation] = inbox(client, company)
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert (contact["first_name"], contact["last_name"]) == ("Ольга Ивановна", "Смирнова")


def test_a_number_the_phone_library_calls_invalid_still_brings_its_chat_in(client: ApiClient,
                                                                          company: Company) -> None:
    # A walk's customer wrote from +44 7700 900123 (a range libphonenumber does not take): the event failed for good
    # in the inbox with validation_error and the conversation never appeared. WhatsApp has seen the number work.
    line = create_line(client, company, "whatsapp", unknown_sender="contact_and_deal")
    chat = Chat(customer="+447700900123", name="Tom")
    answers = [_send(client, line, whatsapp_message(chat, 1, "text", {"body": "Roses for tonight?"})),
               _send(client, line, whatsapp_message(chat, 2, "text", {"body": "Red ones"}))]
    assert {a.status_code for a in answers} == {200}
    assert {e["status"] for e in _events(client, company, line)} == {"processed"}
    [conversation] = inbox(client, company)
    assert [m["text"] for m in thread(client, company, conversation["id"])] == ["Roses for tonight?", "Red ones"]
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert contact["first_name"] == "Tom" and not contact["phones"] and not (contact.get("messengers") or {})
    read = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    assert read["deal_id"]


def test_an_older_message_processed_late_leaves_the_newest_as_the_preview(client: ApiClient,
                                                                         company: Company) -> None:
    # A walk's owner replayed a customer's two failed events, the address (newer) first, then the sticker: the list
    # then previewed the sticker under the customer's name, though the thread ended with the address.
    line = create_line(client, company, "whatsapp")
    chat = Chat(customer="+79161114466", name="Late Order")
    assert _send(client, line, whatsapp_message(chat, 2, "text", {"body": "Arbat 10"})).status_code == 200
    assert _send(client, line, whatsapp_message(chat, 1, "text", {"body": "Roses please"})).status_code == 200
    [conversation] = inbox(client, company)
    assert conversation["last_message_preview"] == "Arbat 10" and conversation["unread_count"] == 2
    assert [m["text"] for m in thread(client, company, conversation["id"])] == ["Roses please", "Arbat 10"]


def test_a_new_number_becomes_a_contact_with_one_conversation_however_often_meta_repeats_it(
        client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "whatsapp", unknown_sender="contact_and_deal")
    chat = Chat(customer="+79161112233", name="Olga Petrova")
    requests = whatsapp_requests("text", line["webhook_url"], app_secret=APP_SECRET, verify_token=line["secret"],
                                 chat=chat)
    answers = play(client, requests + requests[1:] + requests[1:])
    assert [a.status_code for a in answers] == [200] * 4
    [conversation] = inbox(client, company)
    assert conversation["channel"] == "whatsapp" and conversation["unread_count"] == 1
    assert conversation["customer_name"] == "Olga Petrova"
    assert conversation["last_message_preview"] == "Hello! Is it in stock?"
    assert conversation["assignee_id"] == company.owner.user_id  # the line's creator: nobody else is responsible
    [message] = thread(client, company, conversation["id"])
    assert message["direction"] == "in" and message["status"] == "received" and message["text"].startswith("Hello")
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert (contact["first_name"], contact["last_name"]) == ("Olga", "Petrova")
    assert [p["number"] for p in contact["phones"]] == ["+79161112233"]
    assert contact["messengers"]["whatsapp"] == "+79161112233"
    contacts = get(client, company.owner.token, "/api/v1/contacts?q=Petrova")["items"]
    assert len(contacts) == 1
    read = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    deal = get(client, company.owner.token, f"/api/v1/deals/{read['deal_id']}")
    assert "Olga Petrova" in deal["deal"]["title"]
    timeline = get(client, company.owner.token, f"/api/v1/contacts/{contact['id']}/timeline")["items"]
    [entry] = [e for e in timeline if e["kind"] == "message"]
    assert entry["data"]["conversation_id"] == conversation["id"] and entry["data"]["direction"] == "in"
    assert "Hello" not in json.dumps(entry)  # what was said stays in the sealed thread


def test_a_known_number_finds_its_contact_and_goes_to_its_owner(client: ApiClient, company: Company) -> None:
    agent = add_member(client, company, role="agent", name="inboxagent")
    made = client.post("/api/v1/contacts", {"first_name": "Known", "phones": [{"number": "+79165550011"}],
                                            "owner_id": agent.user_id}, token=company.owner.token)
    assert made.status_code == 201, made.body
    line = create_line(client, company, "whatsapp")
    answer = _send(client, line, whatsapp_message(Chat(customer="+79165550011"), 1, "text", {"body": "It's me"}))
    assert answer.status_code == 200
    [conversation] = inbox(client, company)
    assert conversation["contact_id"] == body(made)["id"] and conversation["assignee_id"] == agent.user_id
    assert [c["id"] for c in inbox(client, company, f"?assignee_id={agent.user_id}")] == [conversation["id"]]
    assert [c["id"] for c in get(client, agent.token, "/api/v1/conversations")["items"]] == [conversation["id"]]


def test_every_message_type_reads_as_text_or_a_kept_file(client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "whatsapp")
    chat = Chat(customer="+79160001122")
    kinds = [("location", {"latitude": 55.75, "longitude": 37.61, "name": "Office", "address": "Tverskaya 1"}, {}),
             ("button", {"text": "Yes, call me", "payload": "CALL"}, {}),
             ("interactive", {"type": "list_reply", "list_reply": {"id": "s1", "title": "Size M"}}, {}),
             ("document", {"filename": "order.pdf", "mime_type": "application/pdf", "id": "5550001"}, {}),
             ("audio", {"mime_type": "audio/ogg; codecs=opus", "id": "5550002", "voice": True}, {}),
             ("contacts", {}, {"contacts": [{"name": {"formatted_name": "Ivan"},
                                             "phones": [{"phone": "+7 916 000-00-01"}]}]})]
    for n, (kind, content, extra) in enumerate(kinds, start=1):
        document = whatsapp_message(chat, n, kind, content, **extra)
        if kind == "contacts":
            document["entry"][0]["changes"][0]["value"]["messages"][0].pop("contacts", None)
            document["entry"][0]["changes"][0]["value"]["messages"][0]["contacts"] = extra["contacts"]
        assert _send(client, line, document).status_code == 200
    [conversation] = inbox(client, company)
    shown = {m["kind"]: m for m in thread(client, company, conversation["id"])}
    assert "Tverskaya 1" in shown["location"]["text"] and shown["button"]["text"] == "Yes, call me"
    assert shown["interactive"]["text"] == "Size M" and "Ivan" in shown["contacts"]["text"]
    [pdf] = shown["document"]["attachments"]
    assert pdf["name"] == "order.pdf" and pdf["available"] is True
    link = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}/messages/"
                                            f"{shown['document']['id']}/attachments/{pdf['id']}")
    assert link["url"].startswith("http") and link["expires_in"] == 300
    graph = [r for r in transport.sandbox_requests("whatsapp") if r["method"] == "GET"]
    assert any(r["url"].endswith("/5550001") for r in graph)
    assert all(r["headers"]["Authorization"] == "***" for r in graph)  # the token never reaches the log


def test_an_ads_referral_is_kept_as_the_conversations_source(client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "whatsapp")
    play(client, whatsapp_requests("ad", line["webhook_url"], app_secret=APP_SECRET, verify_token=line["secret"],
                                   chat=Chat(customer="+79160003344")))
    [conversation] = inbox(client, company)
    read = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    assert read["referral"]["source_type"] == "ad" and read["referral"]["ctwa_clid"] == "ARAkLkA8rmlFeiCktEJQ"
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert contact["source"].startswith("whatsapp:")


def test_replies_are_free_text_inside_24_hours_and_templates_outside(client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "whatsapp")
    chat = Chat(customer="+79160005566", start=time.time() - 25 * 3600)
    _send(client, line, whatsapp_message(chat, 1, "text", {"body": "Yesterday's question"}))
    [conversation] = inbox(client, company)
    path = f"/api/v1/conversations/{conversation['id']}/messages"
    transport.clear_sandbox()
    late = client.post(path, {"text": "Sorry for the wait"}, token=company.owner.token)
    assert late.status_code == 422 and body(late)["error"]["code"] == "template_required"
    assert transport.sandbox_requests("whatsapp") == []  # nothing went out
    read = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    assert read["window"]["open"] is False and read["templates"] is True
    template = client.post(path, {"template": {"name": "order_update", "language": "ru",
                                               "parameters": ["42"]}}, token=company.owner.token)
    assert template.status_code == 201, template.body
    [sent] = transport.sandbox_requests("whatsapp")
    assert sent["url"] == f"https://graph.facebook.com/v21.0/{Chat.phone_number_id}/messages"
    assert json.loads(sent["body"]) == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "79160005566", "type": "template",
        "template": {"name": "order_update", "language": {"code": "ru"},
                     "components": [{"type": "body", "parameters": [{"type": "text", "text": "42"}]}]}}
    _send(client, line, whatsapp_message(Chat(customer="+79160005566", start=time.time() - 30), 2, "text",
                                         {"body": "Thanks!"}))
    transport.clear_sandbox()
    now = client.post(path, {"text": "You're welcome"}, token=company.owner.token)
    assert now.status_code == 201, now.body
    [sent] = transport.sandbox_requests("whatsapp")
    assert sent["headers"]["Authorization"] == "***" and sent["headers"]["Content-Type"] == "application/json"
    assert json.loads(sent["body"]) == {"messaging_product": "whatsapp", "recipient_type": "individual",
                                        "to": "79160005566", "type": "text",
                                        "text": {"preview_url": False, "body": "You're welcome"}}
    assert body(now)["status"] == "sent" and body(now)["provider_message_id"].startswith("wamid.")
    messages = thread(client, company, conversation["id"])  # in the order of their own times
    assert sorted(m["direction"] for m in messages) == ["in", "in", "out", "out"]
    assert [m["created_at"] for m in messages] == sorted(m["created_at"] for m in messages)


def test_statuses_move_forward_in_any_order_and_one_before_its_message_is_kept(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    line = create_line(client, company, "whatsapp")
    chat = Chat(customer="+79160007788")
    _send(client, line, whatsapp_message(chat, 1, "text", {"body": "Hi"}))
    [conversation] = inbox(client, company)
    wamid = "wamid.HBgLEARLYSTATUS0001"
    # Meta reports "delivered" before our send is recorded: the status waits for its message.
    assert _send(client, line, whatsapp_status(chat, wamid, "delivered")).status_code == 200
    real = transport._RESPONDERS["whatsapp"]

    def fixed_id(request: transport.Outbound) -> transport.Answer:
        answer = real(request)
        if request.method == "POST":
            return transport.Answer(200, json.dumps({"messaging_product": "whatsapp",
                                                     "messages": [{"id": wamid}]}).encode())
        return answer

    monkeypatch.setitem(transport._RESPONDERS, "whatsapp", fixed_id)
    sent = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Here you are"},
                       token=company.owner.token)
    assert sent.status_code == 201 and body(sent)["status"] == "delivered"
    for status in ("read", "sent", "delivered"):  # a late "sent" or "delivered" never moves it back
        assert _send(client, line, whatsapp_status(chat, wamid, status)).status_code == 200
    out = thread(client, company, conversation["id"])[-1]
    assert out["status"] == "read"
    _send(client, line, whatsapp_status(chat, wamid, "failed"))
    failed = thread(client, company, conversation["id"])[-1]
    assert failed["status"] == "failed" and failed["error"]["code"] == 131047


def test_new_conversations_go_round_robin_over_the_responsible_users(client: ApiClient, company: Company) -> None:
    first = add_member(client, company, role="agent", name="firstagent")
    second = add_member(client, company, role="agent", name="secondagent")
    line = create_line(client, company, "whatsapp", responsible={"mode": "round_robin",
                                                                 "user_ids": [first.user_id, second.user_id]})
    for n in range(4):
        _send(client, line, whatsapp_message(Chat(customer=f"+7916777000{n}"), 1, "text", {"body": "Hi"}))
    assignees = [c["assignee_id"] for c in inbox(client, company)]
    assert sorted(assignees) == sorted([first.user_id, second.user_id] * 2)


def test_a_replayed_event_makes_no_second_message_contact_or_deal(client: ApiClient, company: Company) -> None:
    line = create_line(client, company, "whatsapp", unknown_sender="contact_and_deal")
    _send(client, line, whatsapp_message(Chat(customer="+79160009900", name="Replay Person"), 1, "text",
                                         {"body": "Once"}))
    [event] = _events(client, company, line)
    for _ in range(2):
        replayed = client.post(f"/api/v1/integrations/{line['id']}/events/{event['id']}/replay",
                               token=company.owner.token)
        assert replayed.status_code == 200 and body(replayed)["status"] == "processed", replayed.body
    [conversation] = inbox(client, company)
    assert len(thread(client, company, conversation["id"])) == 1
    assert len(get(client, company.owner.token, "/api/v1/contacts?q=Replay")["items"]) == 1
    deals = get(client, company.owner.token, "/api/v1/deals?q=Replay")["items"]
    assert len(deals) == 1
