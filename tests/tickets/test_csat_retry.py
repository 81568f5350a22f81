"""The satisfaction question when its channel fails (#24): tried again until it goes out, never lost while the link
lives, never sent twice (a replayed timer, or a run that died after sending, asks nothing more)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.channels import transport
from chalicelib.core import db, errors, tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from chalicelib.messaging import service as messaging_service
from chalicelib.tickets import csat
from tests.factories import Company, signup
from tests.messaging.kit import make_conversation
from tests.support import ApiClient, body
from tests.tickets.kit import fire, from_message, open_ticket, status


@pytest.fixture(scope="module")
def company(api: ApiClient) -> Company:
    return signup(api, company="Rating Retry Co")


def _ctx(company: Company) -> TenantContext:
    return TenantContext(tenant_id=company.tenant_id, actor_id="scheduler", actor_kind="system", role="system",
                         source="job")


def _asked(api: ApiClient, company: Company, conversation_id: str) -> int:
    items = body(api.get(f"/api/v1/conversations/{conversation_id}/messages", token=company.owner.token))["items"]
    return len([m for m in items if m["direction"] == "out" and "/csat/" in (m["text"] or "")])


def _closed_on_conversation(api: ApiClient, company: Company, customer: str) -> tuple[dict[str, Any], str]:
    token = company.owner.token
    conversation = make_conversation(api, token, customer=customer)
    ticket = from_message(api, token, conversation)
    return status(api, token, ticket, "closed"), conversation["id"]


def test_a_provider_outage_is_retried_and_the_question_goes_out_once(api: ApiClient, company: Company,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ticket, conversation_id = _closed_on_conversation(api, company, "+79160006611")
    real_reply = messaging_service.reply

    def down(*args: Any, **kwargs: Any) -> Any:
        raise transport.ProviderError("WhatsApp answered 503")

    monkeypatch.setattr(messaging_service, "reply", down)
    ctx = _ctx(company)
    with tenancy.bind(ctx):
        first = due.get_timer(ctx, kind=csat.KIND, ref=ticket["id"])
    assert first is not None
    assert fire(company.tenant_id, csat.KIND, ticket["id"]) == "fired"
    with tenancy.bind(ctx):
        moved = due.get_timer(ctx, kind=csat.KIND, ref=ticket["id"])
    assert moved is not None and moved.due_at > first.due_at  # kept, later: not lost
    assert _asked(api, company, conversation_id) == 0
    assert body(api.get(f"/api/v1/tickets/{ticket['id']}", token=company.owner.token))["csat"]["sent_via"] is None

    monkeypatch.setattr(messaging_service, "reply", real_reply)
    assert fire(company.tenant_id, csat.KIND, ticket["id"]) == "fired"
    assert _asked(api, company, conversation_id) == 1
    assert fire(company.tenant_id, csat.KIND, ticket["id"]) == "none"
    with tenancy.bind(ctx):  # the first timer delivered again (its delete lost): nothing more goes out
        assert csat.send(ctx, first) is None
    assert _asked(api, company, conversation_id) == 1
    card = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=company.owner.token))
    assert card["csat"]["sent_via"] == "conversation"


def test_a_run_that_dies_after_sending_does_not_ask_again(api: ApiClient, company: Company,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ticket, conversation_id = _closed_on_conversation(api, company, "+79160006612")

    def lost(*args: Any, **kwargs: Any) -> None:
        raise errors.ServiceUnavailableError("DynamoDB throttled")

    monkeypatch.setattr(csat, "_mark_sent", lost)
    assert fire(company.tenant_id, csat.KIND, ticket["id"]) == "retrying"  # the due run's own retry
    monkeypatch.undo()
    assert _asked(api, company, conversation_id) == 1
    assert fire(company.tenant_id, csat.KIND, ticket["id"]) == "fired"
    assert _asked(api, company, conversation_id) == 1


def test_an_outage_past_the_links_expiry_is_recorded_as_failed(api: ApiClient, company: Company,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import mail

    token = company.owner.token
    contact = body(api.post("/api/v1/contacts", {"first_name": "Mailed", "emails": [{"address": "m@example.com"}]},
                            token=token))
    ticket = status(api, token, open_ticket(api, token, contact_id=contact["id"]), "closed")

    def ses_down(**kwargs: Any) -> str:
        raise errors.ServiceUnavailableError("E-mail could not be sent; try again shortly.")

    monkeypatch.setattr(mail, "send", ses_down)
    assert fire(company.tenant_id, csat.KIND, ticket["id"]) == "fired"
    later = db.utcnow() + csat.VALID_FOR + timedelta(minutes=1)
    monkeypatch.setattr(db, "utcnow", lambda: later)
    assert fire(company.tenant_id, csat.KIND, ticket["id"]) == "fired"
    assert fire(company.tenant_id, csat.KIND, ticket["id"]) == "none"
    card = body(api.get(f"/api/v1/tickets/{ticket['id']}", token=token))
    assert card["csat"]["sent_via"] == "failed"
