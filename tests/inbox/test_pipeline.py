"""The inbox: one event per delivery however often it arrives, failures kept and retried, replay by hand."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.forms import processor
from chalicelib.forms import service as forms_service
from chalicelib.inbox import jobs, pipeline
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, events, hook_path, post_form
from tests.support import ApiClient, body

LEAD = {"name": "Vera", "phone": "+79161234567", "message": "Please call"}


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Inbox Ltd", country="RU")


def _contacts(client: ApiClient, company: Company) -> list[Any]:
    return list(body(client.get("/api/v1/contacts", token=company.owner.token))["items"])


def _deals(client: ApiClient, company: Company) -> list[Any]:
    return list(body(client.get("/api/v1/deals", token=company.owner.token))["items"])


def test_fifty_concurrent_identical_deliveries_make_one_lead(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, rate_limit_per_minute=1000, sender_limit_per_minute=1000)
    key = hook_path(form).rsplit("/", 1)[1]
    raw = urlencode(LEAD).encode()

    def deliver(_: int) -> forms_service.Submitted:
        return forms_service.submit(forms_service.Post(key=key, content_type="application/x-www-form-urlencoded",
                                                       body=raw, ip="203.0.113.9"))

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(deliver, range(50)))
    assert len({a.event_id for a in answers}) == 1
    assert sum(not a.duplicate for a in answers) == 1
    [event] = events(client, company, form)
    assert event["status"] == "processed"
    assert len(_contacts(client, company)) == 1 and len(_deals(client, company)) == 1


def test_a_repeat_is_answered_as_a_duplicate_and_a_provider_id_dedupes(client: ApiClient, company: Company) -> None:
    form = create_form(client, company)
    first, again = body(post_form(client, form, LEAD)), body(post_form(client, form, LEAD))
    assert again == {"ok": True, "event_id": first["event_id"], "duplicate": True}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": "order-42"}
    one = body(client.request("POST", hook_path(form), body="name=Ivan&phone=%2B79160000001", headers=headers))
    two = body(client.request("POST", hook_path(form), body="name=Ivan+I&phone=%2B79160000001", headers=headers))
    assert two["duplicate"] is True and two["event_id"] == one["event_id"]  # same id, changed body: one event
    assert len(events(client, company, form)) == 2


def test_the_same_payload_after_24_hours_is_a_new_event(client: ApiClient, company: Company) -> None:
    form = create_form(client, company)
    post_form(client, form, LEAD)
    ctx = TenantContext(tenant_id=company.tenant_id)
    from chalicelib.inbox import service as inbox_service

    with bind(ctx):
        [mark] = list(inbox_service.DedupeMark.query(inbox_service.dedupe_pk(ctx, form["id"])))
        mark.valid_until = db.utcnow() - timedelta(seconds=1)  # moto never expires TTL items
        mark.save()
    again = body(post_form(client, form, LEAD))
    assert again["duplicate"] is False and len(events(client, company, form)) == 2


def _break_deals(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("deal store down")

    monkeypatch.setattr(processor.deals_service, "create", broken)


def test_a_failure_is_kept_retried_after_backoff_and_never_doubles(client: ApiClient, company: Company,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    form = create_form(client, company)
    with monkeypatch.context() as patch:
        _break_deals(patch)
        answer = post_form(client, form, LEAD)
        assert answer.status_code == 200  # stored: the sender must not resend
    [event] = events(client, company, form, status="failed")
    assert event["attempts"] == 1 and event["outcome"]["reason"] == "processing_error"
    assert "deal_id" not in event["outcome"] and event["outcome"]["contact_id"]
    due = datetime.fromisoformat(event["next_attempt_at"])
    assert timedelta(seconds=29) <= due - datetime.fromisoformat(event["received_at"]) <= timedelta(seconds=61)
    assert jobs.retry_due(now=due - timedelta(seconds=1)).get("processed") is None  # not yet
    assert jobs.retry_due(now=due + timedelta(seconds=1)) == {"processed": 1}
    [done] = events(client, company, form)
    assert done["status"] == "processed" and done["attempts"] == 2 and done["next_attempt_at"] is None
    assert done["outcome"]["contact_id"] == event["outcome"]["contact_id"]
    assert len(_contacts(client, company)) == 1 and len(_deals(client, company)) == 1


def test_after_the_last_attempt_it_stays_failed_until_replayed(client: ApiClient, company: Company,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    form = create_form(client, company)
    with monkeypatch.context() as patch:
        _break_deals(patch)
        post_form(client, form, LEAD)
        now = db.utcnow()
        for _ in range(pipeline.MAX_ATTEMPTS + 2):
            now += pipeline.MAX_DELAY + timedelta(minutes=1)
            jobs.retry_due(now=now)
    [event] = events(client, company, form, status="failed")
    assert event["attempts"] == pipeline.MAX_ATTEMPTS and event["next_attempt_at"] is None
    assert event["outcome"]["final"] is True
    replayed = client.post(f"/api/v1/integrations/{form['id']}/events/{event['id']}/replay", {},
                           token=company.owner.token)
    assert replayed.status_code == 200, replayed.body
    assert body(replayed)["status"] == "processed" and body(replayed)["outcome"]["deal_id"]
    assert len(_deals(client, company)) == 1 and events(client, company, form, status="failed") == []
    again = body(client.post(f"/api/v1/integrations/{form['id']}/events/{event['id']}/replay", {},
                             token=company.owner.token))
    assert again["status"] == "processed" and len(_deals(client, company)) == 1  # made once, however replayed


def test_backoff_doubles_with_jitter_and_a_ceiling() -> None:
    rng = random.Random(7)
    for attempts, ceiling in ((1, 60), (2, 120), (3, 240), (20, 6 * 3600)):
        delay = pipeline.backoff(attempts, rng=rng).total_seconds()
        assert ceiling / 2 <= delay <= ceiling


def test_the_raw_event_is_sealed_and_its_read_is_recorded(client: ApiClient, company: Company) -> None:
    form = create_form(client, company)
    event_id = body(post_form(client, form, LEAD))["event_id"]
    ctx = TenantContext(tenant_id=company.tenant_id)
    from chalicelib.core import audit, db
    from chalicelib.inbox import models
    from chalicelib.inbox import service as inbox_service

    with bind(ctx):
        stored = inbox_service.get_event(ctx, form["id"], event_id)
        fields = db.get(ctx, models.InboxPayload, models.payloads_pk(ctx, form["id"]), event_id)
        assert stored.payload is None  # the fields live apart, written once: the event item stays small
        assert fields is not None and "Vera" not in fields.payload and fields.payload.startswith("v1:")
        assert stored.expires_at is not None and fields.expires_at == stored.expires_at
        assert abs(stored.expires_at - stored.received_at - timedelta(days=30)) < timedelta(seconds=1)
    detail = body(client.get(f"/api/v1/integrations/{form['id']}/events/{event_id}", token=company.owner.token))
    assert detail["payload"] == LEAD
    with bind(ctx):
        reads = list(audit.SensitiveRead.query(audit.reads_key(ctx, "inbox_event", event_id)))
    assert [r.field for r in reads] == ["payload"] and reads[0].actor_id == company.owner.user_id


def test_an_event_stored_with_its_fields_on_it_is_still_processed(client: ApiClient, company: Company) -> None:
    """Events stored before the fields moved to their own item (#22) keep them on the event for 30 days."""
    from chalicelib.inbox import models
    from chalicelib.inbox import service as inbox_service
    from chalicelib.integrations import service as integrations_service

    form = create_form(client, company)
    ctx = integrations_service.hook_context(company.tenant_id, form["id"])
    with bind(ctx):
        integration = integrations_service.get(ctx, form["id"])
        delivery = inbox_service.Delivery(fields=LEAD, summary="Vera")
        event, fields = inbox_service._new_event(ctx, integration, delivery, "H-legacy", db.utcnow())
        event.payload, event.dedupe_key, event.sealed_fields = fields.payload, fields.dedupe_key, None
        db.commit(ctx, db.Change().save(event))  # as stored before: one item, no item of fields
        assert db.get(ctx, models.InboxPayload, fields.pk, fields.sk) is None
        status = jobs.retry_one(company.tenant_id, form["id"], event.event_id, now=db.utcnow())
    assert status == "processed"
    assert len(_contacts(client, company)) == 1 and len(_deals(client, company)) == 1


def test_a_retry_after_the_integration_was_deleted_fails_for_good(client: ApiClient, company: Company,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    form = create_form(client, company)
    with monkeypatch.context() as patch:
        _break_deals(patch)
        post_form(client, form, LEAD)
    [event] = events(client, company, form, status="failed")
    assert client.delete(f"/api/v1/integrations/{form['id']}", token=company.owner.token).status_code == 204
    due = datetime.fromisoformat(event["next_attempt_at"]) + timedelta(seconds=1)
    assert jobs.retry_due(now=due) == {"failed": 1}
    assert jobs.retry_due(now=due + pipeline.MAX_DELAY * 2) == {}  # final: off the retry index
    ctx = TenantContext(tenant_id=company.tenant_id)
    from chalicelib.inbox import service as inbox_service

    with bind(ctx):
        stored = inbox_service.get_event(ctx, form["id"], event["id"])
    assert stored.outcome["reason"] == "integration_gone" and stored.outcome["final"] is True
