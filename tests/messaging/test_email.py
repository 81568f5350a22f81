"""E-mail conversations: the line's forwarding address and verified sender, mail SES stored read into threads (by
Message-ID, In-Reply-To and References), the customer's contact found or made, files kept, auto-replies kept
without a lead, replies through SES threaded, and malformed mail never lost."""

from __future__ import annotations

import re

import pytest

from chalicelib.core import aws
from chalicelib.core.config import settings
from tests.factories import Company, signup
from tests.messaging.kit import get, inbox, thread
from tests.messaging.mailkit import BUSINESS, create_line, deliver, ensure_mail_bucket, sent_mail
from tests.support import ApiClient, body
from webhooks import mail


@pytest.fixture(scope="module")
def world(app: object) -> dict[str, object]:
    from tests.support import ApiClient

    client = ApiClient(app)
    company = signup(client, company="Mail Ltd", country="GB")
    line = create_line(client, company, unknown_sender="contact_and_deal")
    return {"client": client, "company": company, "line": line}


def test_a_line_gets_a_forwarding_address_and_needs_a_verified_sender(client: ApiClient) -> None:
    company = signup(client, company="Unverified Ltd", country="GB")
    ensure_mail_bucket()
    refused = client.post("/api/v1/integrations", {"type": "email", "name": "Mailbox",
                                                   "settings": {"from_address": "nobody@unverified.example"}},
                          token=company.owner.token)
    assert refused.status_code == 422 and body(refused)["error"]["code"] == "sender_not_verified"
    listed = get(client, company.owner.token, "/api/v1/integrations")["items"]
    assert [i for i in listed if i["type"] == "email"] == []
    line = create_line(client, company, from_address=None)
    address = line["settings"]["inbound_address"]
    assert re.fullmatch(rf"[a-z2-7]{{26}}@{re.escape(settings.inbound_mail_domain)}", address)
    again = get(client, company.owner.token, f"/api/v1/integrations/{line['id']}")
    assert again["settings"]["inbound_address"] == address  # the same while the key is
    rotated = client.post(f"/api/v1/integrations/{line['id']}/rotate", {"what": "key", "version": line["version"]},
                          token=company.owner.token)
    assert rotated.status_code == 200 and body(rotated)["settings"]["inbound_address"] != address
    # Nothing posts to an e-mail line: its answers name no webhook URL (one under /hooks/email/ was served by no
    # route), as the published schema says; the forwarding address is where its mail goes.
    listed = get(client, company.owner.token, "/api/v1/integrations")["items"]
    assert [i["webhook_url"] for i in (line, again, body(rotated), *listed) if i["type"] == "email"] == [None] * 4
    schema = get(client, company.owner.token, "/api/v1/openapi.json")["components"]["schemas"]["IntegrationRead"]
    assert {"type": "null"} in schema["properties"]["webhook_url"]["anyOf"]
    old = mail.message(mail.Correspondent(forward_to=address), subject="Old address", text="Hi")
    assert deliver(old)["unrouted"] == 1  # a rotated key's address leads nowhere; the object stays in the bucket


