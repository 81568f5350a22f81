"""The storage limit: bytes counted as files are written (recordings, imports, exports), shown in usage, refused
where a file someone adds would exceed it, never for a provider's file (a call recording is kept, the tenant over)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.billing import storage
from chalicelib.billing.models import Usage, usage_key
from chalicelib.core import aws, db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import bind
from chalicelib.identity import plans
from tests.billing import helpers
from tests.factories import Company, signup
from tests.seeds.dataio import ensure_bucket, upload
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim

MB = storage.MB
CSV = "Name,Phone\nAlpha Stored,+1 202 555 0147\n"


def stored(company: Company) -> storage.Stored:
    ctx = helpers.context(company)
    with bind(ctx):
        return storage.stored(ctx)


def set_kept(company: Company, size: int) -> None:
    """The company keeps size bytes of files (its counters otherwise as they are)."""
    ctx = helpers.context(company)
    with bind(ctx):
        found = db.get(ctx, Usage, *usage_key(ctx)) or Usage(*usage_key(ctx))
        found.storage_bytes = size
        found.save()


def answered_call(client: ApiClient, company: Company) -> tuple[dict[str, Any], list[Any]]:
    pbx = create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id})
    requests = pbx_sim.requests("answered", pbx["webhook_url"], key=None, secret=pbx["secret"],
                                call=Call(customer="+79161234567", talk_seconds=12))
    assert all(answer.status_code == 200 for answer in play(client, pbx, requests))
    return pbx, requests


@pytest.fixture
def company(client: ApiClient) -> Company:
    ensure_bucket()
    return signup(client, company="Storage Ltd", country="RU")


def test_a_recording_counts_its_bytes_once_and_shows_in_usage(client: ApiClient, company: Company) -> None:
    assert helpers.usage(client, company)["storage_mb"] == {"used": 0, "limit": 51_200}  # the trial's pro
    pbx, requests = answered_call(client, company)
    [call] = calls(client, company)
    assert call["recording"] == {"available": True}
    kept = stored(company).kept
    assert kept > 0 and stored(company).short_lived == 0
    play(client, pbx, requests)  # the provider sends it all again: the recording is not fetched nor counted again
    assert stored(company).kept == kept
    assert helpers.usage(client, company)["storage_mb"] == {"used": 1, "limit": 51_200}  # megabytes, rounded up
    assert helpers.billing(client, company)["over_limits"] == []


def test_a_recording_past_the_plan_is_kept_and_the_company_reads_over_its_limit(
        client: ApiClient, company: Company) -> None:
    full = 51_200 * MB
    set_kept(company, full)
    answered_call(client, company)
    [call] = calls(client, company)
    assert call["recording"] == {"available": True}  # a customer's call is never lost to the plan
    assert stored(company).kept > full
    found = helpers.billing(client, company)
    assert found["over_limits"] == ["storage_mb"] and found["usage"]["storage_mb"]["used"] == 51_201
    answer = upload(client, company.owner.token, CSV)  # a file someone of the company adds is refused
    assert answer.status_code == 402, answer.body
    error = body(answer)["error"]
    assert error["code"] == "plan_limit_reached"
    detail = error["details"][0]
    assert (detail["limit"], detail["allowed"], detail["used"], detail["plan"], detail["upgrade_to"]) \
        == ("storage_mb", 51_200, 51_201, "pro", "enterprise")


def test_an_import_file_counts_for_the_days_the_bucket_keeps_it(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = upload(client, company.owner.token, CSV)
    assert answer.status_code == 201, answer.body
    assert stored(company) == storage.Stored(kept=0, short_lived=len(CSV.encode()))
    assert helpers.usage(client, company)["storage_mb"]["used"] == 1
    now = db.utcnow()
    monkeypatch.setattr(db, "utcnow", lambda: now + timedelta(days=storage.SHORT_LIVED_DAYS - 1))
    assert stored(company).short_lived == len(CSV.encode())  # the bucket may still hold it
    monkeypatch.setattr(db, "utcnow", lambda: now + timedelta(days=storage.SHORT_LIVED_DAYS))
    assert stored(company).short_lived == 0  # the bucket's lifecycle deleted it: nothing has to subtract it


def test_an_import_that_would_pass_the_plan_is_refused_and_nothing_is_kept(
        client: ApiClient, company: Company) -> None:
    helpers.end_trial(company)  # free: 500 MB
    set_kept(company, 500 * MB - 10)
    answer = upload(client, company.owner.token, CSV)
    assert answer.status_code == 402, answer.body
    detail = body(answer)["error"]["details"][0]
    assert (detail["limit"], detail["allowed"], detail["used"], detail["upgrade_to"]) \
        == ("storage_mb", 500, 500, "start")
    assert stored(company) == storage.Stored(kept=500 * MB - 10, short_lived=0)
    s3 = aws.client("s3")
    kept = s3.list_objects_v2(Bucket=settings.export_bucket, Prefix=f"imports/{company.tenant_id}/")
    assert kept.get("KeyCount", 0) == 0  # the file was refused before it was stored
    set_kept(company, 500 * MB - len(CSV.encode()))  # exactly room for it
    assert upload(client, company.owner.token, CSV).status_code == 201


def test_an_export_counts_but_is_never_refused(client: ApiClient, company: Company) -> None:
    helpers.end_trial(company)
    set_kept(company, 600 * MB)  # over the free plan's 500 MB already
    assert client.post("/api/v1/contacts", {"first_name": "Exported"}, token=company.owner.token).status_code == 201
    answer = client.post("/api/v1/exports", {"entity": "contact", "format": "csv"}, token=company.owner.token)
    assert answer.status_code in (200, 201, 202), answer.body
    assert body(answer)["status"] == "done"
    assert stored(company).short_lived > 0  # counted for the days the bucket keeps it
    assert helpers.billing(client, company)["over_limits"] == ["storage_mb"]


def test_a_kept_file_racing_for_the_last_bytes_is_refused_by_the_counters_condition(company: Company) -> None:
    """Two uploads that both read room for themselves cannot both commit: the usage item's condition decides."""
    ctx = helpers.context(company)
    with bind(ctx):
        standing = plans.standing(ctx)
        first, second = db.Change(), db.Change()
        room = storage.ceiling(standing) or 0
        storage.count(ctx, standing, size=room - 5, change=first, kept=True)  # read: room for it
        storage.count(ctx, standing, size=10, change=second, kept=True)  # read: room for it too
        db.commit(ctx, first)
        with pytest.raises(Exception) as refused:
            db.commit(ctx, second)
        assert getattr(refused.value, "code", None) == "plan_limit_reached"
        assert storage.stored(ctx).kept == room - 5


