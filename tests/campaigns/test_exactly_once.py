"""A campaign to 5,000 contacts sends each message exactly once, however the queue repeats its batches and
whatever SES fails meanwhile: seeded straight into the embedded table, driven through the queue handler directly."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from chalicelib.campaigns import content, delivery
from chalicelib.campaigns.models import Consent
from chalicelib.contacts.models import Contact
from chalicelib.core import db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind, new_id, tenant_key
from chalicelib.segments import membership
from chalicelib.segments.models import Segment, SegmentCount, SegmentMember
from tests.campaigns.helpers import Queue
from tests.factories import signup
from tests.support import ApiClient, body

RECIPIENTS = 5_000
DOMAIN = "@bulk5000.example"


def _store(items: list[Any]) -> None:
    """Items put straight into the embedded table, each exactly as a BatchWriteItem of it would leave it (PynamoDB's
    serialisation, personal attributes sealed). As 600 BatchWriteItems, moto's parsing and answering of them was a
    tenth of the test's CPU, for nothing it asserts: the send path under test reads them through the product."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region]
    for item in items:
        backend.put_item(settings.table_name, item.serialize())


def _seed(ctx: TenantContext, owner_id: str, segment_id: str) -> None:
    now = db.utcnow()
    ids = [new_id() for _ in range(RECIPIENTS)]
    with bind(ctx):
        _store([Contact(tenant_key(ctx, "C", contact_id), "#PROFILE", contact_id=contact_id, first_name=f"P{number}",
                        emails=[{"address": f"p{number}{DOMAIN}"}], owner_id=owner_id, version=1)
                for number, contact_id in enumerate(ids)])
        _store([Consent(tenant_key(ctx, "CONSENT"), contact_id, contact_id=contact_id, version=1,
                        channels={"email": {"status": "granted", "source": "import", "at": None}})
                for contact_id in ids])
        _store([SegmentMember(membership.members_pk(ctx), membership.member_sk(segment_id, contact_id),
                              segment_id=segment_id, contact_id=contact_id, joined_at=now) for contact_id in ids])
        SegmentCount(membership.counts_pk(ctx), segment_id, members=RECIPIENTS).save()
        segment = db.get(ctx, Segment, membership.segments_pk(ctx), segment_id)
        assert segment is not None
        segment.status = "ready"
        db.put(ctx, segment)


def test_five_thousand_recipients_each_get_one_message_under_retries(
        client: ApiClient, campaign_queue: Queue, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Bulk sender")
    owner = company.owner.token
    segment = body(client.post("/api/v1/segments", {"name": "Everyone", "conditions": []}, token=owner))
    _seed(TenantContext(tenant_id=company.tenant_id), company.owner.user_id, segment["id"])
    campaign = body(client.post("/api/v1/campaigns", {"name": "Bulk", "channel": "email", "segment_id": segment["id"],
                                                      "subject": "Bulk news", "body": "Hi {first_name}"}, token=owner))
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/test", {}, token=owner).status_code == 200
    calls, sent = Counter[str](), Counter[str]()

    def flaky(address: str, rendered: Any, tags: dict[str, str] | None) -> str:
        """SES as the sandbox log sees it (the message built whole, its recipient counted; moto's SES takes 9 ms a
        message, which 5,000 times is over a minute of the suite's budget): every 150th call is throttled."""
        calls["all"] += 1
        if calls["all"] % 150 == 0:
            calls["failed"] += 1
            raise delivery.Unavailable("Throttling")
        message = content.mime(rendered, to=address)
        assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message
        sent[address] += 1
        assert tags is not None and tags["crm-contact"]  # what SES's delivery events will name it by
        return f"ses-{calls['all']}"

    monkeypatch.setattr(delivery, "_email", flaky)
    version = body(client.get(f"/api/v1/campaigns/{campaign['id']}", token=owner))["version"]
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/send", {"version": version}, token=owner).status_code == 200
    handled = campaign_queue.drain(redeliver=lambda n: n % 10 == 0)  # every tenth message is delivered again
    assert handled > RECIPIENTS // 50 and calls["failed"] > 0
    assert len(sent) == RECIPIENTS and set(sent.values()) == {1}
    results = body(client.get(f"/api/v1/campaigns/{campaign['id']}/results", token=owner))
    assert (results["recipients"], results["sent"], results["in_flight"], results["failed"]) == (RECIPIENTS,
                                                                                                 RECIPIENTS, 0, 0)
    assert body(client.get(f"/api/v1/campaigns/{campaign['id']}", token=owner))["status"] == "sent"