def test_an_email_becomes_a_contact_a_lead_and_a_thread_with_its_file(world: dict[str, object]) -> None:
    client, company, line = world["client"], world["company"], world["line"]
    assert isinstance(client, ApiClient) and isinstance(company, Company) and isinstance(line, dict)
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="maria@customer.example")
    [first] = mail.messages("new", who)
    assert deliver(first)["received"] == 1
    [conversation] = inbox(client, company, "?channel=email")
    assert conversation["customer_name"] == "Maria Ivanova"
    assert conversation["last_message_preview"].startswith("Price list for spring — Hello!")
    read = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}")
    assert (read["subject"], read["address"], read["deal_id"] is not None) == (
        "Price list for spring", "maria@customer.example", True)
    contact = get(client, company.owner.token, f"/api/v1/contacts/{conversation['contact_id']}")
    assert contact["first_name"] == "Maria" and contact["emails"][0]["address"] == "maria@customer.example"
    [message] = thread(client, company, conversation["id"])
    assert message["subject"] == "Price list for spring" and message["sender"] == "Maria Ivanova " \
        "<maria@customer.example>"
    assert message["text"].startswith("Hello!") and message["attachments"][0]["name"] == "order.pdf"
    assert message["attachments"][0]["available"] is True
    link = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}/messages/"
                                            f"{message['id']}/attachments/{message['attachments'][0]['id']}")
    assert link["content_type"] == "application/pdf"
    assert deliver(first)["duplicate"] == 1  # SES stored it twice (or it was forwarded twice): one message
    assert len(thread(client, company, conversation["id"])) == 1

    answered = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Here it is."},
                           token=company.owner.token)
    assert answered.status_code == 201, answered.body
    [sent] = sent_mail("maria@customer.example")
    assert sent["From"].addresses[0].addr_spec == BUSINESS and sent["Subject"] == "Re: Price list for spring"
    assert sent["In-Reply-To"].strip() == first["Message-ID"] and first["Message-ID"] in sent["References"]
    assert sent.get_content().strip() == "Here it is."

    [reply] = mail.messages("reply", who, reply_to=body(answered)["provider_message_id"])
    deliver(reply)
    [same] = inbox(client, company, "?channel=email")
    assert same["id"] == conversation["id"]
    newest = thread(client, company, conversation["id"])[-1]
    assert newest["text"] == "Thank you, I'll take two." and newest["quoted"].startswith("On Mon, 1 Dec 2025")
    contacts = get(client, company.owner.token, "/api/v1/contacts?q=maria@customer.example")["items"]
    assert len(contacts) == 1


def test_a_reply_naming_our_own_message_id_finds_its_thread(world: dict[str, object]) -> None:
    client, company, line = world["client"], world["company"], world["line"]
    assert isinstance(client, ApiClient) and isinstance(company, Company) and isinstance(line, dict)
    contact = body(client.post("/api/v1/contacts", {"first_name": "Oleg", "emails": [{"address": "oleg@c.example"}]},
                               token=company.owner.token))
    no_subject = client.post("/api/v1/conversations", {"contact_id": contact["id"], "integration_id": line["id"],
                                                       "text": "Hello Oleg"}, token=company.owner.token)
    assert no_subject.status_code == 422 and body(no_subject)["error"]["code"] == "subject_required"
    started = client.post("/api/v1/conversations", {"contact_id": contact["id"], "integration_id": line["id"],
                                                    "text": "Hello Oleg", "subject": "Your order"},
                          token=company.owner.token)
    assert started.status_code == 201, started.body
    [sent] = sent_mail("oleg@c.example")
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="oleg@c.example", name="Oleg")
    answer = mail.message(who, subject="Re: Your order", text="Thanks!", in_reply_to=sent["Message-ID"])
    deliver(answer)
    listed = inbox(client, company, f"?contact_id={contact['id']}")
    assert [c["id"] for c in listed] == [body(started)["id"]]
    assert [m["direction"] for m in thread(client, company, body(started)["id"])] == ["out", "in"]


def test_an_auto_reply_is_kept_without_a_contact_or_lead(world: dict[str, object]) -> None:
    client, company, line = world["client"], world["company"], world["line"]
    assert isinstance(client, ApiClient) and isinstance(company, Company) and isinstance(line, dict)
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="away@elsewhere.example")
    deliver(*mail.messages("auto", who))
    found = [c for c in inbox(client, company, "?channel=email") if c["customer_name"] == "Maria Ivanova"
             and c["contact_id"] is None]
    assert len(found) == 1
    assert get(client, company.owner.token, "/api/v1/contacts?q=away@elsewhere.example")["items"] == []


