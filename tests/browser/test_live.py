"""The web app's live-updates socket (static/js/live.js): opened with a ticket once signed in, each push becomes a
`crm:live` event on window, a socket the server closes is reopened with a new ticket, and sign-out closes it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config

from chalicelib.core.config import LOCAL_LIVE_PATH
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.live import service
from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient

WAIT_SECONDS = 10.0


def until(condition: Callable[[], Any], what: str) -> Any:
    """The first truthy value of condition, polled until WAIT_SECONDS have passed (the socket's server work runs
    in the app's threads; there is nothing in the page to wait on)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {what}"
            return value
        time.sleep(0.05)


def test_a_signed_in_tab_hears_pushes_reconnects_and_closes_on_sign_out(
        browser: Any, live_url: str, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    management = boto3.client("apigatewaymanagementapi", endpoint_url=live_url + LOCAL_LIVE_PATH,
                              region_name="eu-west-1", config=Config(retries={"max_attempts": 1}))
    monkeypatch.setattr(service, "management_client", lambda: management)  # the public URL serves nothing
    company = signup(ApiClient(app), company="Live Bakery")
    ctx = TenantContext(tenant_id=company.tenant_id)

    def sockets() -> list[str]:
        with bind(ctx):
            return [c.connection_id for c in service.connections(ctx, company.owner.user_id)]

    page = new_page(browser, live_url)
    log_in(page, company.owner, "Live Bakery")
    first = until(sockets, "the tab's socket")[0]
    page.evaluate("() => { window.heard = []; addEventListener('crm:live', (e) => window.heard.push(e.detail)); }")
    message = {"type": "test.ringing", "from": "+4930123456", "name": "Ирина"}
    assert service.push(ctx, [company.owner.user_id], message) == 1
    page.wait_for_function("() => window.heard.length === 1")
    assert page.evaluate("() => window.heard") == [message]

    management.delete_connection(ConnectionId=first)  # API Gateway closes sockets (2 hours, 10 idle minutes)
    second = until(lambda: [c for c in sockets() if c != first], "the reopened socket")[0]
    assert service.push(ctx, [company.owner.user_id], {"type": "test.note"}) == 1
    page.wait_for_function("() => window.heard.length === 2")

    page.locator("summary[aria-label]").first.click()
    page.locator("[data-test=logout]").click()
    until(lambda: not sockets(), "the socket to close on sign-out")
    assert second not in sockets()
    assert_no_problems(page)
    page.context.close()
