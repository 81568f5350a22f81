"""A password reset does not tell whether an account exists: the same work on both paths (#21 item 5).

Timing is even by construction, not measured here (no timing assertions in tests): a known and an unknown
address make the same DynamoDB requests in the same order, mint and hash a token each, and send one e-mail.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import auth, mail
from tests import watcher
from tests.factories import outbox, signup, unique_email
from tests.support import ApiClient


def work_of(app: Any, email: str, monkeypatch: pytest.MonkeyPatch, source_ip: str) -> list[Any]:
    """What one reset request did: its DynamoDB requests (and whether a tenant was bound), tokens, e-mails."""
    done: list[Any] = []
    for module, name in ((auth, "new_opaque_token"), (auth, "token_digest"), (mail, "send")):
        original = getattr(module, name)

        def spy(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            done.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    watcher.WATCHER.reset()
    response = ApiClient(app, source_ip=source_ip).post("/api/v1/auth/password-reset", {"email": email})
    assert response.status_code == 202, response.body
    monkeypatch.undo()
    return [(operation, tenant is not None) for operation, tenant in watcher.WATCHER.requests] + done


def test_known_and_unknown_addresses_do_the_same_work(app: Any, client: ApiClient,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    known = signup(client).owner.email
    unknown = unique_email("nobody")
    known_work = work_of(app, known, monkeypatch, "198.51.100.21")
    unknown_work = work_of(app, unknown, monkeypatch, "198.51.100.22")
    assert known_work == unknown_work
    # the lookup, a tenant read and a user read (the e-mail's language; a never-used id for an unknown address), one
    # transaction (the address's count, and the link for a known one), one e-mail
    assert [step for step in known_work if isinstance(step, tuple)] == [
        ("GetItem", False), ("Query", False), ("GetItem", True), ("GetItem", True), ("TransactWriteItems", True)]
    assert known_work.count("send") == 1 and known_work.count("token_digest") >= 1


def test_each_address_gets_its_own_answer_by_e_mail(app: Any, client: ApiClient) -> None:
    known = signup(client, company="Roses Ltd").owner.email
    unknown = unique_email("nobody")
    caller = ApiClient(app, source_ip="198.51.100.23")
    for email in (known, unknown):
        assert caller.post("/api/v1/auth/password-reset", {"email": email}).status_code == 202
    assert "/#/reset?token=rst_" in outbox(known)[-1].body and "Roses Ltd" in outbox(known)[-1].subject
    assert "no company's account uses this address" in outbox(unknown)[-1].body
    assert "token=" not in outbox(unknown)[-1].body


def test_reset_requests_spend_the_source_address_budget(app: Any) -> None:
    """Mailing strangers in bulk through the reset form is capped per source address (with failed sign-ins)."""
    from chalicelib.identity import sessions

    caller = ApiClient(app, source_ip="198.51.100.24")
    for _ in range(sessions.ADDRESS_MAX_FAILURES):
        assert caller.post("/api/v1/auth/password-reset", {"email": unique_email("x")}).status_code == 202
    sent = len(outbox())
    refused = caller.post("/api/v1/auth/password-reset", {"email": unique_email("x")})
    assert refused.status_code == 429 and refused.headers.get("Retry-After")
    assert len(outbox()) == sent