@pytest.mark.parametrize("raw", [
    b"\xff\xfe\x00garbage without headers",
    b"Delivered-To: {to}\r\nFrom: =?utf-8?q?broken\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\n"
    b"Content-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@notbase64\r\n",
    b"Delivered-To: {to}\r\nSubject: \xff\xfe\r\nMessage-ID: <<<>>>\r\nReferences: <a@b> <<>\r\n\r\n\xff\xfe body",
])
def test_malformed_mail_never_fails_the_handler_and_is_never_lost(world: dict[str, object], raw: bytes) -> None:
    client, company, line = world["client"], world["company"], world["line"]
    assert isinstance(client, ApiClient) and isinstance(company, Company) and isinstance(line, dict)
    sent = raw.replace(b"{to}", line["settings"]["inbound_address"].encode())
    answer = deliver(sent)
    assert "batchItemFailures" not in answer
    [key] = answer["keys"]
    if answer.get("unrouted"):  # no line to store it for: it stays where SES put it
        kept = aws.client("s3").get_object(Bucket=settings.inbound_mail_bucket, Key=key)
    else:  # kept under the tenant's prefix, its event in the line's inbox (processed, or failed for a person)
        kept = aws.client("s3").get_object(Bucket=settings.recordings_bucket,
                                           Key=f"tenants/{company.tenant_id}/mail/{key.rsplit('/', 1)[-1]}")
        [event] = get(client, company.owner.token, f"/api/v1/integrations/{line['id']}/events?limit=1")["items"]
        assert event["status"] in {"processed", "failed"} and event["summary"] == "e-mail"
    assert kept["Body"].read() == sent


def test_the_email_simulator_drops_real_mail_where_ses_stores_it(world: dict[str, object]) -> None:
    import io

    from app import mail_in
    from tests.messaging.mailkit import notification
    from webhooks import __main__ as cli

    client, company, line = world["client"], world["company"], world["line"]
    assert isinstance(client, ApiClient) and isinstance(company, Company) and isinstance(line, dict)
    out = io.StringIO()
    assert cli.main(["simulate", "email", "--to", line["settings"]["inbound_address"], "--from", "sim@c.example",
                     "--name", "Simon Simulated", "--scenario", "new", "--bucket", settings.inbound_mail_bucket,
                     "--endpoint", f"https://s3.{settings.region}.amazonaws.com"], out=out) == 0
    [key] = re.findall(r"s3://[^/]+/(\S+)", out.getvalue())
    record = {"messageId": "sim", "receiptHandle": "r", "body": __import__("json").dumps(notification(key)),
              "attributes": {}, "messageAttributes": {}, "eventSourceARN": "arn:aws:sqs:eu-west-1:1:mail"}
    assert mail_in({"Records": [record]}, None) == {"received": 1}
    [found] = [c for c in inbox(client, company, "?channel=email") if c["customer_name"] == "Simon Simulated"]
    assert found["contact_id"] is not None