def test_released_bytes_no_longer_count(company: Company) -> None:
    ctx = helpers.context(company)
    with bind(ctx):
        change = db.Change()
        plans.store_file(ctx, size=3 * MB, change=change, provided=True)
        db.commit(ctx, change)
        change = db.Change()
        plans.release_file(ctx, size=3 * MB, change=change)
        db.commit(ctx, change)
        assert storage.stored(ctx).kept == 0


def test_an_upload_as_base64_counts_its_decoded_bytes(client: ApiClient, company: Company) -> None:
    content = "Name\n" + "x" * 1000 + "\n"
    answer = client.post("/api/v1/imports", {"entity": "contact", "filename": "big.csv",
                                             "content_base64": base64.b64encode(content.encode()).decode()},
                         token=company.owner.token)
    assert answer.status_code == 201, answer.body
    assert stored(company).short_lived == len(content.encode())


def test_a_file_a_customer_sends_in_a_messenger_counts_once_and_is_never_refused(
        client: ApiClient, company: Company) -> None:
    from tests.messaging.kit import APP_SECRET, create_line, inbox, thread
    from tests.messaging.kit import play as play_messages
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

    set_kept(company, 51_200 * MB)  # the trial's pro is full already
    line = create_line(client, company, "whatsapp")
    document = whatsapp_message(Chat(customer="+79160001133"), 1, "document",
                                {"filename": "order.pdf", "mime_type": "application/pdf", "id": "5550009"})
    request = whatsapp_post(line["webhook_url"], APP_SECRET, document)
    assert [a.status_code for a in play_messages(client, [request, request])] == [200, 200]  # sent twice
    [conversation] = inbox(client, company)
    [message] = thread(client, company, conversation["id"])
    assert message["attachments"][0]["available"] is True  # kept past the plan
    size = stored(company).kept - 51_200 * MB
    assert size > 0
    assert helpers.billing(client, company)["over_limits"] == ["storage_mb"]
    play_messages(client, [request])
    assert stored(company).kept - 51_200 * MB == size  # counted once
