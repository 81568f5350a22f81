"""A Telegram campaign through the company's bot (sendMessage): each consenting customer who has written to the bot
gets the text with the unsubscribe link in its last line; a test goes to a chat of the bot the tester chose, since a
bot cannot write first to anyone; a customer who blocked the bot fails, one throttled comes again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.channels import transport
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.campaigns.helpers import Queue
from tests.factories import Company, signup
from tests.messaging.kit import create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, telegram_post, telegram_update

OLGA, PAVEL, OWNER = 777101, 777102, 777100


def _write_to_bot(client: ApiClient, company: Company, line: dict[str, Any], chat_id: int, name: str) -> dict[str, Any]:
    update = telegram_update(Chat(chat_id=chat_id, name=name), chat_id, {"message_id": 1, "text": "Здравствуйте"})
    [answer] = play(client, [telegram_post(line["webhook_url"], line["secret"], update)])
    assert answer.status_code == 200, answer.body
    return next(c for c in inbox(client, company) if c["customer_name"] == name)


def _campaign(client: ApiClient, company: Company, line: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    owner = company.owner.token
    mine = _write_to_bot(client, company, line, OWNER, "Owner Herself")
    for chat_id, name in ((OLGA, "Olga Petrova"), (PAVEL, "Pavel Smirnov")):
        chat = _write_to_bot(client, company, line, chat_id, name)
        client.patch(f"/api/v1/contacts/{chat['contact_id']}", {"tags": ["tg"], "version": 1}, token=owner)
        if chat_id == OLGA:
            granted = client.put(f"/api/v1/contacts/{chat['contact_id']}/consent", {"telegram": "granted"}, token=owner)
            assert body(granted)["telegram"]["status"] == "granted"
    segment = body(client.post("/api/v1/segments", {"name": "Telegram", "conditions": [
        {"type": "tag_has", "value": "tg"}]}, token=owner))
    with bind(ctx := TenantContext(tenant_id=company.tenant_id)):
        assert jobs.build(ctx, segment["id"])
    made = client.post("/api/v1/campaigns", {"name": "Весна", "channel": "telegram", "segment_id": segment["id"],
                                             "integration_id": line["id"], "body": "{first_name}, скидка 20%"},
                       token=owner)
    assert made.status_code == 201, made.body
    return body(made), mine


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Салон Лилия")


def _send(client: ApiClient, company: Company, campaign: dict[str, Any], mine: dict[str, Any], queue: Queue) -> Any:
    owner = company.owner.token
    tested = client.post(f"/api/v1/campaigns/{campaign['id']}/test", {"conversation_id": mine["id"]}, token=owner)
    assert tested.status_code == 200, tested.body
    assert body(tested)["to"] == "Owner Herself"
    version = body(client.get(f"/api/v1/campaigns/{campaign['id']}", token=owner))["version"]
    transport.clear_sandbox()
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/send", {"version": version}, token=owner).status_code == 200
    queue.drain()
    return body(client.get(f"/api/v1/campaigns/{campaign['id']}/results", token=owner))


def test_a_telegram_campaign_reaches_the_consenting_customer_through_the_bot(
        client: ApiClient, company: Company, campaign_queue: Queue) -> None:
    line = create_line(client, company, "telegram")
    campaign, mine = _campaign(client, company, line)
    results = _send(client, company, campaign, mine, campaign_queue)
    assert (results["sent"], results["skipped_consent"], results["failed"]) == (1, 1, 0), results
    assert results["delivered"] == 1  # sendMessage answers with the message in the chat; no status follows
    [request] = [r for r in transport.sandbox_requests("telegram") if r["url"].endswith("/sendMessage")]
    sent = json.loads(request["body"])
    first, last = sent["text"].split("\n")
    assert sent["chat_id"] in (OLGA, str(OLGA)) and first == "Olga, скидка 20%" and "/m/u/" in last
    # the unsubscribe link withdraws Telegram's consent: the next campaign skips her
    path = last.split("/m/u/", 1)[1]
    assert client.post(f"/m/u/{path}", {}).status_code in (200, 204)
    olga = next(c for c in inbox(client, company) if c["customer_name"] == "Olga Petrova")
    consent = body(client.get(f"/api/v1/contacts/{olga['contact_id']}/consent", token=company.owner.token))
    assert consent["telegram"]["status"] == "withdrawn" and consent["sms"]["status"] == "unknown"


def test_a_telegram_test_goes_only_to_a_chat_of_the_campaigns_bot(client: ApiClient, company: Company,
                                                                  campaign_queue: Queue) -> None:
    owner = company.owner.token
    line = create_line(client, company, "telegram")
    campaign, _ = _campaign(client, company, line)
    nothing = client.post(f"/api/v1/campaigns/{campaign['id']}/test", {}, token=owner)
    assert nothing.status_code == 422 and body(nothing)["error"]["details"][0]["loc"] == ["body", "conversation_id"]
    other_line = create_line(client, company, "telegram", bot_token="987654321:AAE-sandbox-bot-token-000000002")
    elsewhere = _write_to_bot(client, company, other_line, 777200, "Someone Else")
    wrong = client.post(f"/api/v1/campaigns/{campaign['id']}/test", {"conversation_id": elsewhere["id"]}, token=owner)
    assert wrong.status_code == 422 and body(wrong)["error"]["details"][0]["type"] == "unknown_reference"
    stranger = signup(client, company="Another salon")
    theirs = _write_to_bot(client, stranger, create_line(client, stranger, "telegram"), 777300, "Their Customer")
    across = client.post(f"/api/v1/campaigns/{campaign['id']}/test", {"conversation_id": theirs["id"]}, token=owner)
    assert across.status_code == 422  # another company's chat is no chat of this bot (and says nothing of it)
    assert body(client.get(f"/api/v1/campaigns/{campaign['id']}", token=owner))["test_sent_at"] is None


def test_a_customer_who_blocked_the_bot_fails_one_throttled_comes_again(
        client: ApiClient, company: Company, campaign_queue: Queue, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = company.owner.token
    line = create_line(client, company, "telegram")
    campaign, mine = _campaign(client, company, line)
    pavel = next(c for c in inbox(client, company) if c["customer_name"] == "Pavel Smirnov")
    client.put(f"/api/v1/contacts/{pavel['contact_id']}/consent", {"telegram": "granted"}, token=owner)
    real, throttled = transport._RESPONDERS["telegram"], []

    def answering(request: transport.Outbound) -> transport.Answer:
        if request.url.endswith("/sendMessage"):
            chat = str(json.loads(request.body)["chat_id"])
            if chat == str(PAVEL):
                return transport.Answer(403, json.dumps({"ok": False, "error_code": 403, "description":
                                                         "Forbidden: bot was blocked by the user"}).encode())
            if chat == str(OLGA) and not throttled:
                throttled.append(1)
                return transport.Answer(429, json.dumps({"ok": False, "error_code": 429, "description":
                                                         "Too Many Requests: retry after 3",
                                                         "parameters": {"retry_after": 3}}).encode())
        return real(request)

    monkeypatch.setitem(transport._RESPONDERS, "telegram", answering)
    results = _send(client, company, campaign, mine, campaign_queue)
    assert throttled and (results["sent"], results["failed"]) == (1, 1), results
    failed = body(client.get(f"/api/v1/campaigns/{campaign['id']}/messages?delivery=failed", token=owner))["items"]
    assert [m["contact_id"] for m in failed] == [pavel["contact_id"]] and "blocked" in failed[0]["reason"]