def test_an_encoded_cyrillic_subject_and_a_plain_one_read_as_written(world: dict[str, object]) -> None:
    """RFC 2047 encoded-words (folded over two lines, as mail programs send a long Cyrillic subject) and a plain
    ASCII subject, in real RFC 5322 messages, and the simulator's own message with a Cyrillic subject."""
    client, company, line = world["client"], world["company"], world["line"]
    assert isinstance(client, ApiClient) and isinstance(company, Company) and isinstance(line, dict)
    to = line["settings"]["inbound_address"]

    def raw(sender: str, subject: str, n: int) -> bytes:
        return (f"Delivered-To: {to}\r\nFrom: =?UTF-8?B?0JzQsNGA0LjRjw==?= <{sender}>\r\nTo: {BUSINESS}\r\n"
                f"Subject: {subject}\r\nDate: Sun, 6 Dec 2026 12:00:0{n} +0300\r\n"
                f"Message-ID: <subject-{n}@mua.example>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                "Добрый день!\r\n").encode()

    encoded = "=?UTF-8?B?0J/RgNCw0LnRgS3Qu9C40YHRgiDQvdCw?=\r\n =?UTF-8?B?INCy0LXRgdC90YM=?="
    who = mail.Correspondent(forward_to=to, sender="sim.ru@c.example", name="Семён")
    deliver(raw("enc@c.example", encoded, 1), raw("plain@c.example", "Order 15", 2),
            mail.message(who, subject="Заказ на субботу", text="Привет"))
    read = [get(client, company.owner.token, f"/api/v1/conversations/{c['id']}")
            for c in inbox(client, company, "?channel=email")]
    subjects = {c["address"]: c["subject"] for c in read}
    assert (subjects["enc@c.example"], subjects["plain@c.example"], subjects["sim.ru@c.example"]) == (
        "Прайс-лист на весну", "Order 15", "Заказ на субботу")
    # The sender above the message's text reads as the customer wrote their name (it showed the encoded-word
    # '=?utf-8?b?0KHQtdC80ZHQvQ==?= <sim.ru@c.example>' in the inbox).
    senders = {c["address"]: thread(client, company, c["id"])[0]["sender"] for c in read}
    assert (senders["enc@c.example"], senders["sim.ru@c.example"]) == (
        "Мария <enc@c.example>", "Семён <sim.ru@c.example>")


def test_mail_of_one_company_never_threads_into_another(client: ApiClient, world: dict[str, object]) -> None:
    alpha, alpha_line = world["company"], world["line"]
    assert isinstance(alpha, Company) and isinstance(alpha_line, dict)
    bravo = signup(client, company="Bravo Mail Ltd", country="GB")
    bravo_line = create_line(client, bravo)
    # Its own thread in alpha (with -n 2 the test making the module's first thread may run in another worker).
    mine = mail.Correspondent(forward_to=alpha_line["settings"]["inbound_address"], sender="maria@customer.example")
    assert deliver(mail.message(mine, subject="Price list for spring", text="Threads of alpha only"))["received"] == 1
    [alpha_thread] = [c for c in inbox(client, alpha, "?channel=email")
                      if "Threads of alpha only" in (c["last_message_preview"] or "")]
    alpha_ids = [m["provider_message_id"] for m in thread(client, alpha, alpha_thread["id"])]
    who = mail.Correspondent(forward_to=bravo_line["settings"]["inbound_address"], sender="maria@customer.example")
    forged = mail.message(who, subject="Re: Price list for spring", text="Let me in", in_reply_to=alpha_ids[-1],
                          references=tuple(alpha_ids))
    assert deliver(forged)["received"] == 1
    [bravo_thread] = inbox(client, bravo, "?channel=email")
    assert [m["text"] for m in thread(client, bravo, bravo_thread["id"])] == ["Let me in"]
    assert "Let me in" not in [m["text"] for m in thread(client, alpha, alpha_thread["id"])]
    bravo_contact = get(client, bravo.owner.token, f"/api/v1/contacts/{bravo_thread['contact_id']}")
    assert bravo_contact["id"] != alpha_thread["contact_id"]  # its own contact, made under its own key


def test_no_address_subject_or_word_of_an_email_is_stored_in_clear(client: ApiClient) -> None:
    from tests.security.test_personal_data_at_rest import _items

    company = signup(client, company="Sealed Mail LLC", country="GB")
    line = create_line(client, company)
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="wobblethorpe@quibble.example",
                             name="Fennimore Wobblethorpe")
    first = mail.message(who, subject="Zanzibarian teapots", text="Snorkelwhistle order\n\nOn Mon Bob wrote:\n> "
                         "Grumbleberry quote", attachment=("Pifflewick.pdf", mail.SAMPLE_PDF, "application/pdf"))
    deliver(first)
    [conversation] = inbox(client, company, "?channel=email")
    answered = client.post(f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Fizzlenook answer"},
                           token=company.owner.token)
    assert answered.status_code == 201, answered.body
    wanted = ["wobblethorpe", "quibble.example", "fennimore", "zanzibarian", "snorkelwhistle", "grumbleberry",
              "fizzlenook", first["Message-ID"].strip("<>").split("@")[0]]
    leaks = []
    for table, item in _items():
        text = __import__("json").dumps(item, ensure_ascii=False, default=str).casefold()
        found = sorted(value for value in wanted if value in text)
        if found:
            leaks.append((table, item.get("kind", {}).get("S", "?"), item["pk"]["S"][:60], found))
    assert not leaks, leaks
